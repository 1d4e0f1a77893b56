// Arch2Vec (Yan et al., NeurIPS 2020) in TF.js: a graph VAE whose GIN encoder maps an op graph to one latent per node,
// decoded back to ops (linear + softmax) and adjacency (inner product + sigmoid); the arch vector is the mean node latent.
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../core/tf.js';
import { Rng } from '../core/rng.js';
import { Parameters, constant, glorot, type ParameterSpec } from '../nn/parameters.js';
import type { SearchSpace } from '../spaces/types.js';
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
export const ARCH2VEC_VERSION = 1;

/** Hyper-parameters of Arch2Vec (all saved with the weights). */
export interface Arch2VecConfig extends TrainingSetConfig {
  /** Size of each node latent and of the arch vector. */
  latentDim: number;
  hiddenDim: number;
  /** GIN layers of the encoder. */
  ginLayers: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /**
   * Append a one-hot of each node's position to its op one-hot (not in the original Arch2Vec). Without it nodes with
   * the same op and neighbourhood get the same latent, and the inner-product decoder links them (FBNet's chain).
   * Absent in older artefacts, which then load as `false`.
   */
  positionFeatures?: boolean;
  /** Weight of the KL term (per-node KL summed over latent dims) against the reconstruction losses. */
  klWeight: number;
}

export const ARCH2VEC_DEFAULTS: Arch2VecConfig = {
  latentDim: 16,
  hiddenDim: 64,
  ginLayers: 3,
  epochs: 10,
  batchSize: 256,
  learningRate: 5e-3,
  klWeight: 0.05,
  positionFeatures: true,
  sampleSize: 10000,
  maxArchs: 0,
  heldOutFraction: 0.1,
};

/** Reconstruction quality on held-out archs (from the latent means, no sampling noise). */
export interface Arch2VecReconstruction {
  /** Fraction of non-input/output nodes whose op is the arg-max of the decoded op distribution. */
  opsAccuracy: number;
  /** Fraction of strict-upper-triangle adjacency entries decoded correctly at threshold 0.5. */
  adjacencyAccuracy: number;
  /** Fraction of archs whose ops and adjacency are both reconstructed exactly. */
  archAccuracy: number;
}

/** Every parameter's shape and seeded initialiser, in creation order. */
function paramSpecs(space: SearchSpace, cfg: Arch2VecConfig, seed: number): Map<string, ParameterSpec> {
  const rng = Rng.derive(seed, 'arch2vec-init');
  const vocab = space.opVocabulary.length;
  const specs = new Map<string, ParameterSpec>();
  for (let l = 0; l < cfg.ginLayers; l++) {
    const inDim = l === 0 ? vocab + (cfg.positionFeatures ? space.graphNodes : 0) : cfg.hiddenDim;
    specs.set(`gin${l}.eps`, { shape: [], init: constant(0) });
    specs.set(`gin${l}.w1`, { shape: [inDim, cfg.hiddenDim], init: glorot(rng.child('gin', l, 'w1')) });
    specs.set(`gin${l}.b1`, { shape: [cfg.hiddenDim], init: constant(0) });
    specs.set(`gin${l}.w2`, { shape: [cfg.hiddenDim, cfg.hiddenDim], init: glorot(rng.child('gin', l, 'w2')) });
    specs.set(`gin${l}.b2`, { shape: [cfg.hiddenDim], init: constant(0) });
  }
  specs.set('mu.w', { shape: [cfg.hiddenDim, cfg.latentDim], init: glorot(rng.child('mu')) });
  specs.set('mu.b', { shape: [cfg.latentDim], init: constant(0) });
  specs.set('logvar.w', { shape: [cfg.hiddenDim, cfg.latentDim], init: glorot(rng.child('logvar')) });
  specs.set('logvar.b', { shape: [cfg.latentDim], init: constant(0) });
  specs.set('ops.w', { shape: [cfg.latentDim, vocab], init: glorot(rng.child('ops')) });
  specs.set('ops.b', { shape: [vocab], init: constant(0) });
  return specs;
}

/** A trained (or freshly initialised) Arch2Vec model for one search space. */
export class Arch2VecModel {
  private constructor(
    readonly space: SearchSpace,
    readonly config: Arch2VecConfig,
    readonly seed: number,
    private readonly params: Parameters,
    /** Metrics measured at training time (empty for an untrained model). */
    readonly metrics: Record<string, number>,
  ) {}

  /** A model with seeded random weights. */
  static init(space: SearchSpace, config: Partial<Arch2VecConfig> = {}, seed = 1): Arch2VecModel {
    const cfg = { ...ARCH2VEC_DEFAULTS, ...config };
    return new Arch2VecModel(space, cfg, seed, Parameters.init(paramSpecs(space, cfg, seed)), {});
  }

