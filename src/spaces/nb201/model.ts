// Builds a TF.js LayersModel of an NB201 arch from its analytic layer list, so model and costs cannot drift apart.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import type { InputShape, Layer, LayerOrigin } from '../types.js';
import { nb201Layers } from './macro.js';

type Sym = tf.SymbolicTensor;

const sameEdge = (a: LayerOrigin | undefined, b: LayerOrigin): boolean => a?.edge !== undefined && b.edge !== undefined && a.edge[0] === b.edge[0] && a.edge[1] === b.edge[1];

/** TF.js layer names: keep the analytic name recognisable without dots or dashes. */
const tfName = (name: string): string => name.replace(/[.-]/g, '_');

/** One analytic layer as a built-in tfjs layer (no custom classes, so saved models reload with `tf.loadLayersModel`). */
function applyLayer(x: Sym, layer: Layer, seed: number): Sym {
  const name = tfName(layer.name);
  switch (layer.kind) {
    case 'relu':
      return tf.layers.reLU({ name }).apply(x) as Sym;
    case 'conv':
      return tf.layers
        .conv2d({
          filters: layer.outputShape[3],
          kernelSize: layer.kernel ?? 1,
          strides: layer.stride ?? 1,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed }),
          name,
        })
        .apply(x) as Sym;
    case 'bn':
      // PyTorch BN momentum 0.1 and eps 1e-5 are TF momentum 0.9 and epsilon 1e-5.
      return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name }).apply(x) as Sym;
    case 'avgpool': {
      const kernel = layer.kernel ?? 3;
      const stride = layer.stride ?? 1;
      // 'valid' where the record has no padding (the 2×2 shortcut pool), else 'same'; TF's 'same' average pool
      // divides by the number of valid inputs, which is NB201's count_include_pad=False.
      const valid = layer.outputShape[1] === Math.floor((layer.inputShape[1] - kernel) / stride) + 1;
      return tf.layers.averagePooling2d({ poolSize: kernel, strides: stride, padding: valid ? 'valid' : 'same', name }).apply(x) as Sym;
    }
    case 'zero':
      // NB201 `none` is x·0. A frozen all-zero 1×1 depthwise conv computes exactly that with a built-in layer;
      // its weights are non-trainable, so trainable params still equal the analytic count (0 for `none`).
      return tf.layers
        .depthwiseConv2d({ kernelSize: 1, depthMultiplier: 1, useBias: false, depthwiseInitializer: 'zeros', trainable: false, name })
        .apply(x) as Sym;
    case 'identity':
      return x;
    case 'gap':
      return tf.layers.globalAveragePooling2d({ name }).apply(x) as Sym;
    case 'fc':
      return tf.layers.dense({ units: layer.outputShape[1], kernelInitializer: tf.initializers.glorotUniform({ seed }), name }).apply(x) as Sym;
    default:
      throw new Error(`NB201 layer list has an unexpected ${layer.kind} layer '${layer.name}' here`);
  }
}

/**
 * A TF.js model of an NB201 arch with random weights (deterministic for `seed`); input [batch, res, res, channels].
 * Trainable parameters equal the analytic `params`; BN moving statistics and the frozen zeros of `none` edges are
 * extra, non-trainable weights. Stride-2 'same' convs pad bottom/right only (TF) where PyTorch pads 1 on each side:
 * shapes and parameter counts are NB201's, the exact function at the border is not.
 * @throws UnknownArchError, UsageError
 */
export function buildNb201Model(arch: string, input: InputShape, options: { seed?: number } = {}): tf.LayersModel {
  const seed = options.seed ?? 0;
  const layers = nb201Layers(arch, input);
  const inputTensor = tf.input({ shape: [input.resolution, input.resolution, input.channels], name: 'input' });
  let x: Sym = inputTensor;
  // Cell state: node values, and the edge outputs waiting to be summed into each node.
  let nodes: Sym[] = [];
  let incoming: Sym[][] = [];
  let edgeValue: Sym = x;
  // Reduction block state: its input feeds both the main path and the shortcut.
  let blockInput: Sym = x;
  let shortcut: Sym = x;

  layers.forEach((layer, i) => {
    const o = layer.origin;
    const layerSeed = Rng.derive(seed, 'nb201-weights', i).seed32();
    const prev = layers[i - 1]?.origin;
    const next = layers[i + 1]?.origin;
    if (o.cell !== undefined) {
      if (prev?.cell !== o.cell || prev.stage !== o.stage) {
        nodes = [x];
        incoming = [[], [], [], []];
      }
      if (o.edge !== undefined) {
        const [from, to] = o.edge;
        if (!sameEdge(prev, o)) edgeValue = nodes[from];
        edgeValue = applyLayer(edgeValue, layer, layerSeed);
        if (!sameEdge(next, o)) {
          incoming[to].push(edgeValue);
          if (to === 1) nodes[1] = edgeValue;
        }
      } else {
        // A node sum: node j sums its j incoming edges.
        const node = layer.inputs;
        // tfjs-layers frees a tensor after its first use inside one merge, so a sum that receives the same tensor
        // twice (e.g. two skip edges from one node) fails with "Tensor is disposed": give repeats their own
        // parameter-free identity layer.
        const inputs = incoming[node].map((t, k, all) =>
          all.indexOf(t) === k ? t : (tf.layers.activation({ activation: 'linear', name: `${tfName(layer.name)}_repeat${k}` }).apply(t) as Sym),
        );
        nodes[node] = tf.layers.add({ name: tfName(layer.name) }).apply(inputs) as Sym;
        if (node === 3) x = nodes[3];
      }
    } else if (o.stage.startsWith('reduction')) {
      if (prev?.stage !== o.stage) blockInput = x;
      if (layer.kind === 'add') x = tf.layers.add({ name: tfName(layer.name) }).apply([x, shortcut]) as Sym;
      else if (layer.name.includes('.shortcut.')) shortcut = applyLayer(layer.kind === 'avgpool' ? blockInput : shortcut, layer, layerSeed);
      else x = applyLayer(x, layer, layerSeed);
    } else {
      x = applyLayer(x, layer, layerSeed);
    }
  });
  return tf.model({ inputs: inputTensor, outputs: x, name: 'nb201' });
}
