import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';

// The conv gradient kernels hwnas registers for wasm must agree with the cpu backend's reference implementation.
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

type Case = { size: number; kernel: number; stride: number; pad: 'same' | 'valid'; depthwise: boolean };
const CASES: Case[] = [];
for (const depthwise of [false, true]) {
  for (const [size, kernel, stride, pad] of [
    [9, 3, 1, 'same'],
    [9, 3, 2, 'same'],
    [8, 3, 2, 'same'],
    [8, 5, 2, 'same'],
    [8, 1, 1, 'same'],
    [9, 3, 2, 'valid'],
    [7, 5, 1, 'valid'],
  ] as const) {
    CASES.push({ size, kernel, stride, pad, depthwise });
  }
}

/** Gradients of Σ conv(x, w)² with respect to x and w on `backend`, from fixed random values. */
async function gradients(backend: string, c: Case): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const channels = 3;
  const x = tf.tensor4d(
    Float32Array.from({ length: 2 * c.size * c.size * channels }, (_, i) => Math.sin(i * 1.37)),
    [2, c.size, c.size, channels],
  );
  const w = tf.tensor4d(
    Float32Array.from({ length: c.kernel * c.kernel * channels * (c.depthwise ? 1 : 4) }, (_, i) => Math.cos(i * 0.71)),
    [c.kernel, c.kernel, channels, c.depthwise ? 1 : 4],
  );
  const conv = (xi: tf.Tensor, wi: tf.Tensor): tf.Tensor =>
    c.depthwise
      ? tf.depthwiseConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, c.stride, c.pad)
      : tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, c.stride, c.pad);
  const grads = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => conv(xi, wi).square().sum())([x, w]);
  const values = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([x, w, ...grads]);
  return values;
}

describe('wasm conv gradient kernels', () => {
  it.each(CASES)('match the cpu backend: %o', async (c) => {
    const wasm = await gradients('wasm', c);
    const cpu = await gradients('cpu', c);
    for (let k = 0; k < 2; k++) {
      const scale = Math.max(...cpu[k].map(Math.abs));
      const worst = Math.max(...cpu[k].map((v, i) => Math.abs(v - wasm[k][i])));
      expect(worst / scale).toBeLessThan(1e-5);
    }
  });

  it('do not leak tensors', async () => {
    await gradients('wasm', CASES[1]);
    const before = tf.memory();
    await gradients('wasm', CASES[1]);
    await gradients('wasm', CASES[CASES.length - 1]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    // The kernels free their temporaries on the backend, which numTensors does not see.
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });
});
