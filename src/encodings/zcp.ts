// Zero-cost proxies computed in-process with TF.js on the built network and a small seeded synthetic batch
// (NAS-Bench-Suite-Zero definitions, re-derived for TF.js), and the `zcp` encoder over them.
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { total } from '../spaces/layers.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Encoder } from './types.js';

/** Proxies this module computes, in the order they are reported by default. */
export const COMPUTED_ZCPS = ['params', 'flops', 'grad_norm', 'snip', 'synflow', 'nwot', 'jacov', 'l2_norm', 'plain'] as const;
export type ComputedZcp = (typeof COMPUTED_ZCPS)[number];
/**
 * Proxies that need no gradient and so run on the wasm backend (seconds per NB201 arch): the encoder's default.
 * The others need conv weight/input gradients, which only the much slower cpu backend provides without tfjs-node.
 */
export const FORWARD_ZCPS: readonly ComputedZcp[] = ['params', 'flops', 'l2_norm', 'nwot', 'synflow'];

/** Options of `computeZcp` and the `zcp` encoder. */
export interface ZcpOptions {
  /** Proxies to compute (default: all of `COMPUTED_ZCPS`). */
  proxies?: readonly string[];
  /** Seed of the synthetic batch, its labels and the network initialisation (default 0). */
  seed?: number;
  /** Images in the synthetic batch (default 16). */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 16;
// Jacov's eigenvalue offset, as in Mellor et al. / NASLib.
const JACOV_K = 1e-5;

function checkedProxies(proxies: readonly string[] | undefined): ComputedZcp[] {
  const list = proxies ?? COMPUTED_ZCPS;
  for (const p of list) {
    if (!(COMPUTED_ZCPS as readonly string[]).includes(p)) throw new UsageError(`unknown zero-cost proxy '${p}': computed ones are ${COMPUTED_ZCPS.join(', ')}`);
  }
  return [...list] as ComputedZcp[];
}

/** Seeded synthetic batch: N(0,1) images and uniformly random one-hot labels. */
function syntheticBatch(input: InputShape, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = input.batchSize;
  const size = n * input.resolution * input.resolution * input.channels;
  const pixels = new Float32Array(size);
  const rng = Rng.derive(seed, 'zcp-batch', 'images');
  for (let i = 0; i < size; i++) pixels[i] = rng.normal();
  const labels = new Float32Array(n * input.classes);
  const labelRng = Rng.derive(seed, 'zcp-batch', 'labels');
  for (let i = 0; i < n; i++) labels[i * input.classes + labelRng.int(input.classes)] = 1;
  return {
    x: tf.tensor4d(pixels, [n, input.resolution, input.resolution, input.channels]),
    y: tf.tensor2d(labels, [n, input.classes]),
  };
}

/** Eigenvalues of a symmetric matrix (cyclic Jacobi rotations, float64); `a` is overwritten. */
function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]);
}

/** log|det| of a square matrix by LU with partial pivoting (float64); `a` is overwritten. -Infinity when singular. */
function logAbsDet(a: Float64Array, n: number): number {
  let log = 0;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    const p = a[pivot * n + col];
    if (p === 0) return -Infinity;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k], a[col * n + k]];
    }
    log += Math.log(Math.abs(p));
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / p;
      if (f === 0) continue;
      for (let k = col; k < n; k++) a[r * n + k] -= f * a[col * n + k];
    }
  }
  return log;
}

/** Jacov (Mellor et al. v1): −Σ log(λ+k) + 1/(λ+k) over eigenvalues λ of the correlation matrix of per-image input Jacobians. */
function jacovScore(jacobians: Float32Array, n: number): number {
  const d = jacobians.length / n;
  const centred = new Float64Array(jacobians.length);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += jacobians[i * d + k];
    mean /= d;
    let ss = 0;
    for (let k = 0; k < d; k++) {
      const v = jacobians[i * d + k] - mean;
      centred[i * d + k] = v;
      ss += v * v;
    }
    norms[i] = Math.sqrt(ss);
  }
  const corr = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += centred[i * d + k] * centred[j * d + k];
      const r = norms[i] > 0 && norms[j] > 0 ? dot / (norms[i] * norms[j]) : i === j ? 1 : 0;
      corr[i * n + j] = r;
      corr[j * n + i] = r;
    }
  }
  let score = 0;
  for (const v of symmetricEigenvalues(corr, n)) score -= Math.log(Math.max(v, 0) + JACOV_K) + 1 / (Math.max(v, 0) + JACOV_K);
  return score;
}

