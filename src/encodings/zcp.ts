// Zero-cost proxies computed in-process with TF.js on the built network and a small seeded synthetic batch
// (NAS-Bench-Suite-Zero definitions, re-derived for TF.js), and the `zcp` encoder over them.
import fs from 'node:fs';
import path from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../core/tf.js';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { loadZcpTable, type ZcpTable } from '../data/zcp.js';
import { total } from '../spaces/layers.js';
import { epeNasScore, jacovScore, logAbsDet } from './zcp-math.js';
import { COMPUTED_ZCPS, FORWARD_ZCPS, type ComputedZcp } from './zcp-names.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Encoder } from './types.js';

/** Options of `computeZcp` and the `zcp` encoder. */
export interface ZcpOptions {
  /** Proxies to compute (default: all of `COMPUTED_ZCPS`). */
  proxies?: readonly string[];
  /** Seed of the synthetic batch, its labels and the network initialisation (default 0). */
  seed?: number;
  /** Images in the synthetic batch (default 16). */
  batchSize?: number;
}

/** Options of the `zcp` encoder: those of `computeZcp`, the dataset whose input shape to use, and a resolution override. */
export interface ZcpEncoderOptions extends ZcpOptions {
  dataset?: string;
  /** Input resolution of the networks (default: the dataset's); lower is faster. */
  resolution?: number;
}

const DEFAULT_BATCH_SIZE = 16;

function checkedProxies(proxies: readonly string[] | undefined): ComputedZcp[] {
  const list = proxies ?? COMPUTED_ZCPS;
  for (const p of list) {
    if (!(COMPUTED_ZCPS as readonly string[]).includes(p))
      throw new UsageError(`unknown zero-cost proxy '${p}': computed ones are ${COMPUTED_ZCPS.join(', ')}`);
  }
  return [...list] as ComputedZcp[];
}

/** Seeded synthetic batch: N(0,1) images and uniformly random one-hot labels. */
interface Batch {
  x: Tf.Tensor4D;
  /** One-hot labels. */
  y: Tf.Tensor2D;
  labels: number[];
}

function syntheticBatch(input: InputShape, seed: number): Batch {
  const n = input.batchSize;
  const size = n * input.resolution * input.resolution * input.channels;
  const pixels = new Float32Array(size);
  const rng = Rng.derive(seed, 'zcp-batch', 'images');
  for (let i = 0; i < size; i++) pixels[i] = rng.normal();
  const labels = new Float32Array(n * input.classes);
  const labelRng = Rng.derive(seed, 'zcp-batch', 'labels');
  const classOf = Array.from({ length: n }, () => labelRng.int(input.classes));
  classOf.forEach((c, i) => (labels[i * input.classes + c] = 1));
  return {
    x: tf.tensor4d(pixels, [n, input.resolution, input.resolution, input.channels]),
    y: tf.tensor2d(labels, [n, input.classes]),
    labels: classOf,
  };
}

/** NWOT (Mellor et al. v2): log|det K| with K the Hamming-agreement kernel of the binary ReLU codes of the batch. */
function nwotScore(model: Tf.LayersModel, x: Tf.Tensor4D): number {
  const relus = model.layers.filter((l) => l.getClassName() === 'ReLU');
  const n = x.shape[0];
  const kernel = new Float64Array(n * n);
  if (relus.length === 0) return NaN;
  const probe = tf.model({ inputs: model.inputs, outputs: relus.map((l) => l.output as Tf.SymbolicTensor) });
  // Agreement = c·cᵀ + (1−c)·(1−c)ᵀ, accumulated over every ReLU, computed on the backend as one [n, n] matrix.
  const agreement = tf.tidy(() => {
    const outs = probe.apply(x, { training: true }) as Tf.Tensor | Tf.Tensor[];
    const list = Array.isArray(outs) ? outs : [outs];
    const terms = list.map((o) => {
      const c = tf.cast(tf.greater(o.reshape([n, -1]), 0), 'float32');
      const notC = tf.sub(1, c);
      return tf.add(tf.matMul(c, c, false, true), tf.matMul(notC, notC, false, true));
    });
    return tf.addN(terms);
  });
  kernel.set(agreement.dataSync());
  agreement.dispose();
  return logAbsDet(kernel, n);
}

const isKernel = (w: Tf.LayerVariable): boolean => /kernel$/.test(w.originalName ?? w.name);

