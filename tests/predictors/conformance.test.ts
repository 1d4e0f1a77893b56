// Conformance suite run against every registered predictor: fit → predict shapes and finiteness, save → load gives
// identical predictions, same seed gives the same predictor, clear errors for unknown devices and foreign archs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { UnknownArchError, UnknownNameError } from '../../src/core/errors.js';
import { ArchFeatures } from '../../src/predictors/baselines/features.js';
import { getPredictorMethod, loadPredictor, predictorRegistry, type BuildContext } from '../../src/predictors/registry.js';
import { sourceLatencies } from '../../src/predictors/transfer/harness.js';
import { getSpace } from '../../src/spaces/registry.js';
import { FAST_PREDICTOR_OPTIONS, syntheticTable } from './fixtures.js';

const space = getSpace('fbnet');
const table = syntheticTable(space, ['src_a', 'src_b', 'src_c', 'target'], 120);
const referenceArchs = table.archs.slice(0, 5);
const fitArchs = table.archs.slice(0, 12);
const fitLatency = fitArchs.map((a) => table.latency('target', a)!);
const queryArchs = table.archs.slice(40, 90);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-conformance-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
// The CLI's default backend; tfjs's pure-JS cpu backend would make the learned predictors' tests slow.
beforeAll(async () => {
  await initBackend('wasm');
});

function context(method: string, seed: number): BuildContext {
  return {
    space,
    features: new ArchFeatures(space),
    sources: sourceLatencies(table, ['src_a', 'src_b', 'src_c']),
    referenceArchs,
    seed,
    options: FAST_PREDICTOR_OPTIONS[method] ?? {},
  };
}

async function fitted(method: string, seed: number) {
  const predictor = await getPredictorMethod(method).create(context(method, seed));
  await predictor.fit('target', { archs: fitArchs, latencyMs: fitLatency }, { seed });
  return predictor;
}

describe.each(predictorRegistry.names())('predictor %s', (method) => {
  it('predicts one finite latency per arch after fit, and lists the fitted device', async () => {
    const predictor = await fitted(method, 1);
    const predicted = await predictor.predict('target', queryArchs);
    expect(predicted).toHaveLength(queryArchs.length);
    expect([...predicted].every(Number.isFinite)).toBe(true);
    expect(predictor.devices()).toContain('target');
    expect(predictor.kind).toBe(method);
  });

  it('gives identical predictions after save and load', async () => {
    const predictor = await fitted(method, 2);
    const dir = path.join(tmp, `${method}-saved`);
    await predictor.save(dir);
    const loaded = await loadPredictor(dir);
    expect(loaded.kind).toBe(method);
    expect(loaded.space.name).toBe('fbnet');
    expect([...(await loaded.predict('target', queryArchs))]).toEqual([...(await predictor.predict('target', queryArchs))]);
  });

  it('is deterministic for a seed', async () => {
    const [a, b] = [await fitted(method, 3), await fitted(method, 3)];
    expect([...(await a.predict('target', queryArchs))]).toEqual([...(await b.predict('target', queryArchs))]);
  });

  it('rejects an unknown device and an arch from another space', async () => {
    const predictor = await fitted(method, 4);
    await expect(predictor.predict('no-such-board', queryArchs)).rejects.toThrow(UnknownNameError);
    await expect(predictor.predict('no-such-board', queryArchs)).rejects.toThrow(/no-such-board/);
    const nb201Arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    await expect(predictor.predict('target', [nb201Arch])).rejects.toThrow(UnknownArchError);
  });
});
