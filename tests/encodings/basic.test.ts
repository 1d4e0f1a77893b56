import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { adjacencyEncoder, flopsParamsEncoder, pathEncoder } from '../../src/encodings/basic.js';
import { total } from '../../src/spaces/layers.js';
import { getSpace } from '../../src/spaces/registry.js';

const nb201 = getSpace('nb201');
const fbnet = getSpace('fbnet');

describe('adjacency encoder', () => {
  it.each([nb201, fbnet])('has its stated dimension, one op per node and the graph edges (%s)', async (space) => {
    const archs = Array.from({ length: 5 }, (_, i) => space.sample(Rng.derive(1, 'enc-adj', i)));
    const vectors = await adjacencyEncoder.encode(space, archs);
    const n = space.graphNodes;
    const edgeDims = (n * (n - 1)) / 2;
    for (const [i, v] of vectors.entries()) {
      expect(v.length).toBe(adjacencyEncoder.dimension(space));
      const g = space.opGraph(archs[i]);
      const edges = g.adjacency.flat().reduce((a, b) => a + b, 0);
      expect(v.subarray(0, edgeDims).reduce((a, b) => a + b, 0)).toBe(edges);
      expect(v.subarray(edgeDims).reduce((a, b) => a + b, 0)).toBe(n);
    }
  });
});

describe('path encoder (NB201)', () => {
  it('counts only live input→output op sequences', async () => {
    // Live paths: 0→3 via skip_connect (length 1) and 0→1→3 via nor_conv_3x3 then avg_pool_3x3 (length 2).
    const arch = '|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|avg_pool_3x3~1|none~2|';
    const [v] = await pathEncoder.encode(nb201, [arch]);
    expect(v.length).toBe(84);
    const hot = [...v.entries()].filter(([, x]) => x > 0).map(([i]) => i);
    // skip_connect = op 0 → index 0; (nor_conv_3x3=2, avg_pool_3x3=3) → 4 + 2·4 + 3 = 15.
    expect(hot).toEqual([0, 15]);
    const [dead] = await pathEncoder.encode(nb201, ['|none~0|+|none~0|none~1|+|none~0|none~1|none~2|']);
    expect(dead.every((x) => x === 0)).toBe(true);
  });

  it('is not available for FBNet', () => {
    expect(pathEncoder.isAvailableFor?.(fbnet)).toBe(false);
    expect(() => pathEncoder.encode(fbnet, [fbnet.sample(new Rng('x'))])).toThrow(/nb201 only/);
  });
});

describe('flops-params encoder', () => {
  it.each([nb201, fbnet])('equals the layer-list totals at the default input (%s)', async (space) => {
    const arch = space.sample(new Rng('flops-params'));
    const [v] = await flopsParamsEncoder.encode(space, [arch]);
    const layers = space.layers(arch, space.defaultInput());
    expect(v[0]).toBeCloseTo(total(layers, 'flops') / 1e6, 3);
    expect(v[1]).toBeCloseTo(total(layers, 'params') / 1e6, 5);
  });
});
