// @ts-check
// Dashboard speed on a large run: a real `hwnas search` of 20,000 trials (random strategy, NB201, simulated
// mobile-cpu, a generated accuracy table), then `hwnas dashboard` and Debian's Chromium (playwright-core):
//   run page data from the server; the run page drawn in Chromium (data received → every chart drawn);
//   a what-if (int8 on/off) end to end in the page (change event → numbers, table and chart updated);
//   opening a generated 300-layer ONNX model (upload + import + per-layer profile, server side).
// Targets (issue 15): ≤ 1 s, ≤ 2 s, ≤ 100 ms, ≤ 1 s. Writes results/bench/dashboard.json.
// Environment: BENCH_TRIALS=20000  BENCH_REPEATS=5  HWNAS_CHROMIUM=/usr/bin/chromium  BENCH_SMOKE=1 (500 trials, one repeat)
/* global document, window, Event, requestAnimationFrame, fetch, TextDecoder */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { syntheticOnnxChain } from '../dist/formats/import/synthetic.js';
import { startDashboard, writeNb201Accuracy } from './dashboard-helpers.mjs';
import { envNumber, startBench } from './stamp.mjs';

const trials = envNumber('BENCH_TRIALS', 20000, 500);
const repeats = envNumber('BENCH_REPEATS', 5, 1);
const chromiumPath = process.env.HWNAS_CHROMIUM ?? '/usr/bin/chromium';
const bench = startBench('dashboard', { trials, repeats, chromium: chromiumPath });
const bin = path.resolve('bin/hwnas.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-bench-dashboard-'));
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (/** @type {number} */ x, d = 1) => Number(x.toFixed(d));

const accuracy = path.join(tmp, 'accuracy.csv');
writeNb201Accuracy(accuracy, 'bench-accuracy');
const config = path.join(tmp, 'big.json');
fs.writeFileSync(
  config,
  JSON.stringify({
    name: 'big',
    output: { runName: 'big' },
    seed: 3,
    space: { name: 'nb201', dataset: 'cifar10' },
    device: 'mobile-cpu',
    latency: { source: 'device' },
    accuracy: { source: 'table', file: accuracy, column: 'acc' },
    constraints: ['latencyMs <= 4'],
    strategy: { name: 'random' },
    budget: { evaluations: trials, batchSize: 500 },
  }),
);
const results = path.join(tmp, 'results');
console.log(`search: ${trials} trials …`);
let t = performance.now();
const search = spawnSync(process.execPath, [bin, 'search', '--config', config, '--results', results, '--quiet'], { encoding: 'utf8' });
if (search.status !== 0) throw new Error(`search failed: ${search.stderr}`);
console.log(`search took ${((performance.now() - t) / 1000).toFixed(1)} s`);

const { url: base, server } = await startDashboard(bin, ['--results', results]);

/** @type {{ what: string, targetMs: number, samplesMs: number[], medianMs: number, unit: string, met: boolean }[]} */
const measures = [];
/** @param {string} what @param {number} target @param {number[]} samples */
const record = (what, target, samples, unit = 'ms') =>
  measures.push({
    what,
    targetMs: target,
    samplesMs: samples.map((x) => round(x)),
    medianMs: round(median(samples)),
    unit,
    met: median(samples) <= target,
  });

// Server: the run page's data.
const serverMs = [];
let bytes = 0;
for (let i = 0; i < repeats; i++) {
  t = performance.now();
  const res = await fetch(new URL('/api/run?id=big', base));
  const body = await res.arrayBuffer();
  serverMs.push(performance.now() - t);
  bytes = body.byteLength;
  if (!res.ok) throw new Error(`run page failed: ${new TextDecoder().decode(body)}`);
}
record(`run page data from the server (${trials} trials, ${(bytes / 2 ** 20).toFixed(1)} MiB JSON)`, 1000, serverMs);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const waitReady = (/** @type {string} */ view, before = '') =>
  page.waitForFunction(
    (/** @type {string[]} */ [v, b]) =>
      (document.body.dataset.ready ?? '') !== b && (document.body.dataset.ready ?? '').startsWith(`${v}:`),
    [view, before],
    { timeout: 120_000 },
  );

// Chromium: the run page drawn (the app's own timings: data received → every chart drawn), and load to ready.
const drawMs = [];
const loadMs = [];
for (let i = 0; i < repeats; i++) {
  await page.goto('about:blank');
  t = performance.now();
  await page.goto(`${base}#/run/big`);
  await waitReady('run');
  loadMs.push(performance.now() - t);
  drawMs.push(await page.evaluate(() => /** @type {any} */ (window).hwnas.timings.drawMs));
}
record('run page drawn in Chromium (data → all charts)', 2000, drawMs);
record('run page, navigation to drawn (incl. scripts, fetch)', 2000, loadMs);

// A what-if end to end: the change event to updated numbers, table and chart.
const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|';
await page.goto(`${base}#/arch?space=nb201&arch=${encodeURIComponent(arch)}&device=mobile-cpu&dataset=cifar10`);
await waitReady('arch');
const whatIfMs = [];
for (let i = 0; i < Math.max(10, repeats * 2); i++) {
  whatIfMs.push(
    await page.evaluate(
      async (/** @type {string} */ value) => {
        const before = document.body.dataset.ready;
        const box = /** @type {HTMLSelectElement} */ (document.querySelector('#precision'));
        const t0 = performance.now();
        box.value = value;
        box.dispatchEvent(new Event('change'));
        while (document.body.dataset.ready === before) await new Promise((r) => requestAnimationFrame(r));
        return performance.now() - t0;
      },
      i % 2 === 0 ? 'int8' : '',
    ),
  );
}
record('what-if (int8 on/off), change → page updated', 100, whatIfMs);
await browser.close();

// An imported 300-layer model: upload, import and profile, on the server.
const importMs = [];
let layers = 0;
for (let i = 0; i < repeats; i++) {
  // The server keeps models by content: a different width each round makes every round a fresh import.
  const bytes = syntheticOnnxChain(300, { channels: 32 + i });
  t = performance.now();
  const up = await (
    await fetch(new URL('/api/models', base), {
      method: 'POST',
      body: /** @type {Uint8Array<ArrayBuffer>} */ (bytes),
      headers: { 'x-file-name': 'chain.onnx' },
    })
  ).json();
  const prof = await (await fetch(new URL(`/api/profile?model=${up.id}&device=mobile-cpu&whatif=int8`, base))).json();
  importMs.push(performance.now() - t);
  if (prof.error) throw new Error(prof.error);
  layers = prof.layers.length;
}
record(`open a ${layers}-layer ONNX model (upload + import + profile)`, 1000, importMs);
server.kill('SIGTERM');

bench.table(
  `Dashboard speed on a ${trials}-trial run (medians of ${repeats} runs)`,
  ['measure', 'target ms', 'median ms', 'samples ms', 'met'],
  measures.map((m) => [m.what, m.targetMs, m.medianMs, m.samplesMs.join(' '), m.met ? 'yes' : 'NO']),
);
fs.rmSync(tmp, { recursive: true, force: true });
const chromiumVersion = spawnSync(chromiumPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
bench.write({ trials, measures }, { versions: { chromium: chromiumVersion } });
