// The paper's few-shot transfer table on every task runnable with this data (NB201 task 0, FBNet tasks 0–5):
// Spearman ρ at 5/10/20 target samples for NASFLAT and every baseline, mean over the task's targets and ≥ 3 seeds,
// beside the paper's NASFLAT number and the target. Writes results/bench/transfer.{json,md} and each task's
// full report under results/bench/transfer/<task>/.
// Environment (for partial runs): BENCH_TASKS=nb201-0,fbnet-3  BENCH_METHODS=flops,nasflat  BENCH_SEEDS=0,1,2  BENCH_SAMPLES=20
// BENCH_MAX_EVAL=2000 (score on a subset of remaining archs)  BENCH_SHARED_PRETRAIN=1  BENCH_SAMPLER=random
// BENCH_ABLATIONS=1 (also run the NASFLAT ablations on NB201 task 0)  BENCH_OUT=results/bench
// BENCH_NASFLAT='{"epochs":20}' (NASFLAT options merged over the configs')
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { loadExperimentConfig } from '../dist/core/config/schema.js';
import { createLogger } from '../dist/core/log.js';
import { formatTable } from '../dist/core/table.js';
import { predictorRegistry } from '../dist/predictors/registry.js';
import { runTransfer } from '../dist/predictors/transfer.js';
import { markdownTable, numberOrNull, summariseTransfer, writeTransferReport } from '../dist/predictors/transfer-report.js';
import { buildTransferSetup } from '../dist/predictors/transfer-setup.js';

// From the issue: NASFLAT's reported Spearman ρ, the best no-learning proxy measured on this data, and our target @20.
const TASKS = [
  { id: 'nb201-0', config: 'experiments/transfer-nb201-task0.json', label: 'ND', paper: 0.959, proxy: 'ridge on 9 sources @20: 0.960', target: 0.97 },
  { id: 'fbnet-0', config: 'experiments/transfer-fbnet-task0.json', label: 'FD', paper: 0.961, proxy: 'FLOPs: 0.961', target: 0.97 },
  { id: 'fbnet-1', config: 'experiments/transfer-fbnet-task1.json', label: 'F1', paper: 0.809, proxy: 'FLOPs: 0.889', target: 0.9 },
  { id: 'fbnet-2', config: 'experiments/transfer-fbnet-task2.json', label: 'F2', paper: 0.871, proxy: 'non-skip blocks: 0.875', target: 0.89 },
  { id: 'fbnet-3', config: 'experiments/transfer-fbnet-task3.json', label: 'F3', paper: 0.814, proxy: 'non-skip blocks: 0.881', target: 0.89 },
  { id: 'fbnet-4', config: 'experiments/transfer-fbnet-task4.json', label: 'F4', paper: 0.734, proxy: 'best source (hindsight): 0.798', target: 0.81 },
  { id: 'fbnet-5', config: 'experiments/transfer-fbnet-task5.json', label: 'FA', paper: 0.577, proxy: 'FLOPs: 0.752', target: 0.77 },
];
const ABLATIONS = [['hw-op-emb'], ['hw-init'], ['supplementary'], ['readout']];

