// The NASFLAT network as plain tf.Variables: shared + hardware-specific op embeddings, a hardware embedding,
// op-update layers, graph layers averaging dense graph flow (DGF) and graph attention (GAT), readout, MLP head.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { NasflatConfig } from './config.js';

/** Named weights of one network; device tables (`hwEmb`, `hwOpEmb`) have one row per device of `devices`. */
export type Params = Map<string, tf.Variable>;

/** A batch of encoded archs (see inputs.ts), as tensors. */
export interface Batch {
  /** One-hot (device, op) pair of every node, row b·N + n, column device·V + op [B·N, D·V]. */
  nodeKey: tf.Tensor2D;
  /** Incoming adjacency normalised by in-degree, `[b, j, i]` = edge i → j [B, N, N]. */
  adjacencyIn: tf.Tensor3D;
  /** 0 where i → j is an edge or i = j, −1e9 elsewhere: the attention mask [B, N, N]. */
  attentionMask: tf.Tensor3D;
  /** One-hot row of each arch's device in the device tables [B, D] (a matmul, as wasm has no gather gradient). */
  device: tf.Tensor2D;
  /** Standardised supplementary encodings [B, S], absent when S = 0. */
  supplementary?: tf.Tensor2D;
}

/** Shapes of every weight for a network of `config` over `vocabulary` ops, `devices` devices and S supplementary columns. */
export function paramShapes(config: NasflatConfig, vocabulary: number, devices: number, supplementaryWidth: number): Map<string, number[]> {
  const { opEmbeddingDim: e, hwOpEmbeddingDim: eh, hwEmbeddingDim: hd, width: w, supplementaryDim: sd } = config;
  const shapes = new Map<string, number[]>();
  shapes.set('opEmb', [vocabulary, e]);
  shapes.set('hwEmb', [devices, hd]);
  if (config.hwOpEmbedding) {
    shapes.set('hwOpEmb', [devices, vocabulary, eh]);
    shapes.set('gateW', [eh, w]);
    shapes.set('gateB', [w]);
  }
  shapes.set('inW', [e + (config.hwOpEmbedding ? eh : 0) + hd, w]);
  shapes.set('inB', [w]);
  for (let k = 0; k < config.opUpdateLayers; k++) {
    shapes.set(`up${k}W`, [w, w]);
    shapes.set(`up${k}B`, [w]);
  }
  for (let l = 0; l < config.graphLayers; l++) {
    if (config.graphLayer !== 'gat') {
      shapes.set(`dgf${l}W`, [w, w]);
      shapes.set(`dgf${l}Self`, [w, w]);
      shapes.set(`dgf${l}B`, [w]);
    }
    if (config.graphLayer !== 'dgf') {
      shapes.set(`gat${l}W`, [w, w]);
      shapes.set(`gat${l}A1`, [w, 1]);
      shapes.set(`gat${l}A2`, [w, 1]);
      shapes.set(`gat${l}B`, [w]);
    }
  }
  const useSupplementary = supplementaryWidth > 0;
  if (useSupplementary) {
    shapes.set('suppW', [supplementaryWidth, sd]);
    shapes.set('suppB', [sd]);
  }
  shapes.set('headW1', [w + hd + (useSupplementary ? sd : 0), w]);
  shapes.set('headB1', [w]);
  shapes.set('headW2', [w, 1]);
  shapes.set('headB2', [1]);
  return shapes;
}

/** Glorot-uniform matrices and embeddings, zero biases, drawn from `rng` so a seed fixes the network. */
export function initParams(shapes: Map<string, number[]>, rng: Rng): Params {
  const params: Params = new Map();
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (shape.length > 1) {
      const fanOut = shape[shape.length - 1];
      const fanIn = size / fanOut;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * limit;
    }
    // Unnamed: tfjs variable names are global, and many predictors may live in one process.
    params.set(
      name,
      tf.tidy(() => tf.variable(tf.tensor(values, shape), true)),
    );
  }
  return params;
}

