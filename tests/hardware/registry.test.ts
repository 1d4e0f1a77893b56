// Built-in profiles, the user devices directory, the measured-table device, and the device-kind conformance suite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnknownNameError, UsageError } from '../../src/core/errors.js';
import { validate } from '../../src/core/config/validate.js';
import {
  BUILTIN_PROFILES,
  deviceFromProfile,
  deviceKinds,
  getDevice,
  getProfile,
  listDevices,
  removeUserProfile,
  saveUserProfile,
} from '../../src/hardware/registry.js';
import type { SimulatedDevice } from '../../src/hardware/simulated.js';
import { TableDevice } from '../../src/hardware/table.js';
import { deviceProfileSchema, type DeviceProfile } from '../../src/hardware/schema.js';
import { isSyncDevice, type TableProfile } from '../../src/hardware/types.js';
import { getSpace } from '../../src/spaces/registry.js';
import { dataFile, describeWithData } from '../helpers/data.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-registry-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const nb201 = getSpace('nb201');

describe('built-in profiles', () => {
  const simulated = BUILTIN_PROFILES.filter((p) => p.kind === 'simulated');

  it('ships at least six simulated devices, each naming its spec-sheet figures, plus the host', () => {
    expect(simulated.length).toBeGreaterThanOrEqual(6);
    for (const p of simulated) expect(p.provenance.source, p.name).toMatch(/\d/);
    expect(BUILTIN_PROFILES.find((p) => p.name === 'host')?.kind).toBe('host');
  });

  it('gives simulated devices the sync fast path with versioned provenance', async () => {
    const device = getDevice('mobile-cpu', { devicesDir: tmp });
    expect(isSyncDevice(device)).toBe(true);
    const arch = nb201.fromIndex!(0);
    const [record] = await device.latency(nb201, [arch], nb201.defaultInput());
    expect(record).toMatchObject({ arch, source: 'simulated:mobile-cpu@1' });
    expect(record.latencyMs).toBeGreaterThan(0);
    expect((device as SimulatedDevice).latencyMs(nb201, arch, nb201.defaultInput())).toBe(record.latencyMs);
  });

  it('lists the known devices when a name is unknown', () => {
    expect(() => getDevice('toaster', { devicesDir: tmp })).toThrow(UnknownNameError);
    expect(() => getDevice('toaster', { devicesDir: tmp })).toThrow(
      /unknown device 'toaster' \(known: server-gpu, desktop-cpu, mobile-cpu/,
    );
  });
});

describe('user devices directory', () => {
  const dir = path.join(tmp, 'devices');
  const mine = { ...BUILTIN_PROFILES[2], name: 'my-phone', description: 'mine' };

  it('saves, lists, resolves and removes a user profile', () => {
    const file = saveUserProfile(mine, dir);
    expect(file).toBe(path.join(dir, 'my-phone.json'));
    expect(listDevices(dir).devices.map((d) => d.name)).toContain('my-phone');
    expect(getProfile('my-phone', { devicesDir: dir })).toMatchObject({ origin: 'user', file });
    expect(() => saveUserProfile(mine, dir)).toThrow(/already exists/);
    removeUserProfile('my-phone', dir);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses to shadow or remove built-in devices', () => {
    expect(() => saveUserProfile(BUILTIN_PROFILES[0], dir)).toThrow(UsageError);
    expect(() => removeUserProfile('server-gpu', dir)).toThrow(/built-in/);
  });

  it('lists an invalid file in the directory without failing', () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ schemaVersion: 1, name: 'broken', kind: 'simulated' }));
    const { invalid } = listDevices(dir);
    expect(invalid).toHaveLength(1);
    expect(invalid[0].error).toMatch(/broken\.json: description: is required/);
  });
});

