// @ts-check
// bench:encodings — (1) time to encode all NB201 archs per encoder (cold cache); (2) the encoding-quality probe:
// Spearman ρ of a kNN latency regressor fit on 20 archs chosen by each sampler, per encoding, on several HELP
// devices, ≥5 seeds; (3) the probe again on the 725 NB201 archs of NASLib's ZCP table, where ZCP and CAZ exist
// (table and TF.js-computed); (4) the ZCP agreement table: Spearman ρ per proxy between the TF.js-computed proxies
// and the precomputed NASLib (NB201) and NASFLAT (FBNet) tables.
// (5) Arch2Vec and CATE training time at default settings on NB201 (weights discarded; the shipped ones stay).
// Environment: BENCH_PARTS=timing,probe,probe-zcp,agreement,training (default all; a partial run keeps the other parts of an
// existing results/bench/encodings.json)  BENCH_POOL=3000  BENCH_ZCP_NB201=100 and BENCH_ZCP_FBNET=40 (archs in the
// agreement table)  BENCH_ZCP_BATCH=8  BENCH_SMOKE=1 (300 archs, 2 devices, 1 seed, a few ZCP archs, one training epoch
// on 200 archs, 5 measured archs, ZCP agreement on 2 NB201 archs at 8×8)
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { spearman } from '../dist/core/metrics.js';
import { dataPath } from '../dist/data/paths.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { loadZcpTable } from '../dist/data/zcp.js';
import { symlog } from '../dist/encodings/caz.js';
import { concatRows, standardise, sqDist } from '../dist/encodings/matrix.js';
import { encoderRegistry } from '../dist/encodings/registry.js';
import { samplerRegistry } from '../dist/encodings/samplers.js';
import { computeZcp, createZcpEncoder, createZcpTableEncoder } from '../dist/encodings/zcp.js';
import { COMPUTED_ZCPS, FORWARD_ZCPS } from '../dist/encodings/zcp-names.js';
import { Rng } from '../dist/core/rng.js';
import { getSpace } from '../dist/spaces/registry.js';
import { envList, envNumber, SMOKE, startBench } from './stamp.mjs';

const N_MEASURED = SMOKE ? 5 : 20;
const K_NEIGHBOURS = 3;
const SEEDS = SMOKE ? [1] : [1, 2, 3, 4, 5];
const DEVICES = SMOKE ? ['pixel2', 'eyeriss'] : ['pixel2', 'raspi4', 'eyeriss', 'fpga', '1080ti_1', 'gold_6226'];
const SAMPLERS = ['random', 'kmeans', 'farthest', 'nasflat'];
// Samplers choose from a seeded 3,000-arch candidate pool (keeps k-means affordable on 2 shared cores); ρ is over all archs.
const POOL_SIZE = envNumber('BENCH_POOL', 3000, 100);
const ALL_PARTS = ['timing', 'probe', 'probe-zcp', 'agreement', 'training'];
const PARTS = envList('BENCH_PARTS', ALL_PARTS);
const ZCP_BATCH = envNumber('BENCH_ZCP_BATCH', 8);
// The computed zcp encoding in the probe: forward-only proxies on 8×8 inputs (~0.35 s per arch).
const PROBE_ZCP = { proxies: FORWARD_ZCPS, resolution: 8, batchSize: 8, seed: 0 };
// Smoke runs: the first archs of the table, a few ZCP archs, one training epoch on a few archs.
const ARCHS = SMOKE ? 300 : Infinity;
const ZCP_TIMING_ARCHS = SMOKE ? 3 : 100;
const PROBE_ZCP_ARCHS = SMOKE ? 10 : Infinity;
const ZCP_AGREEMENT = { nb201: envNumber('BENCH_ZCP_NB201', 100, 2), fbnet: envNumber('BENCH_ZCP_FBNET', 40, 0) };
const TRAINING = SMOKE ? { epochs: 1, maxArchs: 200 } : {};

