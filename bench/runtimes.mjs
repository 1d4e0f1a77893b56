// @ts-check
// Real runtimes on this machine: ONNX Runtime (1 thread, the built-in host-ort profile) beside TF.js for the same
// NB201 archs, an ORT latency table of many NB201 archs, and the few-shot transfer harness with that table as a
// target no published predictor was tuned to. Writes results/bench/runtimes.json and prints the tables.
// Environment: BENCH_PARTS=compare,table,repeat,transfer  BENCH_COMPARE_N=300  BENCH_ORT_N=3000 (archs in the ORT table)
// BENCH_SEEDS=0,1,2  BENCH_OUT=results/bench  BENCH_ORT_TABLE=<file> (default: a folder of results/cache/runtimes/ keyed by a
// fingerprint of the CPU, the ORT version, the profile and the measuring code; measuring resumes there)
// BENCH_SMOKE=1: 3 archs compared, a 30-arch table (10 ms budget) measured again in part, transfer without NASFLAT, one seed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../dist/core/backend.js';
import { loadExperimentConfig } from '../dist/core/config/schema.js';
import { createLogger, startProgress } from '../dist/core/log.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { joinLatencyTables, loadLatencyTable } from '../dist/data/latency.js';
import { measureHost } from '../dist/hardware/host.js';
import { OnnxRuntimeDevice } from '../dist/hardware/onnxruntime.js';
import { BUILTIN_PROFILES, deviceFromProfile } from '../dist/hardware/registry.js';
import { runTransfer } from '../dist/predictors/transfer/harness.js';
import { buildTransferSetup } from '../dist/predictors/transfer/setup.js';
import { total } from '../dist/spaces/layers.js';
import { getSpace } from '../dist/spaces/registry.js';
import { cacheFolder } from './cache.mjs';
import { envList, envNumber, SMOKE, startBench, ROOT } from './stamp.mjs';

/** @typedef {import('../dist/hardware/schema.js').DeviceProfile} DeviceProfile */
/** @typedef {import('../dist/hardware/timing.js').RuntimeMeasurement} RuntimeMeasurement */

const ALL_PARTS = ['compare', 'table', 'repeat', 'transfer'];
const parts = envList('BENCH_PARTS', ALL_PARTS);
const compareN = envNumber('BENCH_COMPARE_N', 300, 3);
const tableN = envNumber('BENCH_ORT_N', 3000, 30);
const repeatN = SMOKE ? 10 : 300;
const seeds = envList('BENCH_SEEDS', SMOKE ? ['0'] : ['0', '1', '2']).map(Number);
const TABLE_SEED = 2026;
const BUDGET_MS = SMOKE ? 10 : 100;
// Smoke runs leave NASFLAT out of the transfer part (other benchmarks exercise it; its pretraining dominates here).
const methods = SMOKE
  ? ['flops', 'lookup-table', 'best-source', 'ridge-sources']
  : ['nasflat', 'flops', 'lookup-table', 'best-source', 'ridge-sources'];
const log = createLogger('info');
const space = getSpace('nb201');
const input = space.defaultInput();
const hostOrt = /** @type {Extract<DeviceProfile, { kind: 'onnxruntime' }>} */ (BUILTIN_PROFILES.find((p) => p.name === 'host-ort'));
const simulated = BUILTIN_PROFILES.filter((p) => p.kind === 'simulated');
// The ORT table is a measurement of this machine: reused only by the same CPU, ORT and measuring code.
const tableCache = process.env.BENCH_ORT_TABLE
  ? undefined
  : cacheFolder('runtimes', {
      name: 'nb201-host-ort',
      settings: {
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        onnxruntime: JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version,
        profile: hostOrt,
        seed: TABLE_SEED,
        budgetMs: BUDGET_MS,
      },
      code: ['hardware/onnxruntime.js', 'cli/commands/devices.js'],
    });
