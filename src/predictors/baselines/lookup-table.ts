// Per-op lookup table in ln ms: ln latency = overhead + Σ (count of op × per-op cost), i.e. each op multiplies the
// latency by a factor, fitted by robust least squares (ridge strength chosen by leave-one-out on the measurements,
// since 5 samples can be fewer than the ops). In ln ms no fit can predict a negative latency.
import { BaselinePredictor, type DeviceState } from './base.js';
import { fitRidgeLoo, predictLinear, type LinearModel } from './linalg.js';

/** nn-Meter-style additive cost model over the op vocabulary of the space. */
export class LookupTablePredictor extends BaselinePredictor {
  readonly kind = 'lookup-table';

  protected fitDevice(_device: string, archs: string[], logMs: Float64Array): DeviceState {
    const model = fitRidgeLoo(
      archs.map((a) => this.context.features.opCounts(a)),
      logMs,
    );
    // The table a user can read: the factor each op multiplies the latency by.
    const opFactor = Object.fromEntries(this.space.opVocabulary.map((op, j) => [op, Math.exp(model.weights[j])]));
    return { ...model, opFactor };
  }

  protected predictDevice(state: DeviceState, archs: string[]): Float64Array {
    const model = state as unknown as LinearModel;
    return Float64Array.from(archs, (a) => predictLinear(model, this.context.features.opCounts(a)));
  }
}
