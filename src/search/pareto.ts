// Pareto dominance, non-dominated sorting and hypervolume over points whose objectives are all minimised
// (callers negate maximised objectives). Exact, no sampling; tests compare it with brute force.

/** A point in objective space; every coordinate is minimised. */
export type Point = readonly number[];

/** True when `a` is no worse than `b` everywhere and strictly better somewhere. */
export function dominates(a: Point, b: Point): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

/** Indices of the non-dominated points (duplicates of a non-dominated point are all kept), in input order. */
export function paretoFront(points: readonly Point[]): number[] {
  if (points.length > 0 && points[0].length === 2) return paretoFront2d(points);
  const front: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let dominated = false;
    for (let j = 0; j < points.length && !dominated; j++) dominated = j !== i && dominates(points[j], points[i]);
    if (!dominated) front.push(i);
  }
  return front;
}

/** O(n log n) sweep for two objectives: sort by the first, keep points that improve the best second seen. */
function paretoFront2d(points: readonly Point[]): number[] {
  const order = points.map((_, i) => i).sort((a, b) => points[a][0] - points[b][0] || points[a][1] - points[b][1]);
  const front: number[] = [];
  let bestY = Infinity;
  let kept: Point | undefined;
  for (const i of order) {
    const p = points[i];
    if (p[1] < bestY) {
      front.push(i);
      bestY = p[1];
      kept = p;
    } else if (kept !== undefined && kept[0] === p[0] && kept[1] === p[1]) {
      front.push(i);
    }
  }
  return front.sort((a, b) => a - b);
}

/**
 * Non-dominated sorting (NSGA-II): `rank[i]` is 0 for the first front, 1 for the next, …
 * Fast enough for the populations a search keeps (O(m n²)).
 */
export function nondominatedRanks(points: readonly Point[]): Int32Array {
  const n = points.length;
  const rank = new Int32Array(n).fill(-1);
  const dominatedBy = new Int32Array(n);
  const dominating: number[][] = points.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i], points[j])) {
        dominating[i].push(j);
        dominatedBy[j]++;
      } else if (dominates(points[j], points[i])) {
        dominating[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  let current = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  for (let r = 0; current.length > 0; r++) {
    const next: number[] = [];
    for (const i of current) {
      rank[i] = r;
      for (const j of dominating[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    current = next;
  }
  return rank;
}

/** NSGA-II crowding distance of points of one front (boundary points get Infinity). */
export function crowdingDistance(points: readonly Point[]): Float64Array {
  const n = points.length;
  const distance = new Float64Array(n);
  if (n === 0) return distance;
  for (let k = 0; k < points[0].length; k++) {
    const order = points.map((_, i) => i).sort((a, b) => points[a][k] - points[b][k] || a - b);
    const span = points[order[n - 1]][k] - points[order[0]][k];
    distance[order[0]] = distance[order[n - 1]] = Infinity;
    if (span === 0) continue;
    for (let t = 1; t < n - 1; t++) distance[order[t]] += (points[order[t + 1]][k] - points[order[t - 1]][k]) / span;
  }
  return distance;
}

/**
 * Hypervolume dominated by `points` and bounded by `reference` (all objectives minimised): the measure of
 * { x : some p ≤ x ≤ reference }. Points not strictly better than the reference in every objective add nothing.
 * Two objectives: sweep; more: recursive slicing over the last objective (fine for fronts of tens of points).
 */
export function hypervolume(points: readonly Point[], reference: Point): number {
  const inside = points.filter((p) => p.every((v, k) => v < reference[k]));
  return hvRecursive(inside, reference, reference.length);
}

function hvRecursive(points: readonly Point[], reference: Point, dims: number): number {
  if (points.length === 0) return 0;
  if (dims === 1) return reference[0] - Math.min(...points.map((p) => p[0]));
  if (dims === 2) {
    const sorted = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let volume = 0;
    let bestY = reference[1];
    for (const p of sorted) {
      if (p[1] < bestY) {
        volume += (reference[0] - p[0]) * (bestY - p[1]);
        bestY = p[1];
      }
    }
    return volume;
  }
  // Slice along the last objective: between consecutive values, the cross-section is the (dims-1)-volume
  // of the points at or below the slice.
  const last = dims - 1;
  const sorted = points.slice().sort((a, b) => a[last] - b[last]);
  let volume = 0;
  for (let t = 0; t < sorted.length; t++) {
    const upper = t + 1 < sorted.length ? sorted[t + 1][last] : reference[last];
    const height = upper - sorted[t][last];
    if (height > 0) volume += height * hvRecursive(sorted.slice(0, t + 1), reference, last);
  }
  return volume;
}
