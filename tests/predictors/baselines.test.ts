// Baselines: the least-squares kernels on hand-made data, the MLP's saved form, and each baseline's ranking quality on real latencies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spearman } from '../../src/core/metrics.js';
import { Rng } from '../../src/core/rng.js';
import { loadLatencyTable } from '../../src/data/latency.js';
import { bestCorrelatedSource } from '../../src/predictors/baselines/best-source.js';
import { ArchFeatures } from '../../src/predictors/baselines/features.js';
import { fitIncreasingLine, fitRidge, fitRidgeLoo, predictLinear } from '../../src/predictors/baselines/linalg.js';
import { getPredictorMethod, loadPredictor } from '../../src/predictors/registry.js';
import { sourceLatencies } from '../../src/predictors/transfer/harness.js';
import { getSpace } from '../../src/spaces/registry.js';
import { initBackend } from '../../src/core/backend.js';
import { FAST_PREDICTOR_OPTIONS, syntheticTable } from './fixtures.js';
import { dataFile, describeWithData } from '../helpers/data.js';

describe('help-style on archs the source devices never measured', () => {
  it('fits and predicts positive latencies (the sources serve as outlier proxies only where they cover the archs)', async () => {
    await initBackend('wasm');
    const space = getSpace('fbnet');
    const table = syntheticTable(space, ['src_a', 'src_b', 'target'], 80);
    const referenceArchs = table.archs.slice(0, 5);
    const outside = Array.from({ length: 4 }, (_, i) => space.sample(Rng.derive(3, 'outside', i))).filter(
      (a) => table.rowOf(a) === undefined,
    );
    expect(outside.length).toBeGreaterThan(0);
    const predictor = await getPredictorMethod('help-style').create({
      space,
      features: new ArchFeatures(space),
      sources: sourceLatencies(table, ['src_a', 'src_b']),
      referenceArchs,
      seed: 0,
      options: FAST_PREDICTOR_OPTIONS['help-style'],
    });
    const archs = [...referenceArchs, ...table.archs.slice(10, 13), ...outside];
    await predictor.fit('target', { archs, latencyMs: archs.map((_, i) => 2 + i) });
    for (const v of await predictor.predict('target', outside)) expect(v).toBeGreaterThan(0);
  });
});

