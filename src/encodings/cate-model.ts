// CATE (Yan et al., ICML 2021) in TF.js: a small transformer over an arch's op-graph nodes in topological order,
// pretrained by masked-op prediction on pairs of archs from the same FLOPs bucket; the arch embedding is the mean hidden state.
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../core/tf.js';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { total } from '../spaces/layers.js';
import type { SearchSpace } from '../spaces/types.js';
import { Parameters, constant, glorot, type ParameterSpec } from '../nn/parameters.js';
import {
  graphBatch,
  loadEncoderWeights,
  saveEncoderWeights,
  trainWithAdam,
  trainingArchs,
  type EpochCallback,
  type TrainingSetConfig,
} from './arch2vec-cate-weights.js';

/** Bump when the model's parameters or forward pass change: older artefacts are then rejected. */
export const CATE_VERSION = 1;

/** Hyper-parameters of CATE (all saved with the weights). */
export interface CateConfig extends TrainingSetConfig {
  /** Width of the transformer and size of the arch embedding. */
  embeddingDim: number;
  heads: number;
  layers: number;
  ffnDim: number;
  epochs: number;
  /** Pairs per batch. */
  batchSize: number;
  learningRate: number;
  /** Probability that each non-input/output node is masked in pretraining. */
  maskFraction: number;
  /** Archs per FLOPs bucket: pairs are drawn from the same bucket of the FLOPs-sorted archs. */
  flopsBucketSize: number;
}

export const CATE_DEFAULTS: CateConfig = {
  embeddingDim: 32,
  heads: 4,
  layers: 2,
  ffnDim: 64,
  epochs: 3,
  batchSize: 128,
  learningRate: 2e-3,
  maskFraction: 0.2,
  flopsBucketSize: 64,
  sampleSize: 10000,
  maxArchs: 0,
  heldOutFraction: 0.1,
};

/** Masked-op prediction quality on held-out archs, with the baselines it must beat. */
export interface CateMaskedAccuracy {
  accuracy: number;
  /** 1 / number of ops a masked node can take. */
  uniformChance: number;
  /** Accuracy of always predicting the most frequent op among the masked targets. */
  majorityBaseline: number;
  masked: number;
}

/** The mask token's id: one past the space's vocabulary. */
function maskToken(space: SearchSpace): number {
  return space.opVocabulary.length;
}

/** Every parameter's shape and seeded initialiser, in creation order. */
function paramSpecs(space: SearchSpace, cfg: CateConfig, seed: number): Map<string, ParameterSpec> {
  const rng = Rng.derive(seed, 'cate-init');
  const d = cfg.embeddingDim;
  const vocab = space.opVocabulary.length;
  const specs = new Map<string, ParameterSpec>([
    ['embed.op', { shape: [vocab + 1, d], init: glorot(rng.child('op')) }],
    ['embed.position', { shape: [space.graphNodes, d], init: glorot(rng.child('position')) }],
    ['embed.segment', { shape: [2, d], init: glorot(rng.child('segment')) }],
  ]);
  for (let l = 0; l < cfg.layers; l++) {
    for (const w of ['q', 'k', 'v', 'o']) specs.set(`layer${l}.${w}`, { shape: [d, d], init: glorot(rng.child('layer', l, w)) });
    specs.set(`layer${l}.ln1.gain`, { shape: [d], init: constant(1) });
    specs.set(`layer${l}.ln1.bias`, { shape: [d], init: constant(0) });
    specs.set(`layer${l}.ffn1.w`, { shape: [d, cfg.ffnDim], init: glorot(rng.child('layer', l, 'ffn1')) });
    specs.set(`layer${l}.ffn1.b`, { shape: [cfg.ffnDim], init: constant(0) });
    specs.set(`layer${l}.ffn2.w`, { shape: [cfg.ffnDim, d], init: glorot(rng.child('layer', l, 'ffn2')) });
    specs.set(`layer${l}.ffn2.b`, { shape: [d], init: constant(0) });
    specs.set(`layer${l}.ln2.gain`, { shape: [d], init: constant(1) });
    specs.set(`layer${l}.ln2.bias`, { shape: [d], init: constant(0) });
  }
  specs.set('head.w', { shape: [d, vocab], init: glorot(rng.child('head')) });
  specs.set('head.b', { shape: [vocab], init: constant(0) });
  return specs;
}

