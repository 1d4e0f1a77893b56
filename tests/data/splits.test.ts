import { describe, expect, it } from 'vitest';
import { loadDeviceTaskSplits, loadHelpMeta } from '../../src/data/splits.js';
import { loadLatencyTable } from '../../src/data/latency.js';
import { describeWithData, dataFile } from '../helpers/data.js';
import { writeFixture } from './fixtures.js';

describe('JSON data files on fixtures', () => {
  it('gives the line and character of a JSON syntax error', () => {
    const file = writeFixture('splits.json', '{\n  "nb201": {},\n}\n');
    expect(() => loadDeviceTaskSplits(file)).toThrow(`${file}:3 (column char 1): invalid JSON: Expected double-quoted property name`);
  });

  it('gives the field path of a schema violation', () => {
    const file = writeFixture('splits.json', JSON.stringify({ nb201: { 0: { train: ['a'], test: 'b' } }, fbnet: {} }));
    expect(() => loadDeviceTaskSplits(file)).toThrow(new RegExp(`^${file}: nb201\\.0\\.test: `));
  });
});

describeWithData('device task splits and HELP metadata', () => {
  it('has six tasks per space; FBNet tasks use only devices the HELP table has', () => {
    const splits = loadDeviceTaskSplits(dataFile('nasflat/device_task_splits.json'));
    expect([...splits.fbnet!.keys()]).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(splits.nb201!.get('0')?.test).toEqual(['titan_rtx_256', 'gold_6226', 'fpga', 'pixel2', 'raspi4', 'eyeriss']);
    const helpDevices = new Set(loadLatencyTable(dataFile('help/fbnet_latency.csv')).devices);
    for (const task of splits.fbnet!.values()) {
      expect(task.missingFromHelpData).toEqual([]);
      for (const d of [...task.train, ...task.test]) expect(helpDevices.has(d)).toBe(true);
    }
    expect(splits.nb201!.get('1')?.missingFromHelpData).toContain('embedded_tpu_edge_tpu_int8');
  });

  it('lists the FBNet primitives and resolves the reference archs', () => {
    const meta = loadHelpMeta(dataFile('help/help_meta.json'));
    expect(meta.fbnetPrimitives).toEqual(['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip']);
    expect(meta.fbnetClasses).toBe(100);
    const fbnet = loadLatencyTable(dataFile('help/fbnet_latency.csv'), { devices: ['pixel3'] });
    const refs = meta.referenceArchIndices.fbnet!.map((i) => fbnet.archAtIndex(i));
    expect(refs).toHaveLength(10);
    expect(refs.every((a) => a !== undefined && /^(\d_){21}\d$/.test(a))).toBe(true);
    expect(meta.referenceArchIndices.nb201).toEqual([11982, 431, 55, 9, 14451, 8636, 9881, 13479, 6196, 1462]);
  });
});
