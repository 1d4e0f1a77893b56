// Every registered search space passes the same contract checks (STYLE: a conformance suite per interface).
import { describe, expect, it } from 'vitest';
import { UnknownArchError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { total } from '../../src/spaces/layers.js';
import { resolveInput, spaceRegistry } from '../../src/spaces/registry.js';
import { createCostTotals, createLayerSums } from '../../src/spaces/sums.js';

describe.each(spaceRegistry.names())('search space %s (conformance)', (name) => {
  const space = spaceRegistry.get(name);
  const archs = Array.from({ length: 20 }, (_, i) => space.sample(Rng.derive(7, 'conformance', i)));

  it('samples canonical archs deterministically for a seed', () => {
    const again = Array.from({ length: 20 }, (_, i) => space.sample(Rng.derive(7, 'conformance', i)));
    expect(again).toEqual(archs);
    for (const a of archs) expect(space.canonical(a)).toBe(a);
    expect(new Set(archs).size).toBeGreaterThan(15);
  });

  it('rejects malformed archs with UnknownArchError', () => {
    for (const bad of ['', 'garbage', archs[0] + 'x', archs[0].slice(0, -2)]) {
      expect(() => space.canonical(bad)).toThrow(UnknownArchError);
    }
  });

  it('mutates to a different valid arch that is one of its neighbours', () => {
    for (const [i, a] of archs.entries()) {
      const m = space.mutate(a, Rng.derive(7, 'mutate', i));
      expect(m).not.toBe(a);
      expect(space.canonical(m)).toBe(m);
      const neighbours = space.neighbours(a);
      expect(neighbours).toContain(m);
      expect(neighbours).not.toContain(a);
      expect(new Set(neighbours).size).toBe(neighbours.length);
    }
  });

  it.runIf(space.choices !== undefined)('declares choices that round-trip its archs and span its neighbours', () => {
    const choices = space.choices!;
    for (const a of archs) {
      const values = Array.from(choices.parse(a));
      expect(values).toHaveLength(choices.positions);
      expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < choices.options)).toBe(true);
      expect(choices.format(values)).toBe(a);
      expect(space.neighbours(a)).toHaveLength(choices.positions * (choices.options - 1));
    }
  });

  it('gives op graphs over its vocabulary with input first, output last and a forward-only adjacency', () => {
    for (const a of archs) {
      const g = space.opGraph(a);
      expect(g.ops.length).toBe(space.graphNodes);
      expect(g.ops[0]).toBe('input');
      expect(g.ops[g.ops.length - 1]).toBe('output');
      expect(g.opIds).toEqual(g.ops.map((op) => space.opVocabulary.indexOf(op)));
      expect(g.opIds.every((id) => id >= 0)).toBe(true);
      for (let i = 0; i < g.adjacency.length; i++) for (let j = 0; j <= i; j++) expect(g.adjacency[i][j]).toBe(0);
    }
  });

  it('has layer costs that scale with batch size and resolution', () => {
    const input = resolveInput(space);
    for (const a of archs.slice(0, 5)) {
      const base = space.layers(a, input);
      const batch4 = space.layers(a, { ...input, batchSize: 4 });
      const bigger = space.layers(a, { ...input, resolution: input.resolution * 2 });
      expect(total(base, 'flops')).toBeGreaterThan(0);
      expect(total(batch4, 'flops')).toBeCloseTo(4 * total(base, 'flops'), 0);
      expect(total(batch4, 'params')).toBe(total(base, 'params'));
      expect(total(bigger, 'flops')).toBeGreaterThan(3 * total(base, 'flops'));
      expect(new Set(base.map((l) => l.name)).size).toBe(base.length);
      for (const l of base) expect(l.outputShape[0]).toBe(input.batchSize);
    }
  });

  it('sums FLOPs, params and other layer fields per choice exactly as over the layer list', () => {
    const input = { ...resolveInput(space), batchSize: 2 };
    const fields = ['flops', 'params', 'activationBytes'] as const;
    const sums = createLayerSums(space, input, (layers) => fields.map((f) => total(layers, f)));
    const totals = createCostTotals(space, input);
    for (const a of archs) {
      const layers = space.layers(a, input);
      expect(sums(a)).toEqual(fields.map((f) => total(layers, f)));
      expect(totals(a)).toEqual({ flops: total(layers, 'flops'), params: total(layers, 'params') });
    }
  });

  it('gives the same isoKey to an arch and its canonical form and differs across most samples', () => {
    const keys = archs.map((a) => space.isoKey(a));
    expect(keys).toEqual(archs.map((a) => space.isoKey(space.canonical(a))));
    expect(new Set(keys).size).toBeGreaterThan(10);
  });
});