/** A trained (or freshly initialised) CATE model for one search space. */
export class CateModel {
  private constructor(
    readonly space: SearchSpace,
    readonly config: CateConfig,
    readonly seed: number,
    private readonly params: Parameters,
    readonly metrics: Record<string, number>,
  ) {}

  /** A model with seeded random weights. */
  static init(space: SearchSpace, config: Partial<CateConfig> = {}, seed = 1): CateModel {
    const cfg = { ...CATE_DEFAULTS, ...config };
    if (cfg.embeddingDim % cfg.heads !== 0)
      throw new ConfigError('cate config', 'embeddingDim', `${cfg.embeddingDim} is not a multiple of heads (${cfg.heads})`);
    return new CateModel(space, cfg, seed, Parameters.init(paramSpecs(space, cfg, seed)), {});
  }

  /**
   * Load weights saved by `save`. @throws HwnasError (how to train) when missing, DataFileError when malformed or of another version/space
   */
  static load(space: SearchSpace, file: string): CateModel {
    // Only the specs' shapes are read: the seed of their initialisers does not matter.
    const { meta, params } = loadEncoderWeights<CateConfig>(file, 'cate', CATE_VERSION, space.name, (config) =>
      paramSpecs(space, config, 0),
    );
    return new CateModel(space, meta.config, meta.seed, params, meta.metrics);
  }

  /** Save config, version, seed, metrics and weights (`file` is the JSON; weights go beside it as .bin). */
  save(file: string, backend: string): void {
    const meta = { encoder: 'cate', space: this.space.name, seed: this.seed, config: this.config, metrics: this.metrics, backend };
    saveEncoderWeights<CateConfig>(file, CATE_VERSION, meta, this.params);
  }

  dispose(): void {
    this.params.dispose();
  }

  /** The weights as plain arrays (tests compare runs). */
  weightValues(): Record<string, number[]> {
    return Object.fromEntries([...this.params].map(([n, v]) => [n, Array.from(v.dataSync())]));
  }