/** Put `model` in synflow's state: every trainable weight replaced by its magnitude, BN statistics at identity. */
export function prepareSynflowWeights(model: Tf.LayersModel): void {
  // Variable.write keeps the written tensor's data, so the temporaries can be tidied away.
  tf.tidy(() => {
    for (const w of model.weights) {
      const name = w.originalName ?? w.name;
      if (/moving_mean$/.test(name)) w.write(tf.zerosLike(w.read()));
      else if (/moving_variance$/.test(name)) w.write(tf.onesLike(w.read()));
      else if (w.trainable) w.write(tf.abs(w.read()));
    }
  });
}

/** Step ε of the synflow finite difference in the kernels' common scale (see `synflowLog`). */
const SYNFLOW_STEP = 5e-3;

/**
 * SynFlow (Tanaka et al.): with every weight replaced by its magnitude, BN at its initial (identity) statistics and
 * an all-ones input, Σ θ·∂R/∂θ over conv/linear kernels, R the sum of the outputs. Returned as ln(score): the raw
 * value overflows float32 (NASLib uses float64). Positive weights and inputs keep every ReLU linear, so R is a sum
 * over input→output paths of products of kernel entries, each path degree 1 in every kernel it crosses. Scaling all
 * kernels by t gives R(t) = Σ_paths t^k(path)·v(path), whose derivative at t = 1 is Σ_paths k·v = Σ θ·∂R/∂θ: the
 * score from four forward passes (a fourth-order central difference; error ≈ (kε)⁴/30 for paths of k ≤ 60 kernels,
 * below 1e-3 in ln) instead of one backward pass — the wasm backend lacks conv weight-gradient kernels. R is
 * homogeneous of degree 1 in the input, so a tiny input scale s keeps values inside float32 and
 * ln(score) = ln(score at s) − ln s. Overwrites the weights of `model` (call it last).
 */
function synflowLog(model: Tf.LayersModel, input: InputShape): number {
  prepareSynflowWeights(model);
  const shape: [number, number, number, number] = [1, input.resolution, input.resolution, input.channels];
  const forward = (scale: number): number =>
    tf.tidy(() => (model.apply(tf.fill(shape, scale), { training: false }) as Tf.Tensor).sum().dataSync()[0]);
  let scale = 1e-30;
  let full = forward(scale);
  if (!Number.isFinite(full)) {
    scale = 1e-37;
    full = forward(scale);
  }
  // An output that does not depend on the input (a cell with no path to its output) has score 0: ln 0 = −∞.
  if (full === 0) return -Infinity;
  if (!Number.isFinite(full) || full < 0) return full > 0 ? Infinity : NaN;
  const kernels = model.trainableWeights.filter(isKernel);
  const original = kernels.map((w) => tf.clone(w.read()));
  const at = (t: number): number => {
    tf.tidy(() => kernels.forEach((w, i) => w.write(tf.mul(original[i], t))));
    return forward(scale);
  };
  const eps = SYNFLOW_STEP;
  const score = (8 * (at(1 + eps) - at(1 - eps)) - (at(1 + 2 * eps) - at(1 - 2 * eps))) / (12 * eps);
  tf.dispose(original);
  return score > 0 ? Math.log(score) - Math.log(scale) : -Infinity;
}
const WEIGHT_LAYERS = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

/**
 * Run a functional model layer by layer in training mode, letting `tap` replace the output of every conv/linear layer.
 * Needed where a proxy differentiates with respect to intermediate activations (fisher), which `model.apply` hides.
 * Our builders use each layer once, so every layer has exactly one inbound node.
 */
function applyWithTaps(
  model: Tf.LayersModel,
  x: Tf.Tensor,
  tap: (layer: Tf.layers.Layer, out: Tf.Tensor, index: number) => Tf.Tensor,
): Tf.Tensor {
  const values = new Map<number, Tf.Tensor>([[model.inputs[0].id, x]]);
  let tapped = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const node = layer.inboundNodes[0];
    const inputs = node.inputTensors.map((t) => values.get(t.id) as Tf.Tensor);
    let out = layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: true }) as Tf.Tensor;
    if (WEIGHT_LAYERS.has(layer.getClassName()) && layer.trainable) out = tap(layer, out, tapped++);
    values.set(node.outputTensors[0].id, out);
  }
  return values.get(model.outputs[0].id) as Tf.Tensor;
}

/**
 * Fisher (Turner et al., NASLib's channel mode): Σ over conv/linear outputs a and channels c of
 * ½·mean_n (Σ_spatial a·∂L/∂a)². Σ_spatial a·∂L/∂a is the gradient of L with respect to a per-(image, channel) scale of
 * a at 1, which is what is differentiated here.
 */
