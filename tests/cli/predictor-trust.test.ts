// A new device fitted from a few hand-written timings, as a user with a board would (subprocess, no data needed):
// the shipped quickstart predictor fitted to the simulated mcu from ten measurements — exact, or noisy with one row
// three times too slow. The planted row is named, predictions carry intervals, every latency of the whole space and
// of a search's front is positive, and exact measurements rank all NB201 cells well.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spearman } from '../../src/core/metrics.js';
import { Rng } from '../../src/core/rng.js';
import { measurablePool } from '../../src/encodings/pool.js';
import { getDevice } from '../../src/hardware/registry.js';
import { randomSamples } from '../../src/predictors/transfer/harness.js';
import type { SimulatedDevice } from '../../src/hardware/simulated.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { repoRoot, runCli, type CliResult } from '../helpers/cli.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

const predictor = path.join(repoRoot, 'models/quickstart');
const archs = nb201Space.enumerate!();
const truth = Float64Array.from(archs, (getDevice('mcu') as SimulatedDevice).scorer(nb201Space, nb201Space.defaultInput('cifar10')));
const rng = Rng.derive(7, 'trust-test');
const rows = rng.sample(
  archs.map((_, i) => i),
  10,
);
const PLANTED = 6; // 0-based: CSV data row 7
let dir: string;

