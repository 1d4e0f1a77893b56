// What makes a few-shot latency prediction trustworthy on a user's device, shared by every predictor: predictions
// are made in ln ms (so they are always positive), the fit's out-of-sample predictions of its own measurements say
// how good it is (leave-one-out MAPE and ρ), which rows disagree with the rest (outliers), and how wide a prediction
// interval must be (split-conformal on the leave-one-out residuals).
import { spearman } from '../core/metrics.js';
import { median, robustScale } from './baselines/linalg.js';

/** The few measurements of a fitted device beside the fit's out-of-sample predictions of them. */
export interface FitQuality {
  archs: string[];
  latencyMs: number[];
  /** Each measurement predicted by a fit that did not see it (leave-one-out or cross-fitted), ms. */
  looMs: number[];
}

/** A measurement the other measurements contradict. */
export interface OutlierRow {
  /** 1-based row among the measurements (the CSV's data rows, in order). */
  row: number;
  arch: string;
  latencyMs: number;
  /** What the fit without this row predicts for it. */
  impliedMs: number;
  /** latencyMs / impliedMs. */
  ratio: number;
}

/** How well a device's few measurements support its fit. */
export interface FitDiagnostics {
  measurements: number;
  /** Mean absolute percentage error of the leave-one-out predictions, %. */
  looMapePct: number;
  /** Spearman ρ of the leave-one-out predictions with the measurements. */
  looSpearman: number;
  outliers: OutlierRow[];
  /** Prediction / this and prediction × this bound the nominal 90 % interval. */
  interval90Factor: number;
  /** One line when the measurements disagree with each other (see `diagnose`). */
  warning?: string;
}

/** Nominal level of the intervals hwnas reports unless asked for another. */
export const DEFAULT_INTERVAL_LEVEL = 0.9;
/** An outlier is this many robust standard deviations from the other rows' residuals… */
const OUTLIER_Z = 3.5;
/** …and at least this far off in ratio (so a 3 % miss on a near-perfect fit is not called an outlier). */
const OUTLIER_MIN_RATIO = 1.5;
/** Below this many measurements nothing is called an outlier or warned about: too few to tell who is wrong. */
const MIN_ROWS_TO_JUDGE = 5;
/** The warning thresholds: leave-one-out ρ below this, or MAPE above `WARN_MAPE_PCT`, means the rows disagree. */
export const WARN_LOO_SPEARMAN = 0.5;
export const WARN_MAPE_PCT = 30;
/** Predictions stay within this factor of the measured range (a numeric guard: ln ms never overflows). */
const RANGE_FACTOR = 1000;

/** The ln-ms range a device's predictions are kept in: the measured range widened by ×/÷ 1000 on each side. */
export interface LogBounds {
  lo: number;
  hi: number;
}

export function logBounds(latencyMs: ArrayLike<number>): LogBounds {
  const logs = Array.from(latencyMs, Math.log);
  return { lo: Math.min(...logs) - Math.log(RANGE_FACTOR), hi: Math.max(...logs) + Math.log(RANGE_FACTOR) };
}

/** ms from a predicted ln ms: positive and finite whatever the fit did (NaN becomes the middle of the range). */
export function msFromLog(logMs: number, bounds: LogBounds): number {
  const clamped = Number.isNaN(logMs) ? (bounds.lo + bounds.hi) / 2 : Math.min(Math.max(logMs, bounds.lo), bounds.hi);
  return Math.exp(clamped);
}

/** ln(measured / leave-one-out prediction) of every row. */
function logResiduals(quality: FitQuality): number[] {
  return quality.latencyMs.map((ms, i) => Math.log(ms / quality.looMs[i]));
}

/**
 * Multiplicative half-width of the split-conformal interval at `level`: the ⌈(n+1)·level⌉-th smallest |ln residual|
 * of the leave-one-out predictions. With too few rows for that rank (n < 9 at 90 %) the largest residual is used,
 * and the interval then covers less than its nominal level.
 */
export function intervalFactor(quality: FitQuality, level = DEFAULT_INTERVAL_LEVEL): number {
  const sorted = logResiduals(quality)
    .map(Math.abs)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return Infinity;
  const rank = Math.min(Math.ceil((sorted.length + 1) * level), sorted.length);
  return Math.exp(sorted[rank - 1]);
}

/** Lower and upper interval bounds of predictions of one device (undefined without a fit quality, e.g. a source). */
export function predictionIntervals(predictedMs: ArrayLike<number>, quality: FitQuality | undefined, level = DEFAULT_INTERVAL_LEVEL): { lowerMs: Float64Array; upperMs: Float64Array } | undefined {
  if (quality === undefined) return undefined;
  const factor = intervalFactor(quality, level);
  return { lowerMs: Float64Array.from(predictedMs, (p) => p / factor), upperMs: Float64Array.from(predictedMs, (p) => p * factor) };
}

/**
 * Leave-one-out MAPE and ρ, the rows the others contradict, and a warning when the rows disagree with each other
 * (ρ < 0.5 or MAPE > 30 % with at least 5 rows). A row is an outlier when its ln residual is more than 3.5 robust
 * standard deviations from the median residual and at least 1.5× off.
 */
export function diagnose(quality: FitQuality): FitDiagnostics {
  const n = quality.latencyMs.length;
  const residuals = logResiduals(quality);
  const looMapePct = (100 * quality.latencyMs.reduce((s, ms, i) => s + Math.abs(quality.looMs[i] - ms) / ms, 0)) / n;
  const looSpearman = spearman(quality.looMs, quality.latencyMs);
  const outliers: OutlierRow[] = [];
  if (n >= MIN_ROWS_TO_JUDGE) {
    const centre = median(residuals);
    const scale = robustScale(residuals.map((r) => r - centre));
    residuals.forEach((r, i) => {
      if (Math.abs(r - centre) > OUTLIER_Z * scale && Math.abs(r) >= Math.log(OUTLIER_MIN_RATIO)) {
        outliers.push({ row: i + 1, arch: quality.archs[i], latencyMs: quality.latencyMs[i], impliedMs: quality.looMs[i], ratio: Math.exp(r) });
      }
    });
  }
  let warning: string | undefined;
  if (n >= MIN_ROWS_TO_JUDGE && (!(looSpearman >= WARN_LOO_SPEARMAN) || looMapePct > WARN_MAPE_PCT)) {
    warning =
      `the measurements disagree with each other: leave-one-out ρ ${Number.isNaN(looSpearman) ? 'undefined' : looSpearman.toFixed(2)}, ` +
      `MAPE ${looMapePct.toFixed(0)} % (warned below ρ ${WARN_LOO_SPEARMAN} or above ${WARN_MAPE_PCT} %); re-measure the outliers or add measurements`;
  }
  return { measurements: n, looMapePct, looSpearman, outliers, interval90Factor: intervalFactor(quality, DEFAULT_INTERVAL_LEVEL), warning };
}

/** `row 7 (|…|): 2.1× what the other rows imply (12.3 ms measured, 5.9 ms implied)`. */
export function describeOutlier(o: OutlierRow): string {
  return `row ${o.row} (${o.arch}): ${o.ratio >= 1 ? `${o.ratio.toFixed(1)}×` : `${o.ratio.toFixed(2)}×`} what the other rows imply (${o.latencyMs.toPrecision(4)} ms measured, ${o.impliedMs.toPrecision(4)} ms implied)`;
}
