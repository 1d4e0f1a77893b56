// NASFLAT speed at default settings on NB201 task 0: pretraining on the nine source devices, few-shot fit on 20
// samples of each target, predicting all 15,625 archs, and save + load; beside the FLOPs baseline's fit + predict
// of the same archs as an in-run reference. Predicting after the first target reuses the network's source-device
// scores the readout reads (memoised per arch); the first prediction of a freshly loaded predictor computes them
// too and is reported on its own. Writes results/bench/predictor-speed.json.
// Environment: BENCH_EPOCHS=n overrides the pretraining epochs (quick checks only; the JSON records it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { formatTable } from '../dist/core/table.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { dataPath } from '../dist/data/paths.js';
import { loadDeviceTaskSplits } from '../dist/data/splits.js';
import { resolveNasflatConfig } from '../dist/predictors/nasflat/config.js';
import { NasflatPredictor } from '../dist/predictors/nasflat/predictor.js';
import { getPredictorMethod } from '../dist/predictors/registry.js';
import { ArchFeatures } from '../dist/predictors/baselines/features.js';
import { getSpace } from '../dist/spaces/registry.js';

const TARGETS_MAX_SECONDS = { pretrain: 300, fit: 20, predictAll: 1 };
const backend = await initBackend();
const space = getSpace('nb201');
const task = loadDeviceTaskSplits(dataPath('deviceTaskSplits')).nb201.get('0');
const table = loadLatencyTable(dataPath('nb201Latency'));
const loadBefore = os.loadavg()[0];
const seconds = (t0) => (performance.now() - t0) / 1000;

const options = process.env.BENCH_EPOCHS ? { epochs: Number(process.env.BENCH_EPOCHS) } : {};
const config = resolveNasflatConfig(options);
const predictor = new NasflatPredictor(space, config, { seed: 0 });
let t0 = performance.now();
await predictor.pretrain(task.train.map((device) => ({ device, archs: table.archs, latencyMs: table.column(device) })));
const pretrainSeconds = seconds(t0);

const perTarget = [];
const flops = await getPredictorMethod('flops').create({ space, features: new ArchFeatures(space), seed: 0, options: {} });
for (const target of task.test) {
  const few = Rng.derive(0, 'predictor-speed', target).sample(table.archs, 20);
  const measured = { archs: few, latencyMs: few.map((a) => table.latency(target, a)) };
  t0 = performance.now();
  const report = await predictor.adapt(target, measured);
  const fitSeconds = seconds(t0);
  t0 = performance.now();
  const predicted = await predictor.predict(target, table.archs);
  const predictAllSeconds = seconds(t0);
  t0 = performance.now();
  await flops.fit(target, measured);
  await flops.predict(target, table.archs);
  const flopsFitPredictSeconds = seconds(t0);
  perTarget.push({
    target,
    fitSeconds,
    predictAllSeconds,
    flopsFitPredictSeconds,
    spearman: spearman(predicted, table.column(target)),
    initialisedFrom: report.initialisedFrom,
    readout: report.readout,
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-bench-nasflat-'));
t0 = performance.now();
await predictor.save(dir);
const loaded = await NasflatPredictor.load(dir);
await loaded.predict(task.test[0], table.archs.slice(0, 1));
const saveLoadSeconds = seconds(t0);
t0 = performance.now();
await loaded.predict(task.test[0], table.archs);
const coldPredictAllSeconds = seconds(t0);
fs.rmSync(dir, { recursive: true, force: true });

const mean = (key) => perTarget.reduce((a, r) => a + r[key], 0) / perTarget.length;
const max = (key) => Math.max(...perTarget.map((r) => r[key]));
const rows = [
  ['pretrain (9 sources)', pretrainSeconds, TARGETS_MAX_SECONDS.pretrain],
  ['fit, 20 samples (max over targets)', max('fitSeconds'), TARGETS_MAX_SECONDS.fit],
  [`predict all ${table.archs.length} archs (max)`, max('predictAllSeconds'), TARGETS_MAX_SECONDS.predictAll],
  [`predict all, first call after load (source scores too)`, coldPredictAllSeconds, null],
  ['FLOPs fit + predict all (reference, max)', max('flopsFitPredictSeconds'), null],
  ['save + load', saveLoadSeconds, null],
];
console.log(
  `backend ${backend.name} (threads ${backend.threads}), load average ${loadBefore.toFixed(2)} on ${os.cpus().length} cores; epochs ${config.epochs}, width ${config.width}`,
);
console.log(
  formatTable(
    ['step', 'seconds', 'target ≤ s', 'met'],
    rows.map(([step, s, target]) => [step, s.toFixed(2), target ?? '', target === null ? '' : s <= target ? 'yes' : 'NO']),
  ),
);
console.log(
  formatTable(
    ['target', 'fit s', 'predict-all s', 'ρ @20 (one seed)', 'initialised from'],
    perTarget.map((r) => [r.target, r.fitSeconds.toFixed(2), r.predictAllSeconds.toFixed(2), r.spearman.toFixed(4), r.initialisedFrom]),
  ),
);

const out = path.join('results', 'bench', 'predictor-speed.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      backend,
      machine: { cores: os.cpus().length, loadAverageAtStart: loadBefore, shared: true },
      config,
      pretrainSeconds,
      meanFitSeconds: mean('fitSeconds'),
      maxFitSeconds: max('fitSeconds'),
      meanPredictAllSeconds: mean('predictAllSeconds'),
      maxPredictAllSeconds: max('predictAllSeconds'),
      coldPredictAllSeconds,
      saveLoadSeconds,
      targetsMaxSeconds: TARGETS_MAX_SECONDS,
      perTarget,
    },
    null,
    1,
  ) + '\n',
);
console.log(`wrote ${out}`);