function fisherScore(model: Tf.LayersModel, batch: Batch): number {
  const counting: number[][] = [];
  tf.tidy(() => void applyWithTaps(model, batch.x, (_, out) => (counting.push(out.shape as number[]), out)));
  return tf.tidy(() => {
    const scales = counting.map((shape) => tf.ones(shape.length === 4 ? [shape[0], 1, 1, shape[3]] : shape));
    const loss = (...s: Tf.Tensor[]): Tf.Scalar =>
      tf.losses.softmaxCrossEntropy(
        batch.y,
        applyWithTaps(model, batch.x, (_, out, i) => tf.mul(out, s[i])),
      ) as Tf.Scalar;
    const grads = tf.grads(loss)(scales);
    return tf.addN(grads.map((g) => tf.mul(0.5, tf.sum(tf.mean(tf.square(g.reshape([g.shape[0], -1])), 0))))).dataSync()[0];
  });
}

/** Gradient of the batch loss with respect to the conv/linear kernels, as one flat Float32Array per kernel. */
function kernelGradients(model: Tf.LayersModel, batch: Batch, kernels: Tf.Variable[]): Tf.Tensor[] {
  const { grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x, { training: true }) as Tf.Tensor) as Tf.Scalar,
    kernels,
  );
  return kernels.map((k) => grads[k.name]);
}

// GraSP's Hessian-gradient product by central differences: the step is this fraction of ‖θ‖ along g. Smaller steps
// drown in float32 round-off on archs with large gradients (1e-3 and 1e-4 gave 584 and 9377 where 1e-2 and 3e-2 gave
// −30 and −118 on one NB201 arch; well-conditioned archs agree to 2 % across all of them).
const GRASP_RELATIVE_STEP = 1e-2;

/**
 * GraSP (Wang et al.): −Σ θ ⊙ (H g) over conv/linear kernels, g the loss gradient. H g is the directional derivative
 * of the gradient along g, taken here by central differences (two more gradient passes) instead of double
 * backpropagation, which the wasm kernels lack. Restores the kernels.
 */
function graspScore(model: Tf.LayersModel, batch: Batch, kernels: Tf.Variable[], g: Tf.Tensor[]): number {
  const original = kernels.map((k) => tf.clone(k));
  try {
    const [normTheta, normG] = tf.tidy(() =>
      [tf.addN(original.map((t) => tf.sum(tf.square(t)))), tf.addN(g.map((t) => tf.sum(tf.square(t))))].map((t) =>
        Math.sqrt(t.dataSync()[0]),
      ),
    );
    if (normG === 0) return 0;
    const eps = (GRASP_RELATIVE_STEP * normTheta) / normG;
    const gradientAt = (sign: number): Tf.Tensor[] => {
      kernels.forEach((k, i) => {
        const moved = tf.tidy(() => tf.add(original[i], tf.mul(sign * eps, g[i])));
        k.assign(moved);
        moved.dispose();
      });
      return tf.tidy(() => kernelGradients(model, batch, kernels));
    };
    const plus = gradientAt(1);
    const minus = gradientAt(-1);
    const score = tf.tidy(() => tf.addN(original.map((theta, i) => tf.sum(tf.mul(theta, tf.sub(plus[i], minus[i]))))).dataSync()[0]);
    tf.dispose([...plus, ...minus]);
    return -score / (2 * eps);
  } finally {
    kernels.forEach((k, i) => k.assign(original[i]));
    tf.dispose(original);
  }
}

// Zen-NAS's mixing weight of the second Gaussian batch.
const ZEN_MIXUP = 1e-2;

/**
 * Zen-score (Lin et al.): with conv/linear kernels redrawn from N(0, 1), log E‖f(x) − f(x + 0.01·x′)‖₁ of the
 * pre-pooling feature map plus Σ over BN layers of log √(mean batch variance of its input). (NASLib reads BN running
 * variances after one momentum update; the batch variance is the quantity the Zen-NAS paper defines.) Forward only.
 * Overwrites the kernels of `model`.
 */
