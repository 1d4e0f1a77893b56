// Calibration: fit the free parameters of a simulated profile to measured latencies (robust log-space loss, coordinate search).
import { kendall, mape, spearman } from '../core/metrics.js';
import { Rng } from '../core/rng.js';
import { UsageError } from '../core/errors.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Measurement } from './measurements.js';
import { OP_CLASSES, type SimulatedParams, type SimulatedProfile } from './schema.js';
import { createLatencyScorer } from './fast.js';
import { simulateLayer, type LayerCost, type SimLayer } from './simulator.js';

/** A measured arch with its layer list, ready to simulate many times. */
export interface CalibrationSample {
  arch: string;
  layers: SimLayer[];
  latencyMs: number;
}

/** Ranking and error of a profile against measurements. */
export interface FitQuality {
  spearman: number;
  kendall: number;
  /** Mean absolute percentage error, in percent. */
  mape: number;
}

/** Names of the fitted parameters; each is a multiplier of the base profile's value. */
export const FREE_PARAMETERS = ['peak', 'bandwidth', 'perLayerUs', 'perInferenceUs', ...OP_CLASSES.map((c) => `efficiency.${c}`)] as const;

/** Overheads of zero cannot be scaled; fitting starts them from this floor instead (µs). */
const MIN_OVERHEAD_US = 0.1;
/**
 * Scale of the Cauchy loss on log-ratios: residuals well beyond it barely count, so degenerate measurements (NB201
 * cells whose output ignores the input, timed at ~0.01 ms on raspi4/pixel3) cannot drag the fit.
 */
const CAUCHY_SCALE = 0.2;

/** The simulated parameters with log-multipliers `theta` (ordered as FREE_PARAMETERS) applied. */
function withMultipliers(base: SimulatedParams, theta: Float64Array): SimulatedParams {
  const m = (i: number) => Math.exp(theta[i]);
  const p = base.peak;
  const efficiency = { ...base.efficiency };
  OP_CLASSES.forEach((c, k) => {
    efficiency[c] = Math.min(1, base.efficiency[c] * m(4 + k));
  });
  return {
    ...base,
    peak: {
      fp32Gflops: p.fp32Gflops * m(0),
      ...(p.fp16Gflops && { fp16Gflops: p.fp16Gflops * m(0) }),
      ...(p.int8Gops && { int8Gops: p.int8Gops * m(0) }),
    },
    memory: { ...base.memory, bandwidthGBs: base.memory.bandwidthGBs * m(1) },
    overhead: {
      perLayerUs: Math.max(base.overhead.perLayerUs, MIN_OVERHEAD_US) * m(2),
      perInferenceUs: Math.max(base.overhead.perInferenceUs, MIN_OVERHEAD_US) * m(3),
    },
    efficiency,
  };
}

/**
 * Samples with their layers deduplicated: archs of one space share most layer shapes, so the fit simulates each
 * distinct layer once per evaluation and sums counts per sample (tens of times fewer layer simulations).
 */
interface CompiledSamples {
  layers: SimLayer[];
  /** Per sample: indices into `layers` and how often each occurs. */
  index: Int32Array[];
  count: Float64Array[];
  latencyMs: Float64Array;
}

function layerKey(l: SimLayer): string {
  return `${l.kind}|${l.inputShape.join('x')}|${l.outputShape.join('x')}|${l.inputs}|${l.kernel}|${l.stride}|${l.groups}|${l.flops}|${l.elementwiseOps}|${l.weightBytes}|${l.inputBytes}|${l.activationBytes}|${l.precision}|${l.fusedInto !== undefined}`;
}

