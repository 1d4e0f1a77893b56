// The NASFLAT network over nn Parameters: shared + hardware-specific op embeddings, a hardware embedding,
// op-update layers, graph layers averaging dense graph flow (DGF) and graph attention (GAT), readout, MLP head.
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../../core/tf.js';
import type { Rng } from '../../core/rng.js';
import { Parameters, constant, glorot } from '../../nn/parameters.js';
import type { NasflatConfig } from './config.js';

/** A batch of encoded archs (see inputs.ts), as tensors. */
export interface Batch {
  /** One-hot (device, op) pair of every node, row b·N + n, column device·V + op [B·N, D·V]. */
  nodeKey: Tf.Tensor2D;
  /** Incoming adjacency normalised by in-degree, `[b, j, i]` = edge i → j [B, N, N]. */
  adjacencyIn: Tf.Tensor3D;
  /** 0 where i → j is an edge or i = j, −1e9 elsewhere: the attention mask [B, N, N]. */
  attentionMask: Tf.Tensor3D;
  /** One-hot row of each arch's device in the device tables [B, D] (a matmul, as wasm has no gather gradient). */
  device: Tf.Tensor2D;
  /** Standardised supplementary encodings [B, S], absent when S = 0. */
  supplementary?: Tf.Tensor2D;
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

/**
 * The weights of one network: Glorot-uniform matrices and embeddings drawn in turn from `rng` (so a seed fixes the
 * network), zero biases. Device tables (`hwEmb`, `hwOpEmb`) have one row per device.
 */
export function initParams(shapes: Map<string, number[]>, rng: Rng): Parameters {
  const init = glorot(rng);
  return Parameters.init([...shapes].map(([name, shape]) => [name, { shape, init: shape.length > 1 ? init : constant(0) }]));
}

/**
 * A batch whose archs all share one graph (every NB201 and FBNet arch does: the ops sit on a fixed DAG), one tensor
 * per node.
 */
export interface SharedGraphBatch {
  /** For each node, the one-hot (device, op) pair of each arch, column device·V + op [B, D·V]. */
  nodeKeys: Tf.Tensor2D[];
  /** The shared incoming edges: for node j, each in-neighbour i with its weight 1 / in-degree of j. */
  incoming: readonly (readonly { from: number; weight: number }[])[];
  /** For each node j, the nodes it attends to: its in-neighbours and itself. */
  attended: readonly (readonly number[])[];
  device: Tf.Tensor2D;
  supplementary?: Tf.Tensor2D;
}

type Get = (name: string) => Tf.Variable;

/**
 * Every (device, op) pair's node state before message passing, and its message gate: a node's state depends only on
 * its pair, so the input and op-update layers run on the D·V pairs and each node picks its row (a matmul with its
 * one-hot key: wasm has no gather gradient).
 */
function pairStates(get: Get, config: NasflatConfig): { pairState: Tf.Tensor2D; pairGate?: Tf.Tensor2D } {
  const [devices, hd] = get('hwEmb').shape;
  const v = get('opEmb').shape[0];
  const pairParts: Tf.Tensor2D[] = [tf.tile(get('opEmb') as Tf.Tensor2D, [devices, 1])];
  let pairGate: Tf.Tensor2D | undefined;
  if (config.hwOpEmbedding) {
    // The device's own embedding of each op: lets the same op cost differently per device, and gates messages.
    const pairHw = tf.reshape(get('hwOpEmb'), [devices * v, config.hwOpEmbeddingDim]) as Tf.Tensor2D;
    pairParts.push(pairHw);
    pairGate = tf.sigmoid(tf.add(tf.matMul(pairHw, get('gateW')), get('gateB'))) as Tf.Tensor2D;
  }
  pairParts.push(tf.reshape(tf.tile(tf.expandDims(get('hwEmb'), 1), [1, v, 1]), [devices * v, hd]) as Tf.Tensor2D);
  let pairState = tf.relu(tf.add(tf.matMul(tf.concat(pairParts, 1), get('inW')), get('inB'))) as Tf.Tensor2D;
  for (let k = 0; k < config.opUpdateLayers; k++)
    pairState = tf.add(pairState, tf.relu(tf.add(tf.matMul(pairState, get(`up${k}W`)), get(`up${k}B`)))) as Tf.Tensor2D;
  return { pairState, pairGate };
}

/** The MLP head on the pooled node states [B, W], the hardware embedding and the supplementary columns: scores [B]. */
function head(p: Parameters, get: Get, pooled: Tf.Tensor2D, device: Tf.Tensor2D, supplementary: Tf.Tensor2D | undefined): Tf.Tensor1D {
  const readout = [pooled, tf.matMul(device, get('hwEmb'))] as Tf.Tensor2D[];
  if (supplementary !== undefined && p.has('suppW'))
    readout.push(tf.relu(tf.add(tf.matMul(supplementary, get('suppW')), get('suppB'))) as Tf.Tensor2D);
  const hidden = tf.relu(tf.add(tf.matMul(tf.concat(readout, 1), get('headW1')), get('headB1')));
  return tf.reshape(tf.add(tf.matMul(hidden, get('headW2')), get('headB2')), [pooled.shape[0]]);
}

/** Ranking score per arch of the batch [B] (higher = slower on that arch's device). */
export function forward(p: Parameters, config: NasflatConfig, batch: Batch): Tf.Tensor1D {
  const get: Get = (name) => p.get(name);
  const [b, n] = batch.adjacencyIn.shape;
  const w = config.width;
  const { pairState, pairGate } = pairStates(get, config);
  let h: Tf.Tensor2D = tf.matMul(batch.nodeKey, pairState);
  const gate = pairGate === undefined ? undefined : tf.matMul(batch.nodeKey, pairGate);
  for (let l = 0; l < config.graphLayers; l++) {
    const gated: Tf.Tensor2D = gate === undefined ? h : (tf.mul(h, gate) as Tf.Tensor2D);
    const outputs: Tf.Tensor2D[] = [];
    if (config.graphLayer !== 'gat') {
      const messages = tf.reshape(tf.matMul(batch.adjacencyIn, tf.reshape(gated, [b, n, w])), [b * n, w]) as Tf.Tensor2D;
      outputs.push(
        tf.relu(tf.add(tf.add(tf.matMul(messages, get(`dgf${l}W`)), tf.matMul(h, get(`dgf${l}Self`))), get(`dgf${l}B`))) as Tf.Tensor2D,
      );
    }
    if (config.graphLayer !== 'dgf') {
      const z = tf.matMul(gated, get(`gat${l}W`));
      const target = tf.reshape(tf.matMul(z, get(`gat${l}A1`)), [b, n, 1]);
      const source = tf.reshape(tf.matMul(z, get(`gat${l}A2`)), [b, 1, n]);
      const attention = tf.softmax(tf.add(tf.leakyRelu(tf.add(target, source), 0.2), batch.attentionMask));
      const attended = tf.reshape(tf.matMul(attention, tf.reshape(z, [b, n, w])), [b * n, w]);
      outputs.push(tf.relu(tf.add(attended, get(`gat${l}B`))) as Tf.Tensor2D);
    }
    h = outputs.length === 2 ? (tf.mul(tf.add(outputs[0], outputs[1]), 0.5) as Tf.Tensor2D) : outputs[0];
  }
  // Mean pooling only: slicing out the output node's state as well cost a pad in the backward pass that took about
  // a tenth of the training step on wasm.
  return head(p, get, tf.mean(tf.reshape(h, [b, n, w]), 1), batch.device, batch.supplementary);
}

/**
 * `forward` for a batch whose archs share one graph, for prediction (training keeps `forward`). With the graph fixed,
 * each node's states of all archs are one [B, W] tensor, and message passing and attention are sums over the graph's
 * edges: no per-arch [N, N] × [N, W] products (tfjs-backend-wasm's batched matmul took 46 ms for 4096 8×8 by 8×32,
 * most of predicting the whole of NB201) and no slicing of large tensors (a wasm slice copies its whole input). Equal
 * to `forward` up to float rounding (tests/predictors/nasflat-model.test.ts).
 */
export function forwardSharedGraph(p: Parameters, config: NasflatConfig, batch: SharedGraphBatch): Tf.Tensor1D {
  const get: Get = (name) => p.get(name);
  const n = batch.nodeKeys.length;
  const { pairState, pairGate } = pairStates(get, config);
  let h: Tf.Tensor2D[] = batch.nodeKeys.map((key) => tf.matMul(key, pairState));
  const gate = pairGate === undefined ? undefined : batch.nodeKeys.map((key) => tf.matMul(key, pairGate));
  const sum = (terms: Tf.Tensor2D[]): Tf.Tensor2D => (terms.length === 1 ? terms[0] : (tf.addN(terms) as Tf.Tensor2D));
  const graphLayer = (l: number, h: Tf.Tensor2D[]): Tf.Tensor2D[] => {
    const gated = gate === undefined ? h : h.map((hj, j) => tf.mul(hj, gate[j]) as Tf.Tensor2D);
    let dgf: Tf.Tensor2D[] | undefined;
    let gat: Tf.Tensor2D[] | undefined;
    if (config.graphLayer !== 'gat') {
      dgf = h.map((hj, j) => {
        const own = tf.matMul(hj, get(`dgf${l}Self`));
        const edges = batch.incoming[j];
        // A node without in-edges gets no message (a zero row of the adjacency).
        const pre =
          edges.length === 0
            ? own
            : tf.add(tf.matMul(sum(edges.map((e) => tf.mul(gated[e.from], e.weight) as Tf.Tensor2D)), get(`dgf${l}W`)), own);
        return tf.relu(tf.add(pre, get(`dgf${l}B`))) as Tf.Tensor2D;
      });
    }
    if (config.graphLayer !== 'dgf') {
      const z = gated.map((g) => tf.matMul(g, get(`gat${l}W`)));
      const target = z.map((zj) => tf.matMul(zj, get(`gat${l}A1`)));
      const source = z.map((zi) => tf.matMul(zi, get(`gat${l}A2`)));
      gat = batch.attended.map((from, j) => {
        // Softmax over the attended nodes only (the mask gives the others exact zeros), shifted by its maximum.
        const logits = from.map((i) => tf.leakyRelu(tf.add(target[j], source[i]), 0.2) as Tf.Tensor2D);
        const top = logits.reduce((m, x) => tf.maximum(m, x) as Tf.Tensor2D);
        const weights = logits.map((x) => tf.exp(tf.sub(x, top)) as Tf.Tensor2D);
        const attendedState = tf.div(sum(from.map((i, k) => tf.mul(weights[k], z[i]) as Tf.Tensor2D)), sum(weights));
        return tf.relu(tf.add(attendedState, get(`gat${l}B`))) as Tf.Tensor2D;
      });
    }
    return dgf !== undefined && gat !== undefined ? dgf.map((d, j) => tf.mul(tf.add(d, gat[j]), 0.5) as Tf.Tensor2D) : (dgf ?? gat)!;
  };
  for (let l = 0; l < config.graphLayers; l++) {
    // Each layer's intermediates and its input states are freed as soon as its node states exist: at 4096 archs a
    // batch otherwise held about 200 MB, and growing wasm's heap to that took longer than the first batch's arithmetic.
    const previous = h;
    h = tf.tidy(() => graphLayer(l, previous));
    tf.dispose(previous);
  }
  return head(p, get, tf.div(sum(h), n) as Tf.Tensor2D, batch.device, batch.supplementary);
}

/**
 * Pairwise hinge ranking loss: for every pair of the same device with y_i > y_j, max(0, margin − (s_i − s_j)),
 * averaged over those pairs.
 */
export function hingeRankLoss(score: Tf.Tensor1D, target: Tf.Tensor1D, device: Tf.Tensor2D, margin: number): Tf.Scalar {
  const diff = tf.sub(tf.expandDims(score, 1), tf.expandDims(score, 0));
  const slower = tf.greater(tf.expandDims(target, 1), tf.expandDims(target, 0));
  const sameDevice = tf.greater(tf.matMul(device, device, false, true), 0.5);
  const pairs = tf.cast(tf.logicalAnd(slower, sameDevice), 'float32');
  const violations = tf.mul(pairs, tf.relu(tf.sub(margin, diff)));
  return tf.div(tf.sum(violations), tf.maximum(tf.sum(pairs), 1)) as Tf.Scalar;
}
