// `hwnas search` and `hwnas runs` as subprocesses: end to end on a generated accuracy table and a simulated device,
// byte-identical fronts for a seed, kill -9 then resume, and bad inputs that leave nothing behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, repoRoot } from '../helpers/cli.js';
import { RunStore } from '../../src/search/store.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

let dir: string;
let accuracy: string;
let results: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cli-search-'));
  accuracy = writeAccuracyFixture(dir);
  results = path.join(dir, 'results');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The front table and hypervolume line (after the header lines, before the next commands `search` prints). */
function frontPart(stdout: string): string {
  const next = stdout.indexOf('\nnext:\n');
  return stdout.slice(stdout.indexOf('rank'), next < 0 ? undefined : next).trimEnd() + '\n';
}

describe('hwnas search / runs (subprocess)', () => {
  it('runs a search, stores it under results/<run>, and shows the same front in runs show and --json', () => {
    const config = writeConfig(dir, 'a.json', searchConfig(accuracy));
    const r = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'a']);
    expect(r.stderr).toMatch(/search: 60\/60 bestAccuracy=/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run a \(.*hwnas\.db\): 60 evaluated, 0 failed/);
    expect(r.stdout).toMatch(/rank\s+arch\s+accuracy\s+latency ms\s+latency source\s+FLOPs M/);
    expect(r.stdout).toMatch(/simulated:mobile-cpu@\d/);
    expect(r.stdout).toMatch(/hypervolume [\d.]+ \(reference point accuracy=/);
    expect(fs.existsSync(path.join(results, 'a', 'hwnas.db'))).toBe(true);

    const show = runCli(['runs', 'show', 'a', '--results', results]);
    expect(show.code).toBe(0);
    expect(frontPart(show.stdout)).toBe(frontPart(r.stdout));
    // search also prints the next commands, with the run id and its results folder.
    expect(r.stdout).toMatch(/\nnext:\n {2}hwnas runs show a --results /);
    const json = JSON.parse(runCli(['runs', 'show', 'a', '--results', results, '--json']).stdout);
    expect(json.state).toBe('complete');
    expect(json.counts).toMatchObject({ evaluated: 60, failed: 0, running: 0, budget: 60 });
    expect(json.backend).toMatch(/wasm|cpu|tensorflow/);
    expect(json.front.length).toBeGreaterThan(1);
    for (const row of json.front) {
      expect(typeof row.arch).toBe('string');
      expect(row.latencyMs).toBeLessThanOrEqual(4);
      expect(row.accuracy).toBeGreaterThan(0);
    }
    // The front is non-dominated and sorted by accuracy.
    for (let i = 1; i < json.front.length; i++) {
      expect(json.front[i].accuracy).toBeLessThan(json.front[i - 1].accuracy);
      expect(json.front[i].latencyMs).toBeLessThan(json.front[i - 1].latencyMs);
    }
    const list = runCli(['runs', 'list', '--results', results, '--json']);
    expect(JSON.parse(list.stdout).find((x: { runId: string }) => x.runId === 'a')).toMatchObject({ state: 'complete', evaluated: 60 });
  });

  it('shows failed trials with their reasons in runs show and --json', () => {
    // An accuracy table that knows only every other arch: the others fail, each saying why.
    const lines = fs.readFileSync(accuracy, 'utf8').trim().split('\n');
    const half = path.join(dir, 'half-accuracy.csv');
    fs.writeFileSync(half, [lines[0], ...lines.slice(1).filter((_, i) => i % 2 === 0)].join('\n') + '\n');
    const config = writeConfig(dir, 'half.json', { ...searchConfig(half), budget: { evaluations: 30, batchSize: 10 } });
    expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'half', '--quiet']).code).toBe(0);
    const json = JSON.parse(runCli(['runs', 'show', 'half', '--results', results, '--json']).stdout);
    expect(json.failed.length).toBe(json.counts.failed);
    expect(json.failed.length).toBeGreaterThan(0);
    for (const f of json.failed) expect(f.error).toMatch(/no accuracy in .*half-accuracy\.csv \(fixture_acc\)/);
    const text = runCli(['runs', 'show', 'half', '--results', results]).stdout;
    expect(text).toMatch(new RegExp(`failed trials \\(${json.failed.length}[,)]`));
    expect(text).toContain(`#${json.failed[0].index} ${json.failed[0].arch}: no accuracy in`);
  });

  it('gives byte-identical front tables for the same config and seed, and resuming a complete run is refused', () => {
    const config = writeConfig(dir, 'b.json', searchConfig(accuracy, { strategy: { name: 'nsga2', params: { population: 10 } } }));
    const one = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'b1', '--no-progress']);
    const two = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'b2', '--no-progress']);
    expect(one.code).toBe(0);
    expect(frontPart(two.stdout)).toBe(frontPart(one.stdout));
    const again = runCli(['runs', 'resume', 'b1', '--results', results]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/hwnas: error: run b1 is already complete/);
  });

  it('resumes a search killed with SIGKILL to exactly the uninterrupted front, with no lost or duplicate trials', async () => {
    // Batches of one make many commits, so the kill lands mid-run.
    const config = writeConfig(
      dir,
      'k.json',
      searchConfig(accuracy, { budget: { evaluations: 900, batchSize: 1 }, strategy: { name: 'local-search', params: { initial: 20 } } }),
    );
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/hwnas.js'), 'search', '--config', config, '--out-dir', results, '--run-name', 'killed', '--no-progress'],
      { stdio: 'ignore' },
    );
    const db = path.join(results, 'killed', 'hwnas.db');
    let evaluatedAtKill = 0;
    for (let waited = 0; waited < 60_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      if (!fs.existsSync(db)) continue;
      const reader = RunStore.openReader(path.join(results, 'killed'));
      evaluatedAtKill = reader.counts().evaluated;
      reader.close();
      if (evaluatedAtKill >= 60) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(evaluatedAtKill).toBeGreaterThanOrEqual(60);
    expect(evaluatedAtKill).toBeLessThan(900);
    const interrupted = JSON.parse(runCli(['runs', 'show', 'killed', '--results', results, '--json']).stdout);
    expect(interrupted.state).toBe('interrupted');

    const resumed = runCli(['runs', 'resume', 'killed', '--results', results, '--no-progress']);
    expect(resumed.stderr).toBe(resumed.stderr.replace(/error/, ''));
    expect(resumed.code).toBe(0);
    const full = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'uninterrupted', '--no-progress']);
    expect(full.code).toBe(0);
    const showResumed = runCli(['runs', 'show', 'killed', '--results', results]).stdout;
    const showFull = runCli(['runs', 'show', 'uninterrupted', '--results', results]).stdout;
    expect(frontPart(showResumed)).toBe(frontPart(showFull));

    const a = RunStore.openReader(path.join(results, 'killed'));
    const b = RunStore.openReader(path.join(results, 'uninterrupted'));
    const ta = a.trials();
    expect(ta.map((t) => t.arch)).toEqual(b.trials().map((t) => t.arch));
    expect(a.counts()).toEqual({ proposed: 900, evaluated: 900, failed: 0 });
    expect(ta.every((t) => t.state === 'evaluated')).toBe(true);
    expect(a.notes('session')).toHaveLength(2);
    a.close();
    b.close();
  }, 120_000);
});

