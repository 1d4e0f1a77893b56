// Real runtimes on this machine: ONNX Runtime (1 thread, the built-in host-ort profile) beside TF.js for the same
// NB201 archs, an ORT latency table of many NB201 archs, and the few-shot transfer harness with that table as a
// target no published predictor was tuned to. Writes results/bench/runtimes.json and prints the tables.
// Environment: BENCH_PARTS=compare,table,repeat,transfer  BENCH_COMPARE_N=300  BENCH_ORT_N=3000 (archs in the ORT table)
// BENCH_SEEDS=0,1,2  BENCH_OUT=results/bench  BENCH_ORT_TABLE=results/ort/nb201-host-ort.csv
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../dist/core/backend.js';
import { loadExperimentConfig } from '../dist/core/config/schema.js';
import { createLogger, startProgress } from '../dist/core/log.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { formatTable } from '../dist/core/table.js';
import { joinLatencyTables, loadLatencyTable } from '../dist/data/latency.js';
import { measureHost } from '../dist/hardware/host.js';
import { OnnxRuntimeDevice } from '../dist/hardware/onnxruntime.js';
import { BUILTIN_PROFILES, deviceFromProfile } from '../dist/hardware/registry.js';
import { runTransfer } from '../dist/predictors/transfer/harness.js';
import { buildTransferSetup } from '../dist/predictors/transfer/setup.js';
import { total } from '../dist/spaces/layers.js';
import { getSpace } from '../dist/spaces/registry.js';

const env = (name, fallback) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const parts = env('BENCH_PARTS', 'compare,table,repeat,transfer');
const compareN = Number(process.env.BENCH_COMPARE_N ?? 300);
const tableN = Number(process.env.BENCH_ORT_N ?? 3000);
const seeds = env('BENCH_SEEDS', '0,1,2').map(Number);
const outRoot = process.env.BENCH_OUT ?? 'results/bench';
const tableFile = process.env.BENCH_ORT_TABLE ?? 'results/ort/nb201-host-ort.csv';
const TABLE_SEED = 2026;
const tableCommand = `node bin/hwnas.js devices measure --device host-ort --space nb201 --n ${tableN} --seed ${TABLE_SEED} --budget-ms 100 --out ${tableFile}`;
const log = createLogger('info');
const space = getSpace('nb201');
const input = space.defaultInput();
const hostOrt = BUILTIN_PROFILES.find((p) => p.name === 'host-ort');
const simulated = BUILTIN_PROFILES.filter((p) => p.kind === 'simulated');
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v, d = 4) => (Number.isFinite(v) ? +v.toFixed(d) : null);
const outFile = path.join(outRoot, 'runtimes.json');
const previous = fs.existsSync(outFile) ? JSON.parse(fs.readFileSync(outFile, 'utf8')) : {};
const result = {
  ...previous,
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
  date: new Date().toISOString(),
};

/** Spearman ρ of every simulated built-in profile and of FLOPs with measured latencies of `archs`. */
function analyticRanks(archs, measured) {
  const rows = {};
  for (const p of simulated) {
    const device = deviceFromProfile(p);
    rows[p.name] = round(
      spearman(
        measured,
        archs.map((a) => device.latencyMs(space, a, input)),
      ),
    );
  }
  rows.flops = round(
    spearman(
      measured,
      archs.map((a) => total(space.layers(a, input), 'flops')),
    ),
  );
  return rows;
}

