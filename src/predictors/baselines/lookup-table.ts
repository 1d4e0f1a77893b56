// Per-op lookup table: latency = fixed overhead + Σ (count of op × per-op cost), costs fitted by least squares
// (ridge strength chosen by leave-one-out on the measurements, since 5 samples can be fewer than the ops).
import { BaselinePredictor, type DeviceState } from './base.js';
import { fitRidgeLoo, predictLinear, type LinearModel } from './linalg.js';

/** nn-Meter-style additive cost model over the op vocabulary of the space. */
export class LookupTablePredictor extends BaselinePredictor {
  readonly kind = 'lookup-table';

  protected fitDevice(_device: string, archs: string[], latencyMs: Float64Array): DeviceState {
    const model = fitRidgeLoo(
      archs.map((a) => this.context.features.opCounts(a)),
      latencyMs,
    );
    // The table a user can read: cost in ms per op name.
    const opCostMs = Object.fromEntries(this.space.opVocabulary.map((op, j) => [op, model.weights[j]]));
    return { ...model, opCostMs };
  }

  protected predictDevice(state: DeviceState, archs: string[]): Float64Array {
    const model = state as unknown as LinearModel;
    return Float64Array.from(archs, (a) => predictLinear(model, this.context.features.opCounts(a)));
  }
}
