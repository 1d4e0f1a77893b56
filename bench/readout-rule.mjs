// @ts-check
// How NASFLAT's few-shot readout should combine its candidates (`readoutRule`), decided on SOURCE devices only:
// for every runnable task, each source device in turn plays the target, the task's other sources are its source
// devices, and the readout chooses among the same kinds of candidates as in NASFLAT — cost features, FLOPs, all
// sources, each source alone — with the sources' measured latencies standing in for the network's source heads (so
// no GNN is trained here). Spearman ρ on every arch not sampled, mean over held-out sources × seeds.
// Writes results/bench/readout-rule[-<sampler>].json. Environment: BENCH_SEEDS=0,1,2  BENCH_SAMPLES=5,10,20
// BENCH_SAMPLER=random (or farthest, kmeans: which archs are measured)  BENCH_OUT=results/bench
// BENCH_NOISE=0.1: the few measurements × e^(σ·z), z standard normal (log-normal timing noise; file readout-rule-noise0.1.json)
// BENCH_SMOKE=1: NB201 task 0 and FBNet task 0, seed 0, 5 samples.
import { loadExperimentConfig } from '../dist/core/config/schema.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { costColumnNames, costRow, NON_SKIP_COLUMN, nonSkipOps } from '../dist/predictors/nasflat/inputs.js';
import { applyReadout, selectReadout } from '../dist/predictors/nasflat/readout.js';
import { resolveSampler } from '../dist/predictors/transfer/sampler.js';
import { resolveDeviceData } from '../dist/predictors/transfer/task.js';
import { getSpace } from '../dist/spaces/registry.js';
import { envList, SMOKE, startBench } from './stamp.mjs';

/** @type {[string, string][]} */
const ALL_TASKS = [
  ['nb201-0', 'experiments/transfer-nb201-task0.json'],
  ...[0, 1, 2, 3, 4, 5].map((t) => /** @type {[string, string]} */ ([`fbnet-${t}`, `experiments/transfer-fbnet-task${t}.json`])),
];
const TASKS = SMOKE ? ALL_TASKS.slice(0, 2) : ALL_TASKS;
// `init`: no readout at all — the source whose latencies rank the few archs best, as NASFLAT's hardware-embedding
// initialisation picks it (what the paper's zero-shot prediction would be).
/** @type {('stack' | 'best' | 'init')[]} */
const RULES = ['stack', 'best', 'init'];
const seeds = envList('BENCH_SEEDS', SMOKE ? ['0'] : ['0', '1', '2']).map(Number);
const samples = envList('BENCH_SAMPLES', SMOKE ? ['5'] : ['5', '10', '20']).map(Number);
const samplerName = process.env.BENCH_SAMPLER ?? 'random';
const sigma = Number(process.env.BENCH_NOISE ?? 0);
if (!(sigma >= 0)) throw new Error(`BENCH_NOISE must be a number ≥ 0, not ${process.env.BENCH_NOISE}`);
const name = `readout-rule${samplerName === 'random' ? '' : `-${samplerName}`}${sigma > 0 ? `-noise${sigma}` : ''}`;
const bench = startBench(name, { tasks: TASKS.map(([id]) => id), rules: RULES, seeds, samples, sampler: samplerName, noise: sigma });