const backend = await initBackend();
const bench = startBench(
  'encodings',
  {
    nMeasured: N_MEASURED,
    k: K_NEIGHBOURS,
    seeds: SEEDS,
    devices: DEVICES,
    samplers: SAMPLERS,
    pool: POOL_SIZE,
    zcpBatch: ZCP_BATCH,
    probeZcp: PROBE_ZCP,
    zcpAgreementArchs: ZCP_AGREEMENT,
    ...(SMOKE ? { archs: ARCHS, zcpTimingArchs: ZCP_TIMING_ARCHS, probeZcpArchs: PROBE_ZCP_ARCHS, training: TRAINING } : {}),
  },
  { parts: { all: ALL_PARTS, run: PARTS } },
);
const space = getSpace('nb201');
const table = loadLatencyTable(dataPath('nb201Latency'), { devices: DEVICES });
const allArchs = table.archs.slice(0, ARCHS);
const index = new Map(table.archs.map((a, i) => [a, i]));
const rowOf = (/** @type {string} */ a) => /** @type {number} */ (index.get(a));
/** @type {Record<string, unknown>} */
const details = {};
/** @type {Record<string, unknown>} */
const result = { nMeasured: N_MEASURED, k: K_NEIGHBOURS, seeds: SEEDS, devices: DEVICES };
/**
 * @template T
 * @param {string} label
 * @param {() => T | Promise<T>} f
 */
const time = async (label, f) => {
  const t0 = performance.now();
  const value = await f();
  const seconds = (performance.now() - t0) / 1000;
  console.error(`${label}: ${seconds.toFixed(1)} s`);
  return { value, seconds };
};

/** @typedef {{ encoding: string, sampler: string, meanRho: number, perDevice: Record<string, number> }} ProbeRow */

/**
 * kNN regression of log-latency from the measured archs (rows of x), Spearman vs the truth over all rows.
 * @param {Float32Array[]} x
 * @param {number[]} measured
 * @param {Float64Array} latency
 */
function probe(x, measured, latency) {
  const pred = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const near = measured
      .map((m) => [sqDist(x[i], x[m]), latency[m]])
      .sort((a, b) => a[0] - b[0])
      .slice(0, K_NEIGHBOURS);
    pred[i] = near.reduce((s, [, l]) => s + Math.log(l), 0) / near.length;
  }
  return spearman(pred, latency);
}

/**
 * Mean ρ per (encoding, sampler) over seeds and devices; `archs` are the rows, `pool` the candidates.
 * @param {string[]} archs
 * @param {Record<string, Float32Array[]>} encoded
 * @param {string[]} pool
 */
async function runProbe(archs, encoded, pool) {
  const probeRow = new Map(archs.map((a, i) => [a, i]));
  const latency = Object.fromEntries(DEVICES.map((d) => [d, Float64Array.from(archs, (a) => table.column(d)[rowOf(a)])]));
  /** @type {ProbeRow[]} */
  const rows = [];
  for (const [encName, vectors] of Object.entries(encoded)) {
    const x = standardise(vectors);
    for (const samplerName of SAMPLERS) {
      const sampler = samplerRegistry.get(samplerName);
      const rhos = Object.fromEntries(DEVICES.map((d) => [d, /** @type {number[]} */ ([])]));
      for (const seed of SEEDS) {
        const chosen = await sampler.select({
          space,
          n: N_MEASURED,
          seed,
          pool,
          encode: async (cands) => cands.map((a) => vectors[/** @type {number} */ (probeRow.get(a))]),
        });
        const measured = chosen.map((a) => /** @type {number} */ (probeRow.get(a)));
        for (const d of DEVICES) rhos[d].push(probe(x, measured, latency[d]));
      }
      const perDevice = Object.fromEntries(DEVICES.map((d) => [d, rhos[d].reduce((s, v) => s + v, 0) / SEEDS.length]));
      const mean = DEVICES.reduce((s, d) => s + perDevice[d], 0) / DEVICES.length;
      console.error(`${encName}/${samplerName}: mean ρ ${mean.toFixed(3)}`);
      rows.push({ encoding: encName, sampler: samplerName, meanRho: mean, perDevice });
    }
  }
  return rows;
}

