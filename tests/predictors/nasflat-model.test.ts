// The node-major forward used for prediction agrees with the batch-major forward training uses, on both spaces and
// every graph-layer kind, and batches whose archs differ in graph fall back to the batch-major one.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { resolveNasflatConfig } from '../../src/predictors/nasflat/config.js';
import { encodeGraphs, makeBatch, makeSharedGraphBatch, type EncodedGraphs } from '../../src/predictors/nasflat/inputs.js';
import { forward, forwardSharedGraph, initParams, paramShapes } from '../../src/predictors/nasflat/model.js';
import { getSpace } from '../../src/spaces/registry.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('forwardSharedGraph', () => {
  for (const [spaceName, graphLayer, hwOpEmbedding] of [
    ['nb201', 'ensemble', true],
    ['nb201', 'gat', false],
    ['fbnet', 'ensemble', true],
    ['fbnet', 'dgf', true],
  ] as const) {
    it(`equals forward on ${spaceName} (${graphLayer}, hardware op embeddings ${hwOpEmbedding ? 'on' : 'off'})`, () => {
      const space = getSpace(spaceName);
      const rng = Rng.derive(3, 'forward-shared', spaceName);
      const archs = Array.from({ length: 37 }, (_, i) => space.canonical(space.sample(rng.child('arch', i))));
      const graphs = encodeGraphs(space, archs);
      const config = resolveNasflatConfig({ width: 16, graphLayer, hwOpEmbedding, graphLayers: 2 });
      const width = 3;
      const supplementary = { width, values: Float32Array.from({ length: archs.length * width }, (_, i) => Math.sin(i)) };
      const devices = 3;
      const params = initParams(paramShapes(config, graphs.vocabulary, devices, width), rng.child('params'));
      const rows = archs.map((_, i) => i);
      const deviceRows = rows.map((i) => i % devices);
      const [reference, shared] = tf.tidy(() => [
        forward(params, config, makeBatch(graphs, supplementary, rows, deviceRows, devices)).arraySync(),
        forwardSharedGraph(params, config, makeSharedGraphBatch(graphs, supplementary, rows, deviceRows, devices)!).arraySync(),
      ]);
      params.dispose();
      const scale = Math.max(...reference.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      // Distinct archs get distinct scores, so agreement is not the trivial all-equal case.
      expect(new Set(reference.map((v) => v.toFixed(6))).size).toBeGreaterThan(archs.length / 2);
      for (let i = 0; i < archs.length; i++) expect(Math.abs(shared[i] - reference[i]) / scale).toBeLessThan(1e-5);
    });
  }

  it('is not used for a batch whose archs differ in graph', () => {
    const space = getSpace('nb201');
    const graphs = encodeGraphs(space, [
      space.canonical(space.sample(Rng.derive(1, 'g'))),
      space.canonical(space.sample(Rng.derive(2, 'g'))),
    ]);
    const supplementary = { width: 0, values: new Float32Array(0) };
    expect(tf.tidy(() => makeSharedGraphBatch(graphs, supplementary, [0, 1], [0, 0], 1) !== undefined)).toBe(true);
    // The same archs with the second one's graph changed (one edge fewer): no shared batch.
    const adjacencyIn = graphs.adjacencyIn.slice();
    const n = graphs.nodes;
    const edge = adjacencyIn.subarray(n * n).findIndex((v) => v > 0);
    adjacencyIn[n * n + edge] = 0;
    const altered: EncodedGraphs = { ...graphs, adjacencyIn };
    expect(tf.tidy(() => makeSharedGraphBatch(altered, supplementary, [0, 1], [0, 0], 1) === undefined)).toBe(true);
  });
});
