// @ts-check
// NASFLAT speed at default settings on NB201 task 0: pretraining on the nine source devices, few-shot fit on 20
// samples of each target, predicting all 15,625 archs, and save + load; beside the FLOPs baseline's fit + predict
// of the same archs as an in-run reference. Predicting after the first target reuses the network's source-device
// scores the readout reads (memoised per arch); the first prediction of a freshly loaded predictor computes them
// too and is reported on its own. Writes results/bench/predictor-speed.json.
// Environment: BENCH_EPOCHS=n overrides the pretraining epochs (quick checks only; the JSON records it).
// BENCH_SMOKE=1: three sources, one epoch over 64 archs per source, 4 fine-tuning epochs, one target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { dataPath } from '../dist/data/paths.js';
import { loadDeviceTaskSplits } from '../dist/data/splits.js';
import { resolveNasflatConfig } from '../dist/predictors/nasflat/config.js';
import { NasflatPredictor } from '../dist/predictors/nasflat/predictor.js';
import { getPredictorMethod } from '../dist/predictors/registry.js';
import { ArchFeatures } from '../dist/predictors/baselines/features.js';
import { getSpace } from '../dist/spaces/registry.js';
import { SMOKE, startBench } from './stamp.mjs';

const TARGETS_MAX_SECONDS = { pretrain: 300, fit: 20, predictAll: 1 };
const backend = await initBackend();
const space = getSpace('nb201');
const task = loadDeviceTaskSplits(dataPath('deviceTaskSplits')).nb201?.get('0');
if (task === undefined) throw new Error('no NB201 task 0 in the device task splits');
const sources = SMOKE ? task.train.slice(0, 3) : task.train;
const targets = SMOKE ? task.test.slice(0, 1) : task.test;
const table = loadLatencyTable(dataPath('nb201Latency'));
const loadBefore = os.loadavg()[0];
const seconds = (/** @type {number} */ t0) => (performance.now() - t0) / 1000;

const options = {
  ...(SMOKE ? { epochs: 1, archsPerDevice: 64, transferEpochs: 4 } : {}),
  ...(process.env.BENCH_EPOCHS ? { epochs: Number(process.env.BENCH_EPOCHS) } : {}),
};
const config = resolveNasflatConfig(options);
const bench = startBench('predictor-speed', { task: 'nb201-0', sources, targets, nasflat: config });
const predictor = new NasflatPredictor(space, config, { seed: 0 });
let t0 = performance.now();
await predictor.pretrain(sources.map((device) => ({ device, archs: table.archs, latencyMs: table.column(device) })));
const pretrainSeconds = seconds(t0);

/**
 * @type {{ target: string, fitSeconds: number, predictAllSeconds: number, flopsFitPredictSeconds: number, spearman: number,
 *   initialisedFrom?: string, readout: unknown }[]}
 */
const perTarget = [];
const flops = await getPredictorMethod('flops').create({ space, features: new ArchFeatures(space), seed: 0, options: {} });
for (const target of targets) {
  const few = Rng.derive(0, 'predictor-speed', target).sample(table.archs, 20);
  const measured = { archs: few, latencyMs: few.map((a) => /** @type {number} */ (table.latency(target, a))) };
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
await loaded.predict(targets[0], table.archs.slice(0, 1));
const saveLoadSeconds = seconds(t0);
t0 = performance.now();
await loaded.predict(targets[0], table.archs);
const coldPredictAllSeconds = seconds(t0);
fs.rmSync(dir, { recursive: true, force: true });

/** @typedef {'fitSeconds' | 'predictAllSeconds' | 'flopsFitPredictSeconds'} TimeKey */
const mean = (/** @type {TimeKey} */ key) => perTarget.reduce((a, r) => a + r[key], 0) / perTarget.length;
const max = (/** @type {TimeKey} */ key) => Math.max(...perTarget.map((r) => r[key]));
/** @type {[string, number, number | null][]} */
const rows = [
  [`pretrain (${sources.length} sources)`, pretrainSeconds, TARGETS_MAX_SECONDS.pretrain],
  ['fit, 20 samples (max over targets)', max('fitSeconds'), TARGETS_MAX_SECONDS.fit],
  [`predict all ${table.archs.length} archs (max)`, max('predictAllSeconds'), TARGETS_MAX_SECONDS.predictAll],
  [`predict all, first call after load (source scores too)`, coldPredictAllSeconds, null],
  ['FLOPs fit + predict all (reference, max)', max('flopsFitPredictSeconds'), null],
  ['save + load', saveLoadSeconds, null],
];
bench.note(
  `backend ${backend.name} (threads ${backend.threads}), load average ${loadBefore.toFixed(2)} on ${os.cpus().length} cores; epochs ${config.epochs}, width ${config.width}`,
);
bench.table(
  'NASFLAT speed, NB201 task 0',
  ['step', 'seconds', 'target ≤ s', 'met'],
  rows.map(([step, s, target]) => [step, s.toFixed(2), target ?? '', target === null ? '' : s <= target ? 'yes' : 'NO']),
);
bench.table(
  'Per target',
  ['target', 'fit s', 'predict-all s', 'ρ @20 (one seed)', 'initialised from'],
  perTarget.map((r) => [r.target, r.fitSeconds.toFixed(2), r.predictAllSeconds.toFixed(2), r.spearman.toFixed(4), r.initialisedFrom ?? '']),
);
bench.write(
  {
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
  { backend },
);
