// ONNX Runtime end to end through the CLI: write an ONNX file, time it and built archs on the host-ort device,
// resume a measurement file, and refuse bad input with one line each.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/core/csv.js';
import { readMeasurements } from '../../src/hardware/measurements.js';
import { getSpace } from '../../src/spaces/registry.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-ort-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The one error line of a failed command (the info lines before it are allowed), and no stack trace. */
function oneErrorLine(args: string[], env: Record<string, string> = {}): string {
  const r = runCli(args, { env });
  expect(r.code).not.toBe(0);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const errors = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('hwnas: error'));
  expect(errors).toHaveLength(1);
  return errors[0];
}

const FBNET = '1_8_5_8_0_3_7_8_2_4_6_1_8_5_0_8_3_2_7_1_8_4';
const timing = ['--warmup', '3', '--min-repeats', '20', '--budget-ms', '40'];

describe('onnxruntime device (subprocess)', () => {
  it('spaces model --onnx writes a file that devices measure --model times, with its conditions', () => {
    const file = path.join(dir, 'fbnet.onnx');
    const r = runCli(['spaces', 'model', 'fbnet', '--arch', FBNET, '--onnx', file, '--seed', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ONNX \(opset 13, input NCHW 1x3x32x32\) -> .*fbnet\.onnx/);
    const m = runCli(['devices', 'measure', '--device', 'host-ort', '--model', file, ...timing, '--json']);
    expect(m.code).toBe(0);
    const result = JSON.parse(m.stdout);
    expect(result).toMatchObject({ arch: FBNET, runtime: 'onnxruntime', threads: 1, batchSize: 1, resolution: 32 });
    expect(result.runtimeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.cpu).not.toBe('');
    expect(typeof result.governor).toBe('string');
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.p10Ms).toBeLessThanOrEqual(result.latencyMs);
    expect(result.p90Ms).toBeGreaterThanOrEqual(result.latencyMs);
    expect(result.repeats).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('measures sampled archs, appends to the file on a re-run and skips what is already there', () => {
    const out = path.join(dir, 'm.csv');
    const first = runCli(['devices', 'measure', '--device', 'host-ort', '--n', '3', '--seed', '4', ...timing, '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/measuring on host-ort: 3\/3/);
    // A crash while a row was being written leaves a torn line: the re-run drops it and measures that arch again.
    fs.appendFileSync(out, '|none~0|+|none~0|no');
    const second = runCli(['devices', 'measure', '--device', 'host-ort', '--n', '5', '--seed', '4', ...timing, '--out', out, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ device: 'host-ort', measured: 2, skipped: 3, runtime: 'onnxruntime', threads: 1 });
    const table = readCsv(out);
    expect(table.rows).toHaveLength(5);
    const col = (name: string) => table.header.indexOf(name);
    const spreads: number[] = [];
    for (const row of table.rows) {
      const [median, p10, p90] = [Number(row[col('latency_ms')]), Number(row[col('p10_ms')]), Number(row[col('p90_ms')])];
      expect(median).toBeGreaterThan(0);
      expect(p10).toBeLessThanOrEqual(median);
      expect(p90).toBeGreaterThanOrEqual(median);
      spreads.push(p90 / p10);
      expect(Number(row[col('repeats')])).toBeGreaterThanOrEqual(20);
      expect(row[col('runtime')]).toBe('onnxruntime');
      expect(row[col('threads')]).toBe('1');
    }
    // Repeat spread bounded. Alone here p90/p10 is about 1.2 (bench:runtimes reports it); other test files and
    // benchmarks share the two cores and can stretch most rows (a middle-row bound failed under a full second job),
    // so the bound is on the steadiest row: a timer that included session set-up or warm-up in its runs breaks
    // every row. The spread itself is measured by bench:runtimes, not here.
    expect(Math.min(...spreads)).toBeLessThan(4);
    expect(new Set(table.rows.map((r) => r[0])).size).toBe(5);
    // The file is a measurements CSV that predictor fit and calibrate read.
    expect(readMeasurements(out, getSpace('nb201'))).toHaveLength(5);
    // Measuring again at another resolution into the same file is refused rather than mixed.
    expect(oneErrorLine(['devices', 'measure', '--device', 'host-ort', '--n', '1', '--resolution', '16', '--out', out])).toMatch(
      /m\.csv line 2 was measured at batch 1, resolution 32, not 1, 16/,
    );
  }, 120_000);

  it('refuses bad input with one line naming the file or field', () => {
    const corrupt = path.join(dir, 'corrupt.onnx');
    fs.writeFileSync(corrupt, 'this is not a protobuf at all, just some text');
    expect(oneErrorLine(['devices', 'measure', '--device', 'host-ort', '--model', corrupt])).toMatch(
      /corrupt\.onnx is not an ONNX model|ONNX Runtime cannot load .*corrupt\.onnx/,
    );
    expect(oneErrorLine(['devices', 'measure', '--device', 'host-ort', '--model', path.join(dir, 'missing.onnx')])).toMatch(
      /cannot read .*missing\.onnx: ENOENT/,
    );
    expect(oneErrorLine(['devices', 'measure', '--device', 'mobile-cpu', '--n', '2', '--out', path.join(dir, 'x.csv')])).toMatch(
      /'mobile-cpu' is simulated/,
    );
    expect(
      oneErrorLine(['devices', 'measure', '--device', 'host-ort', '--space', 'fbnet', '--all', '--out', path.join(dir, 'x.csv')]),
    ).toMatch(/--all needs an enumerable space/);
    expect(fs.existsSync(path.join(dir, 'x.csv'))).toBe(false);

    const profile = path.join(dir, 'ort-bad.json');
    fs.writeFileSync(
      profile,
      JSON.stringify({
        schemaVersion: 1,
        name: 'ort-bad',
        kind: 'onnxruntime',
        description: 'x',
        provenance: { source: 'x' },
        onnxruntime: { threads: 2 },
      }),
    );
    expect(oneErrorLine(['devices', 'validate', profile])).toMatch(/ort-bad\.json.*onnxruntime.*threads/);

    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    expect(oneErrorLine(['spaces', 'model', 'nb201', '--arch', '0', '--onnx', path.join(blocker, 'm.onnx')])).toMatch(
      /a-file exists and is not a folder|cannot write .*a-file.m\.onnx: (ENOTDIR|EEXIST)/,
    );
    expect(
      oneErrorLine([
        'spaces',
        'model',
        'nb201',
        '--arch',
        '|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|',
        '--onnx',
        path.join(dir, 'never.onnx'),
      ]),
    ).toMatch(/conv_9x9/);
    expect(fs.existsSync(path.join(dir, 'never.onnx'))).toBe(false);
  }, 60_000);
});

describe('search on host-ort (subprocess)', () => {
  it('latency.source device measures every candidate on ONNX Runtime', async () => {
    const { searchConfig, writeAccuracyFixture, writeConfig } = await import('../search/fixtures.js');
    const config = writeConfig(
      dir,
      'device.json',
      searchConfig(writeAccuracyFixture(dir), { device: 'host-ort', constraints: [], budget: { evaluations: 12, batchSize: 6 } }),
    );
    const results = path.join(dir, 'results');
    const r = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'dev', '--no-progress']);
    expect(r.code).toBe(0);
    const show = JSON.parse(runCli(['runs', 'show', 'dev', '--results', results, '--json']).stdout);
    expect(show.counts.evaluated).toBe(12);
    for (const f of show.front as { latencyMs: number; sources: { latencyMs: string } }[]) {
      expect(f.latencyMs).toBeGreaterThan(0);
      expect(f.sources.latencyMs).toMatch(/^onnxruntime:\d+\.\d+\.\d+\/1t\/all$/);
    }
  }, 180_000);

  it('latency.source predictor adapts from ONNX Runtime measurements and verify measures the front', async () => {
    const { searchConfig, writeAccuracyFixture, writeConfig } = await import('../search/fixtures.js');
    const latency = { source: 'predictor', predictor: 'hwnas:models/quickstart', samples: 5, verify: true };
    const config = writeConfig(
      dir,
      'pred.json',
      searchConfig(writeAccuracyFixture(dir), { device: 'host-ort', latency, constraints: [], budget: { evaluations: 30, batchSize: 10 } }),
    );
    const results = path.join(dir, 'results');
    const r = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'pred', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/adapted to host-ort \(onnxruntime:[\d.]+\/1t\/all\) from 5 measurements/);
    expect(r.stdout).toMatch(
      /front re-checked on host-ort \(onnxruntime:[\d.]+\/1t\/all\), \d+ archs: predicted vs true latency Spearman ρ/,
    );
    const show = JSON.parse(runCli(['runs', 'show', 'pred', '--results', results, '--json']).stdout);
    expect(show.verification.source).toMatch(/^onnxruntime:/);
    expect(show.verification.trueMs.every((v: number) => v > 0)).toBe(true);
  }, 180_000);
});
