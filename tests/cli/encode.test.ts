import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/core/csv.js';
import { pathEncoder } from '../../src/encodings/basic.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { runCli } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-encode-'));
const env = { HWNAS_CACHE_DIR: dir };
const archs = (nb201Space.enumerate?.() ?? []).slice(0, 12);
const archFile = path.join(dir, 'archs.csv');
fs.writeFileSync(archFile, ['arch', ...archs].join('\n') + '\n');

describe('hwnas encode / encoders list', () => {
  it('writes path encodings keyed by canonical arch and fills the cache', async () => {
    const out = path.join(dir, 'enc.csv');
    const r = runCli(['encode', '--encoder', 'path', '--archs', archFile, '--out', out], { env });
    expect(r.code, r.stderr).toBe(0);
    const table = readCsv(out);
    expect(table.header).toHaveLength(85);
    expect(table.rows.map((row) => row[0])).toEqual(archs);
    const expected = await pathEncoder.encode(nb201Space, archs);
    expect(table.rows.map((row) => row.slice(1).map(Number))).toEqual(expected.map((v) => Array.from(v)));

    const list = runCli(['encoders', 'list', '--json'], { env });
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout).encoders as { name: string; dimension: number; cached: number; needsTraining: boolean }[];
    expect(rows.map((e) => e.name)).toEqual(
      expect.arrayContaining(['adjacency', 'path', 'flops-params', 'zcp', 'arch2vec', 'cate', 'caz']),
    );
    expect(rows.find((e) => e.name === 'path')).toMatchObject({ dimension: 84, cached: 12, needsTraining: false });
    expect(rows.find((e) => e.name === 'adjacency')?.cached).toBe(0);
  });

  it('takes what `hwnas sample` prints (one arch per line) and names the zcp columns by proxy', () => {
    const sampled = runCli(['sample', '--n', '3', '--sampler', 'random', '--seed', '4'], { env });
    expect(sampled.code, sampled.stderr).toBe(0);
    const lines = path.join(dir, 'sampled.txt');
    fs.writeFileSync(lines, `# from hwnas sample\n${sampled.stdout}`);
    const r = runCli(['encode', '--encoder', 'zcp', '--archs', lines, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((row) => row.arch)).toEqual(sampled.stdout.trim().split('\n'));
    expect(Object.keys(rows[0])).toEqual(['arch', 'params', 'flops', 'l2_norm', 'nwot', 'synflow', 'zen']);
    const csv = runCli(['encode', '--encoder', 'zcp', '--archs', lines], { env });
    expect(csv.stdout.split('\n')[0]).toBe('arch,params,flops,l2_norm,nwot,synflow,zen');

    fs.writeFileSync(lines, `${archs[0]}\nnot-an-arch\n`);
    expect(runCli(['encode', '--encoder', 'path', '--archs', lines], { env }).stderr).toMatch(
      new RegExp(`${lines.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2`),
    );
  });

  it('needs exactly one of --archs and --all, and names unknown encoders', () => {
    expect(runCli(['encode', '--encoder', 'path'], { env }).stderr).toMatch(/exactly one of --archs/);
    expect(runCli(['encode', '--encoder', 'paths', '--all'], { env }).stderr).toMatch(/paths.*adjacency/s);
  });
});
