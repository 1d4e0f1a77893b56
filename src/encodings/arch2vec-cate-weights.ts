// Parameters, seeded initialisation, training loop and on-disk artefacts shared by the two learned encoders
// (Arch2Vec, CATE): a JSON file with config/version/seed/metrics beside a raw little-endian float32 weight file.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../core/config/paths.js';
import { DataFileError, HwnasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { OpGraph, SearchSpace } from '../spaces/types.js';
import type { Encoder } from './types.js';

/**
 * Named trainable tensors of a model, in a fixed insertion order (the order they are saved in). The names live only
 * here: tfjs variable names are engine-global, so two models would clash.
 */
export type Params = Record<string, tf.Variable>;

/** Glorot-uniform weights drawn from `rng` (JS side, so the values do not depend on the tfjs backend). */
export function glorotVariable(rng: Rng, shape: number[]): tf.Variable {
  const fanIn = shape.length > 1 ? shape[shape.length - 2] : shape[0];
  const fanOut = shape[shape.length - 1];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * limit;
  return tf.variable(tf.tensor(values, shape), true);
}

/** A trainable tensor of zeros (biases) or of a constant. */
export function constantVariable(shape: number[], value = 0): tf.Variable {
  return tf.variable(tf.fill(shape, value), true);
}

/** Free every tensor of `params`. */
export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

/** What an artefact's JSON file holds besides the weights. */
export interface ArtefactMeta<C> {
  format: 'hwnas-encoder-weights/1';
  encoder: string;
  /** Model version: bump when the architecture of the model changes so old artefacts are rejected. */
  version: number;
  space: string;
  seed: number;
  config: C;
  /** Held-out quality and training cost, measured when the artefact was trained. */
  metrics: Record<string, number>;
  backend: string;
  weights: { name: string; shape: number[] }[];
  /** File name of the weights, relative to the JSON file. */
  weightsFile: string;
}

/** Write `<file>` (JSON) and `<file minus .json>.bin` (float32 weights in `meta.weights` order). */
export function saveArtefact<C>(file: string, meta: Omit<ArtefactMeta<C>, 'format' | 'weights' | 'weightsFile'>, params: Params): void {
  const names = Object.keys(params);
  const arrays = names.map((n) => params[n].dataSync() as Float32Array);
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const buffer = Buffer.alloc(total * 4);
  let offset = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) buffer.writeFloatLE(a[i], (offset + i) * 4);
    offset += a.length;
  }
  const weightsFile = path.basename(file).replace(/\.json$/, '') + '.bin';
  const full: ArtefactMeta<C> = {
    format: 'hwnas-encoder-weights/1',
    ...meta,
    weights: names.map((n) => ({ name: n, shape: params[n].shape })),
    weightsFile,
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(path.join(path.dirname(file), weightsFile), buffer);
  fs.writeFileSync(file, JSON.stringify(full, null, 2) + '\n');
}

/**
 * Read an artefact written by `saveArtefact`, checking encoder name, version and space.
 * @throws HwnasError saying how to train when the file is missing
 * @throws DataFileError when it is malformed, of another encoder, version or space
 */
export function loadArtefact<C>(file: string, encoder: string, version: number, space: string): { meta: ArtefactMeta<C>; params: Params } {
  if (!fs.existsSync(file)) throw missingWeightsError(encoder, space, file);
  let meta: ArtefactMeta<C>;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8')) as ArtefactMeta<C>;
  } catch (err) {
    throw new DataFileError(file, 0, `not JSON (${(err as Error).message})`);
  }
  if (meta.format !== 'hwnas-encoder-weights/1' || !Array.isArray(meta.weights))
    throw new DataFileError(file, 0, 'not an hwnas encoder artefact');
  if (meta.encoder !== encoder) throw new DataFileError(file, 0, `holds ${meta.encoder} weights, expected ${encoder}`);
  if (meta.version !== version)
    throw new DataFileError(file, 0, `${encoder} version ${meta.version}, this hwnas needs version ${version}: retrain it`);
  if (meta.space !== space) throw new DataFileError(file, 0, `trained for space ${meta.space}, not ${space}`);
  const binFile = path.join(path.dirname(file), meta.weightsFile);
  if (!fs.existsSync(binFile)) throw new DataFileError(binFile, 0, 'weights file missing');
  const bytes = fs.readFileSync(binFile);
  const expected = meta.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.length !== expected * 4) throw new DataFileError(binFile, 0, `${bytes.length} bytes, expected ${expected * 4}`);
  const params: Params = {};
  let offset = 0;
  for (const w of meta.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = bytes.readFloatLE((offset + i) * 4);
    offset += size;
    params[w.name] = tf.variable(tf.tensor(values, w.shape), true);
  }
  return { meta, params };
}

