// @ts-check
// The paper's few-shot transfer table on every task runnable with this data (NB201 task 0, FBNet tasks 0–5):
// Spearman ρ at 5/10/20 target samples for NASFLAT and every baseline, mean over the task's targets and ≥ 3 seeds,
// beside the paper's NASFLAT number and the issue's target. Each task's full report goes to
// results/bench/transfer/<task>/; a run that covers only some methods, tasks or ablations merges its records into
// the reports already there (records of the same method are replaced), so pieces can run in separate processes, one
// per core. The combined table (results/bench/transfer.{json,md}) is rebuilt from every report present.
// Environment: BENCH_TASKS=nb201-0,fbnet-3  BENCH_METHODS=flops,nasflat  BENCH_SEEDS=0,1,2  BENCH_SAMPLES=20
// BENCH_MAX_EVAL=2000 (score on a subset of remaining archs)  BENCH_SHARED_PRETRAIN=1  BENCH_SAMPLER=random
// BENCH_ABLATIONS=1 (only the NASFLAT ablations on NB201 task 0; or a comma list of their suffixes, e.g.
// -no-readout,-sampler-kmeans)  BENCH_OUT=results/bench
// BENCH_NASFLAT='{"epochs":20}' (NASFLAT options merged over the configs')  BENCH_COMBINE_ONLY=1 (only rebuild the table)
// BENCH_OUT_FILE=transfer.json (see below)
// BENCH_SMOKE=1: NB201 task 0's first target, every method, seed 0, 10 samples, 300 scored archs, one NASFLAT epoch
// over 64 archs.
// Each task report stamps every method with the commit that ran it (`stamps`), since reports merge runs.
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../dist/core/backend.js';
import { loadExperimentConfig } from '../dist/core/config/schema.js';
import { createLogger } from '../dist/core/log.js';
import { predictorRegistry } from '../dist/predictors/registry.js';
import { runTransfer, ZERO_SHOT_PROXIES } from '../dist/predictors/transfer/harness.js';
import { markdownTable, numberOrNull, summariseTransfer, writeTransferReport } from '../dist/predictors/transfer/report.js';
import { buildTransferSetup } from '../dist/predictors/transfer/setup.js';
import { codeStamp, envList, OUT_DIR, SMOKE, startBench } from './stamp.mjs';

/** @typedef {import('../dist/predictors/transfer/harness.js').TransferRecord} TransferRecord */
/** @typedef {import('../dist/predictors/transfer/report.js').TransferSummary} TransferSummary */
/** @typedef {{ id: string, config: string, label: string, paper: number, target: number }} Task */
/** @typedef {{ suffix: string, label: string, overrides: import('../dist/predictors/transfer/setup.js').TransferOverrides }} Ablation */

// NASFLAT's reported Spearman ρ, and the target @20 of the trustworthy-predictions issue.
/** @type {Task[]} */
const TASKS = [
  { id: 'nb201-0', config: 'experiments/transfer-nb201-task0.json', label: 'ND', paper: 0.959, target: 0.97 },
  { id: 'fbnet-0', config: 'experiments/transfer-fbnet-task0.json', label: 'FD', paper: 0.961, target: 0.97 },
  { id: 'fbnet-1', config: 'experiments/transfer-fbnet-task1.json', label: 'F1', paper: 0.809, target: 0.9 },
  { id: 'fbnet-2', config: 'experiments/transfer-fbnet-task2.json', label: 'F2', paper: 0.871, target: 0.92 },
  { id: 'fbnet-3', config: 'experiments/transfer-fbnet-task3.json', label: 'F3', paper: 0.814, target: 0.92 },
  { id: 'fbnet-4', config: 'experiments/transfer-fbnet-task4.json', label: 'F4', paper: 0.734, target: 0.81 },
  { id: 'fbnet-5', config: 'experiments/transfer-fbnet-task5.json', label: 'FA', paper: 0.577, target: 0.77 },
];
// NB201 task 0 ablations of NASFLAT: each idea switched off (or another sampler), as `hwnas transfer` flags.
/** @type {Ablation[]} */
const ABLATIONS = [
  // The reference for the rows below, which run with one pretraining per run (BENCH_SHARED_PRETRAIN=1) to save time.
  { suffix: '-shared-pretrain', label: 'defaults, one pretraining for the 3 seeds', overrides: {} },
  { suffix: '-no-hw-op-emb', label: '--no-hw-op-emb', overrides: { ablations: ['hw-op-emb'] } },
  { suffix: '-no-hw-init', label: '--no-hw-init', overrides: { ablations: ['hw-init'] } },
  { suffix: '-no-supplementary', label: '--no-supplementary', overrides: { ablations: ['supplementary'] } },
  { suffix: '-no-readout', label: '--no-readout', overrides: { ablations: ['readout'] } },
  { suffix: '-sampler-farthest', label: '--sampler farthest', overrides: { sampler: 'farthest' } },
  { suffix: '-sampler-kmeans', label: '--sampler kmeans', overrides: { sampler: 'kmeans' } },
];
const SAMPLES = [5, 10, 20];