if (parts.includes('compare')) {
  const archs = [];
  const seen = new Set();
  for (let i = 0; archs.length < compareN; i++) {
    const a = space.sample(Rng.derive(7, 'bench-runtimes', i));
    if (seen.has(a)) continue;
    archs.push(a);
    seen.add(a);
  }
  const bar = startProgress('ORT', archs.length);
  const ort = await new OnnxRuntimeDevice(hostOrt).measure(space, archs, input, { seed: 0, onArch: () => bar.tick(1) });
  bar.stop();
  const backend = await initBackend();
  const tbar = startProgress(`TF.js ${backend.name}`, archs.length);
  const tfjs = await measureHost(space, archs, input, {
    warmup: 3,
    minRepeats: 10,
    maxRepeats: 100,
    budgetMs: 300,
    seed: 0,
    onArch: () => tbar.tick(1),
  });
  tbar.stop();
  const ortMs = ort.map((m) => m.latencyMs);
  const tfMs = tfjs.map((m) => m.latencyMs);
  const describe = (ms) => ({
    runtime: `${ms[0].runtime} ${ms[0].runtimeVersion}`,
    threads: ms[0].threads,
    medianLatencyMs: round(median(ms.map((m) => m.latencyMs))),
    medianRepeatCv: round(median(ms.map((m) => m.cv))),
    p90RepeatCv: round([...ms.map((m) => m.cv)].sort((a, b) => a - b)[Math.floor(0.9 * (ms.length - 1))]),
    medianP90OverP10: round(median(ms.map((m) => m.p90Ms / m.p10Ms))),
    medianRepeats: median(ms.map((m) => m.repeats)),
  });
  result.compare = {
    archs: archs.length,
    seed: 7,
    input,
    ort: describe(ort),
    tfjs: describe(tfjs),
    spearmanOrtVsTfjs: round(spearman(ortMs, tfMs)),
    medianOrtOverTfjs: round(median(ortMs.map((v, i) => v / tfMs[i]))),
    spearmanWithOrt: analyticRanks(archs, ortMs),
    rows: archs.map((a, i) => ({
      arch: a,
      ortMs: round(ortMs[i]),
      tfjsMs: round(tfMs[i]),
      ortCv: round(ort[i].cv),
      tfjsCv: round(tfjs[i].cv),
    })),
  };
  const c = result.compare;
  console.log(`\nORT vs TF.js on ${archs.length} NB201 archs (batch 1, 32×32)`);
  console.log(
    formatTable(
      ['runtime', 'threads', 'median ms', 'median repeat CV', 'p90 repeat CV', 'median p90/p10'],
      [c.ort, c.tfjs].map((r) => [r.runtime, r.threads, r.medianLatencyMs, r.medianRepeatCv, r.p90RepeatCv, r.medianP90OverP10]),
    ),
  );
  console.log(`Spearman ORT vs TF.js ${c.spearmanOrtVsTfjs}; median ORT / TF.js latency ${c.medianOrtOverTfjs}`);
  console.log(formatTable(['ranks ORT latency', 'Spearman ρ'], Object.entries(c.spearmanWithOrt)));
}

if (parts.includes('table')) {
  fs.mkdirSync(path.dirname(tableFile), { recursive: true });
  log.info(`ORT table: ${tableCommand} (resumes; archs already in the file are skipped)`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, tableCommand.split(' ').slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`ORT table measurement failed (exit ${r.status})`);
  const table = loadLatencyTable(tableFile, { devices: ['latency'], canonical: (a) => space.canonical(a) });
  const ms = table.column('latency');
  result.table = {
    file: tableFile,
    command: tableCommand,
    archs: table.archs.length,
    secondsThisRun: round((performance.now() - t0) / 1000, 1),
    medianMs: round(median(ms)),
    spearmanWithOrt: analyticRanks(table.archs, ms),
  };
  console.log(`\nORT table: ${table.archs.length} NB201 archs in ${tableFile}`);
  console.log(formatTable(['ranks ORT latency', 'Spearman ρ'], Object.entries(result.table.spearmanWithOrt)));
}

if (parts.includes('repeat')) {
  // How far one measurement pass ranks like another: the first 300 archs of the table measured again, in a new
  // file, with the same settings. No predictor can rank a single noisy pass better than the noise allows.
  const table = loadLatencyTable(tableFile, { devices: ['latency'], canonical: (a) => space.canonical(a) });
  const subset = table.archs.slice(0, 300);
  const repeatFile = tableFile.replace(/\.csv$/, '.repeat.csv');
  fs.rmSync(repeatFile, { force: true });
  const args = [
    'bin/hwnas.js',
    'devices',
    'measure',
    '--device',
    'host-ort',
    '--archs',
    subset.join(','),
    '--budget-ms',
    '100',
    '--out',
    repeatFile,
    '--quiet',
  ];
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`repeat measurement failed (exit ${r.status})`);
  const again = loadLatencyTable(repeatFile, { devices: ['latency'], canonical: (a) => space.canonical(a) });
  const first = subset.map((a) => table.latency('latency', a));
  const second = subset.map((a) => again.latency('latency', a));
  const ratios = first.map((v, i) => Math.max(v / second[i], second[i] / v)).sort((a, b) => a - b);
  const flops = subset.map((a) => total(space.layers(a, input), 'flops'));
  result.repeat = {
    archs: subset.length,
    spearmanBetweenPasses: round(spearman(first, second)),
    flopsSpearman: { tablePass: round(spearman(first, flops)), secondPass: round(spearman(second, flops)) },
    medianRatioBetweenPasses: round(median(ratios)),
    maxRatioBetweenPasses: round(ratios[ratios.length - 1]),
  };
  console.log(
    `\nRepeatability: ${subset.length} table archs measured again: Spearman between the passes ${result.repeat.spearmanBetweenPasses}; FLOPs ranks the passes at ${result.repeat.flopsSpearman.tablePass} / ${result.repeat.flopsSpearman.secondPass}; per-arch ratio between passes median ${result.repeat.medianRatioBetweenPasses}, max ${result.repeat.maxRatioBetweenPasses}`,
  );
}