/** A measurements CSV of the ten archs with latencies `ms`. */
function csv(name: string, ms: number[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, 'arch,latency_ms\n' + rows.map((r, i) => `${archs[r]},${ms[i]}`).join('\n') + '\n');
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-trust-'));
  fs.writeFileSync(path.join(dir, 'all.txt'), archs.join('\n') + '\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `hwnas predictor fit` of the shipped predictor to `measurements` for my-board, into `out` under the test folder. */
const fitShipped = (measurements: string, out: string, ...flags: string[]): CliResult =>
  runCli([
    'predictor',
    'fit',
    '--predictor',
    predictor,
    '--device',
    'my-board',
    '--measurements',
    measurements,
    '--out',
    path.join(dir, out),
    ...flags,
  ]);

/** Every NB201 arch predicted for my-board by the predictor fitted into `fitted`, as `predictor predict --json` prints them. */
function predictAll(fitted: string): CliResult {
  return runCli([
    'predictor',
    'predict',
    '--predictor',
    path.join(dir, fitted),
    '--device',
    'my-board',
    '--archs',
    path.join(dir, 'all.txt'),
    '--json',
  ]);
}

/** The shipped predictor fitted to the ten exact measurements into `exact/`, once: two tests read it. */
let exactFit: CliResult | undefined;
function fitExact(): CliResult {
  exactFit ??= fitShipped(
    csv(
      'exact.csv',
      rows.map((r) => truth[r]),
    ),
    'exact',
    '--json',
  );
  return exactFit;
}

describe('few-shot predictions on a new device (subprocess)', () => {
  const noisy = rows.map((r, i) => truth[r] * Math.exp(0.1 * Rng.derive(7, 'noise', i).normal()) * (i === PLANTED ? 3 : 1));

  it('names the planted outlier row, in text and in --json, and predicts positive latencies with intervals', () => {
    const measurements = csv('noisy.csv', noisy);
    const fit = fitShipped(measurements, 'noisy', '--json');
    expect(fit.code).toBe(0);
    const report = JSON.parse(fit.stdout);
    expect(report.diagnostics.outliers.map((o: { row: number }) => o.row)).toEqual([PLANTED + 1]);
    expect(report.diagnostics.outliers[0].arch).toBe(archs[rows[PLANTED]]);
    expect(report.diagnostics.outliers[0].ratio).toBeGreaterThan(2);
    expect(report.diagnostics.interval90Factor).toBeGreaterThan(1);

    const text = fitShipped(measurements, 'noisy-text');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /leave-one-out on the measurements: MAPE [\d.]+ % \(median [\d.]+ %\), Spearman ρ [\d.]+; 90 % intervals: prediction ÷\/× [\d.]+/,
    );
    expect(text.stderr).toContain(`warning: distrusted row ${PLANTED + 1} (${archs[rows[PLANTED]]}): `);

    const predict = predictAll('noisy');
    expect(predict.code).toBe(0);
    const predictions = JSON.parse(predict.stdout) as {
      arch: string;
      latencyMs: number;
      lowerMs: number;
      upperMs: number;
      level: number;
    }[];
    expect(predictions).toHaveLength(archs.length);
    for (const p of predictions) {
      expect(p.latencyMs).toBeGreaterThan(0);
      expect(p.lowerMs).toBeGreaterThan(0);
      expect(p.lowerMs).toBeLessThan(p.latencyMs);
      expect(p.upperMs).toBeGreaterThan(p.latencyMs);
    }
    expect(predictions[0].level).toBe(0.9);
    // Noise and an outlier cost accuracy, not sense: the ranking stays far from random.
    expect(
      spearman(
        predictions.map((p) => p.latencyMs),
        truth,
      ),
    ).toBeGreaterThan(0.8);
  });

  it('ranks every NB201 cell at ρ ≥ 0.99 from ten exact measurements', () => {
    const fit = fitExact();
    expect(fit.code, fit.stderr).toBe(0);
    expect(JSON.parse(fit.stdout).diagnostics.outliers).toEqual([]);
    const predict = predictAll('exact');
    const predictions = JSON.parse(predict.stdout) as { latencyMs: number }[];
    expect(
      spearman(
        predictions.map((p) => p.latencyMs),
        truth,
      ),
    ).toBeGreaterThanOrEqual(0.99);
  });

  it('gives the next batch to measure by hand: archs the fitted predictor is least sure of, none measured before', () => {
    expect(fitExact().code).toBe(0);
    const next = path.join(dir, 'next-batch.csv');
    const r = runCli([
      'sample',
      '--sampler',
      'uncertainty',
      '--predictor',
      path.join(dir, 'exact'),
      '--device',
      'my-board',
      '--n',
      '5',
      '--out',
      next,
    ]);
    expect(r.code).toBe(0);
    const batch = fs.readFileSync(next, 'utf8').trim().split('\n');
    expect(batch[0]).toBe('arch,latency_ms');
    const picked = batch.slice(1).map((l) => l.split(',')[0]);
    expect(new Set(picked).size).toBe(5);
    for (const arch of picked) expect(rows.map((i) => archs[i])).not.toContain(arch);
    const missing = runCli(['sample', '--sampler', 'uncertainty', '--n', '5']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/needs --predictor .* and --device/);
  });

  it('measures adaptively in rounds during a search, and says so', () => {
    const accuracy = writeAccuracyFixture(dir);
    const latency = {
      source: 'predictor',
      predictor,
      samples: 5,
      sampler: 'random',
      adaptive: { rounds: 2, perRound: 3, candidates: 300 },
    };
    const config = writeConfig(
      dir,
      'adaptive.json',
      searchConfig(accuracy, { device: 'mcu', latency, constraints: [], budget: { evaluations: 30, batchSize: 10 } }),
    );
    const r = runCli(['search', '--config', config, '--out-dir', path.join(dir, 'results'), '--run-name', 'adaptive']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/adaptive round 2\/2: measured 3 uncertain front candidates on mcu; refitted on 11/);
    expect(r.stdout).toMatch(/from 11 measurements 5 chosen by random, 6 adaptively/);
    const show = JSON.parse(runCli(['runs', 'show', 'adaptive', '--results', path.join(dir, 'results'), '--json']).stdout);
    expect(show.adaptation.archs).toHaveLength(11);
    expect(new Set(show.adaptation.archs).size).toBe(11);
    expect(show.adaptation.initialSamples).toBe(5);
  });

  it('in a search, measures a distrusted row again and keeps it when the device repeats it', async () => {
    // A measured-table device whose table is 3× off for one of the archs the search will measure: measuring again
    // returns the same value, so the row is the device's and stays in the fit.
    // The search draws from the archs worth measuring (src/encodings/pool.ts).
    const picks = await randomSamples(measurablePool(nb201Space, archs), 10, 5);
    const planted = archs.indexOf(picks[4]);
    const table = path.join(dir, 'board-table.csv');
    fs.writeFileSync(table, 'arch_str,board_ms\n' + archs.map((a, i) => `${a},${truth[i] * (i === planted ? 3 : 1)}`).join('\n') + '\n');
    const accuracy = writeAccuracyFixture(dir);
    const config = writeConfig(
      dir,
      'confirm.json',
      searchConfig(accuracy, {
        device: { table, column: 'board' },
        latency: { source: 'predictor', predictor, samples: 10, sampler: 'random' },
        constraints: [],
        budget: { evaluations: 20, batchSize: 10 },
      }),
    );
    const r = runCli(['search', '--config', config, '--out-dir', path.join(dir, 'results'), '--run-name', 'confirm']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/distrusted row 5 measured again: [\d.]+ ms \(first [\d.]+ ms\): kept/);
    expect(r.stdout).not.toMatch(/distrusted row/);
  });

  it('a search adapted from the noisy timings shows only positive latencies in runs show --json', () => {
    const accuracy = writeAccuracyFixture(dir);
    const config = writeConfig(
      dir,
      'noisy-search.json',
      searchConfig(accuracy, {
        device: 'mcu',
        latency: { source: 'predictor', predictor, measurements: csv('search.csv', noisy) },
        constraints: [],
        strategy: { name: 'nsga2', params: { population: 10 } },
      }),
    );
    const r = runCli(['search', '--config', config, '--out-dir', path.join(dir, 'results'), '--run-name', 'noisy', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`distrusted row ${PLANTED + 1} \\(`));
    const show = JSON.parse(runCli(['runs', 'show', 'noisy', '--results', path.join(dir, 'results'), '--json']).stdout);
    expect(show.front.length).toBeGreaterThan(0);
    for (const f of show.front as { latencyMs: number; latencyLowerMs: number; latencyUpperMs: number }[]) {
      expect(f.latencyMs).toBeGreaterThan(0);
      expect(f.latencyLowerMs).toBeGreaterThan(0);
      expect(f.latencyUpperMs).toBeGreaterThan(f.latencyMs);
    }
  });
});