/** The package's `models/encoders` folder, wherever hwnas is installed. */
export function modelsDir(): string {
  return path.join(packageRoot(), 'models', 'encoders');
}

/** Default artefact path of a learned encoder for a space: `models/encoders/<space>-<encoder>.json`. */
export function defaultArtefactPath(encoder: string, space: string): string {
  return path.join(modelsDir(), `${space}-${encoder}.json`);
}

/** The error to raise when no trained weights exist: says how to make them. */
export function missingWeightsError(encoder: string, space: string, file: string): HwnasError {
  return new HwnasError(
    `no trained ${encoder} weights for ${space} at ${file}; train them with: hwnas encoders train ${encoder} --space ${space} --out ${file}`,
  );
}

/** Which archs a learned encoder trains on (fields of both encoders' configs). */
export interface TrainingSetConfig {
  /** Archs sampled when the space is not enumerable (FBNet). */
  sampleSize: number;
  /** Use at most this many archs (a seeded subset; 0 = no limit): small runs for tests and quick looks. */
  maxArchs: number;
  /** Fraction of the archs held out to measure quality. */
  heldOutFraction: number;
}

/**
 * The training architectures of a space: every arch where the space is enumerable, else `sampleSize` seeded samples
 * (duplicates dropped), cut to `maxArchs`. Split into train/held-out by a seeded shuffle.
 */
export function trainingArchs(
  space: SearchSpace,
  seed: number,
  { sampleSize, maxArchs, heldOutFraction }: TrainingSetConfig,
): { train: string[]; heldOut: string[] } {
  let archs: string[];
  if (space.enumerate) archs = space.enumerate();
  else {
    const seen = new Set<string>();
    for (let i = 0; seen.size < sampleSize && i < sampleSize * 2; i++) seen.add(space.sample(Rng.derive(seed, 'encoder-train-sample', i)));
    archs = [...seen];
  }
  let shuffled = Rng.derive(seed, 'encoder-train-split').shuffle(archs);
  if (maxArchs > 0) shuffled = shuffled.slice(0, maxArchs);
  const nHeld = Math.max(1, Math.round(shuffled.length * heldOutFraction));
  return { heldOut: shuffled.slice(0, nHeld), train: shuffled.slice(nHeld) };
}

/** Op graphs of `archs` as flat typed arrays: ops [n, nodes] (vocabulary ids) and adjacency [n, nodes, nodes]. */
export function graphBatch(space: SearchSpace, archs: readonly string[]): { opIds: Int32Array; adjacency: Float32Array; nodes: number } {
  const nodes = space.graphNodes;
  const opIds = new Int32Array(archs.length * nodes);
  const adjacency = new Float32Array(archs.length * nodes * nodes);
  archs.forEach((arch, b) => {
    const g: OpGraph = space.opGraph(arch);
    for (let i = 0; i < nodes; i++) {
      opIds[b * nodes + i] = g.opIds[i];
      for (let j = 0; j < nodes; j++) adjacency[(b * nodes + i) * nodes + j] = g.adjacency[i][j];
    }
  });
  return { opIds, adjacency, nodes };
}