const wantedTasks = envList('BENCH_TASKS', SMOKE ? ['nb201-0'] : []);
const seeds = envList('BENCH_SEEDS', SMOKE ? ['0'] : []).map(Number);
const samplesEnv = envList('BENCH_SAMPLES', SMOKE ? ['10'] : []).map(Number);
const methodsEnv = envList('BENCH_METHODS', []);
const maxEval = process.env.BENCH_MAX_EVAL ? Number(process.env.BENCH_MAX_EVAL) : SMOKE ? 300 : undefined;
const nasflatOptions = {
  ...(SMOKE ? { epochs: 1, archsPerDevice: 64, transferEpochs: 4 } : {}),
  ...(process.env.BENCH_NASFLAT ? JSON.parse(process.env.BENCH_NASFLAT) : {}),
};
const log = createLogger('info');
// BENCH_OUT_FILE=transfer-nasflat.json: a table of its own (its task reports in <OUT_DIR>/transfer-nasflat/), e.g.
// NASFLAT alone re-run after a readout change, beside the full table.
const OUT_NAME = (process.env.BENCH_OUT_FILE ?? 'transfer.json').replace(/\.json$/, '');
const reportDir = (/** @type {string} */ id) => path.join(OUT_DIR, OUT_NAME, id);
const bench = startBench(OUT_NAME, {
  tasks: wantedTasks.length > 0 ? wantedTasks : TASKS.map((t) => t.id),
  methods: methodsEnv.length > 0 ? methodsEnv : 'all',
  seeds: seeds.length > 0 ? seeds : 'configs',
  samples: samplesEnv.length > 0 ? samplesEnv : 'configs',
  maxEvalArchs: maxEval ?? 'all',
  nasflat: nasflatOptions,
  ablations: process.env.BENCH_ABLATIONS ?? null,
  combineOnly: process.env.BENCH_COMBINE_ONLY === '1',
});

/**
 * Records of an existing report (NaN where the JSON has null), or none; `stamps`: which commit ran each method.
 * @param {string} dir
 * @returns {{ records: TransferRecord[], pretrainSeconds: Record<string, number[]>, stamps: Record<string, unknown> }}
 */
function readRecords(dir) {
  const file = path.join(dir, 'transfer.json');
  if (!fs.existsSync(file)) return { records: [], pretrainSeconds: {}, stamps: {} };
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  return {
    records: saved.records.map((/** @type {TransferRecord} */ r) => ({ ...r, spearman: r.spearman ?? NaN, kendall: r.kendall ?? NaN })),
    pretrainSeconds: saved.pretrainSeconds ?? {},
    stamps: saved.stamps ?? {},
  };
}

/**
 * @param {Task} task
 * @param {import('../dist/core/backend.js').BackendInfo} backend
 * @param {string[]} methods
 * @param {Partial<Ablation>} extra
 */
