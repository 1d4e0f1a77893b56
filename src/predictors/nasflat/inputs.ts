// Archs → NASFLAT input arrays: node ops, in-degree-normalised incoming adjacency, attention mask, and the
// supplementary encodings (built-in ones, a ZCP table's rows, or any matrix a caller computed, e.g. from an
// encodings/ Encoder).
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../../core/tf.js';
import { UnknownNameError, UsageError } from '../../core/errors.js';
import { loadZcpTable, type ZcpTable } from '../../data/zcp.js';
import { isDisconnected } from '../../spaces/graph.js';
import { costTotals } from '../../spaces/sums.js';
import type { OpGraph, SearchSpace } from '../../spaces/types.js';
import type { NasflatConfig } from './config.js';
import type { Batch, SharedGraphBatch } from './model.js';

/** Supplementary encodings of archs, one row of `width` per arch, row-major. */
export interface SupplementaryMatrix {
  width: number;
  values: Float32Array;
}

/** Supplementary encodings of archs beyond the built-ins, e.g. an encodings/ Encoder's matrix (row-major). */
export type SupplementaryProvider = (archs: readonly string[]) => SupplementaryMatrix;

/** Graph arrays of `n` archs, row-major, ready to slice into batches. */
export interface EncodedGraphs {
  n: number;
  nodes: number;
  vocabulary: number;
  /** Op id of every node, arch-major [n × nodes]. */
  opIds: Int32Array;
  adjacencyIn: Float32Array;
  attentionMask: Float32Array;
}

/** Encode canonical archs of `space` (op-on-node DAGs of `space.graphNodes` nodes). */
export function encodeGraphs(space: SearchSpace, archs: readonly string[]): EncodedGraphs {
  const nodes = space.graphNodes;
  const vocabulary = space.opVocabulary.length;
  const n = archs.length;
  const opIds = new Int32Array(n * nodes);
  const adjacencyIn = new Float32Array(n * nodes * nodes);
  const attentionMask = new Float32Array(n * nodes * nodes).fill(-1e9);
  archs.forEach((arch, a) => {
    const graph = space.opGraph(arch);
    opIds.set(graph.opIds, a * nodes);
    for (let j = 0; j < nodes; j++) {
      let inDegree = 0;
      for (let i = 0; i < nodes; i++) inDegree += graph.adjacency[i][j];
      const row = (a * nodes + j) * nodes;
      attentionMask[row + j] = 0;
      for (let i = 0; i < nodes; i++) {
        if (graph.adjacency[i][j] === 0) continue;
        adjacencyIn[row + i] = 1 / inDegree;
        attentionMask[row + i] = 0;
      }
    }
  });
  return { n, nodes, vocabulary, opIds, adjacencyIn, attentionMask };
}

/** What built-in encodings read of an arch, each computed at most once per arch. */
interface ArchFacts {
  totals(): { flops: number; params: number };
  graph(): OpGraph;
}

/** A supplementary encoding computed from the space alone. */
type BuiltinEncoding = (space: SearchSpace, facts: ArchFacts) => number[];

const BUILTIN_ENCODINGS: Record<string, BuiltinEncoding> = {
  flops: (_space, facts) => [Math.log1p(facts.totals().flops)],
  params: (_space, facts) => [Math.log1p(facts.totals().params)],
  'op-counts': (space, facts) => {
    const counts = new Array<number>(space.opVocabulary.length).fill(0);
    for (const id of facts.graph().opIds) counts[id]++;
    return counts;
  },
  disconnected: (_space, facts) => [isDisconnected(facts.graph()) ? 1 : 0],
};

/** Names of the built-in supplementary encodings. */
export const BUILTIN_SUPPLEMENTARY = Object.keys(BUILTIN_ENCODINGS);

/**
 * Raw (unstandardised) supplementary encodings of `archs`, the named built-ins side by side, row-major.
 * @throws UnknownNameError for a name that is not built in
 */
