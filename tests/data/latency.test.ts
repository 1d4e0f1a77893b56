import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/core/errors.js';
import { joinLatencyTables, loadLatencyTable } from '../../src/data/latency.js';
import { describeWithData, dataFile } from '../helpers/data.js';
import { FBNET_A, FBNET_B, NB201_A, NB201_B, writeFixture } from './fixtures.js';

function errorOf(fn: () => unknown): DataFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataFileError) return err;
    throw err;
  }
  throw new Error('expected a DataFileError');
}

describe('loadLatencyTable on fixtures', () => {
  const good = `arch_index,arch_str,cpu_ms,gpu_1_ms\n0,${NB201_B},10.5,2\n1,${NB201_A},20.25,3\n`;

  it('reads devices, archs, columns and lookups', () => {
    const t = loadLatencyTable(writeFixture('lat.csv', good));
    expect(t.devices).toEqual(['cpu', 'gpu_1']);
    expect(t.archs).toEqual([NB201_B, NB201_A]);
    expect(Array.from(t.column('cpu'))).toEqual([10.5, 20.25]);
    expect(t.latency('gpu_1', NB201_A)).toBe(3);
    expect(t.latency('gpu_1', '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|')).toBeUndefined();
    expect(t.archAtIndex(1)).toBe(NB201_A);
    expect(t.rowOf(NB201_B)).toBe(0);
  });

  it('reads a devices measure output (arch key column, latency_ms) as a table of either space', () => {
    const measured = `arch,latency_ms,p10_ms,p90_ms,repeats,device\n${NB201_A},1.5,1.4,1.7,20,host-ort\n`;
    const t = loadLatencyTable(writeFixture('m.csv', measured), { devices: ['latency'] });
    expect(t.archs).toEqual([NB201_A]);
    expect(t.latency('latency', NB201_A)).toBe(1.5);
    const f = loadLatencyTable(writeFixture('f.csv', `arch,latency_ms\n${FBNET_A},9\n`), { devices: ['latency'] });
    expect(f.latency('latency', FBNET_A)).toBe(9);
  });

  it('joins the rows of some archs from two tables, renaming a column', () => {
    const a = loadLatencyTable(writeFixture('lat.csv', good));
    const b = loadLatencyTable(writeFixture('m.csv', `arch,latency_ms\n${NB201_A},7\n`), { devices: ['latency'] });
    const joined = joinLatencyTables(
      'a+b',
      [NB201_A],
      [
        { table: a, devices: ['gpu_1'] },
        { table: b, devices: ['latency'], as: ['ort'] },
      ],
    );
    expect(joined.devices).toEqual(['gpu_1', 'ort']);
    expect(joined.archs).toEqual([NB201_A]);
    expect(joined.latency('gpu_1', NB201_A)).toBe(3);
    expect(joined.latency('ort', NB201_A)).toBe(7);
    expect(() => joinLatencyTables('a+b', [NB201_B], [{ table: b, devices: ['latency'] }])).toThrow(/no row for arch/);
    expect(() =>
      joinLatencyTables(
        'a+b',
        [NB201_A],
        [
          { table: a, devices: ['cpu'] },
          { table: b, devices: ['latency'], as: ['cpu'] },
        ],
      ),
    ).toThrow(/two tables/);
  });

  it('stores keys in canonical form whatever the spacing in the file', () => {
    const t = loadLatencyTable(writeFixture('lat.csv', `arch_str,cpu_ms\n  ${NB201_A} ,5\n`));
    expect(t.archs).toEqual([NB201_A]);
    expect(t.latency('cpu', NB201_A)).toBe(5);
  });

  it('loads a subset of devices in the order asked', () => {
    const t = loadLatencyTable(writeFixture('lat.csv', good), { devices: ['gpu_1'] });
    expect(t.devices).toEqual(['gpu_1']);
    expect([...t.latencyMs.keys()]).toEqual(['gpu_1']);
    expect(() => t.column('cpu')).toThrow(/device 'cpu' not loaded \(loaded: gpu_1\)/);
  });

  it('keys FBNet tables by the canonical op_indices string, also when written as op names', () => {
    const names =
      'k5_e6-skip-k3_e1_g2-skip-k5_e1-skip-skip-skip-k5_e6-k5_e1-k3_e1_g2-k5_e1-k5_e6-k3_e6-k3_e3-k5_e6-k3_e6-k3_e3-k5_e1-k3_e3-k5_e1-k5_e1_g2';
    const t = loadLatencyTable(writeFixture('fb.csv', `op_indices,pixel3_ms\n${FBNET_B},4\n`));
    expect(t.latency('pixel3', FBNET_B)).toBe(4);
    const byName = loadLatencyTable(writeFixture('fb.csv', `op_indices,pixel3_ms\n${names},4\n`));
    // Names in the key column are not op_indices; the canonicaliser still accepts them and yields indices.
    expect(byName.archs).toEqual([FBNET_A]);
  });

  it('reads empty cells as missing only when asked', () => {
    const file = writeFixture('lat.csv', `arch_str,edgetpu_latency_ms,edgegpu_energy_mJ\n${NB201_A},1.5,3\n${NB201_B},,4\n`);
    const t = loadLatencyTable(file, { allowMissing: true });
    expect(t.devices).toEqual(['edgetpu']);
    expect(t.latency('edgetpu', NB201_A)).toBe(1.5);
    expect(t.latency('edgetpu', NB201_B)).toBeUndefined();
    expect(Number.isNaN(t.column('edgetpu')[1])).toBe(true);
    expect(() => loadLatencyTable(file)).toThrow(`${file}:3 (column edgetpu_latency_ms): expected a number, got ''`);
  });

  const malformed: { name: string; text: string; line: number; column?: string; reason: RegExp; devices?: string[] }[] = [
    {
      name: 'non-numeric latency',
      text: `arch_str,cpu_ms\n${NB201_A},fast\n`,
      line: 2,
      column: 'cpu_ms',
      reason: /expected a number, got 'fast'/,
    },
    {
      name: 'empty latency',
      text: `arch_str,cpu_ms\n${NB201_A},1\n${NB201_B},\n`,
      line: 3,
      column: 'cpu_ms',
      reason: /expected a number, got ''/,
    },
    { name: 'ragged row', text: `arch_str,cpu_ms\n${NB201_A},1,2\n`, line: 2, reason: /expected 2 fields/ },
    {
      name: 'bad NB201 arch',
      text: `arch_str,cpu_ms\n${NB201_A},1\n|conv~0|,2\n`,
      line: 3,
      column: 'arch_str',
      reason: /nb201: invalid architecture '|conv~0|': expected 3 node groups/,
    },
    {
      name: 'bad FBNet arch',
      text: `op_indices,cpu_ms\n${FBNET_A},1\n1_2_9,2\n`,
      line: 3,
      column: 'op_indices',
      reason: /expected 22 block choices/,
    },
    {
      name: 'duplicate arch',
      text: `arch_str,cpu_ms\n${NB201_A},1\n${NB201_B},1\n${NB201_A},2\n`,
      line: 4,
      column: 'arch_str',
      reason: /duplicate arch .* \(first on line 2\)/,
    },
    { name: 'no key column', text: `name,cpu_ms\n${NB201_A},1\n`, line: 1, reason: /no arch key column/ },
    { name: 'no device columns', text: `arch_str,cpu\n${NB201_A},1\n`, line: 1, reason: /no '<device>_ms' latency columns/ },
    {
      name: 'unknown device',
      text: `arch_str,cpu_ms\n${NB201_A},1\n`,
      line: 1,
      column: 'tpu_ms',
      reason: /no latency column for device 'tpu' \(devices: cpu\)/,
      devices: ['tpu'],
    },
    {
      name: 'fractional arch_index',
      text: `arch_index,arch_str,cpu_ms\n0.5,${NB201_A},1\n`,
      line: 2,
      column: 'arch_index',
      reason: /expected an integer/,
    },
  ];
  it.each(malformed)('rejects $name with file, line and column', ({ text, line, column, reason, devices }) => {
    const file = writeFixture('bad.csv', text);
    const err = errorOf(() => loadLatencyTable(file, { devices }));
    expect(err.file).toBe(file);
    expect(err.line).toBe(line);
    expect(err.column).toBe(column);
    expect(err.message).toMatch(reason);
    expect(err.message.startsWith(`${file}:${line}`)).toBe(true);
  });

  it('names a missing file', () => {
    const err = errorOf(() => loadLatencyTable('/nonexistent/lat.csv'));
    expect(err.message).toBe('/nonexistent/lat.csv: cannot read file (ENOENT)');
  });
});

