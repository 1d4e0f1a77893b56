// bench:search — quickstart wall time, search-loop throughput (predictor scoring + SQLite commits, against
// simulator scoring in the same run), and the paper experiment: hypervolume ratio (found / true front) and target
// measurements for the few-shot predictor vs true latencies vs FLOPs on HELP NB201 devices. Writes
// results/bench/search.json. Also the quickstart's accuracy proxy: Spearman ρ of TF.js proxies with CIFAR-100 accuracy
// and their time per arch. And adaptive measurements on the paper experiment: 10 target measurements up front vs 5 up
// front + 5 chosen adaptively (one round of 5, or five rounds of 1), seeds 0–2. BENCH_PARTS=quickstart,throughput,
// proxy,paper,adaptive (default all) runs a subset and keeps the other parts of an existing search.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { createLogger } from '../dist/core/log.js';
import { formatTable } from '../dist/core/table.js';
import { loadAccuracyTable } from '../dist/data/accuracy.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { loadDeviceTaskSplits } from '../dist/data/splits.js';
import { NASFLAT_FORMAT_VERSION } from '../dist/predictors/nasflat/predictor.js';
import { getPredictorMethod } from '../dist/predictors/registry.js';
import { ArchFeatures } from '../dist/predictors/baselines/features.js';
import { hypervolume, paretoFront } from '../dist/search/pareto.js';
import { hypervolumeTrace, resolveObjectives } from '../dist/search/objectives.js';
import { startSearch } from '../dist/search/run.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { computeZcp } from '../dist/encodings/zcp.js';
import { getSpace } from '../dist/spaces/registry.js';

const DATA = process.env.HWNAS_DATA_DIR ?? path.resolve('../shared/data');
const LATENCY = path.join(DATA, 'help/nb201_latency.csv');
const ACCURACY = path.join(DATA, 'hw-nas-bench-360/nb201_task_accuracy.csv');
const DEVICES = ['pixel2', 'raspi4', 'eyeriss'];
const SAMPLES = [5, 10, 20];
const PREDICTOR_DIR = 'results/predictors/nb201-task0';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-bench-search-'));
const backend = await initBackend();
const logger = createLogger('quiet');
const PARTS = (process.env.BENCH_PARTS ?? 'quickstart,throughput,proxy,paper,adaptive').split(',');
const OUT = 'results/bench/search.json';
const previous = fs.existsSync(OUT) ? JSON.parse(fs.readFileSync(OUT, 'utf8')) : {};
const result = { ...previous, machine: 'shared 2-core machine (other jobs running); wall times are indicative', backend: backend.name };

function writeJson(name, value) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}
let runs = 0;
const search = (config) =>
  startSearch(writeJson(`c${runs}.json`, config), { logger, backend, progress: false, outputDir: tmp, runName: `r${runs++}` });

// 1. Quickstart as a user runs it: the CLI, start-up included.
if (PARTS.includes('quickstart')) {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['bin/hwnas.js', 'search', '--config', 'experiments/quickstart.json', '--results', tmp, '--run-name', 'quickstart', '--no-progress'],
    { encoding: 'utf8' },
  );
  result.quickstart = { wallSeconds: (performance.now() - t0) / 1000, exitCode: r.status, output: r.stdout.trim().split('\n') };
  console.log(r.stdout);
  console.log(`quickstart wall time ${result.quickstart.wallSeconds.toFixed(1)} s (exit ${r.status})\n`);
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
    const outcome = await search({ ...base, latency, budget: { evaluations: 2000, batchSize: 50 } });
    rows.push({
      scoring: label,
      accuracy: 'zcp:params (analytic)',
      evaluations: outcome.trials.length,
      seconds: outcome.seconds,
      evaluationsPerSecond: outcome.trials.length / outcome.seconds,
    });
  }
  result.throughput = rows;
  console.log(
    formatTable(
      ['scoring', 'evaluations', 'seconds', 'evals/s'],
      rows.map((r) => [r.scoring, r.evaluations, r.seconds, r.evaluationsPerSecond]),
    ),
  );
}

