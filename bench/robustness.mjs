// @ts-check
// Noisy-device benchmark: can a user trust a few-shot predictor fitted on ten noisy timings of their own board?
// Each built-in simulated profile in turn is the target of NASFLAT pretrained on the other five (over all NB201
// cells), plus `my-board` (mobile-cpu with a 57.6 GFLOPS peak and 4 GB/s, the device of the issue that asked for
// this) with the shipped quickstart predictor. Ten measurements (random archs per seed) with 0 %, 10 % and 30 %
// log-normal noise, and 30 % plus one row ×3; against the noise-free latencies of all 15,625 cells: non-positive
// predictions, Spearman ρ and MAPE over all cells and over the fastest 10 %, coverage of the nominal 90 %
// intervals, whether the ×3 row was named, and FLOPs' ρ (zero measurements) for comparison.
// Writes results/bench/robustness.json. Environment: BENCH_SEEDS=0,1,2,3,4  BENCH_TARGETS=server-gpu,…  BENCH_OUT=results/bench
// BENCH_OUT_FILE=robustness.json  BENCH_SMOKE=1 (one target, one seed, one pretraining epoch over 64 archs per source).
// Pretrained predictors are cached in results/cache/robustness/, keyed by a fingerprint of their settings and code.
import { initBackend } from '../dist/core/backend.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { BUILTIN_PROFILES, deviceKinds } from '../dist/hardware/registry.js';
import { ArchFeatures } from '../dist/predictors/baselines/features.js';
import { getPredictorMethod, loadPredictor } from '../dist/predictors/registry.js';
import { diagnose, predictionIntervals } from '../dist/predictors/trust.js';
import { getSpace } from '../dist/spaces/registry.js';
import { cached } from './cache.mjs';
import { envList, SMOKE, startBench } from './stamp.mjs';

/** @typedef {import('../dist/hardware/schema.js').DeviceProfile} DeviceProfile */
/** @typedef {Extract<DeviceProfile, { kind: 'simulated' }>} SimulatedProfile */
/** @typedef {import('../dist/predictors/nasflat/predictor.js').NasflatPredictor} NasflatPredictor */
/** @typedef {{ profile: SimulatedProfile, sources?: SimulatedProfile[], predictor?: string }} Target */

const seeds = envList('BENCH_SEEDS', SMOKE ? ['0'] : ['0', '1', '2', '3', '4']).map(Number);
const PRETRAIN = SMOKE ? { epochs: 1, archsPerDevice: 64, transferEpochs: 4 } : { epochs: 30, archsPerDevice: 512 };
// Readout settings tried over the pretrained predictors' own (e.g. BENCH_NASFLAT='{"readoutPrior":false}').
const READOUT_OVERRIDES = process.env.BENCH_NASFLAT ? JSON.parse(process.env.BENCH_NASFLAT) : {};
const OUT_FILE = process.env.BENCH_OUT_FILE ?? 'robustness.json';
const N = 10;
const NOISE = [
  { name: '0 %', sigma: 0, outlier: false },
  { name: '10 %', sigma: 0.1, outlier: false },
  { name: '30 %', sigma: 0.3, outlier: false },
  { name: '30 % + one row ×3', sigma: 0.3, outlier: true },
];

const backend = await initBackend();
const space = getSpace('nb201');
const input = space.defaultInput('cifar10');
const archs = space.enumerate?.() ?? [];
const features = new ArchFeatures(space);
const flops = Float64Array.from(archs, (a) => features.flops(a));
const simulated = BUILTIN_PROFILES.filter(
  /** @returns {p is SimulatedProfile} */ (/** @type {DeviceProfile} */ p) => p.kind === 'simulated',
);
/** The simulator's latency of every arch. @param {SimulatedProfile} profile */
const latenciesOf = (profile) => {
  const device = /** @type {import('../dist/hardware/simulated.js').SimulatedDevice} */ (deviceKinds.get(profile.kind)(profile));
  return Float64Array.from(archs, device.scorer(space, input));
};
const myBoard = structuredClone(/** @type {SimulatedProfile} */ (simulated.find((p) => p.name === 'mobile-cpu')));
myBoard.name = 'my-board';
myBoard.simulated.peak = { fp32Gflops: 57.6 };
myBoard.simulated.memory.bandwidthGBs = 4;
/** @type {Target[]} */
const allTargets = [
  ...simulated.map((p) => ({ profile: p, sources: simulated.filter((s) => s.name !== p.name) })),
  { profile: myBoard, predictor: 'models/quickstart' },
];
const targets = allTargets
  .filter((t) => envList('BENCH_TARGETS', [t.profile.name]).includes(t.profile.name))
  .slice(0, SMOKE && !process.env.BENCH_TARGETS ? 1 : undefined);