/** @param {string} title @param {ProbeRow[]} rows @param {string} part */
function printProbe(title, rows, part) {
  bench.table(
    title,
    ['encoding', 'sampler', 'mean ρ', ...DEVICES],
    rows.map((r) => [r.encoding, r.sampler, r.meanRho.toFixed(3), ...DEVICES.map((d) => r.perDevice[d].toFixed(3))]),
    part,
  );
  const bySampler = SAMPLERS.map((s) => {
    const rs = rows.filter((r) => r.sampler === s);
    return {
      sampler: s,
      meanRho: rs.reduce((t, r) => t + r.meanRho, 0) / rs.length,
      best: rs.reduce((a, b) => (b.meanRho > a.meanRho ? b : a)),
    };
  });
  bench.table(
    'Per sampler, mean over encodings (and its best encoding)',
    ['sampler', 'mean ρ', 'best encoding', 'its ρ'],
    bySampler.map((s) => [s.sampler, s.meanRho.toFixed(3), s.best.encoding, s.best.meanRho.toFixed(3)]),
    part,
  );
  return bySampler.map((s) => ({ sampler: s.sampler, meanRho: s.meanRho, bestEncoding: s.best.encoding, bestRho: s.best.meanRho }));
}

const LEARNED = ['adjacency', 'path', 'flops-params', 'arch2vec', 'cate'];
/** @type {Record<string, Float32Array[]>} */
const encodedAll = {};
if (PARTS.includes('timing') || PARTS.includes('probe')) {
  // 1. Encode every arch once per encoder (timed), keeping the vectors for the probe.
  /** @type {{ encoder: string, dimension: number, archs: number, seconds: number }[]} */
  const timing = [];
  result.timing = timing;
  for (const name of LEARNED) {
    const enc = encoderRegistry.get(name);
    const { value, seconds } = await time(name, () => enc.encode(space, allArchs));
    encodedAll[name] = value;
    timing.push({ encoder: name, dimension: enc.dimension(space), archs: allArchs.length, seconds });
  }
  // The computed zcp encoder on a sample: every NB201 arch would take ~1.5 h on 2 cores.
  const zcpEnc = createZcpEncoder(PROBE_ZCP);
  const sample = Rng.derive(0, 'bench/encodings/zcp-timing').sample(allArchs, ZCP_TIMING_ARCHS);
  const { seconds } = await time(`zcp (${sample.length} archs)`, () => zcpEnc.encode(space, sample));
  timing.push({
    encoder: `zcp (${PROBE_ZCP.proxies.join(',')}; ${PROBE_ZCP.resolution}×${PROBE_ZCP.resolution}, batch ${PROBE_ZCP.batchSize})`,
    dimension: zcpEnc.dimension(space),
    archs: sample.length,
    seconds,
  });
  bench.table(
    `Encode NB201 archs (backend ${backend.name}; shared 2-core machine)`,
    ['encoder', 'dim', 'archs', 'seconds', 'ms/arch'],
    timing.map((t) => [t.encoder, t.dimension, t.archs, t.seconds.toFixed(1), ((1000 * t.seconds) / t.archs).toFixed(3)]),
    'timing',
  );
}