/** Ranking score per arch of the batch [B] (higher = slower on that arch's device). */
export function forward(p: Params, config: NasflatConfig, batch: Batch): tf.Tensor1D {
  const get = (name: string): tf.Variable => p.get(name)!;
  const [b, n] = batch.adjacencyIn.shape;
  const w = config.width;
  const [devices, hd] = get('hwEmb').shape;
  const v = get('opEmb').shape[0];
  const hw = tf.matMul(batch.device, get('hwEmb')); // [B, H]
  // A node's state before message passing depends only on its (device, op) pair, so the input and op-update layers
  // run on the D·V pairs and each node picks its row (a matmul with its one-hot key: wasm has no gather gradient).
  const pairParts: tf.Tensor2D[] = [tf.tile(get('opEmb') as tf.Tensor2D, [devices, 1])];
  let pairGate: tf.Tensor2D | undefined;
  if (config.hwOpEmbedding) {
    // The device's own embedding of each op: lets the same op cost differently per device, and gates messages.
    const pairHw = tf.reshape(get('hwOpEmb'), [devices * v, config.hwOpEmbeddingDim]) as tf.Tensor2D;
    pairParts.push(pairHw);
    pairGate = tf.sigmoid(tf.add(tf.matMul(pairHw, get('gateW')), get('gateB'))) as tf.Tensor2D;
  }
  pairParts.push(tf.reshape(tf.tile(tf.expandDims(get('hwEmb'), 1), [1, v, 1]), [devices * v, hd]) as tf.Tensor2D);
  let pairState = tf.relu(tf.add(tf.matMul(tf.concat(pairParts, 1), get('inW')), get('inB'))) as tf.Tensor2D;
  for (let k = 0; k < config.opUpdateLayers; k++)
    pairState = tf.add(pairState, tf.relu(tf.add(tf.matMul(pairState, get(`up${k}W`)), get(`up${k}B`)))) as tf.Tensor2D;
  let h: tf.Tensor2D = tf.matMul(batch.nodeKey, pairState);
  const gate = pairGate === undefined ? undefined : tf.matMul(batch.nodeKey, pairGate);
  for (let l = 0; l < config.graphLayers; l++) {
    const gated: tf.Tensor2D = gate === undefined ? h : (tf.mul(h, gate) as tf.Tensor2D);
    const outputs: tf.Tensor2D[] = [];
    if (config.graphLayer !== 'gat') {
      const messages = tf.reshape(tf.matMul(batch.adjacencyIn, tf.reshape(gated, [b, n, w])), [b * n, w]) as tf.Tensor2D;
      outputs.push(
        tf.relu(tf.add(tf.add(tf.matMul(messages, get(`dgf${l}W`)), tf.matMul(h, get(`dgf${l}Self`))), get(`dgf${l}B`))) as tf.Tensor2D,
      );
    }
    if (config.graphLayer !== 'dgf') {
      const z = tf.matMul(gated, get(`gat${l}W`));
      const target = tf.reshape(tf.matMul(z, get(`gat${l}A1`)), [b, n, 1]);
      const source = tf.reshape(tf.matMul(z, get(`gat${l}A2`)), [b, 1, n]);
      const attention = tf.softmax(tf.add(tf.leakyRelu(tf.add(target, source), 0.2), batch.attentionMask));
      const attended = tf.reshape(tf.matMul(attention, tf.reshape(z, [b, n, w])), [b * n, w]);
      outputs.push(tf.relu(tf.add(attended, get(`gat${l}B`))) as tf.Tensor2D);
    }
    h = outputs.length === 2 ? (tf.mul(tf.add(outputs[0], outputs[1]), 0.5) as tf.Tensor2D) : outputs[0];
  }
  const nodes = tf.reshape(h, [b, n, w]);
  // Mean pooling only: slicing out the output node's state as well cost a pad in the backward pass that took about
  // a tenth of the training step on wasm.
  const readout = [tf.mean(nodes, 1), hw] as tf.Tensor2D[];
  if (batch.supplementary !== undefined && p.has('suppW'))
    readout.push(tf.relu(tf.add(tf.matMul(batch.supplementary, get('suppW')), get('suppB'))) as tf.Tensor2D);
  const hidden = tf.relu(tf.add(tf.matMul(tf.concat(readout, 1), get('headW1')), get('headB1')));
  return tf.reshape(tf.add(tf.matMul(hidden, get('headW2')), get('headB2')), [b]);
}

/**
 * Pairwise hinge ranking loss: for every pair of the same device with y_i > y_j, max(0, margin − (s_i − s_j)),
 * averaged over those pairs.
 */
export function hingeRankLoss(score: tf.Tensor1D, target: tf.Tensor1D, device: tf.Tensor2D, margin: number): tf.Scalar {
  const diff = tf.sub(tf.expandDims(score, 1), tf.expandDims(score, 0));
  const slower = tf.greater(tf.expandDims(target, 1), tf.expandDims(target, 0));
  const sameDevice = tf.greater(tf.matMul(device, device, false, true), 0.5);
  const pairs = tf.cast(tf.logicalAnd(slower, sameDevice), 'float32');
  const violations = tf.mul(pairs, tf.relu(tf.sub(margin, diff)));
  return tf.div(tf.sum(violations), tf.maximum(tf.sum(pairs), 1)) as tf.Scalar;
}

/** AdamW (Adam with decoupled weight decay) whose learning rate is set per step, for the cosine schedule. */
export class AdamW {
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private step = 0;

  constructor(
    private readonly params: Params,
    private readonly weightDecay: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    for (const [name, value] of params)
      this.moments.set(name, { m: tf.variable(tf.zerosLike(value), false), v: tf.variable(tf.zerosLike(value), false) });
  }

  /** One step on `loss`; returns the loss value. */
  minimize(loss: () => tf.Scalar, learningRate: number): number {
    this.step++;
    const t = this.step;
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, [...this.params.values()]);
      const correction1 = 1 - this.beta1 ** t;
      const correction2 = 1 - this.beta2 ** t;
      for (const [name, param] of this.params) {
        const g = grads[param.name];
        if (g === undefined) continue;
        const { m, v } = this.moments.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        // Decay only matrices and embeddings, not biases (as AdamW is usually configured).
        const decay = param.shape.length > 1 ? tf.mul(param, this.weightDecay) : tf.scalar(0);
        param.assign(tf.sub(param, tf.mul(tf.add(update, decay), learningRate)));
      }
      return value.dataSync()[0];
    });
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
  }
}

/** Cosine-annealed learning rate at `step` of `total`. */
export function cosineRate(base: number, step: number, total: number): number {
  return 0.5 * base * (1 + Math.cos((Math.PI * step) / Math.max(total, 1)));
}
