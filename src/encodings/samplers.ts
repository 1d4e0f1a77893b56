// Samplers that choose which few archs to measure on a new device: random, k-means, farthest-point and NASFLAT's
// cluster + cosine-similarity-bucket mix. All are deterministic for (seed, pool, n).
import { UsageError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import { Rng } from '../core/rng.js';
import { sqDist, standardise } from './matrix.js';
import type { SampleRequest, Sampler } from './types.js';

/** Checks shared by every sampler. @throws UsageError */
function checkRequest(req: SampleRequest): void {
  if (!Number.isInteger(req.n) || req.n < 1) throw new UsageError(`n must be a positive integer, got ${req.n}`);
  if (new Set(req.pool).size !== req.pool.length) throw new UsageError('the candidate pool has duplicate archs');
  if (req.n > req.pool.length) throw new UsageError(`cannot choose ${req.n} archs from a pool of ${req.pool.length}`);
}

/** Standardised encodings of the pool, or a clear error when the sampler was given no encoder. */
async function encodedPool(req: SampleRequest, sampler: string): Promise<Float32Array[]> {
  if (req.encode === undefined) throw new UsageError(`sampler '${sampler}' needs an encoder (e.g. --encoder caz)`);
  return standardise(await req.encode(req.pool));
}

/** Seeded k-means++ + Lloyd on `x`; returns the k centroids. */
export function kmeans(x: readonly Float32Array[], k: number, rng: Rng, iterations = 25): Float64Array[] {
  const first = rng.int(x.length);
  const centres: Float64Array[] = [Float64Array.from(x[first])];
  const d2 = x.map((v) => sqDist(v, centres[0]));
  while (centres.length < k) {
    const sum = d2.reduce((s, d) => s + d, 0);
    let i = 0;
    if (sum > 0) {
      let r = rng.next() * sum;
      while (i < x.length - 1 && (r -= d2[i]) > 0) i++;
    } else {
      i = rng.int(x.length);
    }
    const c = Float64Array.from(x[i]);
    centres.push(c);
    for (let j = 0; j < x.length; j++) d2[j] = Math.min(d2[j], sqDist(x[j], c));
  }
  const assign = new Int32Array(x.length);
  for (let it = 0; it < iterations; it++) {
    let changed = 0;
    for (let j = 0; j < x.length; j++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = sqDist(x[j], centres[c]);
        if (d < bestD) [best, bestD] = [c, d];
      }
      if (assign[j] !== best || it === 0) changed++;
      assign[j] = best;
    }
    const sums = centres.map((c) => new Float64Array(c.length));
    const counts = new Int32Array(k);
    for (let j = 0; j < x.length; j++) {
      counts[assign[j]]++;
      const s = sums[assign[j]];
      for (let t = 0; t < s.length; t++) s[t] += x[j][t];
    }
    // An empty cluster keeps its centre rather than collapsing onto another one.
    for (let c = 0; c < k; c++) if (counts[c] > 0) centres[c] = sums[c].map((v) => v / counts[c]);
    if (changed === 0) break;
  }
  return centres;
}

/** For each centre, the nearest not-yet-taken point (index into x). */
function nearestDistinct(x: readonly Float32Array[], centres: readonly Float64Array[], taken: Set<number>): number[] {
  return centres.map((c) => {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < x.length; j++) {
      if (taken.has(j)) continue;
      const d = sqDist(x[j], c);
      if (d < bestD) [best, bestD] = [j, d];
    }
    taken.add(best);
    return best;
  });
}

// kmeans/farthest default to flops-params: best in the bench:encodings probe (kNN ρ 0.85 on 6 HELP devices vs 0.84 for
// CATE⊕Arch2Vec) and cheap for any pool, whereas caz needs TF.js zero-cost proxies for every candidate.

/** Uniformly random distinct archs of the pool. */
export const randomSampler: Sampler = {
  name: 'random',
  description: 'uniformly random distinct archs of the pool',
  async select(req) {
    checkRequest(req);
    return Rng.derive(req.seed, 'sampler/random').sample(req.pool, req.n);
  },
};

