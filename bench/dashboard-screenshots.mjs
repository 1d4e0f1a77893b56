// @ts-check
// Screenshots of the dashboard's main views for the docs (docs/img/dashboard-*.png), taken in Debian's Chromium
// from a real run: a 300-evaluation NSGA-II search of NB201 on the simulated mobile-cpu with a generated accuracy
// table, and an ONNX model exported by `hwnas spaces model --onnx`.
// Usage: npm run docs:screenshots   (HWNAS_CHROMIUM=/usr/bin/chromium; HWNAS_SCREENSHOTS=<folder> writes them elsewhere)
/* global document, URLSearchParams */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDashboard, writeNb201Accuracy } from './dashboard-helpers.mjs';

const outDir = process.env.HWNAS_SCREENSHOTS ?? 'docs/img';
const bin = path.resolve('bin/hwnas.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-screenshots-'));
writeNb201Accuracy(path.join(tmp, 'accuracy.csv'), 'docs-accuracy');
fs.writeFileSync(
  path.join(tmp, 'nb201-mobile-cpu.json'),
  JSON.stringify({
    name: 'nb201-mobile-cpu',
    output: { runName: 'nb201-mobile-cpu' },
    seed: 11,
    space: { name: 'nb201', dataset: 'cifar10' },
    device: 'mobile-cpu',
    latency: { source: 'device' },
    accuracy: { source: 'table', file: 'accuracy.csv', column: 'acc' },
    constraints: ['latencyMs <= 3'],
    strategy: { name: 'nsga2', params: { population: 30 } },
    budget: { evaluations: 300, batchSize: 30 },
  }),
);
const run = (/** @type {string[]} */ args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hwnas ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
run(['search', '--config', 'nb201-mobile-cpu.json', '--results', 'results', '--quiet']);
const arch = JSON.parse(run(['runs', 'show', 'nb201-mobile-cpu', '--json'])).front[0].arch;
run(['spaces', 'model', 'fbnet', '--arch', run(['spaces', 'sample', 'fbnet', '-n', '1', '--seed', '4']).trim(), '--onnx', 'fbnet.onnx']);

const { url: base, server } = await startDashboard(bin, ['--results', 'results'], tmp);
const browser = await chromium.launch({
  executablePath: process.env.HWNAS_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
/**
 * @param {string | undefined} url
 * @param {string} view
 * @param {string} name
 * @param {() => Promise<unknown>} [before]
 */
const shot = async (url, view, name, before) => {
  if (url !== undefined) await page.goto(url);
  await before?.();
  await page.waitForFunction((v) => (document.body.dataset.ready ?? '').startsWith(`${v}:`), view);
  await page.waitForTimeout(200);
  fs.mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, `dashboard-${name}.png`) });
  console.log(`wrote ${path.join(outDir, `dashboard-${name}.png`)}`);
};
await shot(base, 'runs', 'runs');
await shot(`${base}#/run/nb201-mobile-cpu`, 'run', 'run');
const q = new URLSearchParams({
  run: 'nb201-mobile-cpu',
  space: 'nb201',
  arch,
  device: 'mobile-cpu',
  dataset: 'cifar10',
  precision: 'int8',
  fuse: '1',
});
await shot(`${base}#/arch?${q}`, 'arch', 'arch');
await page.goto(base);
await page.setInputFiles('#open-model', path.join(tmp, 'fbnet.onnx'));
await shot(undefined, 'model', 'model');
await browser.close();
server.kill('SIGTERM');
fs.rmSync(tmp, { recursive: true, force: true });
