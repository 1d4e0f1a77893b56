/// <reference lib="dom" />
// The dashboard in a real browser: Debian's Chromium driven by playwright-core against a `hwnas dashboard`
// subprocess serving runs that real `hwnas search` subprocesses wrote.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEvaluated } from '../../src/search/objectives.js';
import { RunStore } from '../../src/search/store.js';
import { browserAvailable, launchBrowser, startDashboardProcess, type DashboardProcess } from '../helpers/browser.js';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

const enabled = browserAvailable();
const XSS = '<img src=x onerror=alert(1)>';

let dir: string;
let results: string;
let accuracy: string;
let browser: Browser;
let dashboard: DashboardProcess;
const dialogs: string[] = [];

/** Open a dashboard URL and wait until the app has drawn `view`. */
async function open(url: string, view: string, page?: Page): Promise<Page> {
  const p = page ?? (await browser.newPage({ viewport: { width: 1400, height: 1000 } }));
  p.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await p.goto(url);
  await p.waitForFunction((v) => (document.body.dataset.ready ?? '').startsWith(`${v}:`), view);
  return p;
}

/** Wait for the next render of `view` after `action`. */
async function rerender(page: Page, view: string, action: () => Promise<unknown>): Promise<void> {
  const before = await page.evaluate(() => document.body.dataset.ready ?? '');
  await action();
  await page.waitForFunction(
    ([v, b]) => (document.body.dataset.ready ?? '') !== b && (document.body.dataset.ready ?? '').startsWith(`${v}:`),
    [view, before] as const,
  );
}