/** k-means with k = n on the standardised encoding; the arch nearest each centroid. */
export const kmeansSampler: Sampler = {
  name: 'kmeans',
  description: 'seeded k-means++ (k = n) on the encoding; the arch nearest each centroid',
  defaultEncoder: 'flops-params',
  async select(req) {
    checkRequest(req);
    const x = await encodedPool(req, 'kmeans');
    const centres = kmeans(x, req.n, Rng.derive(req.seed, 'sampler/kmeans'));
    return nearestDistinct(x, centres, new Set()).map((i) => req.pool[i]);
  },
};

/** Greedy farthest-point (k-centre coreset): start at a seeded arch, repeatedly add the arch farthest from those chosen. */
export const farthestSampler: Sampler = {
  name: 'farthest',
  description: 'greedy farthest-point coreset in the encoding, from a seeded first arch',
  defaultEncoder: 'flops-params',
  async select(req) {
    checkRequest(req);
    const x = await encodedPool(req, 'farthest');
    const chosen = [Rng.derive(req.seed, 'sampler/farthest').int(x.length)];
    const d2 = x.map((v) => sqDist(v, x[chosen[0]]));
    while (chosen.length < req.n) {
      let best = 0;
      for (let j = 1; j < x.length; j++) if (d2[j] > d2[best]) best = j;
      if (d2[best] === 0) break; // every remaining arch duplicates a chosen encoding; fill randomly below
      chosen.push(best);
      for (let j = 0; j < x.length; j++) d2[j] = Math.min(d2[j], sqDist(x[j], x[best]));
    }
    const rest = Rng.derive(req.seed, 'sampler/farthest/fill').shuffle(x.map((_, j) => j).filter((j) => !chosen.includes(j)));
    return [...chosen, ...rest.slice(0, req.n - chosen.length)].map((i) => req.pool[i]);
  },
};

/**
 * NASFLAT's sampler: ⌈n/2⌉ archs nearest k-means centroids of the encoding, the rest one per quantile bucket of each
 * arch's mean cosine similarity to the pool (so both typical and atypical archs are measured).
 */
export const nasflatSampler: Sampler = {
  name: 'nasflat',
  description: 'NASFLAT: half k-means centroids, half spread over buckets of mean cosine similarity (default encoder caz)',
  defaultEncoder: 'caz',
  async select(req) {
    checkRequest(req);
    const x = await encodedPool(req, 'nasflat');
    const rng = Rng.derive(req.seed, 'sampler/nasflat');
    const nCluster = Math.ceil(req.n / 2);
    const taken = new Set<number>();
    const chosen = nearestDistinct(x, kmeans(x, nCluster, rng.child('kmeans')), taken);
    // Mean cosine similarity to all archs = unit vector · mean of unit vectors: O(N·d) instead of O(N²·d).
    const dim = x[0].length;
    const units = x.map((v) => {
      const norm = Math.sqrt(v.reduce((s, t) => s + t * t, 0)) || 1;
      return v.map((t) => t / norm);
    });
    const meanUnit = new Float64Array(dim);
    for (const u of units) for (let t = 0; t < dim; t++) meanUnit[t] += u[t] / units.length;
    const sim = units.map((u) => u.reduce((s, t, i) => s + t * meanUnit[i], 0));
    const order = x
      .map((_, j) => j)
      .filter((j) => !taken.has(j))
      .sort((a, b) => sim[a] - sim[b] || a - b);
    const buckets = req.n - nCluster;
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor((b * order.length) / buckets);
      const hi = Math.floor(((b + 1) * order.length) / buckets);
      chosen.push(order[lo + rng.child('bucket', b).int(hi - lo)]);
    }
    return chosen.map((i) => req.pool[i]);
  },
};

/** Every sampler by name (`--sampler`, `latency.sampler`). */
export const samplerRegistry = new Registry<Sampler>('sampler')
  .register('random', randomSampler)
  .register('kmeans', kmeansSampler)
  .register('farthest', farthestSampler)
  .register('nasflat', nasflatSampler);
