// Ranking and error metrics for latency predictions (TpuGraphs-style: ranking quality first, error second).
// Plain loops over numbers: these run on up to 15,625 values many times per benchmark.

function checkPair(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`metric inputs differ in length: ${a.length} vs ${b.length}`);
}

/** Ranks 1..n with ties given their average rank. */
export function rankWithTies(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = avg;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair(a, b);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/** Spearman ρ: Pearson correlation of tie-averaged ranks. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair(a, b);
  return pearson(rankWithTies(a), rankWithTies(b));
}

/** Kendall τ-b (tie-corrected), O(n log n) by Knight's merge-sort algorithm. */
export function kendall(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair(a, b);
  const n = a.length;
  if (n < 2) return NaN;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i] - a[j] || b[i] - b[j]);
  const x = idx.map((i) => a[i]);
  let y = idx.map((i) => b[i]);
  const n0 = (n * (n - 1)) / 2;
  // Pairs tied in a (n1), tied in both (n3).
  let n1 = 0;
  let n3 = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[j + 1] === x[i]) j++;
    const t = j - i + 1;
    n1 += (t * (t - 1)) / 2;
    for (let k = i; k <= j;) {
      let m = k;
      while (m + 1 <= j && y[m + 1] === y[k]) m++;
      const u = m - k + 1;
      n3 += (u * (u - 1)) / 2;
      k = m + 1;
    }
    i = j + 1;
  }
  // Count discordant pairs as swaps in a stable merge sort of y.
  let swaps = 0;
  let buf = new Array<number>(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (y[j] < y[i]) {
          buf[k++] = y[j++];
          swaps += mid - i;
        } else buf[k++] = y[i++];
      }
      while (i < mid) buf[k++] = y[i++];
      while (j < hi) buf[k++] = y[j++];
    }
    [y, buf] = [buf, y];
  }
  // Pairs tied in b (n2), from the now-sorted y.
  let n2 = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && y[j + 1] === y[i]) j++;
    const t = j - i + 1;
    n2 += (t * (t - 1)) / 2;
    i = j + 1;
  }
  const concordantMinusDiscordant = n0 - n1 - n2 + n3 - 2 * swaps;
  const denom = Math.sqrt((n0 - n1) * (n0 - n2));
  return denom === 0 ? NaN : concordantMinusDiscordant / denom;
}

/** Mean absolute percentage error, as a fraction (0.1 = 10 %). Rows with true value 0 are skipped. */
export function mape(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkPair(truth, pred);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === 0) continue;
    sum += Math.abs((pred[i] - truth[i]) / truth[i]);
    n++;
  }
  return n === 0 ? NaN : sum / n;
}

/** Root mean squared error, in the units of the inputs. */
export function rmse(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkPair(truth, pred);
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += (pred[i] - truth[i]) ** 2;
  return Math.sqrt(sum / truth.length);
}

/** Fraction of predictions within `tolerance` (relative) of the truth. */
export function withinPct(truth: ArrayLike<number>, pred: ArrayLike<number>, tolerance = 0.1): number {
  checkPair(truth, pred);
  let hit = 0;
  for (let i = 0; i < truth.length; i++) if (Math.abs(pred[i] - truth[i]) <= tolerance * Math.abs(truth[i])) hit++;
  return hit / truth.length;
}

/**
 * TpuGraphs "top-k slowdown": true latency of the fastest arch among the k predicted fastest, divided by the
 * true fastest latency, minus 1 (0 = the predictor's top-k contains the true optimum).
 */
export function topKSlowdown(truth: ArrayLike<number>, pred: ArrayLike<number>, k = 10): number {
  checkPair(truth, pred);
  const n = truth.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => pred[i] - pred[j] || i - j);
  let bestOfTopK = Infinity;
  for (let r = 0; r < Math.min(k, n); r++) bestOfTopK = Math.min(bestOfTopK, truth[order[r]]);
  let best = Infinity;
  for (let i = 0; i < n; i++) best = Math.min(best, truth[i]);
  return bestOfTopK / best - 1;
}

/** All metrics of a latency prediction at once (what `predictor eval` prints). */
export function latencyMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>, k = 10) {
  return {
    n: truth.length,
    spearman: spearman(truth, pred),
    kendall: kendall(truth, pred),
    mape: mape(truth, pred),
    rmse: rmse(truth, pred),
    within10pct: withinPct(truth, pred, 0.1),
    topkSlowdown: topKSlowdown(truth, pred, k),
  };
}
