// Small dense linear algebra for the few-shot baselines: ridge regression by normal equations (a few to a few
// hundred features, 5–1000 rows), with leave-one-out choice of the ridge strength from the training rows only.

/** A fitted linear model `y ≈ intercept + Σ weights[j]·x[j]` on the original (unstandardised) feature scale. */
export interface LinearModel {
  weights: number[];
  intercept: number;
  lambda: number;
}

/** Solve the symmetric positive-definite system A x = b in place by Cholesky; A is n×n row-major. */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) l[i * n + i] = Math.sqrt(Math.max(sum, 1e-300));
      else l[i * n + j] = sum / l[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * z[k];
    z[i] = sum / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  return x;
}

/** Weighted column means and standard deviations (1 for a constant column, so it simply drops out). */
function standardise(rows: readonly ArrayLike<number>[], p: number, w: Float64Array): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(p);
  const std = new Float64Array(p);
  const total = w.reduce((a, b) => a + b, 0);
  rows.forEach((r, i) => {
    for (let j = 0; j < p; j++) mean[j] += (w[i] * r[j]) / total;
  });
  rows.forEach((r, i) => {
    for (let j = 0; j < p; j++) std[j] += (w[i] * (r[j] - mean[j]) ** 2) / total;
  });
  for (let j = 0; j < p; j++) std[j] = std[j] > 1e-24 ? Math.sqrt(std[j]) : 1;
  return { mean, std };
}

/**
 * Ridge regression with an unpenalised intercept, on standardised features so that one `lambda` means the same for
 * every feature. Uses the dual (kernel) form when there are fewer rows than features, so 20 rows × 200 features
 * costs a 20×20 solve. Optional row weights (≥ 0, e.g. a robust fit's) weight each row's squared error.
 */
export function fitRidge(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  lambda: number,
  rowWeights?: ArrayLike<number>,
): LinearModel {
  const n = rows.length;
  if (n === 0) throw new RangeError('fitRidge needs at least one row');
  const p = rows[0].length;
  const w = Float64Array.from({ length: n }, (_, i) => (rowWeights === undefined ? 1 : rowWeights[i]));
  const totalWeight = w.reduce((a, b) => a + b, 0);
  const { mean, std } = standardise(rows, p, w);
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += (w[i] * y[i]) / totalWeight;
  // Weighted least squares = ordinary least squares on rows scaled by √w (after weighted centring).
  const z = rows.map((r, i) => Float64Array.from({ length: p }, (_, j) => (Math.sqrt(w[i]) * (r[j] - mean[j])) / std[j]));
  const yc = Float64Array.from({ length: n }, (_, i) => Math.sqrt(w[i]) * (y[i] - yMean));
  // Tiny floor keeps the system positive definite when lambda = 0 (plain least squares).
  const reg = Math.max(lambda, 1e-8);
  let beta: Float64Array;
  if (n < p) {
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let c = 0; c < p; c++) dot += z[i][c] * z[j][c];
        k[i * n + j] = dot;
        k[j * n + i] = dot;
      }
      k[i * n + i] += reg;
    }
    const alpha = choleskySolve(k, yc, n);
    beta = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let c = 0; c < p; c++) beta[c] += alpha[i] * z[i][c];
  } else {
    const a = new Float64Array(p * p);
    const b = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < p; r++) {
        b[r] += z[i][r] * yc[i];
        for (let c = 0; c <= r; c++) a[r * p + c] += z[i][r] * z[i][c];
      }
    }
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < r; c++) a[c * p + r] = a[r * p + c];
      a[r * p + r] += reg;
    }
    beta = choleskySolve(a, b, p);
  }
  const weights = Array.from(beta, (w, j) => w / std[j]);
  const intercept = yMean - weights.reduce((s, w, j) => s + w * mean[j], 0);
  return { weights, intercept, lambda };
}

/** Evaluate a linear model on one feature row. */
export function predictLinear(model: LinearModel, row: ArrayLike<number>): number {
  let s = model.intercept;
  for (let j = 0; j < model.weights.length; j++) s += model.weights[j] * row[j];
  return s;
}

/** Ridge strengths tried by `fitRidgeLoo`, relative to standardised features. */
export const RIDGE_LAMBDAS = [1e-3, 1e-2, 1e-1, 1, 10, 100] as const;

/** Huber's tuning constant: 95 % efficiency on Gaussian noise, bounded influence of a gross error. */
const HUBER_K = 1.345;
/**
 * Smallest residual scale the robust fits assume (in the units of y; the predictors fit ln ms, so 0.02 ≈ 2 %): with a
 * near-perfect fit the MAD is ~0 and every row would otherwise look like an outlier.
 */
export const MIN_ROBUST_SCALE = 0.02;

/** Median of a list of numbers (NaN for none). */
export function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Robust scale of residuals: 1.4826 × median absolute deviation from 0, never below `MIN_ROBUST_SCALE`. */
export function robustScale(residuals: ArrayLike<number>): number {
  return Math.max(1.4826 * median(Array.from(residuals, Math.abs)), MIN_ROBUST_SCALE);
}

/** Huber weights of residuals at a scale: 1 inside k·scale, k·scale/|r| outside. */
export function huberWeights(residuals: ArrayLike<number>, scale: number): Float64Array {
  return Float64Array.from(residuals, (r) => (Math.abs(r) <= HUBER_K * scale ? 1 : (HUBER_K * scale) / Math.abs(r)));
}

