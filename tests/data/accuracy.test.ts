import { describe, expect, it } from 'vitest';
import { loadAccuracyTable } from '../../src/data/accuracy.js';
import { loadLatencyTable } from '../../src/data/latency.js';
import { describeWithData, dataFile } from '../helpers/data.js';
import { NB201_A, NB201_B, writeFixture } from './fixtures.js';

describe('loadAccuracyTable on fixtures', () => {
  it('chooses the column and treats empty cells as absent', () => {
    const file = writeFixture('acc.csv', `arch_index,arch_str,top1,top5\n0,${NB201_B},,90\n1,${NB201_A},71.5,91\n`);
    const t = loadAccuracyTable(file, 'top1');
    expect(t.archs).toEqual([NB201_A]);
    expect(t.get(NB201_A)).toBe(71.5);
    expect(t.get(NB201_B)).toBeUndefined();
    expect(t.coverage([NB201_A, NB201_B])).toEqual({ covered: 1, total: 2, fraction: 0.5, missingExamples: [NB201_B] });
    expect(loadAccuracyTable(file, 'top5').get(NB201_B)).toBe(90);
  });

  it('rejects a bad arch even on a row without accuracy', () => {
    const file = writeFixture('acc.csv', `arch_str,top1\n${NB201_A},70\n|bogus|,\n`);
    expect(() => loadAccuracyTable(file, 'top1')).toThrow(
      `${file}:3 (column arch_str): nb201: invalid architecture '|bogus|': expected 3 node groups joined by '+' (nodes 1, 2, 3), got 1`,
    );
  });

  it('rejects a missing column, listing the columns', () => {
    const file = writeFixture('acc.csv', `arch_str,top1\n${NB201_A},70\n`);
    expect(() => loadAccuracyTable(file, 'top2')).toThrow(`${file}:1 (column top2): missing column 'top2' (columns: arch_str, top1)`);
  });

  it('rejects a non-numeric accuracy with its line and column', () => {
    const file = writeFixture('acc.csv', `arch_str,top1\n${NB201_B},70\n${NB201_A},high\n`);
    expect(() => loadAccuracyTable(file, 'top1')).toThrow(`${file}:3 (column top1): expected a number or an empty cell, got 'high'`);
  });
});

describeWithData('loadAccuracyTable on real data', () => {
  it('has NB201 CIFAR-100 test accuracy for every arch', () => {
    const acc = loadAccuracyTable(dataFile('hw-nas-bench-360/nb201_task_accuracy.csv'), 'cifar100_test_acc_nb201');
    const all = loadLatencyTable(dataFile('help/nb201_latency.csv'), { devices: ['pixel3'] }).archs;
    expect(acc.coverage(all)).toMatchObject({ covered: 15625, total: 15625, fraction: 1 });
    expect(acc.get(NB201_A)).toBeCloseTo(70.29333330078126, 10);
  });

  it('reports the partial coverage of the HW-NAS-Bench CIFAR-10 accuracies', () => {
    const acc = loadAccuracyTable(dataFile('hw-nas-bench/nb201_cifar10_hw_metrics_partial.csv'), 'nb201_cifar10_test_acc_seed888');
    const all = loadLatencyTable(dataFile('help/nb201_latency.csv'), { devices: ['pixel3'] }).archs;
    const cov = acc.coverage(all);
    expect(cov.covered).toBe(12554);
    expect(cov.missingExamples[0]).toBe(NB201_B); // arch 0 is not in the partial file
    expect(acc.get(NB201_B)).toBeUndefined();
    expect(acc.get(NB201_A)).toBe(93.62);
  });
});