  /**
   * Load weights saved by `save`. @throws HwnasError (how to train) when missing, DataFileError when malformed or of another version/space
   */
  static load(space: SearchSpace, file: string): Arch2VecModel {
    // Only the specs' shapes are read: the seed of their initialisers does not matter.
    const { meta, params } = loadEncoderWeights<Arch2VecConfig>(file, 'arch2vec', ARCH2VEC_VERSION, space.name, (config) =>
      paramSpecs(space, config, 0),
    );
    return new Arch2VecModel(space, meta.config, meta.seed, params, meta.metrics);
  }

  /** Save config, version, seed, metrics and weights (`file` is the JSON; weights go beside it as .bin). */
  save(file: string, backend: string): void {
    const meta = { encoder: 'arch2vec', space: this.space.name, seed: this.seed, config: this.config, metrics: this.metrics, backend };
    saveEncoderWeights<Arch2VecConfig>(file, ARCH2VEC_VERSION, meta, this.params);
  }

  /** Free the weights. */
  dispose(): void {
    this.params.dispose();
  }

  /** The weights as plain arrays (tests compare runs). */
  weightValues(): Record<string, number[]> {
    return Object.fromEntries([...this.params].map(([n, v]) => [n, Array.from(v.dataSync())]));
  }

  /** Node latents' mean and log-variance, [B, N, latentDim] each. */
  private encodeNodes(ops: Tf.Tensor3D, adjacency: Tf.Tensor3D): { mu: Tf.Tensor3D; logvar: Tf.Tensor3D } {
    const p = this.params;
    const [b, n] = ops.shape;
    // Messages flow both ways along edges (as in arch2vec's preprocessing), so every node sees its whole context.
    const undirected = tf.add(adjacency, tf.transpose(adjacency, [0, 2, 1]));
    let h: Tf.Tensor3D = this.config.positionFeatures ? tf.concat([ops, tf.broadcastTo(tf.eye(n), [b, n, n])], 2) : ops;
    for (let l = 0; l < this.config.ginLayers; l++) {
      const aggregated = tf.add(tf.mul(h, tf.add(1, p.get(`gin${l}.eps`))), tf.matMul(undirected, h));
      const flat = tf.reshape(aggregated, [b * n, -1]) as Tf.Tensor2D;
      const hidden = tf.relu(tf.add(tf.matMul(flat, p.get(`gin${l}.w1`) as Tf.Tensor2D), p.get(`gin${l}.b1`)));
      const next = tf.relu(tf.add(tf.matMul(hidden as Tf.Tensor2D, p.get(`gin${l}.w2`) as Tf.Tensor2D), p.get(`gin${l}.b2`)));
      h = tf.reshape(next, [b, n, this.config.hiddenDim]);
    }
    const flat = tf.reshape(h, [b * n, this.config.hiddenDim]) as Tf.Tensor2D;
    const mu = tf.reshape(tf.add(tf.matMul(flat, p.get('mu.w') as Tf.Tensor2D), p.get('mu.b')), [
      b,
      n,
      this.config.latentDim,
    ]) as Tf.Tensor3D;
    const logvar = tf.reshape(tf.add(tf.matMul(flat, p.get('logvar.w') as Tf.Tensor2D), p.get('logvar.b')), [
      b,
      n,
      this.config.latentDim,
    ]) as Tf.Tensor3D;
    return { mu, logvar };
  }

  /** Op logits [B, N, V] and adjacency logits [B, N, N] decoded from node latents. */
  private decode(z: Tf.Tensor3D): { opLogits: Tf.Tensor3D; adjLogits: Tf.Tensor3D } {
    const [b, n, d] = z.shape;
    const flat = tf.reshape(z, [b * n, d]) as Tf.Tensor2D;
    const opLogits = tf.reshape(tf.add(tf.matMul(flat, this.params.get('ops.w') as Tf.Tensor2D), this.params.get('ops.b')), [
      b,
      n,
      -1,
    ]) as Tf.Tensor3D;
    const adjLogits = tf.matMul(z, z, false, true) as Tf.Tensor3D;
    return { opLogits, adjLogits };
  }

  /** Arch vectors (mean of the node latent means), one row per arch, computed in batches. */
  encode(archs: readonly string[], batchSize = 1024): Float32Array[] {
    const rows: Float32Array[] = [];
    for (let start = 0; start < archs.length; start += batchSize) {
      const chunk = archs.slice(start, start + batchSize);
      const values = tf.tidy(() => {
        const { ops, adjacency } = this.tensors(chunk);
        return tf.mean(this.encodeNodes(ops, adjacency).mu, 1);
      });
      const data = values.dataSync() as Float32Array;
      values.dispose();
      const d = this.config.latentDim;
      for (let i = 0; i < chunk.length; i++) rows.push(data.slice(i * d, (i + 1) * d));
    }
    return rows;
  }

