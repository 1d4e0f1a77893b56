// The search-space contract: canonical arch strings, op graphs, per-layer costs and TF.js builders.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';

/** Input of a network: costs and shapes are functions of it, never constants. */
export interface InputShape {
  batchSize: number;
  /** Height = width, pixels. */
  resolution: number;
  /** Input channels (3 for images). */
  channels: number;
  /** Classifier outputs. */
  classes: number;
}

/** NHWC tensor shape. */
export type Shape4 = [number, number, number, number];
export type Shape = number[];

/**
 * What a layer computes. The built-in spaces use the first ten; imported models (src/formats/import) also have
 * `maxpool`, `activation` (any elementwise activation but ReLU, and softmax), `elementwise` (mul, sub, div, …),
 * `reshape` (a view: reshape, flatten, squeeze; no data moves) and `copy` (data movement without arithmetic:
 * transpose, pad, crop, slice).
 */
export type LayerKind =
  | 'conv'
  | 'bn'
  | 'relu'
  | 'avgpool'
  | 'add'
  | 'concat'
  | 'gap'
  | 'fc'
  | 'zero'
  | 'identity'
  | 'maxpool'
  | 'activation'
  | 'elementwise'
  | 'reshape'
  | 'copy';

/** Where a layer comes from in the architecture definition (Talaria-style cost tracing). */
export interface LayerOrigin {
  /** `stem`, `stage1`…`stage3`, `reduction1`, `head` (NB201); `stem`, `block`, `head` (FBNet); `model` (an imported model). */
  stage: string;
  /** Cell index within its stage (NB201). */
  cell?: number;
  /** Cell edge from node i to node j (NB201). */
  edge?: [number, number];
  /** FBNet block index 0..21. */
  block?: number;
  /**
   * The op or block choice that produced the layer (`nor_conv_3x3`, `k5_e6`, `stem`, …); an imported model's ONNX op type or TF.js layer
   * class.
   */
  op: string;
}

/** One layer of the built network with its analytic costs for a given `InputShape`. */
export interface Layer {
  /** Unique, human-readable: `stage1.cell0.edge0-1.nor_conv_3x3.conv`. */
  name: string;
  kind: LayerKind;
  origin: LayerOrigin;
  /** NHWC (or [N, C] for fc). For `add`/`concat`, the shape of each input. */
  inputShape: Shape;
  outputShape: Shape;
  /** Number of input tensors (2+ for add/concat). */
  inputs: number;
  kernel?: number;
  stride?: number;
  groups?: number;
  /**
   * Multiply–accumulates of conv and fc layers, counted once (the NAS-Bench-201 / HW-NAS-Bench "FLOPs"
   * convention: only Conv2d and Linear count). 0 for every other kind.
   */
  flops: number;
  /** Elementwise arithmetic of BN (2/elem), ReLU, pooling (k²/elem), add; not part of `flops`. */
  elementwiseOps: number;
  params: number;
  /** Bytes of the output tensor at fp32. */
  activationBytes: number;
  /** Bytes of all input tensors at fp32. */
  inputBytes: number;
  /** Bytes of the parameters at fp32. */
  weightBytes: number;
  /**
   * Layers with one key may fuse (conv + BN + activation): set by model importers from the graph's conv→BN→activation
   * chains. Without it the key is the name up to its last dot (`stage1.cell0.edge0-1.nor_conv_3x3`).
   */
  fuseGroup?: string;
}

/**
 * The layer list wired as a dataflow graph: the model IR every model file is written from (TF.js, ONNX), so the
 * files and the analytic costs describe one network. `inputs[i]` lists the layers whose outputs layer i consumes,
 * in order (-1 = the model input); the model output is the last layer. `zero` layers output zeros of their input's
 * shape; `identity` layers pass their input through, except that an `identity` with `groups` > 1 is a channel
 * shuffle of that many groups.
 */
