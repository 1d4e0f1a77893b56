// bench:encodings — time to encode all NB201 archs per encoder (cold cache), and the encoding-quality probe: Spearman ρ
// of a kNN latency regressor fit on 20 archs chosen by each sampler, per encoding, on several HELP devices, ≥5 seeds.
// BENCH_ZCP=1 adds the TF.js zcp encoder (slow: it trains nothing but backpropagates every network).
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { spearman } from '../dist/core/metrics.js';
import { formatTable } from '../dist/core/table.js';
import { dataPath } from '../dist/data/paths.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { concatRows, standardise, sqDist } from '../dist/encodings/matrix.js';
import { encoderRegistry, samplerRegistry } from '../dist/encodings/registry.js';
import { Rng } from '../dist/core/rng.js';
import { getSpace } from '../dist/spaces/registry.js';

const N_MEASURED = 20;
const K_NEIGHBOURS = 3;
const SEEDS = [1, 2, 3, 4, 5];
const DEVICES = ['pixel2', 'raspi4', 'eyeriss', 'fpga', '1080ti_1', 'gold_6226'];
const SAMPLERS = ['random', 'kmeans', 'farthest', 'nasflat'];
// Samplers choose from a seeded 3,000-arch candidate pool (keeps k-means affordable on 2 shared cores); ρ is over all archs.
const POOL_SIZE = Number(process.env.BENCH_POOL ?? 3000);

const backend = await initBackend();
const space = getSpace('nb201');
const table = loadLatencyTable(dataPath('nb201Latency'), { devices: DEVICES });
const archs = table.archs;

// 1. Encode every arch once per encoder (timed), keeping the vectors for the probe.
const encoderNames = ['adjacency', 'path', 'flops-params', 'arch2vec', 'cate', ...(process.env.BENCH_ZCP ? ['zcp'] : [])];
const encoded = {};
const timing = [];
for (const name of encoderNames) {
  const enc = encoderRegistry.get(name);
  const t0 = performance.now();
  encoded[name] = await enc.encode(space, archs);
  const seconds = (performance.now() - t0) / 1000;
  timing.push({ encoder: name, dimension: enc.dimension(space), archs: archs.length, seconds });
  console.error(`${name}: ${seconds.toFixed(1)} s`);
}
// CAZ without ZCP unless it was computed (the paper's CAZ = CATE ⊕ Arch2Vec ⊕ ZCP).
const cazName = encoded.zcp ? 'caz' : 'cate+arch2vec';
encoded[cazName] = concatRows(encoded.zcp ? [encoded.cate, encoded.arch2vec, encoded.zcp.map((v) => v.map((t) => Math.sign(t) * Math.log1p(Math.abs(t))))] : [encoded.cate, encoded.arch2vec]);
const probeEncodings = [...encoderNames, cazName];

/** kNN regression of log-latency from the measured archs, Spearman vs the truth over all archs. */
function probe(x, measured, latency) {
  const pred = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const near = measured.map((m) => [sqDist(x[i], x[m]), latency[m]]).sort((a, b) => a[0] - b[0]).slice(0, K_NEIGHBOURS);
    pred[i] = near.reduce((s, [, l]) => s + Math.log(l), 0) / near.length;
  }
  return spearman(pred, latency);
}

const results = [];
const index = new Map(archs.map((a, i) => [a, i]));
const pool = Rng.derive(0, 'bench/encodings/pool').sample(archs, Math.min(POOL_SIZE, archs.length));
for (const encName of probeEncodings) {
  const x = standardise(encoded[encName]);
  for (const samplerName of SAMPLERS) {
    const sampler = samplerRegistry.get(samplerName);
    const t0 = performance.now();
    const rhos = Object.fromEntries(DEVICES.map((d) => [d, []]));
    for (const seed of SEEDS) {
      const chosen = await sampler.select({ space, n: N_MEASURED, seed, pool, encode: async (cands) => cands.map((a) => encoded[encName][index.get(a)]) });
      const measured = chosen.map((a) => index.get(a));
      for (const d of DEVICES) rhos[d].push(probe(x, measured, table.column(d)));
    }
    const perDevice = Object.fromEntries(DEVICES.map((d) => [d, rhos[d].reduce((s, v) => s + v, 0) / SEEDS.length]));
    const mean = DEVICES.reduce((s, d) => s + perDevice[d], 0) / DEVICES.length;
    console.error(`${encName}/${samplerName}: mean ρ ${mean.toFixed(3)}`);
    results.push({ encoding: encName, sampler: samplerName, meanRho: mean, perDevice, seconds: (performance.now() - t0) / 1000 });
  }
}

console.log(`\nEncode all ${archs.length} NB201 archs (backend ${backend.name}; shared 2-core machine)`);
console.log(formatTable(['encoder', 'dim', 'seconds', 'ms/arch'], timing.map((t) => [t.encoder, t.dimension, t.seconds.toFixed(1), ((1000 * t.seconds) / t.archs).toFixed(3)])));
console.log(`\nEncoding-quality probe: kNN (k=${K_NEIGHBOURS}) on ${N_MEASURED} sampled archs, Spearman ρ over all ${archs.length}, mean of ${SEEDS.length} seeds`);
console.log(formatTable(['encoding', 'sampler', 'mean ρ', ...DEVICES], results.map((r) => [r.encoding, r.sampler, r.meanRho.toFixed(3), ...DEVICES.map((d) => r.perDevice[d].toFixed(3))])));
const bySampler = SAMPLERS.map((s) => {
  const rs = results.filter((r) => r.sampler === s);
  return { sampler: s, meanRho: rs.reduce((t, r) => t + r.meanRho, 0) / rs.length, best: rs.reduce((a, b) => (b.meanRho > a.meanRho ? b : a)) };
});
console.log('\nPer sampler, mean over encodings (and its best encoding):');
console.log(formatTable(['sampler', 'mean ρ', 'best encoding', 'its ρ'], bySampler.map((s) => [s.sampler, s.meanRho.toFixed(3), s.best.encoding, s.best.meanRho.toFixed(3)])));
fs.mkdirSync('results/bench', { recursive: true });
fs.writeFileSync('results/bench/encodings.json', JSON.stringify({ backend: backend.name, nMeasured: N_MEASURED, poolSize: pool.length, k: K_NEIGHBOURS, seeds: SEEDS, devices: DEVICES, timing, probe: results, bySampler }, null, 2));
console.log('\nwrote results/bench/encodings.json');
