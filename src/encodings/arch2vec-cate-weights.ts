// What the two learned encoders (Arch2Vec, CATE) share: their weights files (the nn tensor file format, with config,
// seed and metrics in the manifest), their training sets and loop, and the per-space cache of loaded models.
import type * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../core/config/paths.js';
import { DataFileError, HwnasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { AdamW } from '../nn/optimizer.js';
import { Parameters, type ParameterSpec } from '../nn/parameters.js';
import { readTensorFile, writeTensorFile } from '../nn/tensor-file.js';
import { trainMinibatches } from '../nn/training.js';
import type { OpGraph, SearchSpace } from '../spaces/types.js';
import type { Encoder } from './types.js';

/** What an encoder's weights file holds besides the weights. */
export interface EncoderMeta<C> {
  encoder: string;
  space: string;
  seed: number;
  config: C;
  /** Held-out quality and training cost, measured when the weights were trained. */
  metrics: Record<string, number>;
  backend: string;
}

/** The file format of an encoder's weights: `hwnas-arch2vec`, `hwnas-cate`; its version is the model's version. */
function encoderFormat(encoder: string): string {
  return `hwnas-${encoder}`;
}

/**
 * Write `file` (JSON: format, the model's `version`, `meta` and the tensor table) and the float32 weights beside it
 * (`file` minus `.json` plus `.bin`).
 */
export function saveEncoderWeights<C>(file: string, version: number, meta: EncoderMeta<C>, params: Parameters): void {
  writeTensorFile(file, { format: encoderFormat(meta.encoder), version, ...meta }, params.toTensors());
}

/**
 * Read weights written by `saveEncoderWeights`, checking the encoder, its version, the space and every tensor
 * against `specs(config)` (the saved config decides the shapes).
 * @throws HwnasError saying how to train when the file is missing
 * @throws DataFileError when it is malformed, of another encoder, version or space, or its tensors do not fit
 */
export function loadEncoderWeights<C>(
  file: string,
  encoder: string,
  version: number,
  space: string,
  specs: (config: C) => Map<string, ParameterSpec>,
): { meta: EncoderMeta<C>; params: Parameters } {
  if (!fs.existsSync(file)) throw missingWeightsError(encoder, space, file);
  const weights = readTensorFile(file, encoderFormat(encoder), version);
  const meta = weights.header as unknown as EncoderMeta<C>;
  if (meta.space !== space) throw new DataFileError(file, 0, `trained for space ${meta.space}, not ${space}`);
  const shapes = [...specs(meta.config)].map(([name, spec]): [string, readonly number[]] => [name, spec.shape]);
  return { meta, params: Parameters.read(weights, shapes) };
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

/** tf.train.adam's epsilon on float32 backends, with which the shipped weights were trained. */
const ADAM_EPSILON = 1e-7;

/**
 * Minibatch Adam over `count` examples for `epochs`, the order reshuffled each epoch from (seed, purpose, epoch).
 * `lossOf(indices, step)` builds the scalar loss of one batch from the trainable `params`.
 */
export function trainWithAdam(options: {
  params: Parameters;
  count: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  purpose: string;
  lossOf: (indices: number[], step: number) => tf.Scalar;
  onEpoch?: EpochCallback;
}): number[] {
  const optimizer = new AdamW(options.params, { learningRate: options.learningRate, epsilon: ADAM_EPSILON });
  const losses = trainMinibatches(optimizer, {
    count: options.count,
    epochs: options.epochs,
    batchSize: options.batchSize,
    order: (epoch, indices) => Rng.derive(options.seed, `${options.purpose}-shuffle`, epoch + 1).shuffle(indices),
    loss: options.lossOf,
    onEpoch: options.onEpoch,
  });
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

  /** sha256 of the weight files (the manifest with config/version/seed, and the weights): changes whenever the model does. */
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
      const manifest = fs.readFileSync(file);
      const hash = createHash('sha256').update(manifest);
      const weightsFile = (JSON.parse(manifest.toString('utf8')) as { weights: { file: string } }).weights.file;
      hash.update(fs.readFileSync(path.join(path.dirname(file), weightsFile)));
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