export interface LayerGraph {
  layers: Layer[];
  inputs: number[][];
}

/** An op-on-node DAG: what GNN predictors and graph encoders consume. */
export interface OpGraph {
  /** Node labels, node 0 = `input`, last node = `output`. Each label is one of the space's `opVocabulary`. */
  ops: string[];
  /** Index of each node label in the space's `opVocabulary`. */
  opIds: number[];
  /** adjacency[i][j] = 1 when node i feeds node j (upper-triangular). */
  adjacency: number[][];
}

/** An arch as a tuple of independent choices: each of `positions` positions takes a value in 0..options-1. */
export interface ArchChoices {
  /** NB201: the 6 cell edges; FBNet: the 22 blocks. */
  readonly positions: number;
  /** Values of every position (NB201: 5 ops; FBNet: 9 block choices). */
  readonly options: number;
  /** The choices of a canonical arch. @throws UnknownArchError */
  parse(arch: string): ArrayLike<number>;
  /** The canonical arch of a tuple of choices. */
  format(choices: readonly number[]): string;
  /**
   * The layer list is the union of per-position layer groups, each depending only on its position and choice
   * (NB201: every edge is built whatever the others are; FBNet: block shapes depend only on the block index).
   * Simulated latency is then exactly additive over choices, which fast scoring uses.
   */
  readonly additiveLayers: boolean;
}

/** An input field a space cannot build at, and why (`reason` reads after the field name: "must be …"). */
export interface InputProblem {
  field: keyof InputShape;
  reason: string;
}

/** A NAS search space. Every method takes and returns canonical arch strings. */
export interface SearchSpace {
  readonly name: string;
  readonly description: string;
  /** Number of architectures (FBNet: 9^22, not exactly representable — see `sizeLabel`). */
  readonly size: number;
  readonly sizeLabel: string;
  /** Default input for a dataset setting (`cifar10`, `cifar100`, `imagenet16-120`). */
  defaultInput(dataset?: string): InputShape;
  /**
   * What is wrong with `input` for this space's network (e.g. NB201's resolution must be a multiple of 4), naming the
   * field; undefined when it builds. Configs and flags are checked with it before anything is built.
   */
  inputProblem(input: InputShape): InputProblem | undefined;
  /** Labels an op-graph node may carry, including `input` and `output`. Fixed order: ids are indices here. */
  readonly opVocabulary: readonly string[];
  /** Number of nodes of every op graph of this space. */
  readonly graphNodes: number;
  /** The arch as a tuple of choices, where it is one (crossover and fast scoring use it; `choiceMoves` gives the moves). */
  readonly choices?: ArchChoices;

  /** Validate and normalise an arch given as canonical string or (NB201) index. @throws UnknownArchError */
  canonical(arch: string | number): string;
  /** Integer index where the space has one (NB201 official index; FBNet has none). */
  index?(arch: string): number;
  fromIndex?(index: number): string;
  /** Every architecture, in index order, where the space is enumerable. */
  enumerate?(): string[];

  /** Key shared by all archs that compute the same function (graph isomorphism, dead edges, zero ops). */
  isoKey(arch: string): string;
  opGraph(arch: string): OpGraph;
  /** Per-layer shapes and costs for an input. */
  layers(arch: string, input: InputShape): Layer[];
  /** The layers of `layers()` wired as a dataflow graph. */
  graph(arch: string, input: InputShape): LayerGraph;
  /** A TF.js model of the arch (random initial weights, deterministic for `seed`) with input [batch, res, res, channels]. */
  buildModel(arch: string, input: InputShape, options?: { seed?: number }): tf.LayersModel;

  /** A uniformly random arch. */
  sample(rng: Rng): string;
  /** A random single-choice change of `arch` (never `arch` itself). */
  mutate(arch: string, rng: Rng): string;
  /** Every arch one choice away from `arch`. */
  neighbours(arch: string): string[];
}