/**
 * Huber M-estimate of a weighted linear fit by iteratively reweighted least squares: `fit(weights)` fits with row
 * weights, `residuals(model)` gives each row's residual. A gross error in one of 5–20 measurements (a throttled run, a
 * typo) then pulls the fit about as much as a point at k·scale would, instead of quadratically.
 */
export function huberFit<M>(
  fit: (weights: Float64Array | undefined) => M,
  residuals: (model: M) => ArrayLike<number>,
  iterations = 20,
): { model: M; weights: Float64Array } {
  let model = fit(undefined);
  let weights = huberWeights(residuals(model), Infinity);
  for (let it = 0; it < iterations; it++) {
    const r = residuals(model);
    const next = huberWeights(r, robustScale(r));
    const change = next.reduce((m, w, i) => Math.max(m, Math.abs(w - weights[i])), 0);
    weights = next;
    model = fit(weights);
    if (change < 1e-4) break;
  }
  return { model, weights };
}

/** Huber-robust ridge fit at one strength (see `huberFit`). */
export function fitRidgeRobust(rows: readonly ArrayLike<number>[], y: ArrayLike<number>, lambda: number): LinearModel {
  return huberFit(
    (w) => fitRidge(rows, y, lambda, w),
    (model) => rows.map((row, i) => y[i] - predictLinear(model, row)),
  ).model;
}

/**
 * Robust ridge regression whose strength is chosen by leave-one-out error on the given rows (the few target
 * measurements), never on held-out data, with `robustLooError` so one gross error cannot decide the strength. Ties
 * go to the stronger penalty.
 */
export function fitRidgeLoo(
  rows: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  lambdas: readonly number[] = RIDGE_LAMBDAS,
): LinearModel {
  if (rows.length < 3) return fitRidge(rows, y, lambdas[lambdas.length - 1]);
  let best = { lambda: lambdas[0], error: Infinity };
  for (const lambda of lambdas) {
    const residuals = rows.map((row, i) => {
      const keep = rows.filter((_, k) => k !== i);
      const yKeep = Array.from({ length: rows.length - 1 }, (_, k) => y[k < i ? k : k + 1]);
      return predictLinear(fitRidgeRobust(keep, yKeep, lambda), row) - y[i];
    });
    const error = robustLooError(residuals);
    if (error <= best.error * (1 + 1e-9)) best = { lambda, error };
  }
  return fitRidgeRobust(rows, y, best.lambda);
}

/** Residual (in ln ms) beyond which a leave-one-out error counts no more: ln 2, a factor of two. */
export const LOO_CAP = Math.LN2;

/** Squared error capped at `LOO_CAP`² (a truncated quadratic). */
export function boundedLoss(residual: number): number {
  return Math.min(residual * residual, LOO_CAP * LOO_CAP);
}

/**
 * Leave-one-out error for choosing a model that a bad measurement cannot steer: per row the capped squared error
 * (`boundedLoss`), the worst ⌊n/8⌋ rows left out (one of 8–15 measurements, two of 16–23), the mean of the rest. A
 * gross error then costs a candidate that predicts the other rows well nothing, where a plain mean would favour the
 * candidates that happen to agree with it.
 */
export function robustLooError(residuals: ArrayLike<number>): number {
  return robustLooErrorWithSe(residuals).error;
}

/** `robustLooError` and its standard error (standard deviation of the kept rows' losses / √rows). */
export function robustLooErrorWithSe(residuals: ArrayLike<number>): { error: number; se: number } {
  const losses = Array.from(residuals, boundedLoss).sort((a, b) => a - b);
  const kept = losses.slice(0, losses.length - Math.floor(losses.length / 8));
  const error = kept.reduce((a, b) => a + b, 0) / kept.length;
  const variance = kept.reduce((s, v) => s + (v - error) ** 2, 0) / Math.max(kept.length - 1, 1);
  return { error, se: Math.sqrt(variance / kept.length) };
}

/**
 * Huber-robust line `y ≈ slope·x + intercept` with the slope kept positive, so a ranking proxy (FLOPs, a source
 * device's latency) keeps its order after being calibrated to milliseconds.
 */
export function fitIncreasingLine(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  return huberFit(
    (w) => weightedIncreasingLine(x, y, w),
    (line) => Array.from(y, (v, i) => v - (line.slope * x[i] + line.intercept)),
  ).model;
}

function weightedIncreasingLine(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: ArrayLike<number> | undefined,
): { slope: number; intercept: number } {
  const n = x.length;
  const weight = (i: number) => (w === undefined ? 1 : w[i]);
  let total = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) total += weight(i);
  for (let i = 0; i < n; i++) {
    mx += (weight(i) * x[i]) / total;
    my += (weight(i) * y[i]) / total;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += weight(i) * (x[i] - mx) * (y[i] - my);
    sxx += weight(i) * (x[i] - mx) ** 2;
  }
  // A non-positive slope from a handful of noisy points would invert the ranking; keep a tiny positive one instead.
  const slope = sxx > 0 && sxy > 0 ? sxy / sxx : (1e-9 * (Math.abs(my) + 1)) / (Math.sqrt(sxx / Math.max(total, 1e-12)) + 1e-12);
  return { slope, intercept: my - slope * mx };
}
