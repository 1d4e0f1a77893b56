// A small fully connected regressor in TF.js, trained with seeded initialisation and our own seeded shuffling
// (tfjs's `fit(shuffle)` draws from Math.random), so a seed fixes the result.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { ArrayRef, ArrayStore } from './base.js';

/** A dense ReLU network `inputSize → hidden… → 1`. */
export function buildMlp(inputSize: number, hidden: readonly number[], rng: Rng): tf.Sequential {
  const model = tf.sequential();
  hidden.forEach((units, i) =>
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        inputShape: i === 0 ? [inputSize] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.seed32() }),
      }),
    ),
  );
  model.add(
    tf.layers.dense({
      units: 1,
      inputShape: hidden.length === 0 ? [inputSize] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: rng.seed32() }),
    }),
  );
  return model;
}

/** Training settings of `trainMlp`. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on all weights (decoupled from the data term's scale). */
  weightDecay: number;
}

/**
 * Minimise mean squared error of `model` on rows `x` (n × inputSize, row-major) and targets `y` with Adam.
 * Mini-batches are drawn by `rng`.
 */
export function trainMlp(model: tf.Sequential, x: Float32Array, y: Float32Array, settings: TrainSettings, rng: Rng): void {
  const n = y.length;
  const inputSize = x.length / n;
  const optimizer = tf.train.adam(settings.learningRate);
  const xs = tf.tensor2d(x, [n, inputSize]);
  const ys = tf.tensor2d(y, [n, 1]);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const shuffled = n > settings.batchSize ? rng.shuffle(order) : order;
    for (let start = 0; start < n; start += settings.batchSize) {
      const batch = shuffled.slice(start, start + settings.batchSize);
      tf.tidy(() => {
        const idx = tf.tensor1d(batch, 'int32');
        const bx = tf.gather(xs, idx);
        const by = tf.gather(ys, idx);
        optimizer.minimize(() => {
          const mse = tf.losses.meanSquaredError(by, model.apply(bx) as tf.Tensor) as tf.Scalar;
          if (settings.weightDecay === 0) return mse;
          const l2 = tf.addN(model.trainableWeights.map((w) => tf.sum(tf.square(w.read()))));
          return tf.add(mse, tf.mul(settings.weightDecay, l2)) as tf.Scalar;
        });
      });
    }
  }
  xs.dispose();
  ys.dispose();
  optimizer.dispose();
}

/** Predictions of `model` for rows `x` (row-major), in one batched call. */
export function runMlp(model: tf.Sequential, x: Float32Array, rows: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, x.length / rows])) as tf.Tensor).dataSync() as Float32Array);
}

/** Store every weight tensor of `model`; returns their references in layer order. */
export function saveMlpWeights(model: tf.Sequential, store: ArrayStore): ArrayRef[] {
  return model.getWeights().map((w) => store.put(w.dataSync()));
}

/** Load weights saved by `saveMlpWeights` into a model of the same shape. */
export function loadMlpWeights(model: tf.Sequential, refs: readonly ArrayRef[], store: ArrayStore): void {
  const shapes = model.getWeights().map((w) => w.shape);
  const tensors = refs.map((ref, i) => tf.tensor(store.get(ref), shapes[i]));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Row-major Float32 matrix from equal-length rows. */
export function stackRows(rows: readonly ArrayLike<number>[]): Float32Array {
  const width = rows.length === 0 ? 0 : rows[0].length;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r as ArrayLike<number>, i * width));
  return out;
}