export function builtinSupplementary(space: SearchSpace, names: readonly string[], archs: readonly string[]): SupplementaryMatrix {
  const encoders = names.map((name) => {
    const encoder = BUILTIN_ENCODINGS[name];
    if (encoder === undefined) throw new UnknownNameError('supplementary encoding', name, BUILTIN_SUPPLEMENTARY);
    return encoder;
  });
  if (encoders.length === 0 || archs.length === 0) return { width: 0, values: new Float32Array(0) };
  const costs = costTotals(space);
  const rows = archs.map((arch) => {
    let totals: { flops: number; params: number } | undefined;
    let graph: OpGraph | undefined;
    const facts: ArchFacts = { totals: () => (totals ??= costs(arch)), graph: () => (graph ??= space.opGraph(arch)) };
    return encoders.flatMap((encode) => encode(space, facts));
  });
  const width = rows[0].length;
  const values = new Float32Array(archs.length * width);
  rows.forEach((row, i) => values.set(row, i * width));
  return { width, values };
}

/**
 * Names of the analytic cost columns of the few-shot readout (see readout.ts): MFLOPs, Mparams at the space's
 * default input, whether the output is disconnected from the input, and the count of each op of the vocabulary.
 */
export function costColumnNames(space: SearchSpace): string[] {
  return [
    'flops',
    'params',
    'disconnected',
    ...space.opVocabulary.filter((op) => op !== 'input' && op !== 'output').map((op) => `count:${op}`),
  ];
}

/** Basis column of `nonSkipOps`. */
export const NON_SKIP_COLUMN = 'nonskip';

/** Ops that do no work: `none`, and the skips (`skip_connect` in NB201, `skip` in FBNet). */
export const IDLE_OPS: readonly string[] = ['none', 'skip_connect', 'skip'];

/** Ops of the arch that do work (not the graph's input and output, not one of `IDLE_OPS`). */
export function nonSkipOps(space: SearchSpace, arch: string): number {
  return space.opGraph(arch).ops.filter((op) => op !== 'input' && op !== 'output' && !IDLE_OPS.includes(op)).length;
}

/** The cost columns of one arch, in the order of `costColumnNames`. */
export function costRow(space: SearchSpace, arch: string): Float64Array {
  const { flops, params } = costTotals(space)(arch);
  const graph = space.opGraph(arch);
  const vocabulary = space.opVocabulary;
  const counts = new Array<number>(vocabulary.length).fill(0);
  for (const id of graph.opIds) counts[id]++;
  const varying = counts.filter((_, id) => vocabulary[id] !== 'input' && vocabulary[id] !== 'output');
  return Float64Array.from([flops / 1e6, params / 1e6, isDisconnected(graph) ? 1 : 0, ...varying]);
}

/**
 * The readout's cost columns of archs (`costColumnNames` and `NON_SKIP_COLUMN`), each arch's row memoised (computing
 * layer costs takes longer than the network on wasm, and the same archs are asked for again and again).
 */
export class CostColumns {
  readonly names: string[];
  private readonly rows = new Map<string, Float64Array>();

  constructor(private readonly space: SearchSpace) {
    this.names = costColumnNames(space);
  }

  /** Whether any of `columns` is a cost column. */
  covers(columns: ReadonlySet<string>): boolean {
    return columns.has(NON_SKIP_COLUMN) || this.names.some((c) => columns.has(c));
  }

  /** Every cost column of `archs` as the readout (in ln ms) fits them: ln FLOPs, ln params (a power law), counts and flags as they are. */
  of(archs: readonly string[]): Map<string, Float64Array> {
    const rows = archs.map((arch) => {
      let row = this.rows.get(arch);
      if (row === undefined) {
        row = costRow(this.space, arch);
        this.rows.set(arch, row);
      }
      return row;
    });
    const logged = new Set(['flops', 'params']);
    const columns = new Map<string, Float64Array>();
    this.names.forEach((name, j) =>
      columns.set(
        name,
        Float64Array.from(rows, (row) => (logged.has(name) ? Math.log(row[j]) : row[j])),
      ),
    );
    // The ops that do work, from the memoised op counts (`nonSkipOps` without rebuilding each op graph).
    const working = this.names.flatMap((name, j) =>
      name.startsWith('count:') && !IDLE_OPS.includes(name.slice('count:'.length)) ? [j] : [],
    );
    columns.set(
      NON_SKIP_COLUMN,
      Float64Array.from(rows, (row) => working.reduce((sum, j) => sum + row[j], 0)),
    );
    return columns;
  }
}