describe('bad inputs: one line, exit ≠ 0, nothing half-written', () => {
  const cases: [string, (acc: string) => Record<string, unknown>, RegExp][] = [
    ['malformed constraint', (acc) => searchConfig(acc, { constraints: ['latency < 5'] }), /constraints\[0\]: must look like/],
    ['unknown device', (acc) => searchConfig(acc, { device: 'toaster' }), /: device: unknown device 'toaster' \(known: .*mobile-cpu/],
    [
      'unknown strategy',
      (acc) => searchConfig(acc, { strategy: { name: 'annealing' } }),
      /: strategy\.name: unknown strategy 'annealing' \(known: random, regularized-evolution, nsga2, local-search\)/,
    ],
    [
      'bad strategy parameter',
      (acc) => searchConfig(acc, { strategy: { name: 'nsga2', params: { population: 0 } } }),
      /strategy\.params\.population: must be a number >= 2, got 0/,
    ],
    [
      'bad objective',
      (acc) => searchConfig(acc, { objectives: [{ metric: 'energy' }] }),
      /objectives\[0\]\.metric: must be one of accuracy, latencyMs, flopsM, paramsM/,
    ],
    [
      'missing accuracy column',
      (acc) => searchConfig(acc, { accuracy: { source: 'table', file: acc, column: 'nope' } }),
      /accuracy\.csv.*nope/,
    ],
    [
      'budget not positive',
      (acc) => searchConfig(acc, { budget: { evaluations: 0 } }),
      /budget\.evaluations: must be a positive number, got 0/,
    ],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    const out = path.join(dir, 'bad-results');
    const config = writeConfig(dir, 'bad.json', make(accuracy));
    const r = runCli(['search', '--config', config, '--out-dir', out, '--run-name', 'bad']);
    expect(r.code).not.toBe(0);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('hwnas: error:')),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(path.join(out, 'bad'))).toBe(false);
  });

  it('a measurements file with a bad row names file and line; nothing written', () => {
    const measurements = path.join(dir, 'm.csv');
    fs.writeFileSync(
      measurements,
      'arch,latency_ms\n|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|,1.5\nnot-an-arch,2\n',
    );
    const predictorDir = path.join(dir, 'no-predictor');
    const config = writeConfig(
      dir,
      'm.json',
      searchConfig(accuracy, { latency: { source: 'predictor', predictor: predictorDir, measurements } }),
    );
    const out = path.join(dir, 'bad-results');
    const r = runCli(['search', '--config', config, '--out-dir', out, '--run-name', 'bad']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/hwnas: error: .*m\.csv:3.*not-an-arch/);
    expect(fs.existsSync(path.join(out, 'bad'))).toBe(false);
  });

  it('an unwritable output folder is one clear line', () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, '');
    const config = writeConfig(dir, 'u.json', searchConfig(accuracy));
    const r = runCli(['search', '--config', config, '--out-dir', path.join(blocker, 'results'), '--run-name', 'u']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/hwnas: error: cannot create run directory .*blocker\/results\/u: (ENOTDIR|EEXIST)/);
  });
});
