// Dense linear algebra of the zero-cost proxies (float64, small n = the batch size): eigenvalues, log-determinant,
// and the Jacobian-correlation scores of jacov and EPE-NAS.

// Jacov's eigenvalue offset, as in Mellor et al. / NASLib.
const JACOV_K = 1e-5;

/** Eigenvalues of a symmetric matrix (cyclic Jacobi rotations, float64); `a` is overwritten. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
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
export function logAbsDet(a: Float64Array, n: number): number {
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

/**
 * Pearson correlation matrix of the rows `rows` (each of length d) of `matrix` (row-major, d columns); a row with zero
 * variance correlates 0 with the others and 1 with itself.
 */
export function rowCorrelations(matrix: Float32Array, d: number, rows: readonly number[]): Float64Array {
  const n = rows.length;
  const centred = new Float64Array(n * d);
  const norms = new Float64Array(n);
  rows.forEach((row, i) => {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += matrix[row * d + k];
    mean /= d;
    let ss = 0;
    for (let k = 0; k < d; k++) {
      const v = matrix[row * d + k] - mean;
      centred[i * d + k] = v;
      ss += v * v;
    }
    norms[i] = Math.sqrt(ss);
  });
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
  return corr;
}

/** Jacov (Mellor et al. v1): −Σ log(λ+k) + 1/(λ+k) over eigenvalues λ of the correlation matrix of per-image input Jacobians. */
export function jacovScore(jacobians: Float32Array, n: number): number {
  const corr = rowCorrelations(
    jacobians,
    jacobians.length / n,
    Array.from({ length: n }, (_, i) => i),
  );
  let score = 0;
  for (const v of symmetricEigenvalues(corr, n)) score -= Math.log(Math.max(v, 0) + JACOV_K) + 1 / (Math.max(v, 0) + JACOV_K);
  return score;
}

/**
 * EPE-NAS (Lopes et al.), as NASLib computes it for ≤ 100 classes: for each label present in the batch, the sum of
 * log(|r| + k) over the correlation matrix of that class's input Jacobians; the score is the sum of their magnitudes.
 */
export function epeNasScore(jacobians: Float32Array, labels: readonly number[]): number {
  const d = jacobians.length / labels.length;
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => byClass.set(label, [...(byClass.get(label) ?? []), i]));
  let score = 0;
  for (const rows of byClass.values()) {
    let s = 0;
    for (const r of rowCorrelations(jacobians, d, rows)) s += Math.log(Math.abs(r) + JACOV_K);
    score += Math.abs(s);
  }
  return score;
}
