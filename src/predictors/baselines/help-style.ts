// HELP-style predictor: a device is described by its latencies on a fixed set of reference archs (HELP's hardware
// embedding); one network maps (arch encoding, hardware embedding) to a normalised latency. It is pretrained on the
// source devices and fine-tuned on the target's measurements — plain fine-tuning, not HELP's meta-learning, hence
// "HELP-style".
import { HwnasError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { BaselinePredictor, type BaselineContext, type DeviceState, type TensorStore } from './base.js';
import { Mlp, stackRows, type TrainSettings } from './mlp-net.js';

/** Settings of the HELP-style network, its pretraining and its per-device fine-tuning. */
export interface HelpStyleOptions {
  hidden: number[];
  /** Archs drawn per source device for pretraining. */
  archsPerDevice: number;
  pretrain: TrainSettings;
  finetune: TrainSettings;
}

export const HELP_STYLE_DEFAULTS: HelpStyleOptions = {
  hidden: [64, 64],
  archsPerDevice: 600,
  pretrain: { epochs: 25, batchSize: 128, learningRate: 2e-3, weightDecay: 0 },
  finetune: { epochs: 40, batchSize: 32, learningRate: 5e-4, weightDecay: 0 },
};

interface HelpDevice extends DeviceState {
  model: Mlp;
  embedding: number[];
  yMean: number;
  yStd: number;
}

/** z-scores of a vector (constant vectors map to zeros). */
function zscore(values: ArrayLike<number>): number[] {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let sd = 0;
  for (let i = 0; i < n; i++) sd += (values[i] - mean) ** 2 / n;
  sd = Math.sqrt(sd) || 1;
  return Array.from(values, (v) => (v - mean) / sd);
}

/** HELP-style hardware-embedding-conditioned regressor. Needs `referenceArchs` and source latencies. */
export class HelpStylePredictor extends BaselinePredictor {
  readonly kind = 'help-style';
  private base?: Mlp;

  constructor(
    context: BaselineContext,
    readonly options: HelpStyleOptions = HELP_STYLE_DEFAULTS,
  ) {
    super(context);
    if (context.referenceArchs === undefined || context.referenceArchs.length < 2)
      throw new HwnasError('help-style: needs the reference archs of its hardware embedding (help_meta.json)');
  }

  /** The archs every device must be measured on. */
  get referenceArchs(): string[] {
    return this.context.referenceArchs!;
  }

  private get inputSize(): number {
    return this.context.features.oneHotSize + this.referenceArchs.length;
  }

  private rows(archs: readonly string[], embedding: readonly number[]): Float32Array {
    return stackRows(archs.map((a) => [...this.context.features.oneHot(a), ...embedding]));
  }

  /** Train the shared network on every source device (call once, before `fit`). */
  pretrain(): void {
    const index = this.sourceIndex;
    if (index === undefined) throw new HwnasError('help-style: needs source-device latencies to pretrain');
    const rng = Rng.derive(this.context.seed, 'help-style-pretrain');
    const { archs, devices, latencyMs } = index.data;
    const xs: Float32Array[] = [];
    const ys: number[] = [];
    devices.forEach((device, d) => {
      // Like a target's fit, in ln ms.
      const embedding = zscore(index.column(d, this.referenceArchs).map(Math.log));
      const z = zscore(Array.from(latencyMs[d], Math.log));
      const rows = rng.child('archs', device).sample(
        Array.from({ length: archs.length }, (_, i) => i),
        Math.min(this.options.archsPerDevice, archs.length),
      );
      xs.push(
        this.rows(
          rows.map((r) => archs[r]),
          embedding,
        ),
      );
      for (const r of rows) ys.push(z[r]);
    });
    const x = new Float32Array(xs.reduce((s, a) => s + a.length, 0));
    let at = 0;
    for (const part of xs) {
      x.set(part, at);
      at += part.length;
    }
    this.base?.dispose();
    this.base = Mlp.init(this.inputSize, this.options.hidden, rng.child('init'));
    this.base.train(x, Float32Array.from(ys), this.options.pretrain, rng.child('batches'));
  }

  protected override readonly outOfSampleFolds = 5;

  /** The reference archs define the device's embedding: a fit without one of them is impossible. */
  protected override canHoldOut(arch: string): boolean {
    return !this.referenceArchs.includes(arch);
  }

  protected override disposeDevice(state: DeviceState): void {
    (state as HelpDevice).model.dispose();
  }

  protected fitDevice(device: string, archs: string[], latencyMs: Float64Array, seed: number): DeviceState {
    if (this.base === undefined) throw new HwnasError(`help-style: pretrain before fitting '${device}'`);
    const position = new Map(archs.map((a, i) => [a, i]));
    const missing = this.referenceArchs.filter((a) => !position.has(a));
    if (missing.length > 0)
      throw new HwnasError(
        `help-style: '${device}' must be measured on all ${this.referenceArchs.length} reference archs; missing ${missing.length} (e.g. ${missing[0]})`,
      );
    const embedding = zscore(this.referenceArchs.map((a) => latencyMs[position.get(a)!]));
    const z = zscore(latencyMs);
    const mean = latencyMs.reduce((s, v) => s + v, 0) / latencyMs.length;
    const yStd = Math.sqrt(latencyMs.reduce((s, v) => s + (v - mean) ** 2, 0) / latencyMs.length) || 1;
    const model = this.base.clone();
    model.train(this.rows(archs, embedding), Float32Array.from(z), this.options.finetune, Rng.derive(seed, 'help-style-finetune', device));
    (this.targets.get(device) as HelpDevice | undefined)?.model.dispose();
    return { model, embedding, yMean: mean, yStd } satisfies HelpDevice;
  }

  protected predictDevice(state: DeviceState, archs: string[]): Float64Array {
    const { model, embedding, yMean, yStd } = state as HelpDevice;
    return Float64Array.from(model.predict(this.rows(archs, embedding), archs.length), (v) => v * yStd + yMean);
  }

  protected override saveModel(store: TensorStore): Record<string, unknown> {
    if (this.base === undefined) throw new HwnasError('help-style: nothing to save before pretraining');
    return { options: this.options, referenceArchs: this.referenceArchs, weights: this.base.save(store) };
  }

  protected override loadModel(model: Record<string, unknown>, store: TensorStore): void {
    this.base = Mlp.load(this.inputSize, this.options.hidden, store, model.weights as string);
  }

  protected override saveDevice(state: DeviceState, store: TensorStore): DeviceState {
    const { model, embedding, yMean, yStd } = state as HelpDevice;
    return { embedding, yMean, yStd, weights: model.save(store) };
  }

  protected override loadDevice(state: DeviceState, store: TensorStore): DeviceState {
    const saved = state as { embedding: number[]; yMean: number; yStd: number; weights: string };
    const model = Mlp.load(this.inputSize, this.options.hidden, store, saved.weights);
    return { model, embedding: saved.embedding, yMean: saved.yMean, yStd: saved.yStd } satisfies HelpDevice;
  }
}
