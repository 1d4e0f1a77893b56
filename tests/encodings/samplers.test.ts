import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { pathEncoder } from '../../src/encodings/basic.js';
import { samplerRegistry } from '../../src/encodings/samplers.js';
import { kmeans, randomSampler } from '../../src/encodings/samplers.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { adjacencyEncoder } from '../../src/encodings/basic.js';

// Conformance suite: every registered sampler, with a cheap encoding so the suite stays fast.
const nbPool = Rng.derive(3, 'sampler-test').sample(nb201Space.enumerate?.() ?? [], 400);
const nbEncode = async (archs: readonly string[]) => pathEncoder.encode(nb201Space, archs);
const fbPool = Array.from(new Set(Array.from({ length: 150 }, (_, i) => fbnetSpace.sample(Rng.derive(1, 'fb', i)))));
const fbEncode = async (archs: readonly string[]) => adjacencyEncoder.encode(fbnetSpace, archs);

describe.each(samplerRegistry.names())('sampler %s (conformance)', (name) => {
  const sampler = samplerRegistry.get(name);

  it.each([1, 7, 20])('returns exactly %i distinct pool archs, the same for the same seed', async (n) => {
    const a = await sampler.select({ space: nb201Space, n, seed: 5, pool: nbPool, encode: nbEncode });
    const b = await sampler.select({ space: nb201Space, n, seed: 5, pool: nbPool, encode: nbEncode });
    expect(a).toHaveLength(n);
    expect(new Set(a).size).toBe(n);
    expect(a.every((x) => nbPool.includes(x) && nb201Space.canonical(x) === x)).toBe(true);
    expect(b).toEqual(a);
  });

  it('respects a pool on FBNet and can take the whole pool', async () => {
    const all = await sampler.select({ space: fbnetSpace, n: fbPool.length, seed: 2, pool: fbPool, encode: fbEncode });
    expect(new Set(all)).toEqual(new Set(fbPool));
    const some = await sampler.select({ space: fbnetSpace, n: 10, seed: 2, pool: fbPool, encode: fbEncode });
    expect(some.every((x) => fbPool.includes(x))).toBe(true);
  });

  it('varies with the seed on a large pool', async () => {
    const seeds = await Promise.all(
      [1, 2, 3].map((seed) => sampler.select({ space: nb201Space, n: 10, seed, pool: nbPool, encode: nbEncode })),
    );
    expect(new Set(seeds.map((s) => [...s].sort().join(','))).size).toBeGreaterThan(1);
  });

  it('rejects n larger than the pool and duplicate candidates', async () => {
    await expect(sampler.select({ space: nb201Space, n: 5, seed: 1, pool: nbPool.slice(0, 4), encode: nbEncode })).rejects.toThrow(
      /cannot choose 5 archs from a pool of 4/,
    );
    await expect(
      sampler.select({ space: nb201Space, n: 2, seed: 1, pool: [nbPool[0], nbPool[0], nbPool[1]], encode: nbEncode }),
    ).rejects.toThrow(/duplicate/);
  });
});

describe('encoding-space samplers', () => {
  it('need an encoder', async () => {
    await expect(samplerRegistry.get('kmeans').select({ space: nb201Space, n: 3, seed: 1, pool: nbPool })).rejects.toThrow(
      /needs an encoder/,
    );
    await expect(randomSampler.select({ space: nb201Space, n: 3, seed: 1, pool: nbPool })).resolves.toHaveLength(3);
  });

  it('kmeans finds well-separated clusters', () => {
    // Three tight blobs far apart: each centroid lands in a different blob.
    const rng = new Rng('blobs');
    const x = [0, 100, 200].flatMap((c) => Array.from({ length: 30 }, () => Float32Array.of(c + rng.normal(), c + rng.normal())));
    const centres = kmeans(x, 3, new Rng('k'))
      .map((c) => Math.round(c[0] / 100))
      .sort();
    expect(centres).toEqual([0, 1, 2]);
  });

  it('farthest starts at an end of a line and covers it within the k-centre bound', async () => {
    const pool = nbPool.slice(0, 50);
    const encode = async (archs: readonly string[]) => archs.map((a) => Float32Array.of(pool.indexOf(a)));
    const chosen = await samplerRegistry.get('farthest').select({ space: nb201Space, n: 3, seed: 9, pool, encode });
    // The farthest point from any start on a line is an end; greedy k-centre covers within 2× the optimal radius (≈8.2).
    expect([pool[0], pool[49]]).toContain(chosen[1]);
    const at = chosen.map((a) => pool.indexOf(a));
    const radius = Math.max(...pool.map((_, i) => Math.min(...at.map((c) => Math.abs(c - i)))));
    expect(radius).toBeLessThanOrEqual(17);
  });
});