describeWithData('loadLatencyTable on the HELP tables', () => {
  it('loads all 15,625 NB201 archs on 27 device columns in index order', () => {
    const t = loadLatencyTable(dataFile('help/nb201_latency.csv'));
    expect(t.archs).toHaveLength(15625);
    // The help README says 25 devices, but the file has 27 `_ms` columns (5 GPUs × 3 batch sizes + 12 others).
    expect(t.devices).toHaveLength(27);
    expect(t.devices).toContain('titan_rtx_256');
    expect(t.devices.every((d) => !d.endsWith('_ms'))).toBe(true);
    expect(t.archAtIndex(1)).toBe(NB201_A);
    expect(t.archs[0]).toBe(NB201_B);
    expect(t.latency('raspi4', NB201_A)).toBeCloseTo(54.77739761998237, 12);
    // Every latency is a positive finite number (the README says none is missing).
    for (const d of t.devices) expect(t.column(d).every((v) => v > 0 && Number.isFinite(v))).toBe(true);
  });

  it('loads the HW-NAS-Bench CIFAR-10 table with its unmeasured edgetpu cells as missing', () => {
    const file = dataFile('hw-nas-bench/nb201_cifar10_hw_metrics_partial.csv');
    const t = loadLatencyTable(file, { allowMissing: true });
    expect(t.devices).toEqual(['edgegpu', 'raspi4', 'edgetpu', 'pixel3', 'eyeriss', 'fpga']);
    expect(t.archs).toHaveLength(12554);
    expect(t.column('edgetpu').filter(Number.isNaN)).toHaveLength(3768);
    expect(t.column('edgegpu').some(Number.isNaN)).toBe(false);
    // The README: raspi4 here equals HELP's raspi4 for the same arch.
    const help = loadLatencyTable(dataFile('help/nb201_latency.csv'), { devices: ['raspi4'] });
    expect(t.latency('raspi4', NB201_A)).toBeCloseTo(help.latency('raspi4', NB201_A) as number, 12);
    expect(() => loadLatencyTable(file)).toThrow(`${file}:7 (column edgetpu_latency_ms): expected a number, got ''`);
  });

  it('loads the 5,000 FBNet archs on 27 devices and the reference archs resolve', () => {
    const t = loadLatencyTable(dataFile('help/fbnet_latency.csv'), { devices: ['pixel3', 'eyeriss'] });
    expect(t.archs).toHaveLength(5000);
    expect(t.devices).toEqual(['pixel3', 'eyeriss']);
    expect(t.archs[0]).toBe(FBNET_A);
    expect(t.latency('pixel3', FBNET_A)).toBeCloseTo(17.55774545, 10);
    expect(loadLatencyTable(dataFile('help/fbnet_latency.csv')).devices).toHaveLength(27);
  });
});
