// @ts-check
// Loader speed on the real tables: median wall time of each loader against reading + splitting the same file
// (the floor any CSV loader pays). Prints a table and writes results/bench/data.json.
import fs from 'node:fs';
import path from 'node:path';
import { dataPath } from '../dist/data/paths.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { loadAccuracyTable } from '../dist/data/accuracy.js';
import { loadZcpTable } from '../dist/data/zcp.js';
import { SMOKE, startBench } from './stamp.mjs';
import { medianMs } from './timing.mjs';

const REPEATS = SMOKE ? 1 : 5;
const TARGET_MS = 1000; // the NB201 latency table (7.9 MB) must load well under a second

const bench = startBench('data', { repeats: REPEATS, targetMs: TARGET_MS });

/** @type {[string, keyof typeof import('../dist/data/paths.js').DATA_FILES, (file: string) => { archs: readonly string[] }][]} */
const cases = [
  ['nb201 latency, all devices', 'nb201Latency', (f) => loadLatencyTable(f)],
  ['nb201 latency, 3 devices', 'nb201Latency', (f) => loadLatencyTable(f, { devices: ['pixel3', 'raspi4', 'eyeriss'] })],
  ['fbnet latency, all devices', 'fbnetLatency', (f) => loadLatencyTable(f)],
  ['nb201 cifar100 accuracy', 'nb201Cifar100Accuracy', (f) => loadAccuracyTable(f, 'cifar100_test_acc_nb201')],
  ['fbnet zcp', 'fbnetZcp', (f) => loadZcpTable(f)],
  ['nb201 zcp (cifar10)', 'nb201ZcpPartial', (f) => loadZcpTable(f, { dataset: 'cifar10' })],
];

const rows = [];
for (const [name, key, load] of cases) {
  const file = dataPath(key);
  if (!fs.existsSync(file)) {
    console.warn(`skipping ${name}: ${file} not found`);
    continue;
  }
  const baselineMs = medianMs(
    () =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.split(',')),
    REPEATS,
  );
  let rowsLoaded = 0;
  const loadMs = medianMs(() => {
    rowsLoaded = load(file).archs.length;
  }, REPEATS);
  rows.push({
    name,
    file: path.relative(process.cwd(), file),
    rows: rowsLoaded,
    mb: fs.statSync(file).size / 2 ** 20,
    loadMs,
    baselineMs,
    ratio: loadMs / baselineMs,
  });
}

bench.table(
  `Loaders on the real tables (median of ${REPEATS})`,
  ['loader', 'rows', 'MB', 'load ms (median)', 'read+split ms', 'ratio'],
  rows.map((r) => [r.name, r.rows, r.mb, r.loadMs, r.baselineMs, r.ratio]),
);
const nb201 = rows.find((r) => r.name === 'nb201 latency, all devices');
if (nb201)
  bench.note(`nb201 latency table: ${nb201.loadMs.toFixed(0)} ms (target < ${TARGET_MS} ms): ${nb201.loadMs < TARGET_MS ? 'ok' : 'SLOW'}`);
bench.write({ repeats: REPEATS, targetMs: TARGET_MS, rows });
