// Robust ridge regression of the target device's ln latency on the source devices' ln latencies of the same arch,
// fitted on the few measurements (ridge strength by leave-one-out on them).
import { HwnasError } from '../../core/errors.js';
import { BaselinePredictor, type DeviceState } from './base.js';
import { fitRidgeLoo, predictLinear, type LinearModel } from './linalg.js';

/** Target latency as a linear combination of source-device latencies. */
export class RidgeSourcesPredictor extends BaselinePredictor {
  readonly kind = 'ridge-sources';

  protected fitDevice(device: string, archs: string[], logMs: Float64Array): DeviceState {
    const index = this.sourceIndex;
    if (index === undefined)
      throw new HwnasError(`${this.kind}: needs source-device latencies (pretrain it on a latency table) before fitting '${device}'`);
    const model = fitRidgeLoo(
      archs.map((a) => index.vector(a).map(Math.log)),
      logMs,
    );
    return { ...model, sources: index.data.devices };
  }

  protected predictDevice(state: DeviceState, archs: string[]): Float64Array {
    const model = state as unknown as LinearModel;
    const index = this.sourceIndex!;
    return Float64Array.from(archs, (a) => predictLinear(model, index.vector(a).map(Math.log)));
  }
}
