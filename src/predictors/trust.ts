// What makes a few-shot latency prediction trustworthy on a user's device, shared by every predictor: predictions
// are made in ln ms (so they are always positive); measurements the others contradict are found against a robust
// trend and left out of the fit (`findOutliers`); the fit's out-of-sample predictions of its own measurements say how
// good it is (leave-one-out MAPE and ρ) and how wide a prediction interval must be (split-conformal on the
// leave-one-out residuals).
import { spearman } from '../core/metrics.js';
import type { SearchSpace } from '../spaces/types.js';
import { median, robustScale } from './baselines/linalg.js';
import { isDisconnected } from '../spaces/graph.js';

/** The few measurements of a fitted device beside the fit's out-of-sample predictions of them. */
export interface FitQuality {
  archs: string[];
  latencyMs: number[];
  /** Each measurement predicted by a fit that did not see it (leave-one-out or cross-fitted), ms. */
  looMs: number[];
  /** 0-based rows `findOutliers` distrusted and the fit left out (their `looMs` is the final fit's prediction). */
  distrusted: number[];
  /**
   * Each measurement predicted with every choice of the fit made without it, ms, where that differs from `looMs`
   * (NASFLAT's stacked readout: its shares are fitted on the leave-one-out predictions themselves, so `looMs`
   * understates the error on new archs). Prediction intervals use these when present.
   */
  intervalLooMs?: number[];
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
  /**
   * Median relative error of the leave-one-out predictions, % (exp of the median |ln ratio|, − 1): unlike MAPE, one
   * arch with a tiny latency (a network folded to a constant) cannot inflate it.
   */
  looMedianErrorPct: number;
  outliers: OutlierRow[];
  /** Prediction / this and prediction × this bound the nominal 90 % interval. */
  interval90Factor: number;
  /** One line when the measurements disagree with each other (see `diagnose`). */
  warning?: string;
}

/** Nominal level of the intervals hwnas reports unless asked for another. */
export const DEFAULT_INTERVAL_LEVEL = 0.9;
/** An outlier is this many robust standard deviations from the trend… */
const OUTLIER_Z = 3.5;
/**
 * …and at least this far off in ratio. Slower than the trend: what a throttled run or a busy core produces, while a
 * real device effect the proxies miss (average pooling off `mobile-npu` in the quickstart) stays below it. Faster than the
 * trend needs far more: interference inflates timings, it does not deflate them, and on measured tables real archs
 * run several times faster than the FLOPs trend implies; 5× faster is a typo or a broken run.
 */
const OUTLIER_MIN_RATIO_SLOW = 2;
const OUTLIER_MIN_RATIO_FAST = 5;
/** Below this many measurements nothing is called an outlier or warned about: too few to tell who is wrong. */
const MIN_ROWS_TO_JUDGE = 5;
/** The warning thresholds: leave-one-out ρ below this, or a median error above `WARN_ERROR_PCT`, means the rows disagree. */
export const WARN_LOO_SPEARMAN = 0.5;
export const WARN_ERROR_PCT = 30;
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

/** ln(measured / predicted) of every row the fit trusted, `predicted` being out-of-sample predictions in row order. */
function logResiduals(quality: FitQuality, predicted: readonly number[]): number[] {
  const distrusted = new Set(quality.distrusted);
  return quality.latencyMs.flatMap((ms, i) => (distrusted.has(i) ? [] : [Math.log(ms / predicted[i])]));
}

/** Theil–Sen line: the median of pairwise slopes and the median intercept (robust to ~29 % bad points, leverage too). */
export function theilSen(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  const slopes: number[] = [];
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) if (x[j] !== x[i]) slopes.push((y[j] - y[i]) / (x[j] - x[i]));
  const slope = slopes.length === 0 ? 0 : median(slopes);
  return { slope, intercept: median(Array.from(y, (v, i) => v - slope * x[i])) };
}

