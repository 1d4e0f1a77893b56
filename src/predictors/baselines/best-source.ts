// Best-correlated source device: predict with the latencies of the source device whose ranking of the few
// measured archs agrees best with the target's (Spearman), calibrated to the target's ms by a line.
import { HwnasError } from '../../core/errors.js';
import { spearman } from '../../core/metrics.js';
import { BaselinePredictor, type DeviceState } from './base.js';
import { fitIncreasingLine } from './linalg.js';

/** Index of the source device ranking `archs` most like `latencyMs`, and its ρ on them. */
export function bestCorrelatedSource(columns: readonly Float64Array[], latencyMs: ArrayLike<number>): { device: number; rho: number } {
  let best = { device: 0, rho: -Infinity };
  columns.forEach((column, d) => {
    const rho = spearman(column, latencyMs);
    // NaN (a constant column on the samples) never wins.
    if (rho > best.rho) best = { device: d, rho };
  });
  return best;
}

/** Predicts with the best-correlated source device's measured latencies. */
export class BestSourcePredictor extends BaselinePredictor {
  readonly kind = 'best-source';

  protected fitDevice(device: string, archs: string[], logMs: Float64Array): DeviceState {
    const index = this.sources(device);
    const columns = index.data.devices.map((_, d) => index.column(d, archs));
    const best = bestCorrelatedSource(columns, logMs);
    return {
      source: index.data.devices[best.device],
      sourceIndex: best.device,
      rho: best.rho,
      ...fitIncreasingLine(columns[best.device].map(Math.log), logMs),
    };
  }

  protected predictDevice(state: DeviceState, archs: string[]): Float64Array {
    const { sourceIndex, slope, intercept } = state as { sourceIndex: number; slope: number; intercept: number };
    const column = this.sources('').column(sourceIndex, archs);
    return column.map((v) => slope * Math.log(v) + intercept);
  }

  private sources(device: string) {
    if (this.sourceIndex === undefined)
      throw new HwnasError(`${this.kind}: needs source-device latencies (pretrain it on a latency table) before fitting '${device}'`);
    return this.sourceIndex;
  }
}