/** @type {{ task: string, heldOut: string, n: number, seed: number, rule: string, spearman: number }[]} */
const results = [];
for (const [id, file] of TASKS) {
  const config = loadExperimentConfig(file);
  const space = getSpace(config.space.name);
  if (config.transfer === undefined) throw new Error(`${file} has no transfer section`);
  const data = resolveDeviceData(space, config.transfer, file, 'transfer');
  const choose = await resolveSampler(samplerName, space);
  const { table } = data;
  const cost = costColumnNames(space);
  const costRows = table.archs.map((a) => costRow(space, a));
  // As in NASFLAT: FLOPs and params enter the ln-ms readout as logs.
  /** @type {Map<string, Float64Array>} */
  const costBasis = new Map(
    cost.map((name, j) => [name, Float64Array.from(costRows, (r) => (name === 'flops' || name === 'params' ? Math.log(r[j]) : r[j]))]),
  );
  // As in NASFLAT, the zero-shot proxy (ln FLOPs, ln params, the non-skip op count) that ranks the few measurements
  // best is one more candidate, as a robust line.
  costBasis.set(
    NON_SKIP_COLUMN,
    Float64Array.from(table.archs, (a) => nonSkipOps(space, a)),
  );
  const proxies = { columns: ['flops', 'params', NON_SKIP_COLUMN], centre: false };
  for (const heldOut of data.sources) {
    const others = data.sources.filter((d) => d !== heldOut);
    const basisAll = new Map(costBasis);
    for (const d of others) basisAll.set(`source:${d}`, table.column(d).map(Math.log));
    const sourceColumns = others.map((d) => `source:${d}`);
    // As in NASFLAT: every latency-like column (a source, ln FLOPs, ln params) may only enter increasingly.
    const candidates = [
      { name: 'cost', columns: cost, increasing: ['flops', 'params'] },
      { name: 'flops', columns: ['flops'], increasing: ['flops'] },
      { name: 'sources', columns: sourceColumns, increasing: sourceColumns },
      ...sourceColumns.map((c) => ({ name: c, columns: [c], increasing: [c] })),
    ];
    const truthAll = table.column(heldOut);
    for (const n of samples) {
      for (const seed of seeds) {
        const few = await choose(table.archs, n, seed);
        const fewRows = few.map((a) => /** @type {number} */ (table.rowOf(a)));
        const fewSet = new Set(fewRows);
        const evalRows = table.archs.map((_, r) => r).filter((r) => !fewSet.has(r));
        /** @param {number[]} rows */
        const pick = (rows) => new Map([...basisAll].map(([k, v]) => [k, Float64Array.from(rows, (r) => v[r])]));
        /** @param {Map<string, Float64Array>} basis @param {string} name */
        const column = (basis, name) => /** @type {Float64Array} */ (basis.get(name));
        const fewBasis = pick(fewRows);
        const evalBasis = pick(evalRows);
        const truth = Float64Array.from(evalRows, (r) => truthAll[r]);
        const noise = Rng.derive(seed, 'readout-rule-noise', heldOut, n);
        const fewMs = fewRows.map((r) => truthAll[r] * (sigma > 0 ? Math.exp(sigma * noise.normal()) : 1));
        for (const rule of RULES) {
          let predicted;
          if (rule === 'init') {
            const rhos = sourceColumns.map((c) => spearman(column(fewBasis, c), fewMs));
            predicted = column(evalBasis, sourceColumns[rhos.indexOf(Math.max(...rhos))]);
          } else {
            // The readout fits ln ms (its output is ln ms too: ρ is the same as of ms).
            predicted = applyReadout(selectReadout(candidates, fewBasis, fewMs.map(Math.log), rule, proxies), evalBasis, evalRows.length);
          }
          results.push({ task: id, heldOut, n, seed, rule, spearman: spearman(truth, predicted) });
        }
      }
    }
  }
  console.error(`${id}: ${data.sources.length} held-out sources done`);
}

/** @param {{ spearman: number }[]} rows */
const mean = (rows) => rows.reduce((s, r) => s + r.spearman, 0) / rows.length;
const taskIds = [...new Set(results.map((r) => r.task))];
const header = ['task', ...RULES.flatMap((rule) => samples.map((n) => `${rule}@${n}`))];
const rows = taskIds.map((t) => [
  t,
  ...RULES.flatMap((rule) => samples.map((n) => mean(results.filter((r) => r.task === t && r.rule === rule && r.n === n)).toFixed(4))),
]);
for (const space of ['nb201', 'fbnet']) {
  rows.push([
    `mean ${space}`,
    ...RULES.flatMap((rule) =>
      samples.map((n) => mean(results.filter((r) => r.task.startsWith(space) && r.rule === rule && r.n === n)).toFixed(4)),
    ),
  ]);
}
const noiseNote = sigma > 0 ? `, log-normal noise σ = ${sigma}` : '';
bench.table(
  `Readout rule on source devices (each source held out in turn; ${samplerName} samples${noiseNote}; Spearman ρ on all unsampled archs)`,
  header,
  rows,
);
bench.write(
  { sampler: samplerName, noise: sigma, seeds, samples, rules: RULES, table: { header, rows } },
  { details: { records: results } },
);