/**
 * Rows the other measurements contradict, judged against a robust trend rather than against the fit itself: with
 * 5–20 rows a flexible fit bends towards a bad row, and two similar archs that disagree hide each other from
 * leave-one-out. The trend is a Theil–Sen line of ln ms on the `proxies` column (ln FLOPs, a source device's
 * latency or score, …) that ranks the measurements best (Spearman); a row is distrusted when its residual is more
 * than 3.5 robust standard deviations from the median residual and it is at least 2× slower or 5× faster than the
 * trend. Never a row `exempt` marks (an arch whose output no input reaches runs as a constant: far off any trend), at
 * most a quarter of the rows, the worst first, and none with fewer than 5 rows or without a proxy that ranks them at
 * ρ ≥ 0.5.
 * @returns 0-based rows, worst first
 */
export function findOutliers(
  latencyMs: readonly number[],
  proxies: readonly ArrayLike<number>[],
  exempt: readonly boolean[] = [],
): number[] {
  const n = latencyMs.length;
  if (n < MIN_ROWS_TO_JUDGE || proxies.length === 0) return [];
  const logMs = latencyMs.map(Math.log);
  const rhos = proxies.map((p) => spearman(p, logMs));
  const best = rhos.reduce((b, rho, k) => (rho > rhos[b] || Number.isNaN(rhos[b]) ? k : b), 0);
  if (!(rhos[best] >= 0.5)) return [];
  const x = proxies[best];
  const line = theilSen(x, logMs);
  const residuals = logMs.map((y, i) => y - (line.slope * x[i] + line.intercept));
  const centre = median(residuals);
  const scale = robustScale(residuals.map((r) => r - centre));
  return residuals
    .map((r, i) => ({ i, off: Math.abs(r - centre) }))
    .filter(
      ({ i, off }) =>
        off > OUTLIER_Z * scale &&
        !exempt[i] &&
        (residuals[i] >= Math.log(OUTLIER_MIN_RATIO_SLOW) || residuals[i] <= -Math.log(OUTLIER_MIN_RATIO_FAST)),
    )
    .sort((a, b) => b.off - a.off)
    .slice(0, Math.floor(n / 4))
    .map(({ i }) => i);
}

/**
 * The measured rows a predictor fits on and the ones it leaves out: `findOutliers` against `proxies` (one column per
 * proxy, aligned with `archs`), never an arch whose output no input reaches, one in `confirmed` (measured again and
 * repeated) or one `canLeaveOut` refuses (e.g. HELP's reference archs).
 */
export function splitDistrusted(
  space: SearchSpace,
  archs: readonly string[],
  latencyMs: readonly number[],
  proxies: readonly ArrayLike<number>[],
  confirmed: ReadonlySet<string>,
  canLeaveOut: (arch: string) => boolean = () => true,
): { kept: number[]; distrusted: number[] } {
  const disconnected = archs.map((a) => isDisconnected(space.opGraph(a)));
  const distrusted = findOutliers(latencyMs, proxies, disconnected).filter((i) => !confirmed.has(archs[i]) && canLeaveOut(archs[i]));
  return { kept: archs.map((_, i) => i).filter((i) => !distrusted.includes(i)), distrusted };
}

/**
 * The fit quality of all measured rows: `keptLooMs` (out-of-sample predictions of the kept rows, in their order) and
 * `impliedMs` (the final fit's predictions of the distrusted rows, in theirs) put back in row order, and likewise
 * `keptIntervalLooMs` when the fit has them (`FitQuality.intervalLooMs`).
 */
export function qualityOf(
  archs: string[],
  latencyMs: number[],
  split: { kept: number[]; distrusted: number[] },
  keptLooMs: ArrayLike<number>,
  impliedMs: ArrayLike<number>,
  keptIntervalLooMs?: ArrayLike<number>,
): FitQuality {
  const inRowOrder = (kept: ArrayLike<number>) => {
    const ms = new Array<number>(archs.length);
    split.kept.forEach((i, k) => (ms[i] = kept[k]));
    split.distrusted.forEach((i, k) => (ms[i] = impliedMs[k]));
    return ms;
  };
  return {
    archs,
    latencyMs,
    looMs: inRowOrder(keptLooMs),
    distrusted: split.distrusted,
    ...(keptIntervalLooMs === undefined ? {} : { intervalLooMs: inRowOrder(keptIntervalLooMs) }),
  };
}