/** Per-epoch callback: epoch (1-based) and the mean training loss of the epoch. */
export type EpochCallback = (epoch: number, meanLoss: number) => void;

/**
 * Minibatch Adam over `count` examples for `epochs`, the order reshuffled each epoch from (seed, purpose, epoch).
 * `lossOf(indices, step)` builds the scalar loss of one batch from the trainable `params`.
 */
export function trainWithAdam(options: {
  params: Params;
  count: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  purpose: string;
  lossOf: (indices: number[], step: number) => tf.Scalar;
  onEpoch?: EpochCallback;
}): number[] {
  const { params, count, epochs, batchSize, seed, purpose } = options;
  const optimizer = tf.train.adam(options.learningRate);
  const vars = Object.values(params);
  const order = Array.from({ length: count }, (_, i) => i);
  const losses: number[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const shuffled = Rng.derive(seed, `${purpose}-shuffle`, epoch).shuffle(order);
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < count; start += batchSize) {
      const indices = shuffled.slice(start, start + batchSize);
      const currentStep = step++;
      const loss = optimizer.minimize(() => options.lossOf(indices, currentStep), true, vars);
      sum += loss!.dataSync()[0];
      loss!.dispose();
      batches++;
    }
    losses.push(sum / batches);
    options.onEpoch?.(epoch, sum / batches);
  }
  optimizer.dispose();
  return losses;
}

/** What the encoder adapters need from a trained model. */
export interface TrainedModel {
  encode(archs: readonly string[]): Float32Array[];
  dispose(): void;
}

/**
 * Loads a learned encoder's weights per space on first use (from `weightsFiles[space]`, else the shipped
 * `models/encoders/<space>-<encoder>.json`) and keeps them for later calls. A fingerprint of the weight files lets
 * encoding caches tell a retrained model from the old one.
 */
export class TrainedModels<M extends TrainedModel> {
  private readonly loaded = new Map<string, { model: M; fingerprint: string }>();

  constructor(
    readonly encoder: string,
    private readonly load: (space: SearchSpace, file: string) => M,
    private readonly weightsFiles: Readonly<Record<string, string>> = {},
  ) {}

  /** The weights file used for `space`. */
  fileFor(space: SearchSpace): string {
    return this.weightsFiles[space.name] ?? defaultArtefactPath(this.encoder, space.name);
  }

  /** Whether weights exist for `space` (no training needed before encoding). */
  isTrained(space: SearchSpace): boolean {
    return fs.existsSync(this.fileFor(space));
  }

  /** The model for `space`. @throws HwnasError saying how to train when no weights exist */
  model(space: SearchSpace): M {
    return this.entry(space).model;
  }

  /** sha256 of the weight files (JSON with config/version/seed, and the weights): changes whenever the model does. */
  fingerprint(space: SearchSpace): string {
    return this.entry(space).fingerprint;
  }

  /** Free every loaded model. */
  dispose(): void {
    for (const { model } of this.loaded.values()) model.dispose();
    this.loaded.clear();
  }

  private entry(space: SearchSpace): { model: M; fingerprint: string } {
    let entry = this.loaded.get(space.name);
    if (entry === undefined) {
      const file = this.fileFor(space);
      const model = this.load(space, file);
      const meta = fs.readFileSync(file);
      const hash = createHash('sha256').update(meta);
      hash.update(
        fs.readFileSync(path.join(path.dirname(file), (JSON.parse(meta.toString('utf8')) as { weightsFile: string }).weightsFile)),
      );
      entry = { model, fingerprint: hash.digest('hex').slice(0, 16) };
      this.loaded.set(space.name, entry);
    }
    return entry;
  }
}

/** A learned encoder (arch2vec, cate): synchronous, with its loaded models exposed for inspection and disposal. */
export interface LearnedEncoder<M extends TrainedModel> extends Encoder {
  readonly models: TrainedModels<M>;
  isAvailableFor(space: SearchSpace): boolean;
  encode(space: SearchSpace, archs: readonly string[]): Float32Array[];
}