function cliJson<T>(args: string[]): T {
  const r = runCli(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe.runIf(enabled)('dashboard in Chromium', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-dashboard-'));
    results = path.join(dir, 'results');
    accuracy = writeAccuracyFixture(dir);
    const config = writeConfig(dir, 'search.json', searchConfig(accuracy, { name: 'ui-run', output: { runName: 'ui-run' } }));
    const r = runCli(['search', '--config', config, '--results', results, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    browser = await launchBrowser();
    dashboard = await startDashboardProcess(['--results', results]);
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('binds to loopback and lists the run the test created', async () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await open(dashboard.url, 'runs');
    const row = page.locator('#runs-table tr[data-run="ui-run"]');
    await expect(row.count()).resolves.toBe(1);
    const text = await row.innerText();
    expect(text).toContain('complete');
    expect(text).toContain('nb201');
    expect(text).toContain('mobile-cpu');
    expect(text).toContain('60 / 60');
    await page.close();
  });

  it('draws one Pareto mark per evaluated arch and opens a front point as its per-layer table', async () => {
    const store = RunStore.openReader(path.join(results, 'ui-run'));
    const evaluated = uniqueEvaluated(store.trials()).length;
    store.close();
    const page = await open(`${dashboard.url}#/run/ui-run`, 'run');
    const marks = page.locator('#chart-pareto g.layer_1_marks path');
    expect(await marks.count()).toBe(evaluated);
    expect(await page.locator('#trials-table tbody tr').count()).toBe(60);
    // Every chart, its legend included, fits its card: nothing clipped behind a scroll bar.
    const overflow = await page
      .locator('section.chart')
      .evaluateAll((cards) => cards.map((c) => [c.querySelector('.vis')?.id, c.scrollWidth - c.clientWidth]));
    expect(overflow.filter(([, px]) => Number(px) > 0)).toEqual([]);

    // The front is drawn last: its last mark is on top, so a real click reaches it.
    const front = page.locator('#chart-pareto g.layer_1_marks path[aria-label*="Pareto front"]');
    expect(await front.count()).toBeGreaterThan(0);
    const label = (await front.last().getAttribute('aria-label')) ?? '';
    const arch = /arch: (\|[^;]+\|)/.exec(label)?.[1];
    expect(arch).toBeDefined();
    await rerender(page, 'arch', () => front.last().click({ force: true }));
    const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    expect(params.get('arch')).toBe(arch);
    const cli = cliJson<{ layers: { name: string }[]; totals: { latencyMs: number } }>([
      'profile',
      '--space',
      'nb201',
      '--arch',
      arch!,
      '--device',
      'mobile-cpu',
      '--dataset',
      'cifar10',
      '--json',
    ]);
    const names = await page.locator('#layer-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.layer));
    expect(names).toEqual(cli.layers.map((l) => l.name));
    expect(Number(await page.locator('#total-latency').getAttribute('data-total-ms'))).toBe(cli.totals.latencyMs);
    await page.close();
  });

  it('what-ifs give exactly the totals of hwnas profile --what-if, and a shared URL reproduces the view', async () => {
    const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|';
    const base = `${dashboard.url}#/arch?space=nb201&arch=${encodeURIComponent(arch)}&device=mobile-cpu&dataset=cifar10`;
    const page = await open(base, 'arch');
    await rerender(page, 'arch', () => page.selectOption('#precision', 'int8'));
    const int8 = cliJson<{ whatIfs: { totals: { latencyMs: number } }[] }>([
      'profile',
      '--space',
      'nb201',
      '--arch',
      arch,
      '--device',
      'mobile-cpu',
      '--dataset',
      'cifar10',
      '--what-if',
      'int8',
      '--json',
    ]);
    expect(Number(await page.locator('#total-latency').getAttribute('data-total-ms'))).toBe(int8.whatIfs[0].totals.latencyMs);

    await rerender(page, 'arch', () => page.check('#fuse'));
    await rerender(page, 'arch', () => page.selectOption('#device', 'edge-tpu'));
    const both = cliJson<{ whatIfs: { label: string; totals: { latencyMs: number } }[] }>([
      'profile',
      '--space',
      'nb201',
      '--arch',
      arch,
      '--device',
      'edge-tpu',
      '--dataset',
      'cifar10',
      '--what-if',
      'int8,fuse',
      '--json',
    ]);
    const together = both.whatIfs.find((w) => w.label === 'int8+fuse');
    expect(Number(await page.locator('#total-latency').getAttribute('data-total-ms'))).toBe(together?.totals.latencyMs);

    // Select a layer in the table: the bar chart's selection follows, and the URL records it.
    const row = page.locator('#layer-table tbody tr').nth(3);
    const layer = await row.getAttribute('data-layer');
    await row.click();
    expect(await page.locator('#layer-table tr.selected').getAttribute('data-layer')).toBe(layer);
    const shared = page.url();
    expect(shared).toContain('precision=int8');

    const other = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await open(shared, 'arch', other);
    expect(await other.locator('#device').inputValue()).toBe('edge-tpu');
    expect(await other.locator('#precision').inputValue()).toBe('int8');
    expect(await other.locator('#fuse').isChecked()).toBe(true);
    expect(await other.locator('#layer-table tr.selected').getAttribute('data-layer')).toBe(layer);
    expect(await other.locator('#total-latency').getAttribute('data-total-ms')).toBe(
      await page.locator('#total-latency').getAttribute('data-total-ms'),
    );
    await other.close();
    await page.close();
  });

  it('shows a search started after the page opened, growing while it runs', async () => {
    const config = writeConfig(
      dir,
      'live.json',
      searchConfig(accuracy, { name: 'live-run', output: { runName: 'live-run' }, budget: { evaluations: 5000, batchSize: 3 } }),
    );
    const page = await open(dashboard.url, 'runs');
    const search = runCliAsync(['search', '--config', config, '--results', results, '--quiet']);
    try {
      await page.waitForSelector('#runs-table tr[data-run="live-run"]', { timeout: 60_000 });
      await rerender(page, 'run', () => page.click('#runs-table tr[data-run="live-run"] a'));
      const count = async () => Number(((await page.locator('#card-evaluated .value').innerText()).split('/')[0] ?? '').trim());
      const first = await count();
      await page.waitForFunction(
        (n) => Number((document.querySelector('#card-evaluated .value')?.textContent ?? '').split('/')[0]) > n,
        first,
        { timeout: 60_000 },
      );
      expect(await count()).toBeGreaterThan(first);
      expect(await page.locator('#run-state').innerText()).toBe('running');
    } finally {
      search.child.kill('SIGTERM');
    }
    // A search on a simulated device stops mid-run on SIGTERM (it yields between batches) and says how to resume.
    const done = await search.done;
    expect(done.code, done.stderr).toBe(143);
    expect(done.stderr).toContain('hwnas runs resume live-run');
    await page.waitForFunction(() => document.querySelector('#run-state')?.textContent === 'interrupted', undefined, { timeout: 30_000 });
    await page.close();
  });

  it('opens a model of your own with the rows of hwnas profile --model, and refuses a foreign file without falling over', async () => {
    const arch = '5_8_7_3_1_7_3_2_8_5_2_3_7_3_4_6_1_4_3_4_2_8';
    const onnx = path.join(dir, 'fbnet.onnx');
    expect(runCli(['spaces', 'model', 'fbnet', '--arch', arch, '--onnx', onnx]).code).toBe(0);
    const cli = cliJson<{ layers: { name: string }[]; whatIfs: { totals: { latencyMs: number } }[] }>([
      'profile',
      '--model',
      onnx,
      '--device',
      'mobile-npu',
      '--what-if',
      'int8',
      '--json',
    ]);
    const page = await open(`${dashboard.url}#/runs`, 'runs');
    await rerender(page, 'model', () => page.setInputFiles('#open-model', onnx));
    await rerender(page, 'model', () => page.selectOption('#device', 'mobile-npu'));
    await rerender(page, 'model', () => page.selectOption('#precision', 'int8'));
    const names = await page.locator('#layer-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.layer));
    expect(names).toEqual(cli.layers.map((l) => l.name));
    expect(Number(await page.locator('#total-latency').getAttribute('data-total-ms'))).toBe(cli.whatIfs[0].totals.latencyMs);

    const foreign = path.join(dir, 'notes.json');
    fs.writeFileSync(foreign, JSON.stringify({ hello: 'world' }));
    await page.setInputFiles('#open-model', foreign);
    await page.waitForSelector('#banner:not([hidden])');
    expect(await page.locator('#banner').innerText()).toMatch(/notes\.json/);
    expect((await fetch(new URL('/api/runs', dashboard.url))).status).toBe(200);
    await page.close();
  });

  it('renders hostile names as text and serves nothing outside its folders', async () => {
    // A run folder whose name is markup (run names are validated; a folder can still be named anything).
    fs.cpSync(path.join(results, 'ui-run'), path.join(results, XSS), { recursive: true });
    const page = await open(dashboard.url, 'runs');
    await page.waitForSelector(`#runs-table tr[data-run="${XSS.replace(/"/g, '\\"')}"]`);
    expect(await page.locator('#runs-table').innerText()).toContain(XSS);
    expect(await page.locator('img').count()).toBe(0);
    await rerender(page, 'run', () => page.locator(`#runs-table tr[data-run="${XSS}"] a`).click());
    expect(await page.locator('#run-id').innerText()).toBe(XSS);
    expect(await page.locator('img').count()).toBe(0);
    const bad = await open(`${dashboard.url}#/arch?space=nb201&arch=${encodeURIComponent(XSS)}&device=mobile-cpu`, 'error');
    expect(await bad.locator('#banner').innerText()).toContain(XSS);
    expect(await bad.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
    await bad.close();

    for (const request of [
      '/api/run?id=../../etc',
      `/api/run?id=${encodeURIComponent('../ui-run')}`,
      `/api/run?id=${encodeURIComponent(results)}`,
      '/api/profile?space=nb201&arch=0&device=../../../../etc/passwd',
      `/api/export?run=${encodeURIComponent('../results/ui-run')}&arch=0&file=spec.json`,
      '/api/export?run=ui-run&arch=0&file=../../package.json',
      '/vendor/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/app.js/../../package.json',
    ]) {
      const res = await fetch(new URL(request, dashboard.url));
      const body = await res.text();
      expect(res.status, request).toBeGreaterThanOrEqual(400);
      expect(body, request).not.toContain('"name": "hwnas"');
      expect(body, request).not.toContain('root:');
    }
    // The server is still up and well.
    expect((await fetch(new URL('/api/runs', dashboard.url))).status).toBe(200);
  });
});