function compileSamples(samples: readonly CalibrationSample[]): CompiledSamples {
  const ids = new Map<string, number>();
  const layers: SimLayer[] = [];
  const index: Int32Array[] = [];
  const count: Float64Array[] = [];
  for (const s of samples) {
    const counts = new Map<number, number>();
    for (const l of s.layers) {
      const key = layerKey(l);
      let id = ids.get(key);
      if (id === undefined) {
        id = layers.length;
        ids.set(key, id);
        layers.push(l);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    index.push(Int32Array.from(counts.keys()));
    count.push(Float64Array.from(counts.values()));
  }
  return { layers, index, count, latencyMs: Float64Array.from(samples, (s) => s.latencyMs) };
}

/** Simulated latency of every compiled sample. */
function predictCompiled(sim: SimulatedParams, c: CompiledSamples): Float64Array {
  const scratch = {} as LayerCost;
  const layerMs = Float64Array.from(c.layers, (l) => simulateLayer(sim, l, sim.defaultPrecision, scratch).timeMs);
  const inferenceMs = sim.overhead.perInferenceUs * 1e-3;
  return Float64Array.from(c.index, (idx, s) => {
    let ms = inferenceMs;
    const counts = c.count[s];
    for (let k = 0; k < idx.length; k++) ms += layerMs[idx[k]] * counts[k];
    return ms;
  });
}

function robustLogLoss(sim: SimulatedParams, c: CompiledSamples): number {
  const pred = predictCompiled(sim, c);
  let loss = 0;
  for (let s = 0; s < pred.length; s++) {
    const r = Math.log(pred[s] / c.latencyMs[s]);
    loss += Math.log1p((r / CAUCHY_SCALE) ** 2);
  }
  return loss / pred.length;
}

/** A measured latency, optionally at its own batch size / resolution. */
export type MeasuredRow = Pick<Measurement, 'arch' | 'latencyMs' | 'batchSize' | 'resolution'>;

/** The input a row was measured at: its own batch size / resolution where it has them, else `input`. */
const rowInput = (row: MeasuredRow, input: InputShape): InputShape => ({
  ...input,
  batchSize: row.batchSize ?? input.batchSize,
  resolution: row.resolution ?? input.resolution,
});

/** Spearman ρ, Kendall τ and MAPE (percent) of a simulated profile's latencies against measured rows. */
export function fitQuality(sim: SimulatedParams, space: SearchSpace, input: InputShape, rows: readonly MeasuredRow[]): FitQuality {
  const scorers = new Map<string, (arch: string) => number>();
  const pred = rows.map((row) => {
    const shaped = rowInput(row, input);
    const key = `${shaped.batchSize}x${shaped.resolution}`;
    let score = scorers.get(key);
    if (score === undefined) {
      score = createLatencyScorer(sim, space, shaped);
      scorers.set(key, score);
    }
    return score(row.arch);
  });
  const truth = rows.map((r) => r.latencyMs);
  return { spearman: spearman(truth, pred), kendall: kendall(truth, pred), mape: 100 * mape(truth, pred) };
}

/** Result of fitting a profile. */
export interface FitResult {
  sim: SimulatedParams;
  /** Fitted multiplier of each free parameter relative to the base profile. */
  multipliers: Record<string, number>;
  lossBefore: number;
  lossAfter: number;
  evaluations: number;
}

/**
 * Fit the free parameters (peak throughput, bandwidth, overheads, per-op efficiencies) to `samples`: first the one
 * scale that makes every time term match the median log-ratio, then a coordinate search on log-multipliers with
 * step halving. Deterministic.
 */
export function fitSimulated(
  base: SimulatedParams,
  samples: readonly CalibrationSample[],
  options: { maxEvaluations?: number } = {},
): FitResult {
  if (samples.length < 3) throw new UsageError(`calibration needs at least 3 measured archs, got ${samples.length}`);
  const maxEvaluations = options.maxEvaluations ?? 3000;
  const n = FREE_PARAMETERS.length;
  const theta = new Float64Array(n);
  const compiled = compileSamples(samples);
  const lossBefore = robustLogLoss(base, compiled);

  // Every term of the simulated time is divided by peak or bandwidth or multiplied by an overhead, so one scale
  // moves them all; start from the median log-ratio so the search begins at the right magnitude.
  const basePred = predictCompiled(base, compiled);
  const logRatios = Array.from(basePred, (ms, i) => Math.log(compiled.latencyMs[i] / ms)).sort((a, b) => a - b);
  const shift = logRatios[logRatios.length >> 1];
  theta[0] = -shift;
  theta[1] = -shift;
  theta[2] = shift;
  theta[3] = shift;

  let best = robustLogLoss(withMultipliers(base, theta), compiled);
  let evaluations = 2;
  for (let step = 1; step >= 0.01 && evaluations < maxEvaluations; step /= 2) {
    let improved = true;
    while (improved && evaluations < maxEvaluations) {
      improved = false;
      for (let i = 0; i < n && evaluations < maxEvaluations; i++) {
        for (const dir of [1, -1]) {
          theta[i] += dir * step;
          const loss = robustLogLoss(withMultipliers(base, theta), compiled);
          evaluations++;
          if (loss < best - 1e-12) {
            best = loss;
            improved = true;
            break;
          }
          theta[i] -= dir * step;
        }
      }
    }
  }
  const sim = withMultipliers(base, theta);
  const multipliers = Object.fromEntries(FREE_PARAMETERS.map((name, i) => [name, Math.exp(theta[i])]));
  return { sim, multipliers, lossBefore, lossAfter: best, evaluations };
}

/** Layer lists for measured rows, each at its own input. */
export function calibrationSamples(space: SearchSpace, rows: readonly MeasuredRow[], input: InputShape): CalibrationSample[] {
  return rows.map((m) => ({ arch: m.arch, latencyMs: m.latencyMs, layers: space.layers(m.arch, rowInput(m, input)) }));
}

/** Split measurements into training and held-back rows, deterministically for a seed. */
export function splitMeasurements<T>(rows: readonly T[], heldOutFraction: number, seed: number): { train: T[]; heldOut: T[] } {
  const order = Rng.derive(seed, 'calibration-split').shuffle(rows.map((_, i) => i));
  const nHeld = Math.round(rows.length * heldOutFraction);
  const held = new Set(order.slice(0, nHeld));
  return { train: rows.filter((_, i) => !held.has(i)), heldOut: rows.filter((_, i) => held.has(i)) };
}

/** What `calibrateProfile` returns: the new profile version and its quality before/after on held-back rows. */
export interface CalibrationReport {
  profile: SimulatedProfile;
  fit: FitResult;
  before: FitQuality;
  after: FitQuality;
  trainRows: number;
  heldOutRows: number;
}

/**
 * Calibrate `base` to the `train` rows and judge it on `heldOut`. The result is a new profile (`name`, version
 * base + 1) whose provenance records the base, the measurements and the before/after figures.
 */
export function calibrateProfile(
  base: SimulatedProfile,
  space: SearchSpace,
  input: InputShape,
  train: readonly MeasuredRow[],
  heldOut: readonly MeasuredRow[],
  options: { name?: string; measurements: string; maxEvaluations?: number; date?: string },
): CalibrationReport {
  if (heldOut.length < 3) throw new UsageError(`calibration needs at least 3 held-back archs to report quality, got ${heldOut.length}`);
  const fit = fitSimulated(base.simulated, calibrationSamples(space, train, input), options);
  const before = fitQuality(base.simulated, space, input, heldOut);
  const after = fitQuality(fit.sim, space, input, heldOut);
  // A figure that does not exist (rank correlation of identical latencies) is left out rather than stored as null,
  // so the written profile passes its own validation.
  const round = (q: FitQuality) =>
    Object.fromEntries(
      (
        [
          ['spearman', q.spearman, 4],
          ['kendall', q.kendall, 4],
          ['mape', q.mape, 2],
        ] as const
      ).flatMap(([k, v, digits]) => (Number.isFinite(v) ? [[k, +v.toFixed(digits)]] : [])),
    );
  const profile: SimulatedProfile = {
    ...base,
    name: options.name ?? base.name,
    version: base.version + 1,
    description: `${base.description} (calibrated to ${options.measurements})`,
    provenance: {
      ...base.provenance,
      calibration: {
        base: base.name,
        baseVersion: base.version,
        measurements: options.measurements,
        trainRows: train.length,
        heldOutRows: heldOut.length,
        before: round(before),
        after: round(after),
        date: options.date ?? new Date().toISOString(),
      },
    },
    simulated: fit.sim,
  };
  return { profile, fit, before, after, trainRows: train.length, heldOutRows: heldOut.length };
}
