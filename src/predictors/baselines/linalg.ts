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

/** Column means and standard deviations (1 for a constant column, so it simply drops out). */
function standardise(rows: readonly ArrayLike<number>[], p: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(p);
  const std = new Float64Array(p);
  for (const r of rows) for (let j = 0; j < p; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < p; j++) std[j] += (r[j] - mean[j]) ** 2 / rows.length;
  for (let j = 0; j < p; j++) std[j] = std[j] > 1e-24 ? Math.sqrt(std[j]) : 1;
  return { mean, std };
}

/**
 * Ridge regression with an unpenalised intercept, on standardised features so that one `lambda` means the same for
 * every feature. Uses the dual (kernel) form when there are fewer rows than features, so 20 rows × 200 features
 * costs a 20×20 solve.
 */
export function fitRidge(rows: readonly ArrayLike<number>[], y: ArrayLike<number>, lambda: number): LinearModel {
  const n = rows.length;
  if (n === 0) throw new RangeError('fitRidge needs at least one row');
  const p = rows[0].length;
  const { mean, std } = standardise(rows, p);
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i] / n;
  const z = rows.map((r) => Float64Array.from({ length: p }, (_, j) => (r[j] - mean[j]) / std[j]));
  const yc = Float64Array.from({ length: n }, (_, i) => y[i] - yMean);
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

/**
 * Ridge regression whose strength is chosen by leave-one-out squared error on the given rows (the few target
 * measurements), never on held-out data. Ties go to the stronger penalty.
 */
export function fitRidgeLoo(rows: readonly ArrayLike<number>[], y: ArrayLike<number>, lambdas: readonly number[] = RIDGE_LAMBDAS): LinearModel {
  if (rows.length < 3) return fitRidge(rows, y, lambdas[lambdas.length - 1]);
  let best = { lambda: lambdas[0], error: Infinity };
  for (const lambda of lambdas) {
    let error = 0;
    for (let i = 0; i < rows.length; i++) {
      const keep = rows.filter((_, k) => k !== i);
      const yKeep = Array.from({ length: rows.length - 1 }, (_, k) => y[k < i ? k : k + 1]);
      error += (predictLinear(fitRidge(keep, yKeep, lambda), rows[i]) - y[i]) ** 2;
    }
    if (error <= best.error * (1 + 1e-9)) best = { lambda, error };
  }
  return fitRidge(rows, y, best.lambda);
}

/**
 * Least-squares line `y ≈ slope·x + intercept` with the slope kept positive, so a ranking proxy (FLOPs, a source
 * device's latency) keeps its order after being calibrated to milliseconds.
 */
export function fitIncreasingLine(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  // A non-positive slope from a handful of noisy points would invert the ranking; keep a tiny positive one instead.
  const slope = sxx > 0 && sxy > 0 ? sxy / sxx : 1e-9 * (Math.abs(my) + 1) / (Math.sqrt(sxx / Math.max(n, 1)) + 1e-12);
  return { slope, intercept: my - slope * mx };
}