async function runOne(task, backend, methods, extra = {}) {
  const file = task.config;
  const config = loadExperimentConfig(file);
  const resolved = await buildTransferSetup(
    config,
    file,
    {
      methods,
      seeds: seeds.length > 0 ? seeds : undefined,
      samples: samplesEnv.length > 0 ? samplesEnv : undefined,
      maxEvalArchs: maxEval,
      sharedPretrain: process.env.BENCH_SHARED_PRETRAIN === '1' ? true : undefined,
      sampler: process.env.BENCH_SAMPLER || undefined,
      methodOptions: Object.keys(nasflatOptions).length > 0 ? { nasflat: nasflatOptions } : undefined,
      outDir: reportDir(task.id + (extra.suffix ?? '')),
      ...extra.overrides,
    },
    log,
    false,
  );
  log.info(
    `${task.id}${extra.suffix ?? ''}: ${resolved.setup.targets.length} targets × ${resolved.setup.samples.length} sample counts × ${resolved.setup.seeds.length} seeds; methods ${resolved.setup.methods.join(', ')}`,
  );
  const setup = SMOKE ? { ...resolved.setup, targets: resolved.setup.targets.slice(0, 1) } : resolved.setup;
  const result = await runTransfer(setup);
  const previous = readRecords(resolved.outDir);
  const ran = new Set(resolved.setup.methods);
  const merged = {
    records: [...previous.records.filter((r) => !ran.has(r.method)), ...result.records],
    pretrainSeconds: { ...previous.pretrainSeconds, ...result.pretrainSeconds },
    totalSeconds: result.totalSeconds,
  };
  const { commit, dirty, date } = codeStamp();
  const now = { commit, dirtyFiles: dirty.length, date, smoke: SMOKE, nasflat: nasflatOptions };
  writeTransferReport(resolved.outDir, resolved.title, resolved.resolvedConfig, merged, {
    stamps: { ...previous.stamps, ...Object.fromEntries([...ran].map((m) => [m, now])) },
    ablations: resolved.ablations,
    taskComment: resolved.taskComment,
    backend: backend.name,
    nasflatOptions: resolved.setup.methodOptions.nasflat ?? {},
    sharedPretrain: resolved.setup.sharedPretrain === true,
  });
}

/** @type {import('../dist/core/backend.js').BackendInfo | null} */
let backend = null;
if (process.env.BENCH_COMBINE_ONLY !== '1') {
  backend = await initBackend();
  const methods = methodsEnv.length > 0 ? methodsEnv : predictorRegistry.names();
  log.info(`backend ${backend.name}; methods ${methods.join(', ')}`);
  if (process.env.BENCH_ABLATIONS) {
    const wanted = envList('BENCH_ABLATIONS', []);
    for (const ablation of ABLATIONS)
      if (wanted.includes('1') || wanted.includes(ablation.suffix)) await runOne(TASKS[0], backend, ['nasflat'], ablation);
  } else {
    for (const task of TASKS) if (wantedTasks.length === 0 || wantedTasks.includes(task.id)) await runOne(task, backend, methods);
  }
}

