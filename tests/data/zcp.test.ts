import { describe, expect, it } from 'vitest';
import { loadZcpTable } from '../../src/data/zcp.js';
import { describeWithData, dataFile } from '../helpers/data.js';
import { FBNET_A, FBNET_B, NB201_A, NB201_B, writeFixture } from './fixtures.js';

describe('loadZcpTable on fixtures', () => {
  const multi = `arch_str,dataset,val_accuracy,nwot,synflow\n${NB201_A},cifar10,90,1.5,\n${NB201_B},cifar10,80,-inf,3\n${NB201_A},cifar100,60,2,4\n`;

  it('selects one dataset; empty and non-finite cells are missing (NaN)', () => {
    const t = loadZcpTable(writeFixture('zcp.csv', multi), { dataset: 'cifar10' });
    expect(t.proxies).toEqual(['nwot', 'synflow']);
    expect(t.archs).toEqual([NB201_A, NB201_B]);
    expect(Array.from(t.get(NB201_A) ?? [])).toEqual([1.5, Number.NaN]);
    expect(t.missing).toEqual(
      new Map([
        ['nwot', 1],
        ['synflow', 1],
      ]),
    );
    expect(Array.from(loadZcpTable(writeFixture('zcp.csv', multi), { dataset: 'cifar100' }).get(NB201_A) ?? [])).toEqual([2, 4]);
  });

  it('requires a dataset when the file has several, listing them', () => {
    const file = writeFixture('zcp.csv', multi);
    expect(() => loadZcpTable(file)).toThrow(`${file} (column dataset): choose a dataset: one of cifar10, cifar100 (none was given)`);
    expect(() => loadZcpTable(file, { dataset: 'svhn' })).toThrow(/one of cifar10, cifar100 \(got 'svhn'\)/);
  });

  it('rejects a bad proxy value with its line and column', () => {
    const file = writeFixture('zcp.csv', `op_indices,flops,params\n${FBNET_A},1,2\n${FBNET_B},1e6,x2\n`);
    expect(() => loadZcpTable(file)).toThrow(`${file}:3 (column params): expected a number or an empty cell, got 'x2'`);
  });
});

describeWithData('loadZcpTable on real data', () => {
  it('loads the 13 FBNet proxies of all 5,000 archs with none missing', () => {
    const t = loadZcpTable(dataFile('nasflat/fbnet_zcp.csv'));
    expect(t.proxies).toHaveLength(13);
    expect(t.archs).toHaveLength(5000);
    expect([...t.missing.values()].every((n) => n === 0)).toBe(true);
    expect(t.get(FBNET_A)?.[t.proxies.indexOf('params')]).toBe(1790500);
  });

  it('loads the 12 NASLib NB201 proxies per dataset and counts the missing cells', () => {
    const c10 = loadZcpTable(dataFile('naslib/nb201_zcp_partial.csv'), { dataset: 'cifar10' });
    expect(c10.proxies).toHaveLength(12);
    expect(c10.archs).toHaveLength(725);
    // The one empty cell (synflow) and one -inf nwot are in the cifar10 rows.
    expect(c10.missing.get('synflow')).toBe(1);
    expect(c10.missing.get('nwot')).toBe(1);
    expect(loadZcpTable(dataFile('naslib/nb201_zcp_partial.csv'), { dataset: 'ImageNet16-120' }).archs).toHaveLength(724);
  });
});
