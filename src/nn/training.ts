// The minibatch loop every learned model in hwnas trains with: epochs over a caller-ordered (seeded) permutation of
// the examples, one optimiser step per batch, the mean loss of each epoch.
import type * as tf from '@tensorflow/tfjs';
import type { AdamW } from './optimizer.js';

export interface MinibatchOptions {
  /** Examples, indexed 0 … count − 1. */
  count: number;
  epochs: number;
  batchSize: number;
  /** The examples' order in epoch `epoch` (0-based), e.g. a seeded shuffle of `indices`; called once per epoch, in order. */
  order: (epoch: number, indices: readonly number[]) => readonly number[];
  /** The loss of one batch of example indices at optimiser step `step` of this loop (inside the gradient tape; its tensors are freed). */
  loss: (batch: number[], step: number) => tf.Scalar;
  /** After each epoch: how many are done (1-based) and their mean batch loss. */
  onEpoch?: (epoch: number, meanLoss: number) => void;
}

/** Batches per epoch (the last one may be short): with `epochs`, the length of a learning-rate schedule. */
export function batchesPerEpoch(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/** Train with `optimizer`; returns the mean batch loss of every epoch. */
export function trainMinibatches(optimizer: AdamW, options: MinibatchOptions): number[] {
  const { count, epochs, batchSize } = options;
  const indices = Array.from({ length: count }, (_, i) => i);
  const batches = batchesPerEpoch(count, batchSize);
  const losses: number[] = [];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = options.order(epoch, indices);
    let sum = 0;
    for (let start = 0; start < count; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const at = step++;
      sum += optimizer.minimize(() => options.loss(batch, at));
    }
    losses.push(sum / batches);
    options.onEpoch?.(epoch + 1, sum / batches);
  }
  return losses;
}