/** Column means and standard deviations (std ≥ 1e-6) of a row-major matrix. */
export function columnStats(values: Float32Array, width: number): { mean: number[]; std: number[] } {
  const n = width === 0 ? 0 : values.length / width;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) mean[c] += values[r * width + c] / n;
  for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) std[c] += (values[r * width + c] - mean[c]) ** 2 / n;
  return { mean, std: std.map((v) => Math.max(Math.sqrt(v), 1e-6)) };
}

/** Standardise in place with stored statistics. */
export function standardise(values: Float32Array, stats: { mean: number[]; std: number[] }): Float32Array {
  const width = stats.mean.length;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] - stats.mean[i % width]) / stats.std[i % width];
  return values;
}

/** The per-arch tensors of both batch layouts: each arch's one-hot device row [B, D] and supplementary columns [B, S]. */
function archTensors(
  supplementary: SupplementaryMatrix,
  rows: readonly number[],
  deviceRows: ArrayLike<number>,
  deviceCount: number,
): { device: Tf.Tensor2D; supplementary?: Tf.Tensor2D } {
  const b = rows.length;
  const width = supplementary.width;
  const supp = new Float32Array(b * width);
  const device = new Float32Array(b * deviceCount);
  rows.forEach((r, i) => {
    supp.set(supplementary.values.subarray(r * width, (r + 1) * width), i * width);
    device[i * deviceCount + deviceRows[i]] = 1;
  });
  return { device: tf.tensor2d(device, [b, deviceCount]), supplementary: width > 0 ? tf.tensor2d(supp, [b, width]) : undefined };
}

/** Tensors of rows `rows` of the encoded archs, arch k on device row `deviceRows[k]` of `deviceCount`. Call inside tf.tidy. */
export function makeBatch(
  graphs: EncodedGraphs,
  supplementary: SupplementaryMatrix,
  rows: readonly number[],
  deviceRows: ArrayLike<number>,
  deviceCount: number,
): Batch {
  const { nodes: n, vocabulary: v } = graphs;
  const b = rows.length;
  const nodeKey = new Float32Array(b * n * deviceCount * v);
  const adjacencyIn = new Float32Array(b * n * n);
  const attentionMask = new Float32Array(b * n * n);
  rows.forEach((r, i) => {
    for (let node = 0; node < n; node++) nodeKey[(i * n + node) * deviceCount * v + deviceRows[i] * v + graphs.opIds[r * n + node]] = 1;
    adjacencyIn.set(graphs.adjacencyIn.subarray(r * n * n, (r + 1) * n * n), i * n * n);
    attentionMask.set(graphs.attentionMask.subarray(r * n * n, (r + 1) * n * n), i * n * n);
  });
  return {
    nodeKey: tf.tensor2d(nodeKey, [b * n, deviceCount * v]),
    adjacencyIn: tf.tensor3d(adjacencyIn, [b, n, n]),
    attentionMask: tf.tensor3d(attentionMask, [b, n, n]),
    ...archTensors(supplementary, rows, deviceRows, deviceCount),
  };
}

/**
 * `makeBatch` for `forwardSharedGraph` (one key tensor per node), when every row has the same adjacency (the
 * attention mask follows from it: edges and self); else undefined. Call inside tf.tidy.
 */
export function makeSharedGraphBatch(
  graphs: EncodedGraphs,
  supplementary: SupplementaryMatrix,
  rows: readonly number[],
  deviceRows: ArrayLike<number>,
  deviceCount: number,
): SharedGraphBatch | undefined {
  const { nodes: n, vocabulary: v } = graphs;
  const b = rows.length;
  if (b === 0) return undefined;
  const square = n * n;
  const adjacency = graphs.adjacencyIn.subarray(rows[0] * square, (rows[0] + 1) * square);
  for (const r of rows) for (let k = 0; k < square; k++) if (graphs.adjacencyIn[r * square + k] !== adjacency[k]) return undefined;
  const nodeKeys = Array.from({ length: n }, () => new Float32Array(b * deviceCount * v));
  rows.forEach((r, i) => {
    for (let node = 0; node < n; node++) nodeKeys[node][i * deviceCount * v + deviceRows[i] * v + graphs.opIds[r * n + node]] = 1;
  });
  const nodes = Array.from({ length: n }, (_, k) => k);
  return {
    nodeKeys: nodeKeys.map((key) => tf.tensor2d(key, [b, deviceCount * v])),
    incoming: nodes.map((j) => nodes.filter((i) => adjacency[j * n + i] !== 0).map((i) => ({ from: i, weight: adjacency[j * n + i] }))),
    attended: nodes.map((j) => nodes.filter((i) => i === j || adjacency[j * n + i] !== 0)),
    ...archTensors(supplementary, rows, deviceRows, deviceCount),
  };
}