/**
 * Multiplicative half-width of the split-conformal interval at `level`: the ⌈(n+1)·level⌉-th smallest |ln residual|
 * of the out-of-sample predictions of the trusted rows (`intervalLooMs`, else `looMs`; a distrusted row's error is
 * the measurement's, not the predictor's). With too few rows for that rank (n < 9 at 90 %) the largest residual is
 * used, and the interval then covers less than its nominal level.
 */
export function intervalFactor(quality: FitQuality, level = DEFAULT_INTERVAL_LEVEL): number {
  const sorted = logResiduals(quality, quality.intervalLooMs ?? quality.looMs)
    .map(Math.abs)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return Infinity;
  const rank = Math.min(Math.ceil((sorted.length + 1) * level), sorted.length);
  return Math.exp(sorted[rank - 1]);
}

/** Lower and upper interval bounds of predictions of one device (undefined without a fit quality, e.g. a source). */
export function predictionIntervals(
  predictedMs: ArrayLike<number>,
  quality: FitQuality | undefined,
  level = DEFAULT_INTERVAL_LEVEL,
): { lowerMs: Float64Array; upperMs: Float64Array } | undefined {
  if (quality === undefined) return undefined;
  const factor = intervalFactor(quality, level);
  return { lowerMs: Float64Array.from(predictedMs, (p) => p / factor), upperMs: Float64Array.from(predictedMs, (p) => p * factor) };
}

/** The distrusted rows, each with what the fit on the other rows predicts for it. */
export function outlierRows(quality: FitQuality): OutlierRow[] {
  return quality.distrusted.map((i) => ({
    row: i + 1,
    arch: quality.archs[i],
    latencyMs: quality.latencyMs[i],
    impliedMs: quality.looMs[i],
    ratio: quality.latencyMs[i] / quality.looMs[i],
  }));
}

/**
 * Leave-one-out MAPE, median error and ρ over the trusted rows, the distrusted rows (`outlierRows`), the 90 %
 * interval factor, and a warning when the rows disagree with each other (ρ < 0.5 or median error > 30 % with at
 * least 5 rows).
 */
export function diagnose(quality: FitQuality): FitDiagnostics {
  const distrusted = new Set(quality.distrusted);
  const trusted = quality.latencyMs.map((_, i) => i).filter((i) => !distrusted.has(i));
  const n = trusted.length;
  const looMapePct = (100 * trusted.reduce((s, i) => s + Math.abs(quality.looMs[i] - quality.latencyMs[i]) / quality.latencyMs[i], 0)) / n;
  const looSpearman = spearman(
    trusted.map((i) => quality.looMs[i]),
    trusted.map((i) => quality.latencyMs[i]),
  );
  const outliers = outlierRows(quality);
  const looMedianErrorPct = 100 * (Math.exp(median(trusted.map((i) => Math.abs(Math.log(quality.latencyMs[i] / quality.looMs[i]))))) - 1);
  let warning: string | undefined;
  if (quality.latencyMs.length >= MIN_ROWS_TO_JUDGE && (!(looSpearman >= WARN_LOO_SPEARMAN) || looMedianErrorPct > WARN_ERROR_PCT)) {
    warning =
      `the measurements disagree with each other: leave-one-out ρ ${Number.isNaN(looSpearman) ? 'undefined' : looSpearman.toFixed(2)}, ` +
      `median error ${looMedianErrorPct.toFixed(0)} % (warned below ρ ${WARN_LOO_SPEARMAN} or above ${WARN_ERROR_PCT} %); re-measure the outliers or add measurements`;
  }
  return {
    measurements: quality.latencyMs.length,
    looMapePct,
    looSpearman,
    looMedianErrorPct,
    outliers,
    interval90Factor: intervalFactor(quality, DEFAULT_INTERVAL_LEVEL),
    warning,
  };
}

/** `row 7 (|…|): 2.1× what the other rows imply (12.3 ms measured, 5.9 ms implied)`. */
export function describeOutlier(o: OutlierRow): string {
  return `row ${o.row} (${o.arch}): ${o.ratio >= 1 ? `${o.ratio.toFixed(1)}×` : `${o.ratio.toFixed(2)}×`} what the other rows imply (${o.latencyMs.toPrecision(4)} ms measured, ${o.impliedMs.toPrecision(4)} ms implied)`;
}