const bench = startBench(OUT_FILE.replace(/\.json$/, ''), {
  targets: targets.map((t) => t.profile.name),
  seeds,
  measurements: N,
  pretrain: PRETRAIN,
  noise: NOISE,
  readout: READOUT_OVERRIDES,
});

/**
 * The predictor pretrained on `sources`, cached under a fingerprint of the source profiles, the pretraining settings
 * and the code that trains and simulates (pretraining takes about a minute each).
 * @param {Target} target
 * @returns {Promise<NasflatPredictor>}
 */
async function pretrained(target) {
  if (target.predictor !== undefined) return /** @type {NasflatPredictor} */ (await loadPredictor(target.predictor));
  const sources = target.sources ?? [];
  const { value, info } = await cached(
    'robustness',
    {
      name: `nb201-without-${target.profile.name}`,
      settings: { method: 'nasflat', sources, input, seed: 0, options: PRETRAIN },
      code: ['predictors/registry.js', 'hardware/registry.js'],
    },
    async (dir) => {
      const t0 = performance.now();
      const predictor = await getPredictorMethod('nasflat').create({
        space,
        features,
        sources: { devices: sources.map((s) => s.name), archs, latencyMs: sources.map(latenciesOf) },
        seed: 0,
        options: PRETRAIN,
      });
      await predictor.save(dir);
      console.error(`pretrained on ${sources.map((s) => s.name).join(', ')} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      return predictor;
    },
    loadPredictor,
  );
  bench.cache(info);
  return /** @type {NasflatPredictor} */ (value);
}

/** @param {Float64Array} truth */
const fastestTenth = (truth) => {
  const order = Array.from(truth.keys()).sort((a, b) => truth[a] - truth[b]);
  return order.slice(0, Math.ceil(truth.length / 10));
};
/** @param {ArrayLike<number>} truth @param {ArrayLike<number>} predicted @param {number[]} rows */
const mape = (truth, predicted, rows) => (100 * rows.reduce((s, r) => s + Math.abs(predicted[r] - truth[r]) / truth[r], 0)) / rows.length;

/**
 * @typedef {{ target: string, noise: string, seed: number, nonPositive: number, spearman: number, mapePct: number,
 *   fastSpearman: number, fastMapePct: number, coverage90: number, intervalFactor: number, outlierNamed: boolean | null,
 *   falseOutliers: number, warned: boolean, flopsSpearman: number, fitSeconds: number, readout: string[] }} Result
 */
/** @type {Result[]} */
const results = [];
for (const target of targets) {
  const truth = latenciesOf(target.profile);
  const allRows = Array.from(truth.keys());
  const fast = fastestTenth(truth);
  const pick = (/** @type {ArrayLike<number>} */ v, /** @type {number[]} */ rows) => rows.map((r) => v[r]);
  const flopsRho = spearman(flops, truth);
  const predictor = await pretrained(target);
  Object.assign(predictor.config, READOUT_OVERRIDES);
  for (const noise of NOISE) {
    for (const seed of seeds) {
      const rng = Rng.derive(seed, 'robustness', target.profile.name);
      const rows = rng.sample(allRows, N);
      const outlierRow = noise.outlier ? rng.int(N) : -1;
      const measured = rows.map((r, i) => truth[r] * Math.exp(noise.sigma * rng.normal()) * (i === outlierRow ? 3 : 1));
      const device = `${target.profile.name}-${noise.sigma}-${seed}`;
      const t0 = performance.now();
      await predictor.adapt(device, { archs: rows.map((r) => archs[r]), latencyMs: measured }, { seed });
      const fitSeconds = (performance.now() - t0) / 1000;
      const predicted = await predictor.predict(device, archs);
      const quality = predictor.fitQuality(device);
      if (quality === undefined) throw new Error(`no fit quality for ${device}`);
      const diagnostics = diagnose(quality);
      const intervals = /** @type {{ lowerMs: Float64Array, upperMs: Float64Array }} */ (predictionIntervals(predicted, quality, 0.9));
      const covered = allRows.filter((r) => intervals.lowerMs[r] <= truth[r] && truth[r] <= intervals.upperMs[r]).length / allRows.length;
      results.push({
        target: target.profile.name,
        noise: noise.name,
        seed,
        nonPositive: Array.from(predicted).filter((v) => !(v > 0 && Number.isFinite(v))).length,
        spearman: spearman(truth, predicted),
        mapePct: mape(truth, predicted, allRows),
        fastSpearman: spearman(pick(truth, fast), pick(predicted, fast)),
        fastMapePct: mape(truth, predicted, fast),
        coverage90: covered,
        intervalFactor: diagnostics.interval90Factor,
        outlierNamed: noise.outlier ? diagnostics.outliers.some((o) => o.row === outlierRow + 1) : null,
        falseOutliers: diagnostics.outliers.filter((o) => o.row !== outlierRow + 1).length,
        warned: diagnostics.warning !== undefined,
        flopsSpearman: flopsRho,
        fitSeconds,
        readout: predictor.adaptation(device)?.readout?.members.map((m) => `${m.name} ${m.share.toFixed(2)}`) ?? [],
      });
    }
  }
  console.error(`done ${target.profile.name}`);
}

const mean = (/** @type {number[]} */ v) => v.reduce((a, b) => a + b, 0) / v.length;
/** @type {Map<string, Result[]>} */
const groups = new Map();
for (const r of results) {
  const key = `${r.target}|${r.noise}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key)?.push(r);
}
const summary = [...groups.values()].map((rs) => ({
  target: rs[0].target,
  noise: rs[0].noise,
  nonPositive: rs.reduce((s, r) => s + r.nonPositive, 0),
  spearman: mean(rs.map((r) => r.spearman)),
  minSpearman: Math.min(...rs.map((r) => r.spearman)),
  mapePct: mean(rs.map((r) => r.mapePct)),
  fastSpearman: mean(rs.map((r) => r.fastSpearman)),
  fastMapePct: mean(rs.map((r) => r.fastMapePct)),
  coverage90: mean(rs.map((r) => r.coverage90)),
  outlierNamed: rs[0].outlierNamed === null ? null : rs.filter((r) => r.outlierNamed).length / rs.length,
  falseOutliers: rs.reduce((s, r) => s + r.falseOutliers, 0),
  warned: rs.filter((r) => r.warned).length,
  flopsSpearman: rs[0].flopsSpearman,
}));
const f3 = (/** @type {number | null} */ v) => (v === null ? '-' : v.toFixed(3));
bench.table(
  `Ten noisy measurements per target, NASFLAT pretrained on the other simulated profiles (mean of ${seeds.length} seeds)`,
  [
    'target',
    'noise',
    '≤0 preds',
    'ρ all',
    'min ρ',
    'MAPE %',
    'ρ fastest 10 %',
    'MAPE fast %',
    '90 % cover',
    'outlier named',
    'false flags',
    'warned',
    'FLOPs ρ',
  ],
  summary.map((s) => [
    s.target,
    s.noise,
    s.nonPositive,
    f3(s.spearman),
    f3(s.minSpearman),
    s.mapePct.toFixed(1),
    f3(s.fastSpearman),
    s.fastMapePct.toFixed(1),
    f3(s.coverage90),
    f3(s.outlierNamed),
    s.falseOutliers,
    `${s.warned}/${seeds.length}`,
    f3(s.flopsSpearman),
  ]),
);
bench.write({ summary }, { backend, details: { results } });
