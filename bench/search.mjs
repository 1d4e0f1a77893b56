// @ts-check
// bench:search — quickstart wall time, search-loop throughput (predictor scoring + SQLite commits, against
// simulator scoring in the same run), and the paper experiment: hypervolume ratio (found / true front) and target
// measurements for the few-shot predictor vs true latencies vs FLOPs on HELP NB201 devices. Writes
// results/bench/search.json. Also the quickstart's accuracy proxy: Spearman ρ of TF.js proxies with CIFAR-100 accuracy
// and their time per arch. And adaptive measurements on the paper experiment: 10 target measurements up front vs 5 up
// front + 5 chosen adaptively (one round of 5, or five rounds of 1), seeds 0–2. BENCH_PARTS=quickstart,throughput,
// proxy,paper,adaptive (default all) runs a subset and keeps the other parts of an existing search.json.
// The paper experiment's NASFLAT predictor is cached in results/cache/search/, keyed by a fingerprint of its settings,
// data and code. BENCH_SMOKE=1: 20 quickstart evaluations, 100 loop evaluations, 4 proxy archs, one device, 60
// evaluations per search, one seed, a one-epoch predictor on three sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { createLogger } from '../dist/core/log.js';
import { loadAccuracyTable } from '../dist/data/accuracy.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { loadDeviceTaskSplits } from '../dist/data/splits.js';
import { getPredictorMethod, loadPredictor } from '../dist/predictors/registry.js';
import { ArchFeatures } from '../dist/predictors/baselines/features.js';
import { hypervolume, paretoFront } from '../dist/search/pareto.js';
import { hypervolumeTrace, resolveObjectives } from '../dist/search/objectives.js';
import { startSearch } from '../dist/search/run.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { computeZcp } from '../dist/encodings/zcp.js';
import { getSpace } from '../dist/spaces/registry.js';
import { cached } from './cache.mjs';
import { envList, SMOKE, startBench } from './stamp.mjs';

/** @typedef {import('../dist/data/latency.js').LatencyTable} LatencyTable */
/** @typedef {import('../dist/data/accuracy.js').AccuracyTable} AccuracyTable */

const DATA = process.env.HWNAS_DATA_DIR ?? path.resolve('../shared/data');
const LATENCY = path.join(DATA, 'help/nb201_latency.csv');
const ACCURACY = path.join(DATA, 'hw-nas-bench-360/nb201_task_accuracy.csv');
const SPLITS = path.join(DATA, 'nasflat/device_task_splits.json');
const DEVICES = SMOKE ? ['pixel2'] : ['pixel2', 'raspi4', 'eyeriss'];
const SAMPLES = SMOKE ? [10] : [5, 10, 20];
const SEEDS = SMOKE ? [0] : [0, 1, 2];
// Smoke runs: a few evaluations of each search and archs of each proxy, a one-epoch predictor.
const QUICKSTART_EVALUATIONS = SMOKE ? 20 : undefined;
const THROUGHPUT_EVALUATIONS = SMOKE ? 100 : 2000;
const PROXY_ARCHS = SMOKE ? 4 : 150;
const PAPER_EVALUATIONS = SMOKE ? 60 : undefined;
const PRETRAIN_OPTIONS = SMOKE ? { epochs: 1, archsPerDevice: 64, transferEpochs: 4 } : {};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-bench-search-'));
const backend = await initBackend();
const logger = createLogger('quiet');
const ALL_PARTS = ['quickstart', 'throughput', 'proxy', 'paper', 'adaptive'];
const PARTS = envList('BENCH_PARTS', ALL_PARTS);
const bench = startBench(
  'search',
  {
    devices: DEVICES,
    samples: SAMPLES,
    seeds: SEEDS,
    throughputEvaluations: THROUGHPUT_EVALUATIONS,
    proxyArchs: PROXY_ARCHS,
    ...(SMOKE ? { quickstartEvaluations: QUICKSTART_EVALUATIONS, paperEvaluations: PAPER_EVALUATIONS, pretrain: PRETRAIN_OPTIONS } : {}),
  },
  { parts: { all: ALL_PARTS, run: PARTS } },
);
/** @type {Record<string, unknown>} */
const result = { machine: 'shared 2-core machine (other jobs running); wall times are indicative' };