if (PARTS.includes('probe')) {
  const pool = Rng.derive(0, 'bench/encodings/pool').sample(allArchs, Math.min(POOL_SIZE, allArchs.length));
  encodedAll['cate+arch2vec'] = concatRows([encodedAll.cate, encodedAll.arch2vec]);
  result.poolSize = pool.length;
  const rows = await runProbe(allArchs, encodedAll, pool);
  result.probe = rows;
  result.bySampler = printProbe(
    `Encoding-quality probe: kNN (k=${K_NEIGHBOURS}) on ${N_MEASURED} archs sampled from a ${pool.length}-arch pool, Spearman ρ over all ${allArchs.length}, mean of ${SEEDS.length} seeds`,
    rows,
    'probe',
  );
}

if (PARTS.includes('probe-zcp')) {
  // 3. The probe on the NB201 archs of NASLib's ZCP table (cifar10 rows), where every encoding exists: pool = rows.
  const zcpFile = dataPath('nb201ZcpPartial');
  const zcpTable = loadZcpTable(zcpFile, { dataset: 'cifar10', canonical: (a) => space.canonical(a) });
  const archs = zcpTable.archs.filter((a) => index.has(a)).slice(0, PROBE_ZCP_ARCHS);
  /** @type {Record<string, Float32Array[]>} */
  const encoded = {};
  for (const name of LEARNED) encoded[name] = await encoderRegistry.get(name).encode(space, archs);
  encoded['zcp (NASLib table)'] = await createZcpTableEncoder({ file: zcpFile, dataset: 'cifar10' }).encode(space, archs);
  encoded['zcp (TF.js, forward)'] = (
    await time(`zcp computed for ${archs.length} archs`, () => createZcpEncoder(PROBE_ZCP).encode(space, archs))
  ).value;
  encoded['caz (NASLib ZCP)'] = concatRows([encoded.cate, encoded.arch2vec, encoded['zcp (NASLib table)'].map(symlog)]);
  encoded['caz (TF.js ZCP)'] = concatRows([encoded.cate, encoded.arch2vec, encoded['zcp (TF.js, forward)'].map(symlog)]);
  const rows = await runProbe(archs, encoded, archs);
  const bySampler = printProbe(
    `Probe on the ${archs.length} NB201 archs of NASLib's ZCP table (pool = those archs; ρ over them), mean of ${SEEDS.length} seeds`,
    rows,
    'probe-zcp',
  );
  result.probeZcp = { archs: archs.length, zcpSettings: PROBE_ZCP, rows, bySampler };
}

