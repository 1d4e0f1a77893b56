// AdamW against steps computed by hand, decay 0 against Adam's formula (and tf.train.adam), the schedules' values,
// and the minibatch loop's order, batches and mean losses.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { AdamW, constantSchedule, cosineSchedule } from '../../src/nn/optimizer.js';
import { Parameters, constant } from '../../src/nn/parameters.js';
import { batchesPerEpoch, trainMinibatches } from '../../src/nn/training.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Parameters holding `values` (a 1×n matrix `w` and an n-vector `b`). */
function params(w: number[], b: number[]): Parameters {
  return Parameters.init([
    ['w', { shape: [1, w.length], init: () => Float32Array.from(w) }],
    ['b', { shape: [b.length], init: () => Float32Array.from(b) }],
  ]);
}

const values = (p: Parameters, name: string) => Array.from(p.get(name).dataSync());

/** Adam (Kingma & Ba) in float64 on a loss with gradient `grad(w)`, then w −= rate·λ·w when decayed. */
function referenceAdamW(
  w: number[],
  grad: (w: number[]) => number[],
  steps: number,
  rate: (t: number) => number,
  decay: number,
  epsilon: number,
) {
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  let x = [...w];
  for (let t = 1; t <= steps; t++) {
    const g = grad(x);
    x = x.map((xi, i) => {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] ** 2;
      const update = m[i] / (1 - 0.9 ** t) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + epsilon);
      return xi - rate(t - 1) * (update + decay * xi);
    });
  }
  return x;
}

describe('AdamW', () => {
  it('takes the hand-computed first step: w − rate · (g / (|g| + ε) + λw), biases not decayed', () => {
    const p = params([1, -2], [0.5, 3]);
    const optimizer = new AdamW(p, { learningRate: 0.1, weightDecay: 0.01 });
    // Loss w·(3, −0.5) + b·(0, 2): gradients (3, −0.5) and (0, 2). After one step m̂ = g, v̂ = g², so the Adam part
    // of the update is g / (|g| + ε): ±1 where g ≠ 0 and 0 where g = 0.
    const loss = optimizer.minimize(() => tf.add(tf.sum(tf.mul(p.get('w'), [3, -0.5])), tf.sum(tf.mul(p.get('b'), [0, 2]))) as tf.Scalar);
    expect(loss).toBeCloseTo(3 + 1 + 6, 5);
    const w = values(p, 'w');
    expect(w[0]).toBeCloseTo(1 - 0.1 * (3 / (3 + 1e-8) + 0.01 * 1), 6);
    expect(w[1]).toBeCloseTo(-2 - 0.1 * (-0.5 / (0.5 + 1e-8) + 0.01 * -2), 6);
    expect(values(p, 'b')).toEqual([0.5, Math.fround(3 - 0.1 * (2 / (2 + 1e-8)))]);
    expect(optimizer.steps).toBe(1);
    optimizer.dispose();
    p.dispose();
  });

  it('decays a weight with zero gradient by rate · λ · w per step, and only matrices by default', () => {
    const p = params([2, -4], [1, 1]);
    const optimizer = new AdamW(p, { learningRate: 0.5, weightDecay: 0.1 });
    for (let i = 0; i < 2; i++) optimizer.minimize(() => tf.mul(tf.add(tf.sum(p.get('w')), tf.sum(p.get('b'))), 0) as tf.Scalar);
    expect(values(p, 'w')).toEqual([2 * 0.95 * 0.95, -4 * 0.95 * 0.95].map(Math.fround));
    expect(values(p, 'b')).toEqual([1, 1]);
    optimizer.dispose();
    const custom = new AdamW(p, { learningRate: 0.5, weightDecay: 0.1, decays: (name) => name === 'b' });
    custom.minimize(() => tf.mul(tf.add(tf.sum(p.get('w')), tf.sum(p.get('b'))), 0) as tf.Scalar);
    expect(values(p, 'b')).toEqual([0.95, 0.95].map(Math.fround));
    custom.dispose();
    p.dispose();
  });

  it('with decay 0 is Adam: matches the formula over many steps, and tf.train.adam', () => {
    const start = [0.3, -1.2, 2.5];
    const target = [1, 0, -1];
    const quadratic = (w: tf.Tensor) => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar;
    const p = params(start, [0]);
    const optimizer = new AdamW(p, { learningRate: 0.05, weightDecay: 0 });
    for (let i = 0; i < 30; i++) optimizer.minimize(() => quadratic(p.get('w')));
    const expected = referenceAdamW(
      start,
      (w) => w.map((x, i) => 2 * (x - target[i])),
      30,
      () => 0.05,
      0,
      1e-8,
    );
    values(p, 'w').forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));

    const q = params(start, [0]);
    const ours = new AdamW(q, { learningRate: 0.05, epsilon: 1e-7 });
    const theirs = tf.variable(tf.tensor2d([start]));
    const adam = tf.train.adam(0.05);
    for (let i = 0; i < 30; i++) {
      ours.minimize(() => quadratic(q.get('w')));
      adam.minimize(() => quadratic(theirs), false, [theirs]);
    }
    // tf.train.adam keeps β^t in float32 and orders the arithmetic differently: equal to about 1e-5.
    values(q, 'w').forEach((v, i) => expect(v).toBeCloseTo(theirs.dataSync()[i], 4));
    [optimizer, ours, adam].forEach((o) => o.dispose());
    [p, q].forEach((x) => x.dispose());
    theirs.dispose();
  });

  it('reads its rate from the schedule at each step, from step 0', () => {
    const asked: number[] = [];
    const p = params([1], [0]);
    const schedule = cosineSchedule(0.1, 4);
    const optimizer = new AdamW(p, {
      learningRate: (step) => {
        asked.push(step);
        return schedule(step);
      },
      weightDecay: 0.2,
    });
    for (let i = 0; i < 4; i++) optimizer.minimize(() => tf.sum(tf.mul(p.get('w'), 3)) as tf.Scalar);
    expect(asked).toEqual([0, 1, 2, 3]);
    const expected = referenceAdamW([1], () => [3], 4, schedule, 0.2, 1e-8);
    expect(values(p, 'w')[0]).toBeCloseTo(expected[0], 6);
    optimizer.dispose();
    p.dispose();
  });
});