/** @param {string} name @param {unknown} value */
function writeJson(name, value) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}
let runs = 0;
/** @param {Record<string, any>} config */
const search = (config) =>
  startSearch(writeJson(`c${runs}.json`, config), { logger, backend, progress: false, outputDir: tmp, runName: `r${runs++}` });

// 1. Quickstart as a user runs it: the CLI, start-up included.
if (PARTS.includes('quickstart')) {
  const t0 = performance.now();
  const args = ['search', '--config', 'experiments/quickstart.json', '--results', tmp, '--run-name', 'quickstart', '--no-progress'];
  if (QUICKSTART_EVALUATIONS !== undefined) args.push('--evaluations', String(QUICKSTART_EVALUATIONS));
  const r = spawnSync(process.execPath, ['bin/hwnas.js', ...args], { encoding: 'utf8' });
  const wallSeconds = (performance.now() - t0) / 1000;
  result.quickstart = { wallSeconds, exitCode: r.status, output: r.stdout.trim().split('\n') };
  console.log(r.stdout);
  if (r.status !== 0) throw new Error(`quickstart failed (exit ${r.status}): ${r.stderr}`);
  bench.note(
    `quickstart wall time ${wallSeconds.toFixed(1)} s (exit ${r.status}; \`hwnas search --config experiments/quickstart.json\`)`,
    'quickstart',
  );
}

// 2. Loop throughput: the same search scored by the adapted predictor and by the simulator. Accuracy is the analytic
// `params` proxy here, so the figures measure the loop, latency scoring and SQLite rather than the TF.js proxy.
if (PARTS.includes('throughput')) {
  const base = { ...JSON.parse(fs.readFileSync('experiments/quickstart.json', 'utf8')), accuracy: { source: 'zcp', proxy: 'params' } };
  const rows = [];
  for (const [label, latency] of [
    ['predictor (nasflat, adapted)', base.latency],
    ['simulator (reference)', { source: 'device' }],
  ]) {
    const outcome = await search({ ...base, latency, budget: { evaluations: THROUGHPUT_EVALUATIONS, batchSize: 50 } });
    rows.push({
      scoring: label,
      accuracy: 'zcp:params (analytic)',
      evaluations: outcome.trials.length,
      seconds: outcome.seconds,
      evaluationsPerSecond: outcome.trials.length / outcome.seconds,
    });
  }
  result.throughput = rows;
  bench.table(
    'Search-loop throughput (accuracy: the analytic params proxy)',
    ['scoring', 'evaluations', 'seconds', 'evals/s'],
    rows.map((r) => [r.scoring, r.evaluations, r.seconds, r.evaluationsPerSecond]),
    'throughput',
  );
}

// 3. The quickstart's accuracy proxy against CIFAR-100 accuracy (needs ../shared/data): ρ and time per arch of
// synflow at the quickstart's 8×8 and at the dataset's 32×32, and of two alternatives, on 150 random NB201 archs
// (the quickstart's seed 1 and batch 16).
if (PARTS.includes('proxy') && fs.existsSync(ACCURACY)) {
  const space = getSpace('nb201');
  const accuracy = loadAccuracyTable(ACCURACY, 'cifar100_test_acc_nb201', { canonical: (a) => space.canonical(a) });
  const archs = Rng.derive(0, 'bench-search-proxy').sample([...accuracy.archs], PROXY_ARCHS);
  const rows = [];
  /** @type {[string, number][]} */
  const proxies = [
    ['synflow', 8],
    ['synflow', 32],
    ['nwot', 8],
    ['params', 32],
  ];
  for (const [proxy, resolution] of proxies) {
    const t0 = performance.now();
    const values = (
      await computeZcp(space, archs, { ...space.defaultInput('cifar10'), resolution }, { proxies: [proxy], seed: 1, batchSize: 16 })
    )[proxy];
    const msPerArch = (performance.now() - t0) / archs.length;
    const finite = archs.map((a, i) => [values[i], /** @type {number} */ (accuracy.get(a))]).filter(([v]) => Number.isFinite(v));
    rows.push({
      proxy,
      resolution,
      archs: archs.length,
      finite: finite.length,
      spearman: spearman(
        finite.map((r) => r[0]),
        finite.map((r) => r[1]),
      ),
      msPerArch,
    });
  }
  result.proxy = { accuracy: 'cifar100_test_acc_nb201', seed: 1, batchSize: 16, rows };
  bench.table(
    `Accuracy proxies vs CIFAR-100 accuracy (${archs.length} NB201 archs; ρ over the archs with a finite proxy)`,
    ['proxy', 'input', 'finite', 'ρ', 'ms/arch'],
    rows.map((r) => [r.proxy, `${r.resolution}×${r.resolution}`, r.finite, r.spearman.toFixed(3), r.msPerArch.toFixed(0)]),
    'proxy',
  );
}