// The combined table, from every task report present.
const tasks = TASKS.map((task) => ({ task, ...readRecords(reportDir(task.id)), meta: readMeta(reportDir(task.id)) })).filter(
  (t) => t.records.length > 0,
);
/** @param {string} dir */
function readMeta(dir) {
  const file = path.join(dir, 'transfer.json');
  if (!fs.existsSync(file)) return {};
  const { backend, nasflatOptions, sharedPretrain, totalSeconds } = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { backend, nasflatOptions, sharedPretrain, totalSeconds };
}
const methodOrder = predictorRegistry.names();
const methods = methodOrder.filter((m) => tasks.some((t) => t.records.some((r) => r.method === m)));
/** @param {TransferSummary} summary @param {string} method @param {number} n */
const meanOf = (summary, method, n) => summary.spearman.mean[`${method}@${n}`]?.mean ?? NaN;
const round = (/** @type {number} */ x) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : '–');
// Zero-shot proxies are scored in the same harness on the same archs (they need no measurement).
const proxyNames = Object.keys(ZERO_SHOT_PROXIES);
/** @param {TransferSummary} summary @param {number} n @returns {[string, number]} */
const bestProxy = (summary, n) =>
  proxyNames
    .map((p) => /** @type {[string, number]} */ ([p.replace('zero-shot:', ''), meanOf(summary, p, n)]))
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1])[0] ?? ['–', NaN];
/** @param {TransferSummary} summary @param {number} n */
const coverageOf = (summary, n) => summary.coverage90.mean[`nasflat@${n}`]?.mean ?? NaN;
const header = [
  'task',
  'paper NASFLAT',
  'target @20',
  ...methods.map((m) => `${m} @5/10/20`),
  'best zero-shot',
  'NASFLAT ≥ it @5/10',
  'NASFLAT 90 % cover @10/20',
  'best @20',
  'NASFLAT target met',
];
const rows = tasks.map(({ task, records }) => {
  const summary = summariseTransfer(records);
  const at20 = methods
    .map((m) => /** @type {[string, number]} */ ([m, meanOf(summary, m, 20)]))
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1]);
  const ours = meanOf(summary, 'nasflat', 20);
  const [proxyName, proxyRho] = bestProxy(summary, 5);
  const beats = [5, 10]
    .map((n) =>
      Number.isFinite(meanOf(summary, 'nasflat', n)) ? (meanOf(summary, 'nasflat', n) >= bestProxy(summary, n)[1] ? 'yes' : 'no') : '–',
    )
    .join(' / ');
  return [
    `${task.id} (${task.label})`,
    task.paper,
    task.target,
    ...methods.map((m) => SAMPLES.map((n) => round(meanOf(summary, m, n))).join(' / ')),
    `${proxyName} ${round(proxyRho)}`,
    beats,
    [10, 20].map((n) => round(coverageOf(summary, n))).join(' / '),
    at20.length > 0 ? `${at20[0][0]} ${at20[0][1].toFixed(3)}` : '–',
    Number.isFinite(ours) ? (ours >= task.target ? `yes (${ours.toFixed(3)})` : `no (${ours.toFixed(3)})`) : '–',
  ];
});
const ablationRows = [
  { label: 'defaults (one pretraining per seed)', dir: reportDir(TASKS[0].id) },
  ...ABLATIONS.map((a) => ({ label: a.label, dir: reportDir(TASKS[0].id + a.suffix) })),
]
  .map(({ label, dir }) => ({ label, records: readRecords(dir).records.filter((r) => r.method === 'nasflat') }))
  .filter((a) => a.records.length > 0)
  .map(({ label, records }) => {
    const summary = summariseTransfer(records);
    return [label, ...SAMPLES.map((n) => round(meanOf(summary, 'nasflat', n)))];
  });

bench.table("Few-shot transfer (Spearman ρ, mean over each task's targets and seeds)", header, rows);
if (ablationRows.length > 1)
  bench.table(
    'NB201 task 0, NASFLAT with one idea switched off (mean ρ over targets and seeds)',
    ['run', ...SAMPLES.map((n) => `@${n}`)],
    ablationRows,
  );
const json = {
  methods,
  tasks: tasks.map(({ task, records, pretrainSeconds, stamps, meta }) => {
    const summary = summariseTransfer(records);
    return {
      id: task.id,
      label: task.label,
      paperNasflat: task.paper,
      target20: task.target,
      ...meta,
      stamps,
      seeds: [...new Set(records.map((r) => r.seed))],
      pretrainSeconds,
      spearman: summary.spearman,
      kendall: summary.kendall,
      coverage90: summary.coverage90,
    };
  }),
  ablations: ablationRows.map(([label, ...values]) => ({
    run: label,
    spearman: Object.fromEntries(SAMPLES.map((n, i) => [n, values[i]])),
  })),
};
// The combined JSON has NaN cells (JSON null) where a method has no result.
bench.write(JSON.parse(JSON.stringify(json, numberOrNull)), { backend });
const md = [
  "# Few-shot transfer (Spearman ρ, mean over each task's targets and seeds)",
  '',
  '"paper NASFLAT" is the number reported by the paper\'s repository; "target @20" is from the issue. "best zero-shot" is the best of FLOPs, params and the non-skip op count on the same archs (no measurement). help-style has no 5-sample result: it must measure HELP\'s 10 reference archs.',
  '',
  markdownTable(header, rows),
  ...(ablationRows.length > 1
    ? ['', '## NB201 task 0: NASFLAT with one idea switched off', '', markdownTable(['run', ...SAMPLES.map((n) => `@${n}`)], ablationRows)]
    : []),
  '',
].join('\n');
fs.writeFileSync(path.join(OUT_DIR, `${OUT_NAME}.md`), md);
log.info(`wrote ${path.join(OUT_DIR, `${OUT_NAME}.md`)}`);