  /** Held-out reconstruction accuracy of ops and adjacency. */
  reconstruction(archs: readonly string[]): Arch2VecReconstruction {
    const n = this.space.graphNodes;
    const { opIds, adjacency } = graphBatch(this.space, archs);
    const [predOps, predAdj] = tf.tidy(() => {
      const t = this.tensors(archs);
      const { opLogits, adjLogits } = this.decode(this.encodeNodes(t.ops, t.adjacency).mu);
      return [tf.argMax(opLogits, 2), tf.greater(adjLogits, 0)];
    });
    const ops = predOps.dataSync();
    const adj = predAdj.dataSync();
    tf.dispose([predOps, predAdj]);
    let opsRight = 0;
    let adjRight = 0;
    let archRight = 0;
    for (let b = 0; b < archs.length; b++) {
      let exact = true;
      for (let i = 1; i < n - 1; i++) {
        const ok = ops[b * n + i] === opIds[b * n + i];
        opsRight += ok ? 1 : 0;
        exact &&= ok;
      }
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const k = (b * n + i) * n + j;
          const ok = adj[k] === adjacency[k];
          adjRight += ok ? 1 : 0;
          exact &&= ok;
        }
      }
      archRight += exact ? 1 : 0;
    }
    return {
      opsAccuracy: opsRight / (archs.length * (n - 2)),
      adjacencyAccuracy: adjRight / ((archs.length * n * (n - 1)) / 2),
      archAccuracy: archRight / archs.length,
    };
  }

  private tensors(archs: readonly string[]): { ops: Tf.Tensor3D; adjacency: Tf.Tensor3D } {
    const { opIds, adjacency, nodes } = graphBatch(this.space, archs);
    const vocab = this.space.opVocabulary.length;
    return {
      ops: tf.reshape(tf.oneHot(tf.tensor1d(opIds, 'int32'), vocab), [archs.length, nodes, vocab]) as Tf.Tensor3D,
      adjacency: tf.tensor3d(adjacency, [archs.length, nodes, nodes]),
    };
  }

  /**
   * Train unsupervised on the space (all archs where enumerable, else `sampleSize` samples), hold out a seeded
   * fraction, and record held-out reconstruction and training time in `metrics`.
   */
  static train(space: SearchSpace, config: Partial<Arch2VecConfig> = {}, seed = 1, onEpoch?: EpochCallback): Arch2VecModel {
    const started = performance.now();
    const model = Arch2VecModel.init(space, config, seed);
    const cfg = model.config;
    const { train, heldOut } = trainingArchs(space, seed, cfg);
    const n = space.graphNodes;
    const vocab = space.opVocabulary.length;
    const { opIds, adjacency } = graphBatch(space, train);
    // Only i < j entries are scored: the inner-product decoder is symmetric and op graphs are upper-triangular.
    const upper = tf.tensor2d(
      Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) < k % n ? 1 : 0)),
      [n, n],
    );
    const losses = trainWithAdam({
      params: model.params,
      count: train.length,
      epochs: cfg.epochs,
      batchSize: cfg.batchSize,
      learningRate: cfg.learningRate,
      seed,
      purpose: 'arch2vec',
      onEpoch,
      lossOf: (indices, step) => {
        const b = indices.length;
        const ids = new Int32Array(b * n);
        const adj = new Float32Array(b * n * n);
        indices.forEach((src, row) => {
          ids.set(opIds.subarray(src * n, (src + 1) * n), row * n);
          adj.set(adjacency.subarray(src * n * n, (src + 1) * n * n), row * n * n);
        });
        const ops = tf.reshape(tf.oneHot(tf.tensor1d(ids, 'int32'), vocab), [b, n, vocab]) as Tf.Tensor3D;
        const adjT = tf.tensor3d(adj, [b, n, n]);
        const { mu, logvar } = model.encodeNodes(ops, adjT);
        const noise = tf.randomNormal(mu.shape, 0, 1, 'float32', Rng.derive(seed, 'arch2vec-noise', step).seed32());
        const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), noise)) as Tf.Tensor3D;
        const { opLogits, adjLogits } = model.decode(z);
        const opsLoss = tf.losses.softmaxCrossEntropy(tf.reshape(ops, [b * n, vocab]), tf.reshape(opLogits, [b * n, vocab]));
        const adjLoss = tf.losses.sigmoidCrossEntropy(adjT, adjLogits, tf.broadcastTo(upper, [b, n, n]));
        const kl = tf.mul(-0.5, tf.mean(tf.sum(tf.sub(tf.add(1, logvar), tf.add(tf.square(mu), tf.exp(logvar))), 2)));
        return tf.addN([opsLoss, adjLoss, tf.mul(kl, cfg.klWeight)]) as Tf.Scalar;
      },
    });
    upper.dispose();
    const trainSeconds = (performance.now() - started) / 1000;
    const rec = model.reconstruction(heldOut);
    Object.assign(model.metrics, {
      trainArchs: train.length,
      heldOutArchs: heldOut.length,
      firstEpochLoss: losses[0],
      finalLoss: losses[losses.length - 1],
      heldOutOpsAccuracy: rec.opsAccuracy,
      heldOutAdjacencyAccuracy: rec.adjacencyAccuracy,
      heldOutArchAccuracy: rec.archAccuracy,
      trainSeconds,
    });
    return model;
  }
}