/** The paper experiment's tables, with its NB201 task-0 predictor (from its cache, or pretrained into it). */
async function paperData() {
  const space = getSpace('nb201');
  const table = loadLatencyTable(LATENCY);
  const accuracy = loadAccuracyTable(ACCURACY, 'cifar100_test_acc_nb201', { canonical: (a) => space.canonical(a) });
  return { table, accuracy, predictorDir: await paperPredictor(space, table) };
}

/** @type {string | undefined} */
let predictorDir;
/**
 * The folder of the NB201 task-0 NASFLAT predictor of the paper experiment, cached under a fingerprint of its
 * settings, the latency table and splits it was pretrained on, and the predictor code.
 * @param {import('../dist/spaces/types.js').SearchSpace} space
 * @param {LatencyTable} table
 */
async function paperPredictor(space, table) {
  if (predictorDir !== undefined) return predictorDir;
  const train = loadDeviceTaskSplits(SPLITS).nb201?.get('0')?.train;
  if (train === undefined) throw new Error(`no NB201 task 0 in ${SPLITS}`);
  const sources = SMOKE ? train.slice(0, 3) : train;
  const { info } = await cached(
    'search',
    {
      name: 'nb201-task0',
      settings: { method: 'nasflat', task: 'nb201-0', sources, seed: 0, options: PRETRAIN_OPTIONS },
      files: [LATENCY, SPLITS],
      code: ['predictors/registry.js'],
    },
    async (dir) => {
      const t0 = performance.now();
      const predictor = await getPredictorMethod('nasflat').create({
        space,
        features: new ArchFeatures(space),
        sources: { devices: sources, archs: table.archs, latencyMs: sources.map((d) => table.column(d)) },
        seed: 0,
        options: PRETRAIN_OPTIONS,
      });
      await predictor.save(dir);
      result.pretrainSeconds = (performance.now() - t0) / 1000;
    },
    async (dir) => {
      await loadPredictor(dir);
    },
  );
  bench.cache(info);
  predictorDir = path.resolve(info.dir);
  return predictorDir;
}

/**
 * HV ratio of a set of archs re-scored with true latencies, against the true front of the whole space.
 * @param {LatencyTable} table
 * @param {AccuracyTable} accuracy
 * @param {string} device
 */
function hvRatio(table, accuracy, device) {
  const lat = table.column(device);
  const truth = new Map(table.archs.map((a, i) => [a, { accuracy: accuracy.get(a), latencyMs: lat[i] }]));
  const all = /** @type {{ accuracy: number, latencyMs: number }[]} */ ([...truth.values()].filter((m) => m.accuracy !== undefined));
  // Reference point: the worst accuracy and the worst latency of the whole space.
  const reference = [Math.min(...all.map((m) => m.accuracy)), Math.max(...all.map((m) => m.latencyMs))];
  const toPoint = (/** @type {{ accuracy: number, latencyMs: number }} */ m) => [-m.accuracy, m.latencyMs];
  const refPoint = [-reference[0], reference[1]];
  const trueHv = hypervolume(
    paretoFront(all.map(toPoint)).map((i) => toPoint(all[i])),
    refPoint,
  );
  const ratioOf = (/** @type {string[]} */ archs) => {
    const pts = archs.map((a) => toPoint(/** @type {{ accuracy: number, latencyMs: number }} */ (truth.get(a))));
    return (
      hypervolume(
        paretoFront(pts).map((i) => pts[i]),
        refPoint,
      ) / trueHv
    );
  };
  return { ratioOf, reference, trueHv };
}

/**
 * A paper-experiment config for `device` with this machine's data paths and the pretrained predictor.
 * @param {string} device
 * @param {string} predictor
 */
