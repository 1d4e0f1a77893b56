// Training and running the NASFLAT network: hinge-loss minibatches with AdamW and a cosine schedule, batched
// inference, a target's copy of the pretrained network, and the score → ln ms calibration line.
import { tf } from '../../core/tf.js';
import type { Rng } from '../../core/rng.js';
import { AdamW, cosineSchedule } from '../../nn/optimizer.js';
import type { Parameters } from '../../nn/parameters.js';
import { batchesPerEpoch, trainMinibatches } from '../../nn/training.js';
import { fitIncreasingLine } from '../baselines/linalg.js';
import { logBounds, msFromLog, type LogBounds } from '../trust.js';
import type { NasflatConfig } from './config.js';
import { makeBatch, makeSharedGraphBatch, type EncodedGraphs, type SupplementaryMatrix } from './inputs.js';
import { forward, forwardSharedGraph, hingeRankLoss } from './model.js';

/** Archs per inference batch: large enough to amortise per-op overhead, small enough for memory. */
const PREDICT_BATCH = 4096;

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  rng: Rng;
  onEpoch?: (meanLoss: number) => void;
}

/** Minimise the hinge ranking loss over rows (archs with their device rows and scaled targets) in shuffled batches. */
export function train(
  params: Parameters,
  config: NasflatConfig,
  graphs: EncodedGraphs,
  supplementary: SupplementaryMatrix,
  deviceRows: readonly number[],
  targets: readonly number[],
  settings: TrainSettings,
): void {
  const count = targets.length;
  const totalSteps = settings.epochs * batchesPerEpoch(count, settings.batchSize);
  const optimizer = new AdamW(params, { learningRate: cosineSchedule(settings.learningRate, totalSteps), weightDecay: config.weightDecay });
  trainMinibatches(optimizer, {
    count,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    order: (epoch, indices) => settings.rng.child('epoch', epoch).shuffle(indices),
    loss: (rows) => {
      const batch = makeBatch(
        graphs,
        supplementary,
        rows,
        rows.map((r) => deviceRows[r]),
        deviceCount(params),
      );
      const y = tf.tensor1d(rows.map((r) => targets[r]));
      return hingeRankLoss(forward(params, config, batch), y, batch.device, config.margin);
    },
    onEpoch: (_epoch, meanLoss) => settings.onEpoch?.(meanLoss),
  });
  optimizer.dispose();
}

/** Scores of all encoded archs, each on its device row, in large batches. */
export function runNetwork(
  params: Parameters,
  config: NasflatConfig,
  graphs: EncodedGraphs,
  supplementary: SupplementaryMatrix,
  deviceRows: readonly number[],
): Float64Array {
  const out = new Float64Array(graphs.n);
  for (let start = 0; start < graphs.n; start += PREDICT_BATCH) {
    const rows = Array.from({ length: Math.min(PREDICT_BATCH, graphs.n - start) }, (_, i) => start + i);
    const scores = tf.tidy(() => {
      const devices = rows.map((r) => deviceRows[r]);
      // Every arch of NB201 and FBNet has the same graph: forwardSharedGraph avoids wasm's slow batched matmul.
      const shared = makeSharedGraphBatch(graphs, supplementary, rows, devices, deviceCount(params));
      return (
        shared !== undefined
          ? forwardSharedGraph(params, config, shared)
          : forward(params, config, makeBatch(graphs, supplementary, rows, devices, deviceCount(params)))
      ).dataSync();
    });
    out.set(scores, start);
  }
  return out;
}

function deviceCount(params: Parameters): number {
  return params.get('hwEmb').shape[0];
}

/** A copy of `params` whose device tables hold one row: the mean of `sourceRows` of the originals. */
export function cloneForDevice(params: Parameters, sourceRows: readonly number[]): Parameters {
  return params.map((name, value) =>
    name === 'hwEmb' || name === 'hwOpEmb' ? tf.mean(tf.gather(value, tf.tensor1d([...sourceRows], 'int32')), 0, true) : value,
  );
}

export function minMaxScale(values: readonly number[]): number[] {
  const lo = Math.min(...values);
  const span = Math.max(...values) - lo || 1;
  return values.map((v) => (v - lo) / span);
}

/** Score → ln ms line of one device, and the ln-ms range its predictions are kept in. */
export interface Calibration {
  slope: number;
  intercept: number;
  bounds: LogBounds;
}

/** Robust increasing score → ln ms line through measured latencies. */
export function calibrate(scores: ArrayLike<number>, latencyMs: readonly number[]): Calibration {
  return { ...fitIncreasingLine(scores, latencyMs.map(Math.log)), bounds: logBounds(latencyMs) };
}

export function calibrated(calibration: Calibration, score: number): number {
  return msFromLog(calibration.slope * score + calibration.intercept, calibration.bounds);
}