if (PARTS.includes('agreement')) {
  // 4. ZCP agreement: the TF.js proxies vs the precomputed tables, per proxy.
  const sets = [
    { space: getSpace('nb201'), file: dataPath('nb201ZcpPartial'), dataset: 'cifar10', n: ZCP_AGREEMENT.nb201 },
    { space: getSpace('fbnet'), file: dataPath('fbnetZcp'), dataset: undefined, n: ZCP_AGREEMENT.fbnet },
  ];
  /** @type {{ space: string, file: string, dataset: string | null, archs: number, rho: Record<string, number>, [k: string]: unknown }[]} */
  const agreement = [];
  result.agreement = agreement;
  /** The computed proxies per arch, written beside the JSON (not committed). @type {object[]} */
  const agreementValues = [];
  details.agreement = agreementValues;
  for (const set of sets.filter((s) => s.n > 0)) {
    const zcpTable = loadZcpTable(set.file, { dataset: set.dataset, canonical: (a) => set.space.canonical(a) });
    const archs = Rng.derive(0, 'bench/encodings/agreement', set.space.name).sample(zcpTable.archs, Math.min(set.n, zcpTable.archs.length));
    const proxies = COMPUTED_ZCPS.filter((p) => zcpTable.proxies.includes(p));
    const input = { ...set.space.defaultInput(set.dataset), ...(SMOKE ? { resolution: 8 } : {}) };
    const { value: computed, seconds } = await time(`agreement ${set.space.name} (${archs.length} archs)`, () =>
      computeZcp(set.space, archs, input, { proxies, batchSize: ZCP_BATCH, seed: 0 }),
    );
    const row = new Map(zcpTable.archs.map((a, i) => [a, i]));
    /** @type {Record<string, number>} */
    const rho = {};
    /** @type {Record<string, number>} */
    const n = {};
    for (const p of proxies) {
      const ref = /** @type {Float64Array} */ (zcpTable.values.get(p));
      // Rows whose table cell is missing (NaN) are left out of that proxy's ρ. Our non-finite values (ln synflow = −∞
      // of a cell with no input-output path) rank lowest, as that arch's 0 does in the table.
      const rows = archs.map((a, i) => [i, ref[/** @type {number} */ (row.get(a))]]).filter(([, v]) => Number.isFinite(v));
      rho[p] = spearman(
        rows.map(([i]) => (Number.isFinite(computed[p][i]) ? computed[p][i] : computed[p][i] > 0 ? 1e300 : -1e300)),
        rows.map(([, v]) => v),
      );
      n[p] = rows.length;
    }
    agreement.push({
      space: set.space.name,
      file: set.file.replace(/.*\/data\//, ''),
      dataset: set.dataset ?? null,
      archs: archs.length,
      batchSize: ZCP_BATCH,
      resolution: input.resolution,
      secondsPerArch: seconds / archs.length,
      rho,
      n,
    });
    agreementValues.push({
      space: set.space.name,
      archList: archs,
      values: Object.fromEntries(proxies.map((p) => [p, Array.from(computed[p])])),
    });
  }
  const proxies = COMPUTED_ZCPS;
  bench.table(
    `ZCP agreement: Spearman ρ between TF.js-computed proxies (seeded synthetic batch of ${ZCP_BATCH}) and the precomputed tables`,
    ['table', 'archs', 's/arch', ...proxies],
    agreement.map((a) => [
      `${a.space} ${a.file}${a.dataset ? ` (${a.dataset})` : ''}`,
      a.archs,
      /** @type {number} */ (a.secondsPerArch).toFixed(1),
      ...proxies.map((p) => (a.rho[p] === undefined ? '–' : a.rho[p].toFixed(3))),
    ]),
    'agreement',
  );
}

if (PARTS.includes('training')) {
  // 5. Unsupervised training at default settings over all NB201 archs.
  const { Arch2VecModel, ARCH2VEC_DEFAULTS } = await import('../dist/encodings/arch2vec-model.js');
  const { CateModel, CATE_DEFAULTS } = await import('../dist/encodings/cate-model.js');
  /** @type {{ encoder: string, space: string, epochs: number, seconds: number, metrics: object }[]} */
  const training = [];
  result.training = training;
  /** @type {[string, () => { metrics: object, dispose(): void }, number][]} */
  const trainers = [
    ['arch2vec', () => Arch2VecModel.train(space, { ...ARCH2VEC_DEFAULTS, ...TRAINING }, 1, () => {}), ARCH2VEC_DEFAULTS.epochs],
    ['cate', () => CateModel.train(space, { ...CATE_DEFAULTS, ...TRAINING }, 1, () => {}), CATE_DEFAULTS.epochs],
  ];
  for (const [name, train, defaultEpochs] of trainers) {
    const { value: model, seconds } = await time(`train ${name}`, train);
    training.push({ encoder: name, space: 'nb201', epochs: TRAINING.epochs ?? defaultEpochs, seconds, metrics: model.metrics });
    model.dispose();
  }
  bench.table(
    'Training at default settings on NB201 (seed 1; shared 2-core machine)',
    ['encoder', 'epochs', 'seconds', 'held-out quality'],
    training.map((t) => [
      t.encoder,
      t.epochs,
      t.seconds.toFixed(0),
      Object.entries(t.metrics)
        .filter(([k]) => k.startsWith('heldOut'))
        .map(([k, v]) => `${k.replace('heldOut', '')} ${Number(v).toFixed(3)}`)
        .join(', '),
    ]),
    'training',
  );
}

bench.write(result, { backend, details });
