import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { Arch2VecModel } from '../../src/encodings/arch2vec-model.js';
import { createArch2VecEncoder } from '../../src/encodings/arch2vec.js';
import { defaultArtefactPath, trainingArchs } from '../../src/encodings/arch2vec-cate-weights.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

beforeAll(async () => {
  await initBackend('wasm');
});

// The shipped default weights (trained with `hwnas encoders train arch2vec --space nb201 --seed 1`): quality is
// re-measured here on the archs that seed held out of training, not read from the artefact.
describe('Arch2Vec shipped NB201 weights', () => {
  let model: Arch2VecModel;
  beforeAll(() => {
    model = Arch2VecModel.load(nb201Space, defaultArtefactPath('arch2vec', 'nb201'));
  });

  it('reconstructs held-out ops and adjacency far above chance', () => {
    const { heldOut } = trainingArchs(nb201Space, model.seed, model.config);
    expect(heldOut).toHaveLength(1563);
    const rec = model.reconstruction(heldOut);
    // Chance: 1/5 per op; 18 of the 28 upper-triangle entries of an NB201 op graph are 0 (majority 0.64).
    expect(rec.opsAccuracy).toBeGreaterThan(0.93);
    expect(rec.adjacencyAccuracy).toBeGreaterThan(0.95);
    expect(rec.opsAccuracy).toBeCloseTo(model.metrics.heldOutOpsAccuracy, 6);
  });

  it('puts isomorphic cells nearer each other than random pairs', () => {
    const all = nb201Space.enumerate!();
    const byKey = new Map<string, string[]>();
    for (const a of all.slice(0, 4000)) byKey.set(nb201Space.isoKey(a), [...(byKey.get(nb201Space.isoKey(a)) ?? []), a]);
    const isoPairs = [...byKey.values()]
      .filter((g) => g.length > 1)
      .slice(0, 150)
      .map((g) => [g[0], g[1]] as const);
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
    expect(batched[0]).toHaveLength(model.config.latentDim);
    batched.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(single[i][j], 5)));
  });

  it('refuses weights of another space', () => {
    expect(() => Arch2VecModel.load(fbnetSpace, defaultArtefactPath('arch2vec', 'nb201'))).toThrow(/trained for space nb201, not fbnet/);
  });

  it('refuses a file of the old format, or whose weights do not fit its config, naming the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-arch2vec-'));
    const file = path.join(dir, 'nb201-arch2vec.json');
    model.save(file, 'wasm');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...manifest, config: { ...manifest.config, latentDim: 8 } }));
    expect(() => Arch2VecModel.load(nb201Space, file)).toThrow(`${file}: tensor 'mu.w' is [64×16], expected [64×8]`);
    fs.writeFileSync(file, JSON.stringify({ ...manifest, format: 'hwnas-encoder-weights/1' }));
    expect(() => Arch2VecModel.load(nb201Space, file)).toThrow(
      `${file} (column format): expected format 'hwnas-arch2vec', found 'hwnas-encoder-weights/1'`,
    );
    fs.rmSync(dir, { recursive: true });
  });
});

describe('Arch2Vec training', () => {
  const tiny = { maxArchs: 300, sampleSize: 400, epochs: 2, hiddenDim: 16, latentDim: 8, batchSize: 32 };

  it('lowers its loss, trains to the same weights for the same seed and to different ones for another', () => {
    const a = Arch2VecModel.train(fbnetSpace, tiny, 5);
    const b = Arch2VecModel.train(fbnetSpace, tiny, 5);
    const c = Arch2VecModel.train(fbnetSpace, tiny, 6);
    expect(a.metrics.finalLoss).toBeLessThan(a.metrics.firstEpochLoss);
    expect(a.weightValues()).toEqual(b.weightValues());
    expect(a.weightValues()['mu.w']).not.toEqual(c.weightValues()['mu.w']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-arch2vec-'));
    const file = path.join(dir, 'fbnet-arch2vec.json');
    const otherFile = path.join(dir, 'other', 'fbnet-arch2vec.json');
    a.save(file, 'wasm');
    c.save(otherFile, 'wasm');
    [b, c].forEach((m) => m.dispose());
    const loaded = Arch2VecModel.load(fbnetSpace, file);
    const archs = Array.from({ length: 20 }, (_, i) => fbnetSpace.sample(Rng.derive(9, 'arch2vec-test', i)));
    expect(loaded.encode(archs)).toEqual(a.encode(archs));
    expect({ config: loaded.config, seed: loaded.seed, metrics: loaded.metrics }).toEqual({
      config: a.config,
      seed: 5,
      metrics: a.metrics,
    });
    [a, loaded].forEach((m) => m.dispose());

    // The encoder uses given weights instead of the shipped ones, and its version tells the two apart.
    const shipped = createArch2VecEncoder();
    const custom = createArch2VecEncoder({ fbnet: file });
    expect(custom.dimension(fbnetSpace)).toBe(8);
    expect(custom.encode(fbnetSpace, archs)[0]).toHaveLength(8);
    const other = createArch2VecEncoder({ fbnet: otherFile });
    expect(custom.version(fbnetSpace)).not.toBe(other.version(fbnetSpace));
    expect(custom.version(fbnetSpace)).toBe(createArch2VecEncoder({ fbnet: file }).version(fbnetSpace));
    expect(shipped.isAvailableFor!(nb201Space)).toBe(true);
    expect(shipped.dimension(nb201Space)).toBe(16);
    [shipped, custom, other].forEach((e) => e.models.dispose());
    fs.rmSync(dir, { recursive: true });
  });

  it('says how to train when weights are missing', () => {
    const encoder = createArch2VecEncoder({ nb201: '/nonexistent/nb201-arch2vec.json' });
    expect(encoder.isAvailableFor!(nb201Space)).toBe(false);
    expect(() => encoder.encode(nb201Space, ['|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'])).toThrow(
      'no trained arch2vec weights for nb201 at /nonexistent/nb201-arch2vec.json; train them with: hwnas encoders train arch2vec --space nb201 --out /nonexistent/nb201-arch2vec.json',
    );
  });
});