function paperConfig(device, predictor) {
  const config = JSON.parse(fs.readFileSync(`experiments/nas-nb201-${device}.json`, 'utf8'));
  config.device = { ...config.device, table: LATENCY };
  config.accuracy = { ...config.accuracy, file: ACCURACY };
  config.latency = { ...config.latency, predictor };
  if (PAPER_EVALUATIONS !== undefined) config.budget = { ...config.budget, evaluations: PAPER_EVALUATIONS };
  return config;
}

/**
 * The front's MAPE of predicted against true latency, whole and without the archs whose output no input reaches (the
 * same as the whole when the front holds none), as the search's re-check line prints them.
 * @param {{ mape: number, mapeOthers?: number } | undefined} verification
 */
function frontMapes(verification) {
  return verification === undefined ? {} : { frontMape: verification.mape, frontMapeOthers: verification.mapeOthers ?? verification.mape };
}

// 4. Paper experiment (needs ../shared/data).
if (!PARTS.includes('paper')) {
  // kept from the previous run
} else if (fs.existsSync(LATENCY) && fs.existsSync(ACCURACY)) {
  const { table, accuracy, predictorDir } = await paperData();
  const objectives = resolveObjectives([{ metric: 'accuracy' }, { metric: 'latencyMs' }]);
  /**
   * @type {{ device: string, method: string, measurements: number, ratio: number, frontRho?: number,
   *   frontMape?: number, frontMapeOthers?: number, reached098At?: number }[]}
   */
  const rows = [];
  const strategyRows = [];
  const STRATEGIES = [
    { name: 'random', params: {} },
    { name: 'regularized-evolution', params: { population: 50, sampleSize: 10 } },
    { name: 'nsga2', params: { population: 50 } },
    { name: 'local-search', params: { initial: 20 } },
  ];
  for (const device of DEVICES) {
    const { ratioOf, reference, trueHv } = hvRatio(table, accuracy, device);
    const config = paperConfig(device, predictorDir);
    for (const samples of SAMPLES) {
      const o = await search({ ...config, latency: { ...config.latency, samples } });
      rows.push({
        device,
        method: `few-shot nasflat`,
        measurements: samples,
        ratio: ratioOf(o.front.map((t) => t.arch)),
        frontRho: o.verification?.spearman,
        ...frontMapes(o.verification),
      });
    }
    const trueRun = await search({ ...config, latency: { source: 'table', file: LATENCY, column: device } });
    const trace = hypervolumeTrace(trueRun.trials, objectives, [], reference);
    const hit = trace.find((t) => t.hypervolume / trueHv >= 0.98);
    rows.push({
      device,
      method: 'true latency',
      measurements: trueRun.trials.length,
      ratio: ratioOf(trueRun.front.map((t) => t.arch)),
      reached098At: hit?.evaluations,
    });
    const flopsRun = await search({
      ...config,
      objectives: [{ metric: 'accuracy' }, { metric: 'flopsM' }],
      latency: { source: 'table', file: LATENCY, column: device },
    });
    rows.push({ device, method: 'FLOPs objective', measurements: 0, ratio: ratioOf(flopsRun.front.map((t) => t.arch)) });
    if (device === DEVICES[0]) {
      // Strategy comparison on true latencies: HV ratio after 200 and 1000 evaluations, mean of 3 seeds.
      for (const strategy of STRATEGIES) {
        /** @type {Record<number, number[]>} */
        const at = { 200: [], 1000: [] };
        for (const seed of SEEDS) {
          const run = await search({ ...config, seed, strategy, latency: { source: 'table', file: LATENCY, column: device } });
          for (const n of [200, 1000])
            at[n].push(
              ratioOf(
                run.trials
                  .slice(0, n)
                  .filter((t) => t.metrics !== undefined)
                  .map((t) => t.arch),
              ),
            );
        }
        const mean = (/** @type {number[]} */ v) => v.reduce((a, b) => a + b, 0) / v.length;
        strategyRows.push({
          device,
          strategy: strategy.name,
          params: strategy.params,
          ratioAt200: mean(at[200]),
          ratioAt1000: mean(at[1000]),
        });
      }
    }
  }
  result.strategies = { device: DEVICES[0], latency: 'true (table)', seeds: SEEDS, rows: strategyRows };
  bench.table(
    `Strategies on ${DEVICES[0]} (true latencies; HV ratio, mean of ${SEEDS.length} seeds)`,
    ['strategy', 'HV ratio @200', 'HV ratio @1000'],
    strategyRows.map((r) => [r.strategy, r.ratioAt200.toFixed(4), r.ratioAt1000.toFixed(4)]),
    'paper',
  );
  result.paper = {
    budget: PAPER_EVALUATIONS ?? 1000,
    strategy: 'regularized-evolution (population 50, sample 10)',
    seeds: [0],
    sampler: 'random',
    reference: 'worst accuracy and worst latency of the whole space',
    rows,
  };
  bench.table(
    'Paper experiment: HV ratio of the found front (true latencies) against the true front of the whole space',
    ['device', 'method', 'target measurements', 'HV ratio', 'reached 0.98 at', 'front MAPE % (without constant-output archs)'],
    rows.map((r) => [
      r.device,
      r.method,
      r.measurements,
      r.ratio,
      r.method === 'true latency' ? (r.reached098At ?? 'not reached') : r.ratio >= 0.98 ? r.measurements : 'not reached',
      r.frontMape === undefined ? '-' : `${(100 * r.frontMape).toFixed(1)} (${(100 * (r.frontMapeOthers ?? r.frontMape)).toFixed(1)})`,
    ]),
    'paper',
  );
} else {
  result.paper = { skipped: `no data at ${DATA}` };
}