function zenScore(model: Tf.LayersModel, input: InputShape, seed: number): number {
  tf.tidy(() => {
    model.trainableWeights
      .filter(isKernel)
      .forEach((w, i) => w.write(tf.randomNormal(w.read().shape, 0, 1, 'float32', Rng.derive(seed, 'zen-init', i).seed32())));
  });
  const gap = model.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D');
  const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  if (gap === undefined) return NaN;
  const probe = tf.model({
    inputs: model.inputs,
    outputs: [gap.input as Tf.SymbolicTensor, ...bns.map((l) => l.input as Tf.SymbolicTensor)],
  });
  const shape: [number, number, number, number] = [input.batchSize, input.resolution, input.resolution, input.channels];
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', Rng.derive(seed, 'zen-batch', 0).seed32());
    const mixed = tf.add(x, tf.mul(ZEN_MIXUP, tf.randomNormal(shape, 0, 1, 'float32', Rng.derive(seed, 'zen-batch', 1).seed32())));
    const [features, ...bnInputs] = probe.apply(x, { training: true }) as Tf.Tensor[];
    const [mixedFeatures] = probe.apply(mixed, { training: true }) as Tf.Tensor[];
    const diff = tf.mean(tf.sum(tf.abs(tf.sub(features, mixedFeatures)), [1, 2, 3])).dataSync()[0];
    let logBn = 0;
    for (const b of bnInputs) logBn += 0.5 * Math.log(tf.mean(tf.moments(b, [0, 1, 2]).variance).dataSync()[0]);
    return Math.log(diff) + logBn;
  });
}

/** Every proxy of one arch, in `proxies` order. Disposes everything it creates. */
function archZcp(
  space: SearchSpace,
  arch: string,
  input: InputShape,
  proxies: readonly ComputedZcp[],
  seed: number,
  batch: Batch,
): number[] {
  const want = new Set(proxies);
  const out = new Map<ComputedZcp, number>();
  if (want.has('params') || want.has('flops')) {
    // Per image and in millions, as NASLib reports them.
    const layers = space.layers(arch, { ...input, batchSize: 1 });
    out.set('params', total(layers, 'params') / 1e6);
    out.set('flops', total(layers, 'flops') / 1e6);
  }
  const build = (): Tf.LayersModel => space.buildModel(arch, input, { seed });
  const needsModel = proxies.some((p) => p !== 'params' && p !== 'flops' && p !== 'zen');
  if (needsModel) {
    const model = build();
    try {
      const kernels = model.trainableWeights.filter(isKernel).map((w) => w.read() as Tf.Variable);
      if (want.has('l2_norm'))
        out.set(
          'l2_norm',
          tf.tidy(() => tf.addN(kernels.map((k) => tf.norm(k))).dataSync()[0]),
        );
      if (want.has('grad_norm') || want.has('snip') || want.has('plain') || want.has('grasp')) {
        const g = tf.tidy(() => kernelGradients(model, batch, kernels));
        const sums = tf.tidy(() =>
          tf
            .stack([
              tf.addN(g.map((gi) => tf.norm(gi))),
              tf.addN(g.map((gi, i) => tf.sum(tf.abs(tf.mul(gi, kernels[i]))))),
              tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, kernels[i])))),
            ])
            .dataSync(),
        );
        out.set('grad_norm', sums[0]);
        out.set('snip', sums[1]);
        out.set('plain', sums[2]);
        if (want.has('grasp')) out.set('grasp', graspScore(model, batch, kernels, g));
        tf.dispose(g);
      }
      if (want.has('fisher')) out.set('fisher', fisherScore(model, batch));
      if (want.has('jacov') || want.has('epe_nas')) {
        const jac = tf.tidy(
          () =>
            tf
              .grad((x: Tf.Tensor) => (model.apply(x, { training: true }) as Tf.Tensor).sum())(batch.x)
              .dataSync() as Float32Array,
        );
        out.set('jacov', jacovScore(jac, input.batchSize));
        out.set('epe_nas', epeNasScore(jac, batch.labels));
      }
      if (want.has('nwot')) out.set('nwot', nwotScore(model, batch.x));
      if (want.has('synflow')) out.set('synflow', synflowLog(model, input));
    } finally {
      model.dispose();
    }
  }
  if (want.has('zen')) {
    // Zen redraws every kernel: a model of its own.
    const model = build();
    try {
      out.set('zen', zenScore(model, input, seed));
    } finally {
      model.dispose();
    }
  }
  return proxies.map((p) => out.get(p) ?? NaN);
}

/**
 * Zero-cost proxies of `archs` (canonical strings of `space`) on a seeded synthetic batch of `batchSize` images of
 * `input`'s resolution and classes. Returns one Float64Array per proxy, row i ↔ archs[i]. params and flops are the
 * analytic counts in millions; synflow is ln(synflow). Needs an initialised tfjs backend (`initBackend`).
 * @throws UsageError for an unknown proxy name
 */