describe('schedules', () => {
  it('cosine starts at the base rate, halves midway and ends at zero; constant stays', () => {
    const cosine = cosineSchedule(0.01, 100);
    expect(cosine(0)).toBeCloseTo(0.01, 12);
    expect(cosine(25)).toBeCloseTo(0.005 * (1 + Math.SQRT1_2), 12);
    expect(cosine(50)).toBeCloseTo(0.005, 12);
    expect(cosine(100)).toBeCloseTo(0, 12);
    expect(cosineSchedule(0.01, 0)(0)).toBe(0.01);
    expect([0, 7, 1000].map(constantSchedule(0.3))).toEqual([0.3, 0.3, 0.3]);
  });
});

describe('trainMinibatches', () => {
  it('visits every example once per epoch in the given order, in batches, and reports mean batch losses', () => {
    const p = Parameters.init([['w', { shape: [1, 1], init: constant(0) }]]);
    const optimizer = new AdamW(p, { learningRate: 0 });
    const seen: number[][] = [];
    const epochs: [number, number][] = [];
    const losses = trainMinibatches(optimizer, {
      count: 5,
      epochs: 2,
      batchSize: 2,
      order: (epoch, indices) => (epoch === 0 ? indices : [...indices].reverse()),
      loss: (batch, step) => {
        seen.push([step, ...batch]);
        return tf.add(tf.sum(p.get('w')), batch.length) as tf.Scalar;
      },
      onEpoch: (epoch, mean) => epochs.push([epoch, mean]),
    });
    expect(seen).toEqual([
      [0, 0, 1],
      [1, 2, 3],
      [2, 4],
      [3, 4, 3],
      [4, 2, 1],
      [5, 0],
    ]);
    expect(batchesPerEpoch(5, 2)).toBe(3);
    expect(losses).toEqual([5 / 3, 5 / 3]);
    expect(epochs).toEqual([
      [1, 5 / 3],
      [2, 5 / 3],
    ]);
    optimizer.dispose();
    p.dispose();
  });
});
