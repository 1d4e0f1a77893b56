// `hwnas runs trials` as a subprocess: every trial with its metrics, sources and the reason of a failed one, as a
// table, JSON and CSV (optuna's trials_dataframe).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

let dir: string;
let results: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cli-trials-'));
  results = path.join(dir, 'results');
  // An accuracy table that knows only every other arch: the others fail, each saying why.
  const accuracy = writeAccuracyFixture(dir);
  const lines = fs.readFileSync(accuracy, 'utf8').trim().split('\n');
  const half = path.join(dir, 'half-accuracy.csv');
  fs.writeFileSync(half, [lines[0], ...lines.slice(1).filter((_, i) => i % 2 === 0)].join('\n') + '\n');
  const config = writeConfig(dir, 'half.json', { ...searchConfig(half), budget: { evaluations: 20, batchSize: 10 } });
  const r = runCli(['search', '--config', config, '--results', results, '--run-name', 'half', '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hwnas runs trials (subprocess)', () => {
  it('lists every trial with metrics, sources and errors in --json, --csv and text', () => {
    const json = JSON.parse(runCli(['runs', 'trials', 'half', '--results', results, '--json']).stdout) as Record<string, unknown>[];
    expect(json.map((t) => t.index)).toEqual([...Array(20).keys()]);
    const failed = json.filter((t) => t.state === 'failed');
    const evaluated = json.filter((t) => t.state === 'evaluated');
    expect(failed.length).toBeGreaterThan(0);
    expect(evaluated.length).toBeGreaterThan(0);
    for (const t of failed) {
      expect(t.error).toMatch(/no accuracy in .*half-accuracy\.csv/);
      expect(t.accuracy).toBeNull();
    }
    for (const t of evaluated) {
      expect(t).toMatchObject({
        batch: expect.any(Number),
        accuracy: expect.any(Number),
        latencyMs: expect.any(Number),
        flopsM: expect.any(Number),
        paramsM: expect.any(Number),
        error: null,
      });
      expect(t.latencySource).toMatch(/simulated:mobile-cpu@\d/);
      expect(t.accuracySource).toEqual(expect.any(String));
    }

    const csv = runCli(['runs', 'trials', 'half', '--results', results, '--csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe(
      'index,batch,state,arch,accuracy,latencyMs,latencyLowerMs,latencyUpperMs,flopsM,paramsM,accuracySource,latencySource,flopsSource,paramsSource,error',
    );
    expect(csv.length).toBe(21);
    expect(csv[1 + (failed[0].index as number)]).toContain(',failed,');

    const text = runCli(['runs', 'trials', 'half', '--results', results]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\s*#\s+batch\s+state\s+arch\s+accuracy\s+latency ms/);
    expect(text.stdout).toContain('no accuracy in');
    // The text fits a 100-column terminal; --wide has the whole arch strings and errors, and FLOPs and params.
    expect(
      Math.max(
        ...text.stdout
          .trimEnd()
          .split('\n')
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(100);
    const wide = runCli(['runs', 'trials', 'half', '--results', results, '--wide']).stdout;
    expect(wide).toMatch(/FLOPs M\s+params M\s+error/);
    expect(wide).toContain(String(failed[0].arch));
    expect(wide).toContain(String(failed[0].error));
    expect(runCli(['runs', 'trials', 'half', '--results', results, '--json', '--csv']).stderr).toMatch(/--json or --csv, not both/);
  });
});
