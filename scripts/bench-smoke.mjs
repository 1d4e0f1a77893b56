// @ts-check
// `npm run bench:smoke`: every benchmark in its tiny mode (BENCH_SMOKE=1) against the built dist/, one after the
// other, writing into a temporary folder; each must exit 0 and write its JSON with a stamp and a table, so the
// benchmarks cannot rot unnoticed. Benchmarks whose data or tools are missing are skipped with one line saying which
// (HWNAS_REQUIRE_REDIS=1 / HWNAS_REQUIRE_CHROMIUM=1 turn those skips into failures, as in CI).
// Usage: node scripts/bench-smoke.mjs [name…] [--keep]   (names: a subset, e.g. `data spaces`; --keep leaves the folder)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.HWNAS_DATA_DIR ?? path.resolve(root, '../shared/data');
const hasData = fs.existsSync(path.join(dataDir, 'help', 'nb201_latency.csv'));
const chromium = process.env.HWNAS_CHROMIUM ?? '/usr/bin/chromium';
/** @param {string} command */
const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * What each benchmark needs and writes (relative to the output folder).
 * @typedef {{ name: string, script: string, writes: string[], needs?: ('data' | 'redis' | 'chromium')[] }} Smoke
 * @type {Smoke[]}
 */
const SMOKES = [
  { name: 'data', script: 'bench/data.mjs', writes: ['data.json'], needs: ['data'] },
  { name: 'spaces', script: 'bench/spaces.mjs', writes: ['spaces.json'] },
  { name: 'hardware', script: 'bench/hardware.mjs', writes: ['hardware.json'], needs: ['data'] },
  { name: 'encodings', script: 'bench/encodings.mjs', writes: ['encodings.json'], needs: ['data'] },
  { name: 'predictor-speed', script: 'bench/predictor-speed.mjs', writes: ['predictor-speed.json'], needs: ['data'] },
  { name: 'readout-rule', script: 'bench/readout-rule.mjs', writes: ['readout-rule.json'], needs: ['data'] },
  { name: 'nasflat-loso', script: 'bench/nasflat-loso.mjs', writes: ['nasflat-loso-nb201-0.json'], needs: ['data'] },
  { name: 'transfer', script: 'bench/transfer.mjs', writes: ['transfer.json', 'transfer/nb201-0/transfer.json'], needs: ['data'] },
  { name: 'robustness', script: 'bench/robustness.mjs', writes: ['robustness.json'] },
  { name: 'search', script: 'bench/search.mjs', writes: ['search.json'] },
  { name: 'runtimes', script: 'bench/runtimes.mjs', writes: ['runtimes.json'], needs: ['data'] },
  { name: 'workers', script: 'bench/workers.mjs', writes: ['workers.json'], needs: ['redis'] },
  { name: 'dashboard', script: 'bench/dashboard.mjs', writes: ['dashboard.json'], needs: ['chromium'] },
  {
    name: 'screenshots',
    script: 'bench/dashboard-screenshots.mjs',
    writes: ['img/dashboard-runs.png', 'img/dashboard-run.png', 'img/dashboard-arch.png', 'img/dashboard-model.png'],
    needs: ['chromium'],
  },
];

/** Why `smoke` cannot run here (undefined: it can). @param {Smoke} smoke */
function missing(smoke) {
  for (const need of smoke.needs ?? []) {
    if (need === 'data' && !hasData) return `needs the measured data (${dataDir})`;
    if (need === 'redis' && !onPath('redis-server')) return 'needs redis-server';
    if (need === 'chromium' && !fs.existsSync(chromium)) return `needs Chromium (${chromium})`;
  }
  return undefined;
}

/** Problems with a benchmark's JSON: it must carry a smoke stamp and at least one table. @param {string} file */
function checkJson(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const stamp = json.stamp ?? {};
  const problems = [];
  for (const key of ['commit', 'date', 'node', 'packages', 'machine', 'config', 'env'])
    if (!(key in stamp)) problems.push(`no stamp.${key}`);
  if (stamp.smoke !== true) problems.push('stamp.smoke is not true');
  if (!Array.isArray(json.report) || !json.report.some((/** @type {{ rows?: unknown[] }} */ r) => Array.isArray(r.rows)))
    problems.push('no table in report');
  return problems;
}

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !SMOKES.some((s) => s.name === w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${SMOKES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-bench-smoke-'));
const out = path.join(tmp, 'out');
const env = {
  ...process.env,
  BENCH_SMOKE: '1',
  BENCH_OUT: out,
  BENCH_CACHE: path.join(tmp, 'cache'),
  HWNAS_SCREENSHOTS: path.join(out, 'img'),
};
const required = { redis: process.env.HWNAS_REQUIRE_REDIS === '1', chromium: process.env.HWNAS_REQUIRE_CHROMIUM === '1' };
const started = performance.now();
/** @type {{ name: string, status: string, seconds: number }[]} */
const rows = [];
let failed = 0;
for (const smoke of SMOKES.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
  const why = missing(smoke);
  if (why !== undefined) {
    const mustRun = (smoke.needs ?? []).some((n) => n !== 'data' && required[n]);
    if (mustRun) failed++;
    rows.push({ name: smoke.name, status: `${mustRun ? 'FAILED' : 'skipped'}: ${why}`, seconds: 0 });
    console.log(`${smoke.name}: ${mustRun ? 'FAILED' : 'skipped'} (${why})`);
    continue;
  }
  const log = path.join(tmp, `${smoke.name}.log`);
  const t0 = performance.now();
  const fd = fs.openSync(log, 'w');
  const run = spawnSync(process.execPath, [smoke.script], { cwd: root, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const seconds = (performance.now() - t0) / 1000;
  const problems = run.status === 0 ? [] : [`exit ${run.status ?? run.signal}`];
  for (const file of smoke.writes) {
    const full = path.join(out, file);
    if (!fs.existsSync(full)) problems.push(`wrote no ${file}`);
    else if (file.endsWith('.json') && path.dirname(file) === '.') problems.push(...checkJson(full).map((p) => `${file}: ${p}`));
  }
  rows.push({ name: smoke.name, status: problems.length === 0 ? 'ok' : `FAILED: ${problems.join('; ')}`, seconds });
  console.log(`${smoke.name}: ${problems.length === 0 ? 'ok' : 'FAILED'} (${seconds.toFixed(1)} s)`);
  if (problems.length > 0) {
    failed++;
    console.log(`  ${problems.join('\n  ')}\n  last lines of ${log}:`);
    console.log(
      fs
        .readFileSync(log, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-15)
        .map((l) => `  | ${l}`)
        .join('\n'),
    );
  }
}
const total = (performance.now() - started) / 1000;
console.log(`\nbench:smoke: ${rows.filter((r) => r.status === 'ok').length} ok, ${failed} failed in ${total.toFixed(0)} s`);
if (keep || failed > 0) console.log(`outputs and logs kept in ${tmp}`);
else fs.rmSync(tmp, { recursive: true, force: true });
process.exit(failed > 0 ? 1 : 0);
