import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// `hwnas encoders train` as a user runs it: tiny FBNet samples so each run takes seconds.
describe('hwnas encoders train', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-encoders-train-'));
  afterAll(() => fs.rmSync(dir, { recursive: true }));
  const tiny = ['--space', 'fbnet', '--sample-size', '200', '--max-archs', '120', '--epochs', '1', '--quiet', '--json'];

  it('saves weights beside their config, version and seed', () => {
    const out = path.join(dir, 'nested', 'fbnet-arch2vec.json');
    const r = runCli(['encoders', 'train', 'arch2vec', ...tiny, '--seed', '4', '--latent-dim', '6', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { file: string; metrics: Record<string, number> };
    expect(printed.file).toBe(out);
    expect(printed.metrics.trainArchs).toBe(108);
    const meta = JSON.parse(fs.readFileSync(out, 'utf8')) as { metrics: Record<string, number> };
    expect(meta).toMatchObject({
      format: 'hwnas-arch2vec',
      version: 1,
      encoder: 'arch2vec',
      seed: 4,
      space: 'fbnet',
      config: { latentDim: 6 },
      weights: { file: 'fbnet-arch2vec.bin', dtype: 'float32', littleEndian: true },
    });
    expect(meta.metrics).toEqual(printed.metrics);
    expect(fs.statSync(out.replace(/\.json$/, '.bin')).size).toBeGreaterThan(1000);
  });

  it('trains CATE and rejects a bad flag in one line', () => {
    const out = path.join(dir, 'fbnet-cate.json');
    const r = runCli(['encoders', 'train', 'cate', ...tiny, '--embedding-dim', '8', '--out', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ encoder: 'cate', seed: 1, config: { embeddingDim: 8 } });
    const bad = runCli(['encoders', 'train', 'cate', ...tiny, '--embedding-dim', '6', '--out', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toBe('hwnas: error: --embedding-dim must be a multiple of 4 (attention heads), got 6');
  });
});