if (parts.includes('transfer')) {
  const file = 'experiments/transfer-nb201-task0.json';
  const methods = ['nasflat', 'flops', 'lookup-table', 'best-source', 'ridge-sources'];
  const resolved = await buildTransferSetup(loadExperimentConfig(file), file, { methods, seeds, sharedPretrain: true }, log, true);
  const ortTable = loadLatencyTable(tableFile, { devices: ['latency'], canonical: (a) => space.canonical(a) });
  const help = resolved.setup.table;
  const joined = joinLatencyTables(`${help.file} + ${tableFile}`, ortTable.archs, [
    { table: help, devices: resolved.setup.sources },
    { table: ortTable, devices: ['latency'], as: ['host-ort'] },
  ]);
  const setup = {
    ...resolved.setup,
    name: 'nb201-task0-sources→host-ort',
    table: joined,
    targets: ['host-ort'],
    referenceArchs: undefined,
    samples: [5, 10, 20],
  };
  log.info(
    `transfer to host-ort: ${joined.archs.length} measured archs, sources ${setup.sources.join(', ')}; methods ${methods.join(', ')}; seeds ${seeds.join(', ')}`,
  );
  const run = await runTransfer(setup);
  const names = [...new Set(run.records.map((r) => r.method))];
  const rows = names.map((method) => {
    const cells = Object.fromEntries(
      setup.samples.map((n) => {
        const rs = run.records.filter((r) => r.method === method && r.samples === n && Number.isFinite(r.spearman));
        const mean = rs.reduce((s, r) => s + r.spearman, 0) / rs.length;
        const cov = rs.filter((r) => r.coverage90 !== undefined);
        return [
          n,
          {
            spearman: round(mean),
            coverage90: cov.length ? round(cov.reduce((s, r) => s + r.coverage90, 0) / cov.length, 3) : null,
            seeds: rs.length,
          },
        ];
      }),
    );
    return { method, ...cells };
  });
  const at10 = (m) => rows.find((r) => r.method === m)?.[10]?.spearman ?? NaN;
  const bestOther10 = Math.max(...rows.filter((r) => r.method !== 'nasflat').map((r) => r[10].spearman ?? -1));
  result.transfer = {
    sources: setup.sources,
    target: 'host-ort',
    measuredArchs: joined.archs.length,
    seeds,
    sampler: setup.sampler.name,
    rows,
    pretrainSeconds: run.pretrainSeconds,
    goal: {
      nasflatAt10: round(at10('nasflat')),
      bestOtherAt10: round(bestOther10),
      met: at10('nasflat') >= 0.95 && at10('nasflat') > bestOther10,
    },
  };
  console.log(
    `\nTransfer to host-ort (ORT, 1 thread): NASFLAT pretrained on the NB201 task-0 sources; ρ over the ${joined.archs.length} measured archs minus the samples, mean of ${seeds.length} seeds`,
  );
  console.log(
    formatTable(
      ['method', 'ρ @5', 'ρ @10', 'ρ @20', 'cover90 @10', 'cover90 @20'],
      rows.map((r) => [r.method, r[5].spearman, r[10].spearman, r[20].spearman, r[10].coverage90 ?? '', r[20].coverage90 ?? '']),
    ),
  );
  console.log(
    `goal ρ ≥ 0.95 at 10 samples, above every baseline: NASFLAT ${result.transfer.goal.nasflatAt10} vs best other ${result.transfer.goal.bestOtherAt10} → ${result.transfer.goal.met ? 'met' : 'MISSED'}`,
  );
}

fs.mkdirSync(outRoot, { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
console.log(`\n-> ${outFile}`);