describeWithData('measured-table device', () => {
  const profile: TableProfile = {
    schemaVersion: 1,
    name: 'pi',
    version: 1,
    kind: 'measured-table',
    description: 'raspi4',
    provenance: { source: 'HELP' },
    table: { file: dataFile('help/nb201_latency.csv'), column: 'raspi4', space: 'nb201', batchSize: 1, resolution: 32 },
  };
  const device = new TableDevice(profile);

  it('looks latencies up by canonical arch with table provenance', async () => {
    const archs = [nb201.fromIndex!(0), nb201.fromIndex!(1)];
    const records = await device.latency(nb201, archs, nb201.defaultInput());
    const table = device.table();
    expect(records.map((r) => r.latencyMs)).toEqual(archs.map((a) => table.latency('raspi4', a)));
    expect(records[0].source).toBe('table:nb201_latency.csv#raspi4');
  });

  it('refuses another batch size, resolution or space', async () => {
    const arch = nb201.fromIndex!(0);
    await expect(device.latency(nb201, [arch], { ...nb201.defaultInput(), batchSize: 8 })).rejects.toThrow(
      /measured at batch 1, resolution 32; asked for batch 8/,
    );
    await expect(device.latency(getSpace('fbnet'), [arch], nb201.defaultInput())).rejects.toThrow(/holds nb201 measurements, not fbnet/);
  });
});

describe.each(deviceKinds.names())('device kind %s (conformance)', (kind) => {
  const input = { ...nb201.defaultInput(), resolution: 16 };
  const archs = [nb201.fromIndex!(3), nb201.fromIndex!(2), nb201.fromIndex!(3)];
  const common = { schemaVersion: 1, version: 1, description: 'conformance', provenance: { source: 'test' } };
  const quick = { warmup: 1, minRepeats: 2, maxRepeats: 3, budgetMs: 20 };
  /** Profiles of each kind to check: a kind registered without one here fails this suite. */
  const fixtures: Record<string, () => DeviceProfile[]> = {
    simulated: () => BUILTIN_PROFILES.filter((p) => p.kind === 'simulated'),
    'measured-table': () => {
      const file = path.join(tmp, 'conformance_latency.csv');
      fs.writeFileSync(
        file,
        `arch_str,fixture_ms\n${archs
          .slice(0, 2)
          .map((a, i) => `${a},${1.5 + i}`)
          .join('\n')}\n`,
      );
      return [
        validate(
          deviceProfileSchema,
          {
            ...common,
            name: 'fixture-table',
            kind: 'measured-table',
            table: { file, column: 'fixture', space: 'nb201', batchSize: 1, resolution: 16 },
          },
          'fixture',
        ),
      ];
    },
    host: () => [
      validate(deviceProfileSchema, { ...common, name: 'quick-host', kind: 'host', host: { backend: 'cpu', ...quick } }, 'fixture'),
    ],
    onnxruntime: () => [
      validate(
        deviceProfileSchema,
        { ...common, name: 'quick-ort', kind: 'onnxruntime', onnxruntime: { intraOpThreads: 1, interOpThreads: 1, ...quick } },
        'fixture',
      ),
    ],
    remote: () => [validate(deviceProfileSchema, { ...common, name: 'board', kind: 'remote' }, 'fixture')],
  };

  it('has a fixture in this suite', () => {
    expect(Object.keys(fixtures)).toContain(kind);
  });

  const profiles = fixtures[kind]?.() ?? [];
  it.each(profiles.map((p) => [p.name, p] as const))(
    '%s answers latency() in order with provenance (remote: refuses, its workers measure)',
    async (_, profile) => {
      const device = deviceFromProfile(profile);
      expect(device.profile.kind).toBe(kind);
      if (kind === 'remote') {
        // Measured by workers only: refused in one line that says so.
        expect(() => device.latency(nb201, archs, input)).toThrow(UsageError);
        expect(() => device.latency(nb201, archs, input)).toThrow(/hwnas worker/);
        return;
      }
      const records = await device.latency(nb201, archs, input);
      expect(records.map((r) => r.arch)).toEqual(archs);
      for (const r of records) {
        expect(r.latencyMs).toBeGreaterThan(0);
        expect(r.source).toMatch(/^(simulated|host|table|onnxruntime):/);
      }
      if (isSyncDevice(device)) expect(records[0].latencyMs).toBe(records[2].latencyMs);
    },
    30_000,
  );
});