  private layerNorm(x: Tf.Tensor3D, name: string): Tf.Tensor3D {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(normed, this.params.get(`${name}.gain`)), this.params.get(`${name}.bias`)) as Tf.Tensor3D;
  }

  /**
   * Hidden states [B, L, d] of token sequences. `tokens` [B, L] (op ids or the mask token), `positions` [B, L]
   * (node index within its arch), `segments` [B, L] (0 first arch, 1 second), `attend` [B, L, L] (1 = may attend).
   */
  private hidden(tokens: Tf.Tensor2D, positions: Tf.Tensor2D, segments: Tf.Tensor2D, attend: Tf.Tensor3D): Tf.Tensor3D {
    const p = this.params;
    const [b, len] = tokens.shape;
    const d = this.config.embeddingDim;
    const heads = this.config.heads;
    const dh = d / heads;
    // One-hot × table rather than tf.gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
    const lookup = (ids: Tf.Tensor2D, table: Tf.Variable) =>
      tf.matMul(tf.oneHot(tf.reshape(ids, [b * len]) as Tf.Tensor1D, table.shape[0]), table as Tf.Tensor2D);
    const summed = tf.addN([
      lookup(tokens, p.get('embed.op')),
      lookup(positions, p.get('embed.position')),
      lookup(segments, p.get('embed.segment')),
    ]);
    let x = tf.reshape(summed, [b, len, d]) as Tf.Tensor3D;
    // Disallowed pairs get a large negative score so softmax gives them ~0 weight.
    const bias = tf.expandDims(tf.mul(tf.sub(1, attend), -1e9), 1);
    const split = (t: Tf.Tensor2D) => tf.transpose(tf.reshape(t, [b, len, heads, dh]), [0, 2, 1, 3]) as Tf.Tensor4D;
    for (let l = 0; l < this.config.layers; l++) {
      const flat = tf.reshape(x, [b * len, d]) as Tf.Tensor2D;
      const q = split(tf.matMul(flat, p.get(`layer${l}.q`) as Tf.Tensor2D));
      const k = split(tf.matMul(flat, p.get(`layer${l}.k`) as Tf.Tensor2D));
      const v = split(tf.matMul(flat, p.get(`layer${l}.v`) as Tf.Tensor2D));
      const scores = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), bias));
      const context = tf.reshape(tf.transpose(tf.matMul(scores, v), [0, 2, 1, 3]), [b * len, d]) as Tf.Tensor2D;
      const attended = tf.reshape(tf.matMul(context, p.get(`layer${l}.o`) as Tf.Tensor2D), [b, len, d]) as Tf.Tensor3D;
      x = this.layerNorm(tf.add(x, attended), `layer${l}.ln1`);
      const flat2 = tf.reshape(x, [b * len, d]) as Tf.Tensor2D;
      const ffn = tf.add(
        tf.matMul(
          tf.relu(tf.add(tf.matMul(flat2, p.get(`layer${l}.ffn1.w`) as Tf.Tensor2D), p.get(`layer${l}.ffn1.b`))) as Tf.Tensor2D,
          p.get(`layer${l}.ffn2.w`) as Tf.Tensor2D,
        ),
        p.get(`layer${l}.ffn2.b`),
      );
      x = this.layerNorm(tf.add(x, tf.reshape(ffn, [b, len, d])), `layer${l}.ln2`);
    }
    return x;
  }

  /** Arch embeddings (mean-pooled hidden states of the arch on its own, unmasked), computed in batches. */
  encode(archs: readonly string[], batchSize = 1024): Float32Array[] {
    const rows: Float32Array[] = [];
    const d = this.config.embeddingDim;
    for (let start = 0; start < archs.length; start += batchSize) {
      const chunk = archs.slice(start, start + batchSize);
      const seq = sequences(this.space, chunk, [], () => false);
      const pooled = tf.tidy(() => tf.mean(this.hidden(seq.tokens, seq.positions, seq.segments, seq.attend), 1));
      const data = pooled.dataSync() as Float32Array;
      tf.dispose([pooled, seq.tokens, seq.positions, seq.segments, seq.attend]);
      for (let i = 0; i < chunk.length; i++) rows.push(data.slice(i * d, (i + 1) * d));
    }
    return rows;
  }

  /** Masked-op logits [B, L, V] of pair sequences. */
  private maskedLogits(seq: PairSequences): Tf.Tensor3D {
    const h = this.hidden(seq.tokens, seq.positions, seq.segments, seq.attend);
    const [b, len, d] = h.shape;
    const logits = tf.add(
      tf.matMul(tf.reshape(h, [b * len, d]) as Tf.Tensor2D, this.params.get('head.w') as Tf.Tensor2D),
      this.params.get('head.b'),
    );
    return tf.reshape(logits, [b, len, -1]) as Tf.Tensor3D;
  }

  /**
   * Masked-op prediction accuracy on `archs`, each paired with a FLOPs-bucket partner from `partners` and masked
   * with a fixed seeded pattern; only the nodes of `archs` (first segment) are masked and scored.
   */
  maskedAccuracy(archs: readonly string[], partners: readonly string[], seed = 0): CateMaskedAccuracy {
    const rng = Rng.derive(seed, 'cate-eval-mask');
    const seq = sequences(this.space, archs, partners, (segment) => segment === 0 && rng.next() < this.config.maskFraction);
    const predicted = tf.tidy(() => tf.argMax(this.maskedLogits(seq), 2));
    const pred = predicted.dataSync();
    tf.dispose([predicted, seq.tokens, seq.positions, seq.segments, seq.attend]);
    let right = 0;
    const counts = new Map<number, number>();
    for (const k of seq.maskedAt) {
      right += pred[k] === seq.targets[k] ? 1 : 0;
      counts.set(seq.targets[k], (counts.get(seq.targets[k]) ?? 0) + 1);
    }
    const masked = seq.maskedAt.length;
    return {
      accuracy: right / masked,
      uniformChance: 1 / (this.space.opVocabulary.length - 2),
      majorityBaseline: Math.max(...counts.values()) / masked,
      masked,
    };
  }

  /**
   * Pretrain by masked-op prediction on FLOPs-bucket pairs over the space (all archs where enumerable, else
   * `sampleSize` samples); record held-out masked accuracy and training time in `metrics`.
   */
  static train(space: SearchSpace, config: Partial<CateConfig> = {}, seed = 1, onEpoch?: EpochCallback): CateModel {
    const started = performance.now();
    const model = CateModel.init(space, config, seed);
    const cfg = model.config;
    const { train, heldOut } = trainingArchs(space, seed, cfg);
    const buckets = new FlopsBuckets(space, train, cfg.flopsBucketSize);
    const losses = trainWithAdam({
      params: model.params,
      count: train.length,
      epochs: cfg.epochs,
      batchSize: cfg.batchSize,
      learningRate: cfg.learningRate,
      seed,
      purpose: 'cate',
      onEpoch,
      lossOf: (indices, step) => {
        const rng = Rng.derive(seed, 'cate-mask', step);
        const first = indices.map((i) => train[i]);
        const second = indices.map((i) => buckets.partner(i, rng));
        const seq = sequences(space, first, second, () => rng.next() < cfg.maskFraction);
        const vocab = space.opVocabulary.length;
        const logits = tf.reshape(model.maskedLogits(seq), [-1, vocab]);
        const weights = new Float32Array(seq.targets.length);
        for (const k of seq.maskedAt) weights[k] = 1;
        // Inputs are freed by minimize's scope once the gradients are taken.
        return tf.losses.softmaxCrossEntropy(
          tf.oneHot(tf.tensor1d(seq.targets, 'int32'), vocab),
          logits,
          tf.tensor1d(weights),
        ) as Tf.Scalar;
      },
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const partnerRng = Rng.derive(seed, 'cate-eval-partners');
    const acc = model.maskedAccuracy(
      heldOut,
      heldOut.map((a) => buckets.nearest(space, a, partnerRng)),
      seed,
    );
    Object.assign(model.metrics, {
      trainArchs: train.length,
      heldOutArchs: heldOut.length,
      firstEpochLoss: losses[0],
      finalLoss: losses[losses.length - 1],
      heldOutMaskedAccuracy: acc.accuracy,
      heldOutUniformChance: acc.uniformChance,
      heldOutMajorityBaseline: acc.majorityBaseline,
      trainSeconds,
    });
    return model;
  }
}

/** Total conv + fc FLOPs of an arch at the space's default input. */
export function archFlops(space: SearchSpace, arch: string): number {
  return total(space.layers(arch, space.defaultInput()), 'flops');
}

/** Archs sorted by FLOPs and cut into consecutive buckets of `size`: CATE's "similar computation" pairs. */
export class FlopsBuckets {
  private readonly sortedFlops: number[];
  private readonly sortedIndex: number[];
  private readonly rankOf: Int32Array;

  constructor(
    space: SearchSpace,
    private readonly archs: readonly string[],
    private readonly size: number,
  ) {
    const flops = archs.map((a) => archFlops(space, a));
    this.sortedIndex = archs.map((_, i) => i).sort((a, b) => flops[a] - flops[b] || a - b);
    this.sortedFlops = this.sortedIndex.map((i) => flops[i]);
    this.rankOf = new Int32Array(archs.length);
    this.sortedIndex.forEach((i, rank) => (this.rankOf[i] = rank));
  }

  /** A random other arch from the bucket of `archs[index]`. */
  partner(index: number, rng: Rng): string {
    return this.archs[this.sortedIndex[this.pickInBucket(this.rankOf[index], rng)]];
  }

  /** A random arch from the bucket an unseen `arch` would fall in by its FLOPs. */
  nearest(space: SearchSpace, arch: string, rng: Rng): string {
    const f = archFlops(space, arch);
    let lo = 0;
    let hi = this.sortedFlops.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortedFlops[mid] < f) lo = mid + 1;
      else hi = mid;
    }
    return this.archs[this.sortedIndex[this.pickInBucket(Math.min(lo, this.sortedFlops.length - 1), rng)]];
  }

  private pickInBucket(rank: number, rng: Rng): number {
    const start = Math.floor(rank / this.size) * this.size;
    const end = Math.min(start + this.size, this.sortedIndex.length);
    if (end - start < 2) return rank;
    const other = start + rng.int(end - start - 1);
    return other >= rank ? other + 1 : other;
  }
}