// 5. Adaptive measurements on the paper experiment (needs ../shared/data): the same 10 target measurements, all up
// front or 5 up front and 5 where the predictor is least sure among the predicted front.
if (!PARTS.includes('adaptive')) {
  // kept from the previous run
} else if (fs.existsSync(LATENCY) && fs.existsSync(ACCURACY)) {
  const { table, accuracy, predictorDir } = await paperData();
  const MODES = [
    { name: '10 up front', latency: { samples: 10 } },
    { name: '5 up front + 5 adaptive (1 round)', latency: { samples: 5, adaptive: { rounds: 1, perRound: 5 } } },
    { name: '5 up front + 5 adaptive (5 rounds of 1)', latency: { samples: 5, adaptive: { rounds: 5, perRound: 1 } } },
  ];
  /**
   * @type {{ device: string, mode: string, seed: number, ratio: number, frontRho: number | null, frontMape?: number,
   *   frontMapeOthers?: number }[]}
   */
  const rows = [];
  for (const device of DEVICES) {
    const { ratioOf } = hvRatio(table, accuracy, device);
    const config = paperConfig(device, predictorDir);
    for (const mode of MODES) {
      for (const seed of SEEDS) {
        const o = await search({ ...config, seed, latency: { ...config.latency, ...mode.latency } });
        rows.push({
          device,
          mode: mode.name,
          seed,
          ratio: ratioOf(o.front.map((t) => t.arch)),
          frontRho: o.verification?.spearman ?? null,
          ...frontMapes(o.verification),
        });
      }
    }
  }
  const mean = (/** @type {number[]} */ v) => v.reduce((a, b) => a + b, 0) / v.length;
  const summary = DEVICES.flatMap((device) =>
    MODES.map((mode) => {
      const rs = rows.filter((r) => r.device === device && r.mode === mode.name);
      return {
        device,
        mode: mode.name,
        ratio: mean(rs.map((r) => r.ratio)),
        frontRho: mean(rs.map((r) => r.frontRho ?? NaN)),
        frontMape: mean(rs.map((r) => r.frontMape ?? NaN)),
        frontMapeOthers: mean(rs.map((r) => r.frontMapeOthers ?? NaN)),
      };
    }),
  );
  result.adaptive = { budget: PAPER_EVALUATIONS ?? 1000, seeds: SEEDS, sampler: 'random', summary, rows };
  bench.table(
    `Adaptive measurements (10 target measurements in all; HV ratio of the found front with true latencies; ρ/MAPE of predicted vs true latency on the front; mean of ${SEEDS.length} seeds)`,
    ['device', 'measurements', 'HV ratio', 'front ρ', 'front MAPE %', 'without constant-output archs'],
    summary.map((r) => [
      r.device,
      r.mode,
      r.ratio.toFixed(4),
      r.frontRho.toFixed(3),
      (100 * r.frontMape).toFixed(1),
      (100 * r.frontMapeOthers).toFixed(1),
    ]),
    'adaptive',
  );
} else {
  result.adaptive = { skipped: `no data at ${DATA}` };
}

fs.rmSync(tmp, { recursive: true, force: true });
bench.write(result, { backend });
