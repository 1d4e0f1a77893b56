import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { Arch2VecModel } from '../../src/encodings/arch2vec-model.js';
import { trainingArchs } from '../../src/encodings/arch2vec-cate-weights.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';

// Small enough for a test (~2,000 archs, few epochs) yet trained enough that reconstruction is far above chance.
const SMALL = { maxArchs: 2000, epochs: 4, hiddenDim: 32, batchSize: 128, learningRate: 5e-3 };

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

describe('Arch2Vec', () => {
  let model: Arch2VecModel;
  beforeAll(async () => {
    await initBackend('wasm');
    model = Arch2VecModel.train(nb201Space, SMALL, 3);
  });

  it('reconstructs held-out ops and adjacency well above chance', () => {
    const { heldOut } = trainingArchs(nb201Space, 3, { ...model.config });
    expect(heldOut.length).toBe(200);
    const rec = model.reconstruction(heldOut);
    // Chance: 1/5 for an op; 18 of the 28 upper-triangle entries of the NB201 op graph are 0 (majority 0.64).
    expect(rec.opsAccuracy).toBeGreaterThan(0.6);
    expect(rec.adjacencyAccuracy).toBeGreaterThan(0.7);
    expect(model.metrics.heldOutOpsAccuracy).toBeCloseTo(rec.opsAccuracy, 10);
  });

  it('puts isomorphic cells nearer each other than random pairs', () => {
    const all = nb201Space.enumerate!();
    const byKey = new Map<string, string[]>();
    for (const a of all.slice(0, 4000)) byKey.set(nb201Space.isoKey(a), [...(byKey.get(nb201Space.isoKey(a)) ?? []), a]);
    const isoPairs = [...byKey.values()].filter((g) => g.length > 1).slice(0, 150).map((g) => [g[0], g[1]] as const);
    expect(isoPairs.length).toBeGreaterThan(50);
    const rng = Rng.derive(0, 'arch2vec-test-random-pairs');
    const randomPairs = isoPairs.map(() => [rng.pick(all), rng.pick(all)] as const);
    const meanDistance = (pairs: (readonly [string, string])[]) => {
      const a = model.encode(pairs.map((p) => p[0]));
      const b = model.encode(pairs.map((p) => p[1]));
      return a.reduce((s, v, i) => s + distance(v, b[i]), 0) / pairs.length;
    };
    expect(meanDistance(isoPairs)).toBeLessThan(0.7 * meanDistance(randomPairs));
  });

  it('encodes to latentDim values per arch, the same batched or one at a time', () => {
    const archs = nb201Space.enumerate!().slice(100, 110);
    const batched = model.encode(archs);
    const single = archs.map((a) => model.encode([a])[0]);
    expect(batched[0]).toHaveLength(16);
    batched.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(single[i][j], 5)));
  });

  it('gives identical encodings after a save/load round trip', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-arch2vec-'));
    const file = path.join(dir, 'nb201-arch2vec.json');
    model.save(file, 'wasm');
    const loaded = Arch2VecModel.load(nb201Space, file);
    const archs = nb201Space.enumerate!().slice(0, 50);
    expect(loaded.encode(archs)).toEqual(model.encode(archs));
    expect(loaded.config).toEqual(model.config);
    expect(loaded.seed).toBe(3);
    expect(() => Arch2VecModel.load(fbnetSpace, file)).toThrow(/trained for space nb201, not fbnet/);
    loaded.dispose();
    fs.rmSync(dir, { recursive: true });
  });

  it('trains to the same weights for the same seed and to different ones for another', () => {
    const tiny = { maxArchs: 300, epochs: 1, hiddenDim: 16, latentDim: 8 };
    const a = Arch2VecModel.train(fbnetSpace, { ...tiny, sampleSize: 400 }, 5);
    const b = Arch2VecModel.train(fbnetSpace, { ...tiny, sampleSize: 400 }, 5);
    const c = Arch2VecModel.train(fbnetSpace, { ...tiny, sampleSize: 400 }, 6);
    expect(a.weightValues()).toEqual(b.weightValues());
    expect(a.weightValues()['mu.w']).not.toEqual(c.weightValues()['mu.w']);
    [a, b, c].forEach((m) => m.dispose());
  });
});