export async function computeZcp(
  space: SearchSpace,
  archs: readonly string[],
  input: InputShape,
  options: ZcpOptions = {},
): Promise<Record<string, Float64Array>> {
  const proxies = checkedProxies(options.proxies);
  const seed = options.seed ?? 0;
  const batchInput: InputShape = { ...input, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE };
  const result: Record<string, Float64Array> = {};
  for (const p of proxies) result[p] = new Float64Array(archs.length);
  const batch = syntheticBatch(batchInput, seed);
  try {
    for (let i = 0; i < archs.length; i++) {
      const values = archZcp(space, archs[i], batchInput, proxies, seed, batch);
      proxies.forEach((p, j) => (result[p][i] = values[j]));
      // Yield to the event loop between archs so progress bars and timers stay live on long runs.
      if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
  return result;
}

/** The `zcp` encoder: one dimension per proxy (default `FORWARD_ZCPS`), on the space's default input for `dataset`. */
export function createZcpEncoder(options: ZcpEncoderOptions = {}): Encoder {
  const proxies = checkedProxies(options.proxies ?? FORWARD_ZCPS);
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  return {
    name: 'zcp',
    description: `zero-cost proxies computed with TF.js on a seeded synthetic batch (${proxies.join(', ')})`,
    needsTraining: false,
    dimension: () => proxies.length,
    columns: () => [...proxies],
    version: () =>
      `zcp-3;proxies=${proxies.join(',')};seed=${seed};batch=${batchSize};dataset=${options.dataset ?? 'default'};resolution=${options.resolution ?? 'default'}`,
    async encode(space, archs) {
      const input = space.defaultInput(options.dataset);
      const columns = await computeZcp(
        space,
        archs,
        { ...input, resolution: options.resolution ?? input.resolution },
        { proxies, seed, batchSize },
      );
      return archs.map((_, i) => Float32Array.from(proxies, (p) => columns[p][i]));
    },
  };
}

/** Where the `zcp` encoder reads precomputed proxies instead of computing them (`--zcp-table`). */
export interface ZcpTableSource {
  /** A ZCP CSV such as `nasflat/fbnet_zcp.csv` or `naslib/nb201_zcp_partial.csv`. */
  file: string;
  /** Which dataset's rows, for files with a `dataset` column (NASLib: cifar10, cifar100, ImageNet16-120). */
  dataset?: string;
  /** Proxies to read (default: every proxy column of the file). */
  proxies?: readonly string[];
}

/**
 * The `zcp` encoder over a precomputed table: one dimension per proxy, in `proxies` (else file) order. Its version
 * names the file, its size and mtime, the dataset and the proxies, so an edited table is never served from the cache.
 * @throws DataFileError for a bad file or dataset; UsageError for a proxy the file lacks, or (when encoding) an arch
 * the table does not cover
 */
export function createZcpTableEncoder(source: ZcpTableSource): Encoder {
  const stat = fs.statSync(source.file, { throwIfNoEntry: false });
  const fingerprint = stat === undefined ? 'missing' : `${stat.size}:${Math.round(stat.mtimeMs)}`;
  const tables = new Map<string, ZcpTable>();
  const tableFor = (space: SearchSpace): ZcpTable => {
    let table = tables.get(space.name);
    if (table === undefined) {
      table = loadZcpTable(source.file, { dataset: source.dataset, canonical: (a) => space.canonical(a) });
      const absent = (source.proxies ?? []).filter((p) => !table?.proxies.includes(p));
      if (absent.length > 0) throw new UsageError(`${source.file} has no ${absent.join(', ')} column (it has ${table.proxies.join(', ')})`);
      tables.set(space.name, table);
    }
    return table;
  };
  const proxiesOf = (space: SearchSpace): readonly string[] => source.proxies ?? tableFor(space).proxies;
  return {
    name: 'zcp',
    description: `zero-cost proxies read from ${path.basename(source.file)}${source.dataset === undefined ? '' : ` (${source.dataset})`}`,
    needsTraining: false,
    dimension: (space) => proxiesOf(space).length,
    columns: (space) => [...proxiesOf(space)],
    version: (space) =>
      `zcp-table-1;file=${path.resolve(source.file)};stat=${fingerprint};dataset=${source.dataset ?? '-'};proxies=${proxiesOf(space).join(',')}`,
    async encode(space, archs) {
      const table = tableFor(space);
      const columns = proxiesOf(space).map((p) => table.proxies.indexOf(p));
      return archs.map((arch) => {
        const row = table.get(arch);
        if (row === undefined)
          throw new UsageError(
            `arch ${arch} is not in the ZCP table ${source.file}${source.dataset === undefined ? '' : ` (${source.dataset})`}: restrict the archs to the table's (e.g. --pool ${source.file})`,
          );
        return Float32Array.from(columns, (c) => row[c]);
      });
    },
  };
}
