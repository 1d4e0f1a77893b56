// MLP from scratch: a small dense network on the one-hot op-graph encoding, trained only on the few target
// measurements (standardised), with weight decay since 5–20 rows cannot pin down thousands of weights.
import { Rng } from '../../core/rng.js';
import { BaselinePredictor, type BaselineContext, type DeviceState, type TensorStore } from './base.js';
import { Mlp, stackRows, type TrainSettings } from './mlp-net.js';

/** Settings of the from-scratch MLP (defaults chosen on source devices, see the README). */
export interface MlpOptions extends TrainSettings {
  hidden: number[];
}

export const MLP_DEFAULTS: MlpOptions = { hidden: [64, 64], epochs: 300, batchSize: 32, learningRate: 3e-3, weightDecay: 1e-3 };

interface MlpState extends DeviceState {
  model: Mlp;
  yMean: number;
  yStd: number;
}

/** A per-device MLP regressor; nothing is shared between devices. */
export class MlpPredictor extends BaselinePredictor {
  readonly kind = 'mlp';

  constructor(
    context: BaselineContext,
    readonly options: MlpOptions = MLP_DEFAULTS,
  ) {
    super(context);
  }

  private encode(archs: readonly string[]): Float32Array {
    return stackRows(archs.map((a) => this.context.features.oneHot(a)));
  }

  protected override readonly outOfSampleFolds = 5;

  protected override disposeDevice(state: DeviceState): void {
    (state as MlpState).model.dispose();
  }

  protected fitDevice(device: string, archs: string[], latencyMs: Float64Array, seed: number): DeviceState {
    const rng = Rng.derive(seed, 'mlp-baseline', device);
    const yMean = latencyMs.reduce((s, v) => s + v, 0) / latencyMs.length;
    const yStd = Math.sqrt(latencyMs.reduce((s, v) => s + (v - yMean) ** 2, 0) / latencyMs.length) || 1;
    const model = Mlp.init(this.context.features.oneHotSize, this.options.hidden, rng.child('init'));
    model.train(
      this.encode(archs),
      Float32Array.from(latencyMs, (v) => (v - yMean) / yStd),
      this.options,
      rng.child('batches'),
    );
    (this.targets.get(device) as MlpState | undefined)?.model.dispose();
    return { model, yMean, yStd } satisfies MlpState;
  }

  protected predictDevice(state: DeviceState, archs: string[]): Float64Array {
    const { model, yMean, yStd } = state as MlpState;
    return Float64Array.from(model.predict(this.encode(archs), archs.length), (z) => z * yStd + yMean);
  }

  protected override saveModel(): Record<string, unknown> {
    return { options: this.options };
  }

  protected override saveDevice(state: DeviceState, store: TensorStore): DeviceState {
    const { model, yMean, yStd } = state as MlpState;
    return { yMean, yStd, weights: model.save(store) };
  }

  protected override loadDevice(state: DeviceState, store: TensorStore): DeviceState {
    const saved = state as { yMean: number; yStd: number; weights: string };
    const model = Mlp.load(this.context.features.oneHotSize, this.options.hidden, store, saved.weights);
    return { model, yMean: saved.yMean, yStd: saved.yStd } satisfies MlpState;
  }
}
