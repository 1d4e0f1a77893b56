// FLOPs baseline: rank archs by multiply–accumulates, calibrated to ms by a robust line of ln ms on ln FLOPs (a power
// law) through the few measurements.
import { BaselinePredictor, type DeviceState } from './base.js';
import { fitIncreasingLine } from './linalg.js';

/** Latency ∝ FLOPs. Its ranking ignores the measurements entirely; they only set the ms scale. */
export class FlopsPredictor extends BaselinePredictor {
  readonly kind = 'flops';

  protected fitDevice(_device: string, archs: string[], logMs: Float64Array): DeviceState {
    return fitIncreasingLine(
      archs.map((a) => Math.log(this.context.features.flops(a))),
      logMs,
    );
  }

  protected predictDevice(state: DeviceState, archs: string[]): Float64Array {
    const { slope, intercept } = state as { slope: number; intercept: number };
    return Float64Array.from(archs, (a) => slope * Math.log(this.context.features.flops(a)) + intercept);
  }
}
