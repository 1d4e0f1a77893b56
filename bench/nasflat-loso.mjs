// @ts-check
// NASFLAT's readout settings decided on SOURCE devices only: for a task, each source device in turn is held out, NASFLAT
// is pretrained on the task's other sources, adapted to the held-out one from 5/10/20 random samples, and every
// readout variant below is scored by Spearman ρ on all its unsampled archs. The test devices of the task are never
// touched. Writes results/bench/nasflat-loso-<task>.json.
// Environment: BENCH_TASK=nb201-0 (or fbnet-<t>)  BENCH_HELD=pixel3,... (subset of held-out sources)  BENCH_SEEDS=0
// BENCH_SAMPLES=5,10,20  BENCH_OUT=results/bench  BENCH_NASFLAT='{"epochs":10}'
// BENCH_SMOKE=1: one held-out source, 5 samples, one epoch over 64 archs per source.
import { initBackend } from '../dist/core/backend.js';
import { loadExperimentConfig } from '../dist/core/config/schema.js';
import { spearman } from '../dist/core/metrics.js';
import { resolveNasflatConfig } from '../dist/predictors/nasflat/config.js';
import { NasflatPredictor } from '../dist/predictors/nasflat/predictor.js';
import { randomSamples } from '../dist/predictors/transfer/harness.js';
import { resolveDeviceData } from '../dist/predictors/transfer/task.js';
import { getSpace } from '../dist/spaces/registry.js';
import { envList, SMOKE, startBench } from './stamp.mjs';

const VARIANTS = {
  line: { readout: 'line' },
  'stack:all': { readout: 'select', readoutBases: ['nasflat', 'cost', 'sources'] },
  'stack:cost+sources': { readout: 'select', readoutBases: ['cost', 'sources'] },
  'stack:nasflat+cost': { readout: 'select', readoutBases: ['nasflat', 'cost'] },
};
const task = process.env.BENCH_TASK ?? 'nb201-0';
const [spaceName, taskNo] = task.split('-');
const file = `experiments/transfer-${spaceName}-task${taskNo}.json`;
const seeds = envList('BENCH_SEEDS', ['0']).map(Number);
const samples = envList('BENCH_SAMPLES', SMOKE ? ['5'] : ['5', '10', '20']).map(Number);

const backend = await initBackend();
const config = loadExperimentConfig(file);
const space = getSpace(config.space.name);
if (config.transfer === undefined) throw new Error(`${file} has no transfer section`);
const data = resolveDeviceData(space, config.transfer, file, 'transfer');
const { table } = data;
const held = envList('BENCH_HELD', SMOKE ? data.sources.slice(0, 1) : data.sources);
const options = {
  ...(config.transfer.methodOptions?.nasflat ?? {}),
  ...(SMOKE ? { epochs: 1, archsPerDevice: 64, transferEpochs: 4 } : {}),
  ...(process.env.BENCH_NASFLAT ? JSON.parse(process.env.BENCH_NASFLAT) : {}),
};
const bench = startBench(`nasflat-loso-${task}`, { task, held, seeds, samples, nasflat: options, variants: VARIANTS });
/** @type {{ heldOut: string, seed: number, n: number, variant: string, spearman: number, pretrainSeconds: number }[]} */
const records = [];
const started = performance.now();
for (const heldOut of held) {
  const sources = data.sources.filter((d) => d !== heldOut);
  const truthAll = table.column(heldOut);
  for (const seed of seeds) {
    const t0 = performance.now();
    const predictor = new NasflatPredictor(space, resolveNasflatConfig(options), { seed });
    await predictor.pretrain(
      sources.map((d) => ({ device: d, archs: table.archs, latencyMs: Array.from(table.column(d)) })),
      { seed },
    );
    const pretrainSeconds = (performance.now() - t0) / 1000;
    for (const n of samples) {
      const few = await randomSamples(table.archs, n, seed);
      const used = new Set(few);
      const evalArchs = table.archs.filter((a) => !used.has(a));
      const rowOf = (/** @type {string} */ a) => /** @type {number} */ (table.rowOf(a));
      const truth = Float64Array.from(evalArchs, (a) => truthAll[rowOf(a)]);
      for (const [variant, settings] of Object.entries(VARIANTS)) {
        Object.assign(predictor.config, settings);
        await predictor.adapt(heldOut, { archs: few, latencyMs: few.map((a) => truthAll[rowOf(a)]) }, { seed });
        const rho = spearman(truth, await predictor.predict(heldOut, evalArchs));
        records.push({ heldOut, seed, n, variant, spearman: rho, pretrainSeconds });
      }
      console.error(
        `${task} held out ${heldOut} seed ${seed} n=${n}: ${records
          .slice(-Object.keys(VARIANTS).length)
          .map((r) => `${r.variant} ${r.spearman.toFixed(3)}`)
          .join(', ')}`,
      );
    }
    predictor.dispose();
  }
}
/** @param {{ spearman: number }[]} rows */
const mean = (rows) => rows.reduce((s, r) => s + r.spearman, 0) / rows.length;
const header = ['variant', ...samples.map((n) => `@${n}`)];
const rows = Object.keys(VARIANTS).map((v) => [
  v,
  ...samples.map((n) => mean(records.filter((r) => r.variant === v && r.n === n)).toFixed(4)),
]);
bench.table(
  `NASFLAT readout variants, ${task}, each of ${held.length} sources held out (seeds ${seeds.join(',')}; backend ${backend.name})`,
  header,
  rows,
);
bench.write(
  {
    task,
    options,
    variants: VARIANTS,
    held,
    seeds,
    samples,
    seconds: (performance.now() - started) / 1000,
    table: { header, rows },
  },
  { backend, details: { records } },
);
