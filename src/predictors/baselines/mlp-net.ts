// A small fully connected regressor on nn Parameters: seeded Glorot initialisation, seeded minibatches, Adam on mean
// squared error plus an L2 penalty, so a seed fixes the result.
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../../core/tf.js';
import type { Rng } from '../../core/rng.js';
import { AdamW } from '../../nn/optimizer.js';
import { Parameters, constant, glorot, type ParameterSpec } from '../../nn/parameters.js';
import { trainMinibatches } from '../../nn/training.js';
import type { TensorStore } from './base.js';

/** Training settings of `Mlp.train`. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on all weights, added to the mean squared error. */
  weightDecay: number;
}

/** Layer `i`'s kernel [in, out] and bias [out], for `inputSize → hidden… → 1`. */
function paramShapes(inputSize: number, hidden: readonly number[]): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const widths = [inputSize, ...hidden, 1];
  for (let i = 0; i + 1 < widths.length; i++) {
    shapes.set(`dense${i}.kernel`, [widths[i], widths[i + 1]]);
    shapes.set(`dense${i}.bias`, [widths[i + 1]]);
  }
  return shapes;
}

/** A dense ReLU network `inputSize → hidden… → 1`. */
export class Mlp {
  private constructor(
    private readonly params: Parameters,
    private readonly layers: number,
  ) {}

  /** Glorot-uniform kernels drawn from `rng`, zero biases. */
  static init(inputSize: number, hidden: readonly number[], rng: Rng): Mlp {
    const specs = [...paramShapes(inputSize, hidden)].map(([name, shape]): [string, ParameterSpec] => [
      name,
      { shape, init: shape.length > 1 ? glorot(rng.child(name)) : constant(0) },
    ]);
    return new Mlp(Parameters.init(specs), hidden.length + 1);
  }

  /** The network `save` added to `store` under `key`, checked against this shape. */
  static load(inputSize: number, hidden: readonly number[], store: TensorStore, key: string): Mlp {
    return new Mlp(store.read(key, paramShapes(inputSize, hidden)), hidden.length + 1);
  }

  /** Add the weights to `store`; returns the key `load` takes. */
  save(store: TensorStore): string {
    return store.add(this.params);
  }

  /** An independent copy (to fine-tune without changing this one). */
  clone(): Mlp {
    return new Mlp(this.params.clone(), this.layers);
  }

  private forward(x: Tf.Tensor2D): Tf.Tensor2D {
    let h = x;
    for (let i = 0; i < this.layers; i++) {
      h = tf.add(tf.matMul(h, this.params.get(`dense${i}.kernel`)), this.params.get(`dense${i}.bias`));
      if (i + 1 < this.layers) h = tf.relu(h);
    }
    return h;
  }

  /**
   * Minimise mean squared error on rows `x` (n × inputSize, row-major) and targets `y` with Adam. Minibatches are
   * drawn by `rng` (one shuffle per epoch when there is more than one batch).
   */
  train(x: Float32Array, y: Float32Array, settings: TrainSettings, rng: Rng): void {
    const n = y.length;
    const xs = tf.tensor2d(x, [n, x.length / n]);
    const ys = tf.tensor2d(y, [n, 1]);
    const optimizer = new AdamW(this.params, { learningRate: settings.learningRate });
    const weights = [...this.params].map(([, v]) => v);
    trainMinibatches(optimizer, {
      count: n,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      order: (_epoch, indices) => (n > settings.batchSize ? rng.shuffle(indices) : indices),
      loss: (batch) => {
        const idx = tf.tensor1d(batch, 'int32');
        const mse = tf.losses.meanSquaredError(tf.gather(ys, idx), this.forward(tf.gather(xs, idx) as Tf.Tensor2D)) as Tf.Scalar;
        if (settings.weightDecay === 0) return mse;
        return tf.add(mse, tf.mul(settings.weightDecay, tf.addN(weights.map((w) => tf.sum(tf.square(w)))))) as Tf.Scalar;
      },
    });
    optimizer.dispose();
    tf.dispose([xs, ys]);
  }

  /** Predictions for rows `x` (row-major), in one batched call. */
  predict(x: Float32Array, rows: number): Float32Array {
    return tf.tidy(() => this.forward(tf.tensor2d(x, [rows, x.length / rows])).dataSync() as Float32Array);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Row-major Float32 matrix from equal-length rows. */
export function stackRows(rows: readonly ArrayLike<number>[]): Float32Array {
  const width = rows.length === 0 ? 0 : rows[0].length;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r as ArrayLike<number>, i * width));
  return out;
}
