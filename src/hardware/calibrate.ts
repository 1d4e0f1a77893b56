// Calibration: fit the free parameters of a simulated profile to measured latencies (robust log-space least squares).
import { kendall, mape, spearman } from '../core/metrics.js';
import { Rng } from '../core/rng.js';
import { UsageError } from '../core/errors.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Measurement } from './measurements.js';
import { OP_CLASSES, type SimulatedParams, type SimulatedProfile } from './schema.js';
import { simulateArch, type SimLayer } from './simulator.js';

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
/** Residuals beyond this (in natural-log units) count linearly: degenerate near-zero measurements must not dominate. */
const HUBER_DELTA = 0.5;

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
    peak: { fp32Gflops: p.fp32Gflops * m(0), ...(p.fp16Gflops && { fp16Gflops: p.fp16Gflops * m(0) }), ...(p.int8Gops && { int8Gops: p.int8Gops * m(0) }) },
    memory: { ...base.memory, bandwidthGBs: base.memory.bandwidthGBs * m(1) },
    overhead: {
      perLayerUs: Math.max(base.overhead.perLayerUs, MIN_OVERHEAD_US) * m(2),
      perInferenceUs: Math.max(base.overhead.perInferenceUs, MIN_OVERHEAD_US) * m(3),
    },
    efficiency,
  };
}

function robustLogLoss(sim: SimulatedParams, samples: readonly CalibrationSample[]): number {
  let loss = 0;
  for (const s of samples) {
    const r = Math.abs(Math.log(simulateArch(sim, s.layers) / s.latencyMs));
    loss += r <= HUBER_DELTA ? 0.5 * r * r : HUBER_DELTA * (r - 0.5 * HUBER_DELTA);
  }
  return loss / samples.length;
}

/** Spearman ρ, Kendall τ and MAPE of a simulated profile's latencies against measured ones. */
export function fitQuality(sim: SimulatedParams, samples: readonly CalibrationSample[]): FitQuality {
  const truth = samples.map((s) => s.latencyMs);
  const pred = samples.map((s) => simulateArch(sim, s.layers));
  return { spearman: spearman(truth, pred), kendall: kendall(truth, pred), mape: mape(truth, pred) };
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
export function fitSimulated(base: SimulatedParams, samples: readonly CalibrationSample[], options: { maxEvaluations?: number } = {}): FitResult {
  if (samples.length < 3) throw new UsageError(`calibration needs at least 3 measured archs, got ${samples.length}`);
  const maxEvaluations = options.maxEvaluations ?? 3000;
  const n = FREE_PARAMETERS.length;
  const theta = new Float64Array(n);
  const lossBefore = robustLogLoss(base, samples);

  // Every term of the simulated time is divided by peak or bandwidth or multiplied by an overhead, so one scale
  // moves them all; start from the median log-ratio so the search begins at the right magnitude.
  const logRatios = samples.map((s) => Math.log(s.latencyMs / simulateArch(withMultipliers(base, theta), s.layers))).sort((a, b) => a - b);
  const shift = logRatios[logRatios.length >> 1];
  theta[0] = -shift;
  theta[1] = -shift;
  theta[2] = shift;
  theta[3] = shift;

  let best = robustLogLoss(withMultipliers(base, theta), samples);
  let evaluations = 1 + samples.length;
  for (let step = 1; step >= 0.01 && evaluations < maxEvaluations; step /= 2) {
    let improved = true;
    while (improved && evaluations < maxEvaluations) {
      improved = false;
      for (let i = 0; i < n && evaluations < maxEvaluations; i++) {
        for (const dir of [1, -1]) {
          theta[i] += dir * step;
          const loss = robustLogLoss(withMultipliers(base, theta), samples);
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

/** Layer lists for measurements; a row's batch size / resolution override `input`. */
export function calibrationSamples(space: SearchSpace, measurements: readonly Measurement[], input: InputShape): CalibrationSample[] {
  return measurements.map((m) => ({
    arch: m.arch,
    latencyMs: m.latencyMs,
    layers: space.layers(m.arch, { ...input, batchSize: m.batchSize ?? input.batchSize, resolution: m.resolution ?? input.resolution }),
  }));
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
 * Calibrate `base` to `train` and judge it on `heldOut`. The result is a new profile (`name`, version base + 1)
 * whose provenance records the base, the measurements and the before/after figures.
 */
export function calibrateProfile(
  base: SimulatedProfile,
  train: readonly CalibrationSample[],
  heldOut: readonly CalibrationSample[],
  options: { name?: string; measurements: string; maxEvaluations?: number; date?: string },
): CalibrationReport {
  if (heldOut.length < 3) throw new UsageError(`calibration needs at least 3 held-back archs to report quality, got ${heldOut.length}`);
  const fit = fitSimulated(base.simulated, train, options);
  const before = fitQuality(base.simulated, heldOut);
  const after = fitQuality(fit.sim, heldOut);
  const round = (q: FitQuality) => ({ spearman: +q.spearman.toFixed(4), kendall: +q.kendall.toFixed(4), mape: +q.mape.toFixed(2) });
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
