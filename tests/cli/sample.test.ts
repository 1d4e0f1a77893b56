import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/core/csv.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { runCli } from '../helpers/cli.js';
import { dataFile, describeWithData } from '../helpers/data.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-sample-'));
const env = { HWNAS_CACHE_DIR: dir };
const poolFile = path.join(dir, 'pool.csv');
const poolArchs = (nb201Space.enumerate?.() ?? []).slice(500, 540);
fs.writeFileSync(poolFile, ['arch_str,latency_ms', ...poolArchs.map((a, i) => `${a},${i}`)].join('\n') + '\n');

describe('hwnas sample', () => {
  it('prints n distinct pool archs, deterministically, in the path encoding', () => {
    const args = ['sample', '--n', '6', '--sampler', 'kmeans', '--encoder', 'path', '--seed', '4', '--pool', poolFile];
    const a = runCli(args, { env });
    expect(a.code, a.stderr).toBe(0);
    const lines = a.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(new Set(lines).size).toBe(6);
    expect(lines.every((l) => poolArchs.includes(l))).toBe(true);
    expect(runCli(args, { env }).stdout).toBe(a.stdout);
  });

  it('--out writes a measurements template with an empty latency_ms column', () => {
    const out = path.join(dir, 'todo.csv');
    const r = runCli(['sample', '--n', '4', '--sampler', 'random', '--seed', '2', '--out', out], { env });
    expect(r.code, r.stderr).toBe(0);
    const table = readCsv(out);
    expect(table.header).toEqual(['arch', 'latency_ms']);
    expect(table.rows).toHaveLength(4);
    expect(table.rows.every((row) => row[1] === '' && nb201Space.canonical(row[0]) === row[0])).toBe(true);
  });

  it('explains bad requests', () => {
    const big = runCli(['sample', '--n', '41', '--sampler', 'random', '--pool', poolFile], { env });
    expect(big.code).not.toBe(0);
    expect(big.stderr).toMatch(/cannot choose 41 archs from a pool of 40/);
    const unknown = runCli(['sample', '--n', '2', '--sampler', 'kmean'], { env });
    expect(unknown.stderr).toMatch(/kmean.*(random|kmeans)/s);
  });
});

describeWithData('hwnas sample --zcp-table (precomputed ZCPs)', () => {
  it('samples FBNet archs of the table in its ZCP encoding; a table without its dataset is one line', () => {
    const table = dataFile('nasflat/fbnet_zcp.csv');
    const args = [
      'sample',
      '--space',
      'fbnet',
      '--n',
      '4',
      '--sampler',
      'kmeans',
      '--encoder',
      'zcp',
      '--zcp-table',
      table,
      '--pool',
      table,
      '--seed',
      '3',
    ];
    const a = runCli(args, { env });
    expect(a.code, a.stderr).toBe(0);
    const chosen = a.stdout.trim().split('\n');
    expect(new Set(chosen).size).toBe(4);
    const inTable = new Set(readCsv(table).rows.map((r) => r[1]));
    expect(chosen.every((arch) => inTable.has(arch))).toBe(true);
    expect(runCli(args, { env }).stdout).toBe(a.stdout);

    const naslib = dataFile('naslib/nb201_zcp_partial.csv');
    const noDataset = runCli(['sample', '--n', '2', '--encoder', 'zcp', '--zcp-table', naslib, '--pool', naslib], { env });
    expect(noDataset.code).not.toBe(0);
    expect(noDataset.stderr).toMatch(/^hwnas: error: .*nb201_zcp_partial.csv.*choose a dataset: one of .*cifar10/m);
    expect(runCli(['sample', '--n', '2', '--zcp-dataset', 'cifar10'], { env }).stderr).toMatch(
      /^hwnas: error: --zcp-dataset needs --zcp-table/,
    );
  });
});
