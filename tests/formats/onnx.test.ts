import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { archToOnnx, ONNX_OPSET, ONNX_RUNNING_STATS, readOnnxSummary, samePadding } from '../../src/formats/onnx.js';
import { formatFbnet } from '../../src/spaces/fbnet/arch.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';
import { total } from '../../src/spaces/layers.js';
import { formatNb201 } from '../../src/spaces/nb201/arch.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import type { SearchSpace } from '../../src/spaces/types.js';

/** NB201 op ids: none 0, skip_connect 1, nor_conv_1x1 2, nor_conv_3x3 3, avg_pool_3x3 4 (edge order 0→1, 0→2, 1→2, 0→3, 1→3, 2→3). */
const nb201Special = [
  [0, 0, 0, 0, 0, 0], // all none: the cells output zeros
  [1, 1, 1, 1, 1, 1], // all skip
  [3, 0, 0, 0, 0, 3], // node 2 dead: its edges feed nothing that reaches node 3
  [3, 3, 3, 0, 0, 0], // node 3 gets nothing: the cell outputs zeros although it computes
  [4, 4, 4, 4, 4, 4], // all pools
].map((ops) => formatNb201(ops));
const fbnetSpecial = [
  Array(22).fill(8), // all skip: shape-changing skips become 1×1 convs
  Array(22).fill(1), // every block k3_e1_g2 (grouped convs and channel shuffles)
  Array(22).fill(5), // k5_e1_g2
  Array.from({ length: 22 }, (_, i) => [8, 1, 7, 5][i % 4]),
].map((c) => formatFbnet(c));

function archsOf(space: SearchSpace, special: string[], n: number): string[] {
  const archs = new Set(special);
  for (let i = 0; archs.size < n; i++) archs.add(space.sample(Rng.derive(11, `onnx-${space.name}`, i)));
  return [...archs];
}

/** Random BN statistics and affine parameters, so a wrong BN mapping changes the output. */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() !== 'BatchNormalization') return;
    const c = layer.getWeights()[0].shape[0];
    const u = (k: number, lo: number, hi: number) => tf.randomUniform([c], lo, hi, 'float32', seed * 1000 + i * 4 + k);
    layer.setWeights([u(0, 0.5, 1.5), u(1, -0.2, 0.2), u(2, -0.2, 0.2), u(3, 0.5, 1.5)]);
  });
}

async function compare(
  space: SearchSpace,
  arch: string,
  seed: number,
): Promise<{ maxDiff: number; scale: number; params: number; analytic: number }> {
  const input = { ...space.defaultInput(), batchSize: 2 };
  const model = space.buildModel(arch, input, { seed });
  try {
    randomiseBatchNorm(model, seed);
    const bytes = archToOnnx(space, arch, input, seed, model);
    const x = tf.randomNormal([2, input.resolution, input.resolution, input.channels], 0, 1, 'float32', seed);
    const expected = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
    const nchw = (await tf.transpose(x, [0, 3, 1, 2]).data()) as Float32Array;
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const result = await session.run({ input: new ort.Tensor('float32', nchw, [2, input.channels, input.resolution, input.resolution]) });
    await session.release();
    const actual = result.logits.data as Float32Array;
    expect(result.logits.dims).toEqual([2, input.classes]);
    let maxDiff = 0;
    let scale = 0;
    for (let i = 0; i < expected.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    const summary = readOnnxSummary(bytes, arch);
    const params = summary.initializers.filter((t) => !ONNX_RUNNING_STATS.some((s) => t.name.endsWith(s))).reduce((n, t) => n + t.size, 0);
    tf.dispose(x);
    return { maxDiff, scale, params, analytic: total(space.layers(arch, input), 'params') };
  } finally {
    model.dispose();
  }
}

describe('ONNX export: ONNX Runtime computes what the TF.js model computes', () => {
  // The default backend of hwnas (TF.js alone would pick its slow pure-JS cpu backend).
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => tf.disposeVariables());

  it.each([
    ['nb201', nb201Space, archsOf(nb201Space, nb201Special, 50)],
    ['fbnet', fbnetSpace, archsOf(fbnetSpace, fbnetSpecial, 20)],
  ] as const)(
    '%s: same logits (≤ 1e-4 of their scale) and initialiser params = analytic params',
    async (_, space, archs) => {
      const failures: string[] = [];
      for (const [i, arch] of archs.entries()) {
        const r = await compare(space, arch, i + 1);
        // All-`none` NB201 cells output exactly zero features; the logits are then the fc bias (0): scale 0, diff 0.
        if (r.maxDiff > 1e-4 * Math.max(r.scale, 1e-30) && r.maxDiff > 0)
          failures.push(`${arch}: max diff ${r.maxDiff} at scale ${r.scale}`);
        if (r.params !== r.analytic) failures.push(`${arch}: ${r.params} initialiser params, analytic ${r.analytic}`);
      }
      expect(failures).toEqual([]);
    },
    300_000,
  );

  it('writes opset, named input/output and the arch, space, input shape and version in metadata_props', () => {
    const arch = nb201Special[2];
    const input = nb201Space.defaultInput();
    const summary = readOnnxSummary(archToOnnx(nb201Space, arch, input, 3), 'x');
    expect(summary.opset).toBe(ONNX_OPSET);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
    expect(summary.metadata['hwnas.arch']).toBe(arch);
    expect(summary.metadata['hwnas.space']).toBe('nb201');
    expect(JSON.parse(summary.metadata['hwnas.input_shape'])).toEqual([1, 3, 32, 32]);
    expect(summary.metadata['hwnas.input_layout']).toBe('NCHW');
    expect(summary.metadata['hwnas.version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(summary.metadata['hwnas.weights_seed']).toBe('3');
  });

  it('accepts NB201 indices and rejects archs the builder cannot express', () => {
    const input = nb201Space.defaultInput();
    expect(readOnnxSummary(archToOnnx(nb201Space, '123', input, 0), 'x').metadata['hwnas.arch']).toBe(nb201Space.canonical(123));
    expect(() => archToOnnx(nb201Space, '|conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|', input, 0)).toThrow(/conv_7x7/);
    expect(() => archToOnnx(fbnetSpace, '1_2_3', fbnetSpace.defaultInput(), 0)).toThrow(/22/);
  });

  it('pads stride-2 convs as TF does: nothing before, the odd pixel after', () => {
    expect(samePadding(32, 3, 2)).toEqual([0, 1]);
    expect(samePadding(32, 3, 1)).toEqual([1, 1]);
    expect(samePadding(16, 5, 2)).toEqual([1, 2]);
    expect(samePadding(15, 3, 2)).toEqual([1, 1]);
    expect(samePadding(32, 1, 2)).toEqual([0, 0]);
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readOnnxSummary(new Uint8Array([1, 2, 3, 4, 5, 6, 7]), 'bad.onnx')).toThrow(/bad\.onnx is not an ONNX model/);
  });
});
