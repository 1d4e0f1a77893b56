import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';
import { total } from '../../src/spaces/layers.js';

// Chosen to cover grouped blocks (1, 5), skips that are convs and identities (8), k5/e6 blocks and residual adds.
const ARCHS = ['7_8_1_8_4_8_8_8_7_4_1_4_7_3_2_7_3_2_4_2_4_5', '5_3_5_5_0_4_7_5_5_2_0_2_4_5_1_3_7_2_6_0_4_0'];
const trainableParams = (m: tf.LayersModel): number =>
  m.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);

describe('FBNet TF.js models', () => {
  const input = fbnetSpace.defaultInput();

  it.each(ARCHS)('%s: trainable params equal the analytic count; forward pass gives finite logits', (arch) => {
    const model = fbnetSpace.buildModel(arch, input, { seed: 3 });
    expect(trainableParams(model)).toBe(total(fbnetSpace.layers(arch, input), 'params'));
    const logits = tf.tidy(
      () => (model.predict(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7)) as tf.Tensor).arraySync() as number[][],
    );
    expect(logits).toHaveLength(2);
    expect(logits[0]).toHaveLength(100);
    expect(logits.flat().every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('has the analytic output shape at a second resolution and class count', () => {
    const other = { ...input, resolution: 48, classes: 10 };
    const model = fbnetSpace.buildModel(ARCHS[1], other);
    const layers = fbnetSpace.layers(ARCHS[1], other);
    const head = layers.find((l) => l.name === 'head.conv');
    expect(head?.outputShape).toEqual([1, 6, 6, 1504]);
    expect(model.getLayer('head_conv').outputShape).toEqual([null, 6, 6, 1504]);
    const y = tf.tidy(() => (model.predict(tf.zeros([1, 48, 48, 3])) as tf.Tensor).shape);
    expect(y).toEqual([1, 10]);
    model.dispose();
  });

  it('names every analytic conv/bn/fc layer in the model, and grouped convs split into two halves', () => {
    const model = fbnetSpace.buildModel(ARCHS[0], input);
    const names = new Set(model.layers.map((l) => l.name));
    for (const l of fbnetSpace.layers(ARCHS[0], input)) {
      if (l.kind === 'bn' || l.kind === 'fc' || (l.kind === 'conv' && (l.groups ?? 1) === 1))
        expect(names.has(l.name.replace(/\./g, '_'))).toBe(true);
    }
    // block02 is k3_e1_g2 at 24 channels: each half maps 12 input channels to 12 output channels.
    expect(model.getLayer('block02_k3_e1_g2_expand_conv_g0').getWeights()[0].shape).toEqual([1, 1, 12, 12]);
    expect(model.getLayer('block02_k3_e1_g2_expand_conv_g1').getWeights()[0].shape).toEqual([1, 1, 12, 12]);
    // The split/concat path computes a true grouped conv: each half of the output sees only its half of the input.
    const probe = tf.model({
      inputs: model.inputs,
      outputs: [
        model.getLayer('block01_skip_relu').output,
        model.getLayer('block02_k3_e1_g2_expand_conv_concat').output,
      ] as tf.SymbolicTensor[],
    });
    const [blockIn, grouped] = probe.predict(tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 13)) as tf.Tensor4D[];
    const k0 = model.getLayer('block02_k3_e1_g2_expand_conv_g0').getWeights()[0] as tf.Tensor4D;
    const k1 = model.getLayer('block02_k3_e1_g2_expand_conv_g1').getWeights()[0] as tf.Tensor4D;
    const [lo, hi] = tf.split<tf.Tensor4D>(blockIn, 2, 3);
    const expected = tf.concat([tf.conv2d(lo, k0, 1, 'same'), tf.conv2d(hi, k1, 1, 'same')], 3);
    expect(tf.max(tf.abs(tf.sub(grouped, expected))).dataSync()[0]).toBeLessThan(1e-5);
    model.dispose();
  });

  it('is deterministic for a seed and reloads with tf.loadLayersModel (no custom classes)', async () => {
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 11);
    const a = fbnetSpace.buildModel(ARCHS[0], input, { seed: 5 });
    const b = fbnetSpace.buildModel(ARCHS[0], input, { seed: 5 });
    const ya = a.predict(x) as tf.Tensor;
    expect(Array.from(ya.dataSync())).toEqual(Array.from((b.predict(x) as tf.Tensor).dataSync()));

    let saved: tf.io.ModelArtifacts | undefined;
    await a.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const yr = reloaded.predict(x) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(ya, yr))).dataSync()[0];
    expect(diff).toBeLessThan(1e-5);
    for (const m of [a, b, reloaded]) m.dispose();
    tf.dispose([x, ya, yr]);
  });
});
