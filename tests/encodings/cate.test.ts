import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { CateModel, FlopsBuckets, archFlops } from '../../src/encodings/cate-model.js';
import { trainingArchs } from '../../src/encodings/arch2vec-cate-weights.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';

const SMALL = { maxArchs: 2000, epochs: 3, embeddingDim: 16, ffnDim: 32, batchSize: 64, learningRate: 3e-3 };

describe('CATE', () => {
  let model: CateModel;
  beforeAll(async () => {
    await initBackend('wasm');
    model = CateModel.train(nb201Space, SMALL, 2);
  });

  it('predicts masked ops of held-out archs clearly above chance and the majority baseline', () => {
    const { train, heldOut } = trainingArchs(nb201Space, 2, model.config);
    const buckets = new FlopsBuckets(nb201Space, train, model.config.flopsBucketSize);
    const rng = Rng.derive(0, 'cate-test-partners');
    const acc = model.maskedAccuracy(heldOut, heldOut.map((a) => buckets.nearest(nb201Space, a, rng)), 7);
    expect(acc.masked).toBeGreaterThan(150);
    expect(acc.uniformChance).toBeCloseTo(0.2, 10);
    expect(acc.accuracy).toBeGreaterThan(acc.uniformChance + 0.15);
    expect(acc.accuracy).toBeGreaterThan(acc.majorityBaseline + 0.1);
  });

  it('pairs archs of similar FLOPs', () => {
    const archs = nb201Space.enumerate!().slice(0, 640);
    const buckets = new FlopsBuckets(nb201Space, archs, 32);
    const rng = Rng.derive(0, 'cate-test-buckets');
    const all = archs.map((a) => archFlops(nb201Space, a));
    const spread = Math.max(...all) - Math.min(...all);
    let gap = 0;
    for (let i = 0; i < 100; i++) {
      const partner = buckets.partner(i, rng);
      expect(partner).not.toBe(archs[i]);
      gap += Math.abs(archFlops(nb201Space, partner) - all[i]);
    }
    expect(gap / 100).toBeLessThan(0.1 * spread);
  });

  it('embeds to embeddingDim values per arch and round-trips through save/load', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cate-'));
    const file = path.join(dir, 'nb201-cate.json');
    model.save(file, 'wasm');
    const loaded = CateModel.load(nb201Space, file);
    const archs = nb201Space.enumerate!().slice(0, 40);
    const enc = model.encode(archs);
    expect(enc[0]).toHaveLength(16);
    expect(loaded.encode(archs)).toEqual(enc);
    expect(loaded.metrics).toEqual(model.metrics);
    loaded.dispose();
    fs.rmSync(dir, { recursive: true });
  });

  it('trains to the same weights for the same seed and to different ones for another', () => {
    const tiny = { maxArchs: 200, sampleSize: 300, epochs: 1, embeddingDim: 8, heads: 2, ffnDim: 16 };
    const a = CateModel.train(fbnetSpace, tiny, 5);
    const b = CateModel.train(fbnetSpace, tiny, 5);
    const c = CateModel.train(fbnetSpace, tiny, 6);
    expect(a.weightValues()).toEqual(b.weightValues());
    expect(a.weightValues()['head.w']).not.toEqual(c.weightValues()['head.w']);
    [a, b, c].forEach((m) => m.dispose());
  });
});