const env = (name) => (process.env[name] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
const wantedTasks = env('BENCH_TASKS');
const seeds = env('BENCH_SEEDS').map(Number);
const samplesEnv = env('BENCH_SAMPLES').map(Number);
const methodsEnv = env('BENCH_METHODS');
const methods = methodsEnv.length > 0 ? methodsEnv : predictorRegistry.names();
const outRoot = process.env.BENCH_OUT ?? 'results/bench';
const log = createLogger('info');

const backend = await initBackend();
log.info(`backend ${backend.name}; methods ${methods.join(', ')}`);
const started = performance.now();

async function runOne(task, extra = {}) {
  const file = task.config;
  const config = loadExperimentConfig(file);
  const resolved = await buildTransferSetup(
    config,
    file,
    {
      methods,
      seeds: seeds.length > 0 ? seeds : undefined,
      samples: samplesEnv.length > 0 ? samplesEnv : undefined,
      maxEvalArchs: process.env.BENCH_MAX_EVAL ? Number(process.env.BENCH_MAX_EVAL) : undefined,
      sharedPretrain: process.env.BENCH_SHARED_PRETRAIN === '1' ? true : undefined,
      sampler: process.env.BENCH_SAMPLER || undefined,
      methodOptions: process.env.BENCH_NASFLAT ? { nasflat: JSON.parse(process.env.BENCH_NASFLAT) } : undefined,
      outDir: path.join(outRoot, 'transfer', task.id + (extra.suffix ?? '')),
      ...extra.overrides,
    },
    log,
    false,
  );
  const t0 = performance.now();
  log.info(`${task.id}${extra.suffix ?? ''}: ${resolved.setup.targets.length} targets × ${resolved.setup.samples.length} sample counts × ${resolved.setup.seeds.length} seeds`);
  const result = await runTransfer(resolved.setup);
  writeTransferReport(resolved.outDir, resolved.title, resolved.resolvedConfig, result, { ablations: resolved.ablations, taskComment: resolved.taskComment, backend: backend.name });
  const summary = summariseTransfer(result.records);
  return { task, summary, seconds: (performance.now() - t0) / 1000, pretrainSeconds: result.pretrainSeconds, seeds: resolved.setup.seeds, samples: resolved.setup.samples };
}

const runs = [];
for (const task of TASKS) {
  if (wantedTasks.length > 0 && !wantedTasks.includes(task.id)) continue;
  runs.push(await runOne(task));
}
const ablationRuns = [];
if (process.env.BENCH_ABLATIONS === '1' && methods.includes('nasflat')) {
  const nb = TASKS[0];
  for (const flags of ABLATIONS) ablationRuns.push({ flags, ...(await runOne(nb, { suffix: `-no-${flags.join('-no-')}`, overrides: { ablations: flags, methods: ['nasflat'] } })) });
  ablationRuns.push({ flags: ['sampler=random'], ...(await runOne(nb, { suffix: '-sampler-random', overrides: { sampler: 'random', methods: ['nasflat'] } })) });
}

const mean = (run, method, n) => run.summary.spearman.mean[`${method}@${n}`]?.mean ?? NaN;
const samples = [5, 10, 20];
const header = ['task', 'paper NASFLAT', 'simple proxy (issue)', 'target @20', ...methods.flatMap((m) => samples.map((n) => `${m}@${n}`)), 'best @20', 'target met', 'seconds'];
const rows = runs.map((r) => {
  const at20 = methods.map((m) => [m, mean(r, m, 20)]).filter(([, v]) => Number.isFinite(v)).sort((a, b) => b[1] - a[1]);
  const ours = mean(r, 'nasflat', 20);
  return [
    `${r.task.id} (${r.task.label})`,
    r.task.paper,
    r.task.proxy,
    r.task.target,
    ...methods.flatMap((m) => samples.map((n) => Math.round(mean(r, m, n) * 1000) / 1000)),
    at20.length > 0 ? `${at20[0][0]} ${at20[0][1].toFixed(3)}` : 'n/a',
    Number.isFinite(ours) ? (ours >= r.task.target ? 'yes' : `no (${ours.toFixed(3)})`) : 'n/a',
    `${Math.round(r.seconds)}`,
  ];
});
const totalSeconds = (performance.now() - started) / 1000;
console.log(formatTable(header, rows));
if (ablationRuns.length > 0) {
  console.log('\nNB201 task 0 ablations (NASFLAT, mean ρ over targets):');
  console.log(formatTable(['ablation', ...samples.map((n) => `@${n}`)], ablationRuns.map((a) => [`no ${a.flags.join(', ')}`, ...samples.map((n) => mean(a, 'nasflat', n))])));
}
console.log(`\ntotal ${totalSeconds.toFixed(0)} s on backend ${backend.name}`);

fs.mkdirSync(outRoot, { recursive: true });
const json = {
  backend: backend.name,
  node: process.version,
  totalSeconds,
  methods,
  nasflatOptions: process.env.BENCH_NASFLAT ? JSON.parse(process.env.BENCH_NASFLAT) : 'defaults',
  sharedPretrain: process.env.BENCH_SHARED_PRETRAIN === '1',
  tasks: runs.map((r) => ({ id: r.task.id, label: r.task.label, paperNasflat: r.task.paper, simpleProxy: r.task.proxy, target20: r.task.target, seeds: r.seeds, samples: r.samples, seconds: r.seconds, pretrainSeconds: r.pretrainSeconds, spearman: r.summary.spearman, kendall: r.summary.kendall })),
  ablations: ablationRuns.map((a) => ({ flags: a.flags, seconds: a.seconds, spearman: a.summary.spearman.mean })),
};
fs.writeFileSync(path.join(outRoot, 'transfer.json'), JSON.stringify(json, numberOrNull, 1) + '\n');
const md = [
  '# Few-shot transfer (Spearman ρ, mean over each task\'s targets and seeds)',
  '',
  `Backend ${backend.name}, seeds ${runs[0]?.seeds.join(',') ?? '-'}, total ${totalSeconds.toFixed(0)} s (shared 2-core machine). "paper NASFLAT" is the number reported by the paper's repository; "simple proxy" and "target @20" are from the issue. help-style has no 5-sample result: it must measure HELP's 10 reference archs.`,
  '',
  markdownTable(header, rows),
  ...(ablationRuns.length > 0 ? ['', '## NB201 task 0 ablations (NASFLAT)', '', markdownTable(['ablation', ...samples.map((n) => `@${n}`)], ablationRuns.map((a) => [`no ${a.flags.join(', ')}`, ...samples.map((n) => mean(a, 'nasflat', n))]))] : []),
  '',
].join('\n');
fs.writeFileSync(path.join(outRoot, 'transfer.md'), md);
log.info(`wrote ${path.join(outRoot, 'transfer.json')} and ${path.join(outRoot, 'transfer.md')}`);
