import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { total } from '../../src/spaces/layers.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';

// All five ops, a dead node-2 branch (2→3 is none), the all-conv worst case, and all-skip cells whose node sums
// receive one tensor twice (tfjs-layers used to free it mid-merge: "Tensor is disposed").
const ARCHS = [
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
  '|nor_conv_1x1~0|+|avg_pool_3x3~0|none~1|+|skip_connect~0|nor_conv_1x1~1|none~2|',
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
  '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|',
];
const count = (weights: tf.LayerVariable[]): number =>
  weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);

describe('NB201 TF.js models', () => {
  const input = nb201Space.defaultInput('cifar10');

  it.each(ARCHS)('%s: trainable params equal the analytic count; forward pass gives finite logits', (arch) => {
    const model = nb201Space.buildModel(arch, input, { seed: 3 });
    expect(count(model.trainableWeights)).toBe(total(nb201Space.layers(arch, input), 'params'));
    const logits = tf.tidy(
      () => (model.predict(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7)) as tf.Tensor).arraySync() as number[][],
    );
    expect(logits).toHaveLength(2);
    expect(logits[0]).toHaveLength(10);
    expect(logits.flat().every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('has the analytic shapes at 16×16 with 120 classes', () => {
    const small = nb201Space.defaultInput('imagenet16-120');
    const model = nb201Space.buildModel(ARCHS[0], small);
    for (const l of nb201Space.layers(ARCHS[0], small).filter((l) => l.kind === 'conv' || l.kind === 'add')) {
      expect(model.getLayer(l.name.replace(/[.-]/g, '_')).outputShape).toEqual([null, ...l.outputShape.slice(1)]);
    }
    expect(tf.tidy(() => (model.predict(tf.zeros([3, 16, 16, 3])) as tf.Tensor).shape)).toEqual([3, 120]);
    model.dispose();
  });

  it('makes none edges contribute exactly zero', () => {
    const model = nb201Space.buildModel(ARCHS[1], input);
    const zero = model.getLayer('stage1_cell0_edge1_2_none_zero');
    expect(zero.trainable).toBe(false);
    const probe = tf.model({ inputs: model.inputs, outputs: zero.output as tf.SymbolicTensor });
    const y = probe.predict(tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 1)) as tf.Tensor;
    expect(tf.max(tf.abs(y)).dataSync()[0]).toBe(0);
    model.dispose();
  });

  it('is deterministic for a seed and reloads with tf.loadLayersModel (no custom classes)', async () => {
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 11);
    const a = nb201Space.buildModel(ARCHS[1], input, { seed: 5 });
    const b = nb201Space.buildModel(ARCHS[1], input, { seed: 5 });
    const ya = (a.predict(x) as tf.Tensor).dataSync();
    expect(Array.from((b.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(ya));
    let saved: tf.io.ModelArtifacts | undefined;
    await a.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const yr = (reloaded.predict(x) as tf.Tensor).dataSync();
    expect(Math.max(...Array.from(yr, (v, i) => Math.abs(v - ya[i])))).toBeLessThan(1e-5);
    [a, b, reloaded].forEach((m) => m.dispose());
  });
});