const tableFile = process.env.BENCH_ORT_TABLE ?? path.join(/** @type {{ dir: string }} */ (tableCache).dir, 'nb201-host-ort.csv');
const tableCommand = `node bin/hwnas.js devices measure --device host-ort --space nb201 --n ${tableN} --seed ${TABLE_SEED} --budget-ms ${BUDGET_MS} --out ${tableFile}`;
const bench = startBench(
  'runtimes',
  {
    compareArchs: compareN,
    tableArchs: tableN,
    repeatArchs: repeatN,
    budgetMs: BUDGET_MS,
    seeds,
    methods,
    tableFile,
  },
  { parts: { all: ALL_PARTS, run: parts } },
);
/** @param {ArrayLike<number>} values */
const median = (values) => {
  const s = Array.from(values).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (/** @type {number} */ v, d = 4) => (Number.isFinite(v) ? +v.toFixed(d) : null);
const backend = await initBackend();
/** @type {Record<string, any>} */
const result = {};
/** Per-arch rows, written beside the JSON (not committed). @type {Record<string, unknown>} */
const details = {};

/**
 * Spearman ρ of every simulated built-in profile and of FLOPs with measured latencies of `archs`.
 * @param {readonly string[]} archs
 * @param {ArrayLike<number>} measured
 */
function analyticRanks(archs, measured) {
  /** @type {Record<string, number | null>} */
  const rows = {};
  for (const p of simulated) {
    const device = /** @type {import('../dist/hardware/types.js').SyncDevice} */ (deviceFromProfile(p));
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
  const describe = (/** @type {RuntimeMeasurement[]} */ ms) => ({
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
  };
  details.compareRows = archs.map((a, i) => ({
    arch: a,
    ortMs: round(ortMs[i]),
    tfjsMs: round(tfMs[i]),
    ortCv: round(ort[i].cv),
    tfjsCv: round(tfjs[i].cv),
  }));
  const c = result.compare;
  bench.table(
    `ORT vs TF.js on ${archs.length} NB201 archs (batch 1, 32×32)`,
    ['runtime', 'threads', 'median ms', 'median repeat CV', 'p90 repeat CV', 'median p90/p10'],
    [c.ort, c.tfjs].map((r) => [r.runtime, r.threads, r.medianLatencyMs, r.medianRepeatCv, r.p90RepeatCv, r.medianP90OverP10]),
    'compare',
  );
  bench.note(`Spearman ORT vs TF.js ${c.spearmanOrtVsTfjs}; median ORT / TF.js latency ${c.medianOrtOverTfjs}`, 'compare');
  bench.table(
    'Ranking the ORT latencies of those archs',
    ['ranks ORT latency', 'Spearman ρ'],
    Object.entries(c.spearmanWithOrt),
    'compare',
  );
}

if (parts.includes('table')) {
  fs.mkdirSync(path.dirname(tableFile), { recursive: true });
  if (tableCache !== undefined) {
    console.error(`cache: ${tableCache.complete ? 'resuming' : 'starting'} the ORT table in ${tableCache.dir}`);
    tableCache.seal();
    bench.cache({ name: 'nb201-host-ort', dir: tableCache.dir, fingerprint: tableCache.fingerprint, reused: tableCache.complete });
  }
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
  bench.table(
    `ORT table: ${table.archs.length} NB201 archs`,
    ['ranks ORT latency', 'Spearman ρ'],
    Object.entries(result.table.spearmanWithOrt),
    'table',
  );
}

if (parts.includes('repeat')) {
  // How far one measurement pass ranks like another: the first 300 archs of the table measured again, in a new
  // file, with the same settings. No predictor can rank a single noisy pass better than the noise allows.
  const table = loadLatencyTable(tableFile, { devices: ['latency'], canonical: (a) => space.canonical(a) });
  const subset = table.archs.slice(0, repeatN);
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
    String(BUDGET_MS),
    '--out',
    repeatFile,
    '--quiet',
  ];
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`repeat measurement failed (exit ${r.status})`);
  const again = loadLatencyTable(repeatFile, { devices: ['latency'], canonical: (a) => space.canonical(a) });
  const first = subset.map((a) => /** @type {number} */ (table.latency('latency', a)));
  const second = subset.map((a) => /** @type {number} */ (again.latency('latency', a)));
  const ratios = first.map((v, i) => Math.max(v / second[i], second[i] / v)).sort((a, b) => a - b);
  const flops = subset.map((a) => total(space.layers(a, input), 'flops'));
  result.repeat = {
    archs: subset.length,
    spearmanBetweenPasses: round(spearman(first, second)),
    flopsSpearman: { tablePass: round(spearman(first, flops)), secondPass: round(spearman(second, flops)) },
    medianRatioBetweenPasses: round(median(ratios)),
    maxRatioBetweenPasses: round(ratios[ratios.length - 1]),
  };
  bench.note(
    `Repeatability: ${subset.length} table archs measured again: Spearman between the passes ${result.repeat.spearmanBetweenPasses}; FLOPs ranks the passes at ${result.repeat.flopsSpearman.tablePass} / ${result.repeat.flopsSpearman.secondPass}; per-arch ratio between passes median ${result.repeat.medianRatioBetweenPasses}, max ${result.repeat.maxRatioBetweenPasses}`,
    'repeat',
  );
}

if (parts.includes('transfer')) {
  const file = 'experiments/transfer-nb201-task0.json';
  const resolved = await buildTransferSetup(loadExperimentConfig(file), file, { methods, seeds, sharedPretrain: true }, log, !SMOKE);
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
  /** @typedef {{ spearman: number | null, coverage90: number | null, seeds: number }} Cell */
  const rows = names.map((method) => {
    const cells = Object.fromEntries(
      setup.samples.map((n) => {
        const rs = run.records.filter((r) => r.method === method && r.samples === n && Number.isFinite(r.spearman));
        const mean = rs.reduce((s, r) => s + r.spearman, 0) / rs.length;
        const cov = /** @type {{ coverage90: number }[]} */ (rs.filter((r) => r.coverage90 !== undefined));
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
    return /** @type {{ method: string } & Record<number, Cell>} */ ({ method, ...cells });
  });
  const at10 = (/** @type {string} */ m) => rows.find((r) => r.method === m)?.[10]?.spearman ?? NaN;
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
  bench.table(
    `Transfer to host-ort (ORT, 1 thread): NASFLAT pretrained on the NB201 task-0 sources; ρ over the ${joined.archs.length} measured archs minus the samples, mean of ${seeds.length} seeds`,
    ['method', 'ρ @5', 'ρ @10', 'ρ @20', 'cover90 @10', 'cover90 @20'],
    rows.map((r) => [r.method, r[5].spearman, r[10].spearman, r[20].spearman, r[10].coverage90 ?? '', r[20].coverage90 ?? '']),
    'transfer',
  );
  bench.note(
    `goal ρ ≥ 0.95 at 10 samples, above every baseline: NASFLAT ${result.transfer.goal.nasflatAt10} vs best other ${result.transfer.goal.bestOtherAt10} → ${result.transfer.goal.met ? 'met' : 'MISSED'}`,
    'transfer',
  );
}

bench.write(result, { backend, details });