/** Token sequences of archs (alone, or each followed by its partner), flattened [B * L]-indexed targets. */
interface PairSequences {
  tokens: Tf.Tensor2D;
  positions: Tf.Tensor2D;
  segments: Tf.Tensor2D;
  attend: Tf.Tensor3D;
  /** Original op id of every token. */
  targets: Int32Array;
  /** Flat indices (b * L + t) of masked tokens. */
  maskedAt: number[];
}

/**
 * Build transformer inputs. Within an arch a node attends to itself and to every node it is connected to by a path
 * (either direction: CATE's "indirect" graph mask); across the two archs of a pair attention is unrestricted, so a
 * masked op can be inferred from the similar-computation partner. `shouldMask(segment)` decides per maskable node.
 */
function sequences(
  space: SearchSpace,
  first: readonly string[],
  second: readonly string[],
  shouldMask: (segment: number) => boolean,
): PairSequences {
  const n = space.graphNodes;
  const paired = second.length > 0;
  const len = paired ? 2 * n : n;
  const b = first.length;
  const g1 = graphBatch(space, first);
  const g2 = paired ? graphBatch(space, second) : undefined;
  const tokens = new Int32Array(b * len);
  const targets = new Int32Array(b * len);
  const positions = new Int32Array(b * len);
  const segments = new Int32Array(b * len);
  const attend = new Float32Array(b * len * len);
  const maskedAt: number[] = [];
  const mask = maskToken(space);
  for (let row = 0; row < b; row++) {
    for (const [segment, g] of paired ? [[0, g1] as const, [1, g2!] as const] : [[0, g1] as const]) {
      const reach = reachability(g.adjacency, row, n);
      const offset = segment * n;
      for (let i = 0; i < n; i++) {
        const k = row * len + offset + i;
        const op = g.opIds[row * n + i];
        targets[k] = op;
        positions[k] = i;
        segments[k] = segment;
        // input/output nodes carry no choice: never masked.
        const masked = i > 0 && i < n - 1 && shouldMask(segment);
        tokens[k] = masked ? mask : op;
        if (masked) maskedAt.push(k);
        for (let j = 0; j < n; j++) attend[(row * len + offset + i) * len + offset + j] = reach[i * n + j];
        if (paired) for (let j = 0; j < n; j++) attend[(row * len + offset + i) * len + (n - offset) + j] = 1;
      }
    }
  }
  return {
    tokens: tf.tensor2d(tokens, [b, len], 'int32'),
    positions: tf.tensor2d(positions, [b, len], 'int32'),
    segments: tf.tensor2d(segments, [b, len], 'int32'),
    attend: tf.tensor3d(attend, [b, len, len]),
    targets,
    maskedAt,
  };
}

/** reach[i*n+j] = 1 when i = j or a directed path joins i and j in either direction (graph `row` of a batch). */
function reachability(adjacency: Float32Array, row: number, n: number): Uint8Array {
  const reach = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    reach[i * n + i] = 1;
    for (let j = 0; j < n; j++) if (adjacency[(row * n + i) * n + j] > 0) reach[i * n + j] = 1;
  }
  // Nodes are in topological order, so one backward sweep closes paths i → k → j.
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      if (reach[i * n + k] === 0) continue;
      for (let j = k + 1; j < n; j++) if (reach[k * n + j]) reach[i * n + j] = 1;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) reach[i * n + j] = reach[j * n + i];
  return reach;
}