describe('a saved MLP baseline', () => {
  it('keeps its networks as named, shape-checked tensors and refuses an older format version', async () => {
    await initBackend('wasm');
    const space = getSpace('nb201');
    const table = syntheticTable(space, ['target'], 40);
    const features = new ArchFeatures(space);
    const predictor = await getPredictorMethod('mlp').create({ space, features, seed: 0, options: FAST_PREDICTOR_OPTIONS.mlp });
    await predictor.fit('target', { archs: table.archs.slice(0, 12), latencyMs: table.column('target').slice(0, 12) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-mlp-'));
    await predictor.save(dir);
    const file = path.join(dir, 'predictor.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(manifest).toMatchObject({ format: 'hwnas-baseline-predictor', version: 3, devices: { target: { weights: 'net0' } } });
    expect(manifest.weights.tensors[0]).toEqual({ name: 'net0/dense0.kernel', shape: [features.oneHotSize, 16], offset: 0 });
    const write = (changed: object) => fs.writeFileSync(file, JSON.stringify({ ...manifest, ...changed }));
    write({ model: { options: { ...manifest.model.options, hidden: [8] } } });
    await expect(loadPredictor(dir)).rejects.toThrow(
      `${file}: tensor 'net0/dense0.kernel' is [${features.oneHotSize}×16], expected [${features.oneHotSize}×8]`,
    );
    write({ version: 2 });
    await expect(loadPredictor(dir)).rejects.toThrow(/unsupported version 2 \(this hwnas reads 3; fit the predictor again\)/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('ridge regression', () => {
  const rows = [
    [1, 0],
    [0, 1],
    [2, 3],
    [4, 1],
    [3, 5],
  ];
  const y = rows.map(([a, b]) => 2 * a - 3 * b + 5);

  it('recovers an exact linear relation with a negligible penalty', () => {
    const model = fitRidge(rows, y, 0);
    expect(model.weights[0]).toBeCloseTo(2, 5);
    expect(model.weights[1]).toBeCloseTo(-3, 5);
    expect(model.intercept).toBeCloseTo(5, 5);
  });

  it('interpolates the rows when there are fewer rows than features (dual form)', () => {
    const wide = [
      [1, 0, 2, 5],
      [0, 1, 1, 0],
      [3, 1, 0, 1],
    ];
    const target = [1, -2, 4];
    const model = fitRidge(wide, target, 0);
    wide.forEach((r, i) => expect(predictLinear(model, r)).toBeCloseTo(target[i], 4));
  });

  it('shrinks weights as the penalty grows, and leave-one-out keeps a small penalty for noise-free data', () => {
    expect(Math.abs(fitRidge(rows, y, 100).weights[0])).toBeLessThan(Math.abs(fitRidge(rows, y, 0.01).weights[0]));
    expect(fitRidgeLoo(rows, y).lambda).toBeLessThanOrEqual(0.01);
  });
});

describe('fitIncreasingLine', () => {
  it('is the least-squares line when the relation is increasing', () => {
    const line = fitIncreasingLine([1, 2, 3], [3, 5, 7]);
    expect(line.slope).toBeCloseTo(2, 10);
    expect(line.intercept).toBeCloseTo(1, 10);
  });

  it('keeps a positive slope on decreasing data so the proxy ranking is not inverted', () => {
    const line = fitIncreasingLine([1, 2, 3], [7, 5, 3]);
    expect(line.slope).toBeGreaterThan(0);
    expect(line.slope * 2 + line.intercept).toBeCloseTo(5, 3);
  });
});

describe('bestCorrelatedSource', () => {
  it('picks the column that ranks the measurements best', () => {
    const target = [1, 2, 3, 4];
    const best = bestCorrelatedSource(
      [Float64Array.from([4, 3, 2, 1]), Float64Array.from([1, 3, 2, 4]), Float64Array.from([10, 20, 30, 40])],
      target,
    );
    expect(best).toEqual({ device: 2, rho: 1 });
  });
});

describe('lookup table', () => {
  it('recovers a per-op cost model (each op a latency factor, additive in ln ms) from a few archs', async () => {
    const space = getSpace('nb201');
    const rng = new Rng('lut-test');
    const archs = Array.from({ length: 40 }, () => space.sample(rng));
    const cost = Object.fromEntries(space.opVocabulary.map((op, j) => [op, j * 0.07]));
    const features = new ArchFeatures(space);
    const latency = archs.map((a) => 3 * Math.exp(space.opGraph(a).ops.reduce((s, op) => s + cost[op], 0)));
    const predictor = await getPredictorMethod('lookup-table').create({ space, features, seed: 0, options: {} });
    await predictor.fit('dev', { archs: archs.slice(0, 15), latencyMs: latency.slice(0, 15) });
    const predicted = await predictor.predict('dev', archs.slice(15));
    predicted.forEach((p, i) => expect(p).toBeCloseTo(latency[15 + i], 1));
  });
});

describeWithData('baselines on FBNet task 0 (fpga target, 20 random samples)', () => {
  const space = getSpace('fbnet');
  const table = loadLatencyTable(dataFile('help/fbnet_latency.csv'));
  const sources = [
    '1080ti_1',
    '1080ti_32',
    '1080ti_64',
    'silver_4114',
    'silver_4210r',
    'samsung_a50',
    'pixel3',
    'essential_ph_1',
    'samsung_s7',
  ];
  const samples = Rng.derive(0, 'baseline-test').sample(table.archs, 20);
  const held = Rng.derive(1, 'baseline-test').sample(
    table.archs.filter((a) => !samples.includes(a)),
    1000,
  );
  const truth = held.map((a) => table.latency('fpga', a)!);
  const features = new ArchFeatures(space);

  // Floors well below what each method reaches here, well above what a broken one would.
  it.each([
    ['flops', 0.9],
    ['best-source', 0.6],
    ['ridge-sources', 0.8],
    ['lookup-table', 0.6],
  ])('%s ranks the held-out archs with Spearman ρ > %s', async (method, floor) => {
    const predictor = await getPredictorMethod(method).create({
      space,
      features,
      sources: sourceLatencies(table, sources),
      seed: 0,
      options: {},
    });
    await predictor.fit('fpga', { archs: samples, latencyMs: samples.map((a) => table.latency('fpga', a)!) });
    expect(spearman(truth, await predictor.predict('fpga', held))).toBeGreaterThan(floor as number);
  });
});
