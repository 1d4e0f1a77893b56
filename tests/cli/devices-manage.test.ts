// `hwnas devices` list/show/add/remove/import-table/calibrate/measure, run as a subprocess.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLatencyTable } from '../../src/data/latency.js';
import { readMeasurements } from '../../src/hardware/measurements.js';
import { BUILTIN_PROFILES } from '../../src/hardware/registry.js';
import { getSpace } from '../../src/spaces/registry.js';
import { runCli } from '../helpers/cli.js';
import { dataFile, describeWithData } from '../helpers/data.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-devices-manage-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('hwnas devices: built-ins and user devices', () => {
  const dir = path.join(tmp, 'env-devices');
  const env = { HWNAS_DEVICES_DIR: dir };

  it('lists the built-in devices with kind and version', () => {
    const r = runCli(['devices', 'list', '--json'], { env });
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout);
    expect(listed.devicesDir).toBe(dir);
    expect(listed.devices.map((d: { name: string }) => d.name)).toEqual(BUILTIN_PROFILES.map((p) => p.name));
    expect(listed.devices[0]).toMatchObject({ kind: 'simulated', version: 1, origin: 'builtin' });
  });

  it('shows a profile with where each number came from', () => {
    const r = runCli(['devices', 'show', 'edge-tpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/source: +Coral Edge TPU datasheet: 4 TOPS/);
    expect(r.stdout).toMatch(/simulated\.peak\.int8Gops +4000 +spec sheet/);
    expect(r.stdout).toMatch(/simulated\.efficiency\.conv +0\.7 +modelling assumption/);
  });

  it('adds a profile into $HWNAS_DEVICES_DIR, then removes it', () => {
    const file = path.join(tmp, 'board.json');
    fs.writeFileSync(file, JSON.stringify({ ...BUILTIN_PROFILES[5], name: 'my-board', description: 'my board' }));
    const added = runCli(['devices', 'add', file], { env });
    expect(added.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'my-board.json'))).toBe(true);
    const listed = runCli(['devices', 'list'], { env });
    expect(listed.stdout).toMatch(/my-board +simulated +v1 +user/);
    expect(runCli(['devices', 'remove', 'my-board'], { env }).code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
    const again = runCli(['devices', 'remove', 'my-board'], { env });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/unknown user device 'my-board'/);
  });
});

describeWithData('hwnas devices with measured data', () => {
  const dir = path.join(tmp, 'data-devices');
  const table = loadLatencyTable(dataFile('help/nb201_latency.csv'), { devices: ['pixel3'] });

  it('imports a table column as a measured-table device', () => {
    const r = runCli([
      'devices',
      'import-table',
      'pixel3-table',
      '--file',
      dataFile('help/nb201_latency.csv'),
      '--column',
      'pixel3_ms',
      '--devices-dir',
      dir,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/15625 archs, batch 1, resolution 32, 10 reference archs/);
    const profile = JSON.parse(fs.readFileSync(path.join(dir, 'pixel3-table.json'), 'utf8'));
    expect(profile).toMatchObject({ kind: 'measured-table', table: { column: 'pixel3', space: 'nb201', batchSize: 1 } });
    // HELP's first reference arch is NB201 index 11982 (help_meta.json).
    const first = table.archAtIndex(11982)!;
    expect(profile.reference.latencies[0]).toEqual({ arch: first, latencyMs: table.latency('pixel3', first) });
    const bad = runCli([
      'devices',
      'import-table',
      'x',
      '--file',
      dataFile('help/nb201_latency.csv'),
      '--column',
      'pixel9',
      '--devices-dir',
      dir,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/no latency column for device 'pixel9'/);
  });

  it('calibrates a simulated profile to a measurements CSV and writes a new version', () => {
    const rows = Array.from({ length: 80 }, (_, i) => `${i * 193},${table.column('pixel3')[table.rowOf(table.archAtIndex(i * 193)!)!]}`);
    const csv = path.join(tmp, 'pixel3.csv');
    fs.writeFileSync(csv, `arch,latency_ms\n${rows.join('\n')}\n`);
    const out = path.join(tmp, 'pixel3-cal.json');
    const r = runCli(['devices', 'calibrate', 'mobile-cpu', '--measurements', csv, '--out', out, '--held-out', '0.25', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ profile: 'mobile-cpu-cal', version: 2, trainRows: 60, heldOutRows: 20 });
    expect(report.after.spearman).toBeGreaterThan(report.before.spearman);
    const written = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(written.provenance.calibration).toMatchObject({ base: 'mobile-cpu', baseVersion: 1, measurements: 'pixel3.csv' });
    expect(runCli(['devices', 'validate', out]).code).toBe(0);
  });
});

describe('hwnas devices measure', () => {
  it('measures the host and writes a measurements CSV that calibrate can read', () => {
    const out = path.join(tmp, 'host.csv');
    const r = runCli([
      'devices',
      'measure',
      '--space',
      'nb201',
      '--n',
      '3',
      '--seed',
      '1',
      '--resolution',
      '16',
      '--warmup',
      '1',
      '--min-repeats',
      '3',
      '--budget-ms',
      '50',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/measuring on host: 3\/3/);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'arch,latency_ms,p10_ms,p90_ms,repeats,batch_size,resolution,device,runtime,runtime_version,threads,cpu,governor,load_avg',
    );
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      expect(Number(cells[1])).toBeGreaterThan(0);
      expect(cells.slice(5, 9)).toEqual(['1', '16', 'host', expect.stringMatching(/^tfjs-(wasm|cpu|tensorflow)$/)]);
    }
    expect(readMeasurements(out, getSpace('nb201')).map((m) => m.resolution)).toEqual([16, 16, 16]);
  }, 60_000);
});