// 3. The quickstart's accuracy proxy against CIFAR-100 accuracy (needs ../shared/data): ρ and time per arch of
// synflow at the quickstart's 8×8 and at the dataset's 32×32, and of two alternatives, on 150 random NB201 archs
// (the quickstart's seed 1 and batch 16).
if (PARTS.includes('proxy') && fs.existsSync(ACCURACY)) {
  const space = getSpace('nb201');
  const accuracy = loadAccuracyTable(ACCURACY, 'cifar100_test_acc_nb201', { canonical: (a) => space.canonical(a) });
  const archs = Rng.derive(0, 'bench-search-proxy').sample([...accuracy.archs], 150);
  const rows = [];
  for (const [proxy, resolution] of [
    ['synflow', 8],
    ['synflow', 32],
    ['nwot', 8],
    ['params', 32],
  ]) {
    const t0 = performance.now();
    const values = (
      await computeZcp(space, archs, { ...space.defaultInput('cifar10'), resolution }, { proxies: [proxy], seed: 1, batchSize: 16 })
    )[proxy];
    const msPerArch = (performance.now() - t0) / archs.length;
    const finite = archs.map((a, i) => [values[i], accuracy.get(a)]).filter(([v]) => Number.isFinite(v));
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
  console.log('\nAccuracy proxies vs CIFAR-100 accuracy (150 NB201 archs; ρ over the archs with a finite proxy)');
  console.log(
    formatTable(
      ['proxy', 'input', 'finite', 'ρ', 'ms/arch'],
      rows.map((r) => [r.proxy, `${r.resolution}×${r.resolution}`, r.finite, r.spearman.toFixed(3), r.msPerArch.toFixed(0)]),
    ),
  );
}

/** The paper experiment's tables, with its NB201 task-0 predictor pretrained (and saved) when missing or outdated. */
async function paperData() {
  const space = getSpace('nb201');
  const table = loadLatencyTable(LATENCY);
  const accuracy = loadAccuracyTable(ACCURACY, 'cifar100_test_acc_nb201', { canonical: (a) => space.canonical(a) });
  await paperPredictor(space, table);
  return { table, accuracy };
}

/** The NB201 task-0 predictor of the paper experiment, pretrained (and saved) when missing or saved by an older hwnas. */
async function paperPredictor(space, table) {
  if (fs.existsSync(path.join(PREDICTOR_DIR, 'predictor.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(PREDICTOR_DIR, 'predictor.json'), 'utf8'));
    if (manifest.version === NASFLAT_FORMAT_VERSION) return;
  }
  const sources = loadDeviceTaskSplits(path.join(DATA, 'nasflat/device_task_splits.json')).nb201.get('0').train;
  const t0 = performance.now();
  const predictor = await getPredictorMethod('nasflat').create({
    space,
    features: new ArchFeatures(space),
    sources: { devices: sources, archs: table.archs, latencyMs: sources.map((d) => table.column(d)) },
    seed: 0,
    options: {},
  });
  await predictor.save(PREDICTOR_DIR);
  result.pretrainSeconds = (performance.now() - t0) / 1000;
}

/** HV ratio of a set of archs re-scored with true latencies, against the true front of the whole space. */
function hvRatio(table, accuracy, device) {
  const lat = table.column(device);
  const truth = new Map(table.archs.map((a, i) => [a, { accuracy: accuracy.get(a), latencyMs: lat[i] }]));
  const all = [...truth.values()].filter((m) => m.accuracy !== undefined);
  // Reference point: the worst accuracy and the worst latency of the whole space.
  const reference = [Math.min(...all.map((m) => m.accuracy)), Math.max(...all.map((m) => m.latencyMs))];
  const toPoint = (m) => [-m.accuracy, m.latencyMs];
  const refPoint = [-reference[0], reference[1]];
  const trueHv = hypervolume(
    paretoFront(all.map(toPoint)).map((i) => toPoint(all[i])),
    refPoint,
  );
  const ratioOf = (archs) => {
    const pts = archs.map((a) => toPoint(truth.get(a)));
    return (
      hypervolume(
        paretoFront(pts).map((i) => pts[i]),
        refPoint,
      ) / trueHv
    );
  };
  return { ratioOf, reference, trueHv };
}

/** A paper-experiment config for `device` with this machine's data paths and the pretrained predictor. */
function paperConfig(device) {
  const config = JSON.parse(fs.readFileSync(`experiments/nas-nb201-${device}.json`, 'utf8'));
  config.device = { ...config.device, table: LATENCY };
  config.accuracy = { ...config.accuracy, file: ACCURACY };
  config.latency = { ...config.latency, predictor: path.resolve(PREDICTOR_DIR) };
  return config;
}

// 4. Paper experiment (needs ../shared/data).
if (!PARTS.includes('paper')) {
  // kept from the previous run
} else if (fs.existsSync(LATENCY) && fs.existsSync(ACCURACY)) {
  const { table, accuracy } = await paperData();
  const objectives = resolveObjectives([{ metric: 'accuracy' }, { metric: 'latencyMs' }]);
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
    const config = paperConfig(device);
    for (const samples of SAMPLES) {
      const o = await search({ ...config, latency: { ...config.latency, samples } });
      rows.push({
        device,
        method: `few-shot nasflat`,
        measurements: samples,
        ratio: ratioOf(o.front.map((t) => t.arch)),
        frontRho: o.verification?.spearman,
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
        const at = { 200: [], 1000: [] };
        for (const seed of [0, 1, 2]) {
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
        const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
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
  result.strategies = { device: DEVICES[0], latency: 'true (table)', seeds: [0, 1, 2], rows: strategyRows };
  console.log(`\nStrategies on ${DEVICES[0]} (true latencies; HV ratio, mean of 3 seeds)`);
  console.log(
    formatTable(
      ['strategy', 'HV ratio @200', 'HV ratio @1000'],
      strategyRows.map((r) => [r.strategy, r.ratioAt200.toFixed(4), r.ratioAt1000.toFixed(4)]),
    ),
  );
  result.paper = {
    budget: 1000,
    strategy: 'regularized-evolution (population 50, sample 10)',
    seeds: [0],
    sampler: 'random',
    reference: 'worst accuracy and worst latency of the whole space',
    rows,
  };
  console.log(
    '\n' +
      formatTable(
        ['device', 'method', 'target measurements', 'HV ratio', 'reached 0.98 at'],
        rows.map((r) => [
          r.device,
          r.method,
          r.measurements,
          r.ratio,
          r.method === 'true latency' ? (r.reached098At ?? 'not reached') : r.ratio >= 0.98 ? r.measurements : 'not reached',
        ]),
      ),
  );
} else {
  result.paper = { skipped: `no data at ${DATA}` };
}

// 5. Adaptive measurements on the paper experiment (needs ../shared/data): the same 10 target measurements, all up
// front or 5 up front and 5 where the predictor is least sure among the predicted front.
if (!PARTS.includes('adaptive')) {
  // kept from the previous run
} else if (fs.existsSync(LATENCY) && fs.existsSync(ACCURACY)) {
  const { table, accuracy } = await paperData();
  const MODES = [
    { name: '10 up front', latency: { samples: 10 } },
    { name: '5 up front + 5 adaptive (1 round)', latency: { samples: 5, adaptive: { rounds: 1, perRound: 5 } } },
    { name: '5 up front + 5 adaptive (5 rounds of 1)', latency: { samples: 5, adaptive: { rounds: 5, perRound: 1 } } },
  ];
  const rows = [];
  for (const device of DEVICES) {
    const { ratioOf } = hvRatio(table, accuracy, device);
    const config = paperConfig(device);
    for (const mode of MODES) {
      for (const seed of [0, 1, 2]) {
        const o = await search({ ...config, seed, latency: { ...config.latency, ...mode.latency } });
        rows.push({
          device,
          mode: mode.name,
          seed,
          ratio: ratioOf(o.front.map((t) => t.arch)),
          frontRho: o.verification?.spearman ?? null,
          frontMape: o.verification?.mape ?? null,
        });
      }
    }
  }
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const summary = DEVICES.flatMap((device) =>
    MODES.map((mode) => {
      const rs = rows.filter((r) => r.device === device && r.mode === mode.name);
      return {
        device,
        mode: mode.name,
        ratio: mean(rs.map((r) => r.ratio)),
        frontRho: mean(rs.map((r) => r.frontRho ?? NaN)),
        frontMape: mean(rs.map((r) => r.frontMape ?? NaN)),
      };
    }),
  );
  result.adaptive = { budget: 1000, seeds: [0, 1, 2], sampler: 'random', summary, rows };
  console.log(
    '\nAdaptive measurements (10 target measurements in all; HV ratio of the found front with true latencies; ρ/MAPE of predicted vs true latency on the front; mean of 3 seeds)',
  );
  console.log(
    formatTable(
      ['device', 'measurements', 'HV ratio', 'front ρ', 'front MAPE %'],
      summary.map((r) => [r.device, r.mode, r.ratio.toFixed(4), r.frontRho.toFixed(3), (100 * r.frontMape).toFixed(1)]),
    ),
  );
} else {
  result.adaptive = { skipped: `no data at ${DATA}` };
}

fs.mkdirSync('results/bench', { recursive: true });
fs.writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`\nwrote ${OUT}`);