/**
 * The supplementary columns of canonical archs: the config's built-in encodings and signed-log ZCP row, memoised per
 * arch (they take longer than the network on wasm, and the transfer harness and the search ask for the same archs
 * again and again), then the extra provider's columns.
 */
export class SupplementaryInputs {
  private readonly builtinCache = new Map<string, Float32Array>();
  private zcpTable?: ZcpTable;

  constructor(
    private readonly space: SearchSpace,
    private readonly config: NasflatConfig,
    private readonly extra?: SupplementaryProvider,
  ) {}

  /** Unstandardised columns of `archs`. @throws UsageError for an arch or proxy the configured ZCP table lacks */
  raw(archs: readonly string[]): SupplementaryMatrix {
    const missing = [...new Set(archs.filter((a) => !this.builtinCache.has(a)))];
    const computed = builtinSupplementary(this.space, this.config.supplementary, missing);
    missing.forEach((arch, i) => {
      const own = computed.values.slice(i * computed.width, (i + 1) * computed.width);
      const zcp = this.zcpRow(arch);
      this.builtinCache.set(arch, zcp === undefined ? own : Float32Array.from([...own, ...zcp]));
    });
    const builtinWidth = archs.length === 0 ? 0 : this.builtinCache.get(archs[0])!.length;
    const builtin = { width: builtinWidth, values: new Float32Array(archs.length * builtinWidth) };
    archs.forEach((arch, i) => builtin.values.set(this.builtinCache.get(arch)!, i * builtinWidth));
    const extra = this.extra?.(archs);
    if (extra === undefined || extra.width === 0) return builtin;
    const width = builtin.width + extra.width;
    const values = new Float32Array(archs.length * width);
    for (let r = 0; r < archs.length; r++) {
      values.set(builtin.values.subarray(r * builtin.width, (r + 1) * builtin.width), r * width);
      values.set(extra.values.subarray(r * extra.width, (r + 1) * extra.width), r * width + builtin.width);
    }
    return { width, values };
  }

  /** The columns of `archs` standardised with the pretraining statistics. */
  standardised(archs: readonly string[], stats: { mean: number[]; std: number[] }): SupplementaryMatrix {
    const raw = this.raw(archs);
    return { width: raw.width, values: standardise(raw.values, stats) };
  }

  /** The signed-log ZCP row of `config.zcpTable` for an arch (missing cells 0); undefined without a table. */
  private zcpRow(arch: string): Float32Array | undefined {
    const source = this.config.zcpTable;
    if (source === undefined) return undefined;
    this.zcpTable ??= loadZcpTable(source.file, { dataset: source.dataset, canonical: (a) => this.space.canonical(a) });
    const table = this.zcpTable;
    const proxies = source.proxies ?? table.proxies;
    const absent = proxies.filter((p) => !table.proxies.includes(p));
    if (absent.length > 0)
      throw new UsageError(`nasflat zcpTable ${source.file} has no ${absent.join(', ')} column (it has ${table.proxies.join(', ')})`);
    const row = table.get(arch);
    if (row === undefined)
      throw new UsageError(`nasflat zcpTable ${source.file} has no row for arch ${arch}: it must cover every arch the predictor sees`);
    return Float32Array.from(proxies, (p) => {
      const v = row[table.proxies.indexOf(p)];
      return Number.isFinite(v) ? Math.sign(v) * Math.log1p(Math.abs(v)) : 0;
    });
  }
}