/** NWOT (Mellor et al. v2): log|det K| with K the Hamming-agreement kernel of the binary ReLU codes of the batch. */
function nwotScore(model: tf.LayersModel, x: tf.Tensor4D): number {
  const relus = model.layers.filter((l) => l.getClassName() === 'ReLU');
  const n = x.shape[0];
  const kernel = new Float64Array(n * n);
  if (relus.length === 0) return NaN;
  const probe = tf.model({ inputs: model.inputs, outputs: relus.map((l) => l.output as tf.SymbolicTensor) });
  // Agreement = c·cᵀ + (1−c)·(1−c)ᵀ, accumulated over every ReLU, computed on the backend as one [n, n] matrix.
  const agreement = tf.tidy(() => {
    const outs = probe.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
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

/**
 * SynFlow (Tanaka et al.): with every weight replaced by its magnitude, BN at its initial (identity) statistics and
 * an all-ones input, Σ θ·∂R/∂θ over conv/linear kernels, R the sum of the outputs. Returned as ln(score): the raw
 * value overflows float32 (NASLib uses float64). Positive weights and inputs keep every ReLU linear, so R is
 * multilinear in the layers' kernels and a layer's term Σ_{θ∈l} θ·∂R/∂θ equals R − R(kernel l zeroed): forward
 * passes only, which the wasm backend runs (it lacks conv weight-gradient kernels). R is homogeneous of degree 1 in
 * the input, so a tiny input scale s keeps values inside float32 and ln(score) = ln(score at s) − ln s.
 * Overwrites the weights of `model` (call it last).
 */
function synflowLog(model: tf.LayersModel, input: InputShape): number {
  // Variable.write keeps the written tensor's data, so the temporaries can be tidied away.
  tf.tidy(() => {
    for (const w of model.weights) {
      const name = w.originalName ?? w.name;
      if (/moving_mean$/.test(name)) w.write(tf.zerosLike(w.read()));
      else if (/moving_variance$/.test(name)) w.write(tf.onesLike(w.read()));
      else if (w.trainable) w.write(tf.abs(w.read()));
    }
  });
  const shape: [number, number, number, number] = [1, input.resolution, input.resolution, input.channels];
  const forward = (scale: number): number => tf.tidy(() => (model.apply(tf.fill(shape, scale), { training: false }) as tf.Tensor).sum().dataSync()[0]);
  let scale = 1e-30;
  let full = forward(scale);
  if (!Number.isFinite(full)) {
    scale = 1e-37;
    full = forward(scale);
  }
  if (!Number.isFinite(full) || full <= 0) return full > 0 ? Infinity : NaN;
  let score = 0;
  for (const w of model.trainableWeights.filter((v) => /kernel$/.test(v.originalName ?? v.name))) {
    const kept = tf.clone(w.read());
    tf.tidy(() => {
      w.write(tf.zerosLike(kept));
    });
    score += full - forward(scale);
    w.write(kept);
    kept.dispose();
  }
  return Math.log(score) - Math.log(scale);
}

/** Every proxy of one arch, in `proxies` order. Disposes everything it creates. */
async function archZcp(space: SearchSpace, arch: string, input: InputShape, proxies: readonly ComputedZcp[], seed: number, batch: { x: tf.Tensor4D; y: tf.Tensor2D }): Promise<number[]> {
  const want = new Set(proxies);
  const out = new Map<ComputedZcp, number>();
  if (want.has('params') || want.has('flops')) {
    // Per image and in millions, as NASLib reports them.
    const layers = space.layers(arch, { ...input, batchSize: 1 });
    out.set('params', total(layers, 'params') / 1e6);
    out.set('flops', total(layers, 'flops') / 1e6);
  }
  const needsModel = proxies.some((p) => p !== 'params' && p !== 'flops');
  if (needsModel) {
    const model = space.buildModel(arch, input, { seed });
    try {
      const kernels = model.trainableWeights.filter((w) => /kernel$/.test(w.originalName ?? w.name)).map((w) => w.read() as tf.Variable);
      if (want.has('l2_norm')) out.set('l2_norm', tf.tidy(() => tf.addN(kernels.map((k) => tf.norm(k))).dataSync()[0]));
      const gradientProxies = want.has('grad_norm') || want.has('snip') || want.has('plain') || want.has('jacov');
      // The wasm backend has no conv weight-gradient (nor depthwise backprop) kernels: gradient proxies run on the
      // pure-JS cpu backend (tensors move across lazily), everything else stays on the current backend.
      const previousBackend = tf.getBackend();
      const switchBackend = gradientProxies && tf.getKernel('Conv2DBackpropFilter', previousBackend) === undefined;
      if (switchBackend) await tf.setBackend('cpu');
      try {
      if (want.has('grad_norm') || want.has('snip') || want.has('plain')) {
        const sums = tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x, { training: true }) as tf.Tensor) as tf.Scalar, kernels);
          const g = kernels.map((k) => grads[k.name]);
          return tf.stack([
            tf.addN(g.map((gi) => tf.norm(gi))),
            tf.addN(g.map((gi, i) => tf.sum(tf.abs(tf.mul(gi, kernels[i]))))),
            tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, kernels[i])))),
          ]).dataSync();
        });
        out.set('grad_norm', sums[0]);
        out.set('snip', sums[1]);
        out.set('plain', sums[2]);
      }
      if (want.has('jacov')) {
        const jac = tf.tidy(() => tf.grad((x: tf.Tensor) => (model.apply(x, { training: true }) as tf.Tensor).sum())(batch.x).dataSync() as Float32Array);
        out.set('jacov', jacovScore(jac, input.batchSize));
      }
      } finally {
        if (switchBackend) await tf.setBackend(previousBackend);
      }
      if (want.has('nwot')) out.set('nwot', nwotScore(model, batch.x));
      if (want.has('synflow')) out.set('synflow', synflowLog(model, input));
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
export async function computeZcp(space: SearchSpace, archs: readonly string[], input: InputShape, options: ZcpOptions = {}): Promise<Record<string, Float64Array>> {
  const proxies = checkedProxies(options.proxies);
  const seed = options.seed ?? 0;
  const batchInput: InputShape = { ...input, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE };
  const result: Record<string, Float64Array> = {};
  for (const p of proxies) result[p] = new Float64Array(archs.length);
  const batch = syntheticBatch(batchInput, seed);
  try {
    for (let i = 0; i < archs.length; i++) {
      const values = await archZcp(space, archs[i], batchInput, proxies, seed, batch);
      proxies.forEach((p, j) => (result[p][i] = values[j]));
      // Yield to the event loop between archs so progress bars and timers stay live on long runs.
      if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    batch.x.dispose();
    batch.y.dispose();
  }
  return result;
}

/** The `zcp` encoder: one dimension per proxy (default `FORWARD_ZCPS`), on the space's default input for `dataset`. */
export function createZcpEncoder(options: ZcpOptions & { dataset?: string } = {}): Encoder {
  const proxies = checkedProxies(options.proxies ?? FORWARD_ZCPS);
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  return {
    name: 'zcp',
    description: `zero-cost proxies computed with TF.js on a seeded synthetic batch (${proxies.join(', ')})`,
    needsTraining: false,
    dimension: () => proxies.length,
    version: () => `zcp-1;proxies=${proxies.join(',')};seed=${seed};batch=${batchSize};dataset=${options.dataset ?? 'default'}`,
    async encode(space, archs) {
      const columns = await computeZcp(space, archs, space.defaultInput(options.dataset), { proxies, seed, batchSize });
      return archs.map((_, i) => Float32Array.from(proxies, (p) => columns[p][i]));
    },
  };
}
