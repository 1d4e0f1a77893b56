import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { CateModel, FlopsBuckets, archFlops } from '../../src/encodings/cate-model.js';
import { createCateEncoder } from '../../src/encodings/cate.js';
import { defaultArtefactPath, trainingArchs } from '../../src/encodings/arch2vec-cate-weights.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';

beforeAll(async () => {
  await initBackend('wasm');
});

// The shipped default weights (`hwnas encoders train cate --space nb201 --seed 1`), re-measured on held-out archs.
describe('CATE shipped NB201 weights', () => {
  let model: CateModel;
  beforeAll(() => {
    model = CateModel.load(nb201Space, defaultArtefactPath('cate', 'nb201'));
  });

  it('predicts masked ops of held-out archs clearly above chance and the majority baseline', () => {
    const { train, heldOut } = trainingArchs(nb201Space, model.seed, model.config);
    const buckets = new FlopsBuckets(nb201Space, train, model.config.flopsBucketSize);
    const rng = Rng.derive(0, 'cate-test-partners');
    const acc = model.maskedAccuracy(
      heldOut,
      heldOut.map((a) => buckets.nearest(nb201Space, a, rng)),
      7,
    );
    expect(acc.masked).toBeGreaterThan(1000);
    expect(acc.uniformChance).toBeCloseTo(0.2, 10);
    expect(acc.accuracy).toBeGreaterThan(acc.uniformChance + 0.08);
    expect(acc.accuracy).toBeGreaterThan(acc.majorityBaseline + 0.08);
  });

  it('embeds to embeddingDim values per arch, the same batched or one at a time', () => {
    const archs = nb201Space.enumerate!().slice(0, 10);
    const batched = model.encode(archs);
    expect(batched[0]).toHaveLength(model.config.embeddingDim);
    archs.forEach((a, i) => model.encode([a])[0].forEach((v, j) => expect(v).toBeCloseTo(batched[i][j], 5)));
  });
});

describe('CATE pairs and training', () => {
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

  it('lowers its loss, trains to the same weights for the same seed, and round-trips through save/load', () => {
    const tiny = { maxArchs: 200, sampleSize: 300, epochs: 2, embeddingDim: 8, heads: 2, ffnDim: 16, batchSize: 32 };
    const a = CateModel.train(fbnetSpace, tiny, 5);
    const b = CateModel.train(fbnetSpace, tiny, 5);
    const c = CateModel.train(fbnetSpace, tiny, 6);
    expect(a.metrics.finalLoss).toBeLessThan(a.metrics.firstEpochLoss);
    expect(a.weightValues()).toEqual(b.weightValues());
    expect(a.weightValues()['head.w']).not.toEqual(c.weightValues()['head.w']);
    [b, c].forEach((m) => m.dispose());

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cate-'));
    const file = path.join(dir, 'fbnet-cate.json');
    a.save(file, 'wasm');
    const loaded = CateModel.load(fbnetSpace, file);
    const archs = Array.from({ length: 20 }, (_, i) => fbnetSpace.sample(Rng.derive(9, 'cate-test', i)));
    expect(loaded.encode(archs)).toEqual(a.encode(archs));
    expect({ config: loaded.config, seed: loaded.seed }).toEqual({ config: a.config, seed: 5 });
    expect(() => CateModel.load(nb201Space, file)).toThrow(/trained for space fbnet, not nb201/);
    const encoder = createCateEncoder({ fbnet: file });
    expect(encoder.encode(fbnetSpace, archs)).toEqual(a.encode(archs));
    expect(encoder.dimension(fbnetSpace)).toBe(8);
    expect(createCateEncoder().dimension(nb201Space)).toBe(32);
    encoder.models.dispose();
    [a, loaded].forEach((m) => m.dispose());
    fs.rmSync(dir, { recursive: true });
  });
});
