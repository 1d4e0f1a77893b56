// Every registered encoder passes the same contract checks on every space it is available for (STYLE: a conformance
// suite per interface, generated from the registry so a new encoder cannot skip it).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { encoderRegistry } from '../../src/encodings/registry.js';
import { spaceRegistry } from '../../src/spaces/registry.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const cases = encoderRegistry.names().flatMap((encoder) => spaceRegistry.names().map((space) => [encoder, space] as const));

describe.each(cases)('encoder %s on %s (conformance)', (encoderName, spaceName) => {
  const encoder = encoderRegistry.get(encoderName);
  const space = spaceRegistry.get(spaceName);
  const available = encoder.isAvailableFor?.(space) ?? true;
  const archs = Array.from({ length: 2 }, (_, i) => space.sample(Rng.derive(3, 'encoder-conformance', i)));

  it('names itself and versions its vectors', () => {
    expect(encoder.name).toBe(encoderName);
    expect(encoder.description.length).toBeGreaterThan(0);
    if (!available) return;
    expect(encoder.version(space)).toMatch(/\S/);
    expect(encoder.dimension(space)).toBeGreaterThan(0);
    const columns = encoder.columns?.(space);
    if (columns !== undefined) {
      expect(columns).toHaveLength(encoder.dimension(space));
      expect(new Set(columns).size).toBe(columns.length);
    }
  });

  it.runIf(available)('gives one finite vector of its dimension per arch, the same whatever the batch', async () => {
    const vectors = await encoder.encode(space, archs);
    expect(vectors).toHaveLength(archs.length);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(encoder.dimension(space));
      expect(v.every(Number.isFinite)).toBe(true);
    }
    // Alone or in a batch: the same vector (encodings are cached by arch).
    const [alone] = await encoder.encode(space, [archs[1]]);
    for (let k = 0; k < alone.length; k++) expect(alone[k]).toBeCloseTo(vectors[1][k], 4);
    expect(await encoder.encode(space, [])).toEqual([]);
  });
});
