// Small dense-vector helpers shared by samplers and composite encoders (standardisation, distances).

/** Column-wise z-scores of `rows` (constant columns become 0), so no feature dominates a distance by its unit. */
export function standardise(rows: readonly Float32Array[]): Float32Array[] {
  if (rows.length === 0) return [];
  const dim = rows[0].length;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) mean[j] += r[j];
  for (let j = 0; j < dim; j++) mean[j] /= rows.length;
  for (const r of rows) for (let j = 0; j < dim; j++) sq[j] += (r[j] - mean[j]) ** 2;
  const sd = Array.from(sq, (s) => Math.sqrt(s / rows.length));
  return rows.map((r) => {
    const z = new Float32Array(dim);
    for (let j = 0; j < dim; j++) z[j] = sd[j] > 1e-12 && Number.isFinite(r[j]) ? (r[j] - mean[j]) / sd[j] : 0;
    return z;
  });
}

/** Squared Euclidean distance. */
export function sqDist(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return s;
}

/** Row-wise concatenation of several encodings of the same archs. */
export function concatRows(parts: readonly (readonly Float32Array[])[]): Float32Array[] {
  const n = parts[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) => {
    const v = new Float32Array(parts.reduce((s, p) => s + p[i].length, 0));
    let k = 0;
    for (const p of parts) {
      v.set(p[i], k);
      k += p[i].length;
    }
    return v;
  });
}
