// A TF.js LayersModel from a layer graph, with built-in layers only (saved models reload with `tf.loadLayersModel`
// and no custom classes). Both spaces build their models here, so the model and the analytic costs cannot drift.
import { createRequire } from 'node:module';
import type * as Tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import type { InputShape, Layer, LayerGraph } from './types.js';

type Sym = Tf.SymbolicTensor;

const require = createRequire(import.meta.url);
/**
 * TF.js, loaded when the first model is built: it takes about half a second, which every command that only costs
 * archs (profile, runs, config check, the dashboard) would otherwise pay at start. The same instance as an `import`.
 */
const tfjs = (): typeof Tf => require('@tensorflow/tfjs') as typeof Tf;

/** The TF.js name of a layer: the analytic name without dots or dashes, still recognisable. */
export const tfLayerName = (name: string): string => name.replace(/[.-]/g, '_');

/**
 * A conv with `groups` groups: tfjs-layers 4.22 Conv2D has no `groups` option. Channels are split by moving them
 * to a spatial axis (Permute), cropping (Cropping2D) and moving them back; the group outputs (`<name>_g<k>`) are
 * concatenated.
 */
function groupedConv(x: Sym, layer: Layer, seed: number): Sym {
  const tf = tfjs();
  const groups = layer.groups ?? 1;
  const inChannels = layer.inputShape[3];
  const outChannels = layer.outputShape[3];
  const base = tfLayerName(layer.name);
  const channelsInSpace = tf.layers.permute({ dims: [1, 3, 2], name: `${base}_split` }).apply(x) as Sym;
  const parts: Sym[] = [];
  for (let g = 0; g < groups; g++) {
    const start = (g * inChannels) / groups;
    const end = ((g + 1) * inChannels) / groups;
    const cropped = tf.layers
      .cropping2D({
        cropping: [
          [0, 0],
          [start, inChannels - end],
        ],
        name: `${base}_crop${g}`,
      })
      .apply(channelsInSpace) as Sym;
    const part = tf.layers.permute({ dims: [1, 3, 2], name: `${base}_part${g}` }).apply(cropped) as Sym;
    parts.push(
      tf.layers
        .conv2d({
          filters: outChannels / groups,
          kernelSize: layer.kernel ?? 1,
          strides: layer.stride ?? 1,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: seed + g }),
          name: `${base}_g${g}`,
        })
        .apply(part) as Sym,
    );
  }
  return tf.layers.concatenate({ axis: -1, name: `${base}_concat` }).apply(parts) as Sym;
}

/** How a conv record is built: plain, depthwise (one group per channel) or grouped. */
export function convVariant(layer: Layer): 'plain' | 'depthwise' | 'grouped' {
  const groups = layer.groups ?? 1;
  if (groups === 1) return 'plain';
  return groups === layer.inputShape[3] && layer.outputShape[3] === groups ? 'depthwise' : 'grouped';
}

function convLayer(x: Sym, layer: Layer, seed: number): Sym {
  const tf = tfjs();
  const common = {
    kernelSize: layer.kernel ?? 1,
    strides: layer.stride ?? 1,
    padding: 'same' as const,
    useBias: false,
    name: tfLayerName(layer.name),
  };
  switch (convVariant(layer)) {
    case 'plain':
      return tf.layers
        .conv2d({ ...common, filters: layer.outputShape[3], kernelInitializer: tf.initializers.heNormal({ seed }) })
        .apply(x) as Sym;
    case 'depthwise':
      return tf.layers
        .depthwiseConv2d({ ...common, depthMultiplier: 1, depthwiseInitializer: tf.initializers.heNormal({ seed }) })
        .apply(x) as Sym;
    case 'grouped':
      return groupedConv(x, layer, seed);
  }
}

/** Channel shuffle for `groups` groups: [H, W, g·c] → [H, W, g, c] → [H, W, c, g] → [H, W, g·c]. */
function channelShuffle(x: Sym, layer: Layer, groups: number): Sym {
  const tf = tfjs();
  const [, h, w, c] = layer.outputShape;
  const base = tfLayerName(layer.name);
  const split = tf.layers.reshape({ targetShape: [h, w, groups, c / groups], name: `${base}_reshape` }).apply(x) as Sym;
  const swapped = tf.layers.permute({ dims: [1, 2, 4, 3], name: `${base}_permute` }).apply(split) as Sym;
  return tf.layers.reshape({ targetShape: [h, w, c], name: base }).apply(swapped) as Sym;
}

function applyLayer(inputs: Sym[], layer: Layer, seed: number): Sym {
  const tf = tfjs();
  const name = tfLayerName(layer.name);
  const [x] = inputs;
  switch (layer.kind) {
    case 'relu':
      return tf.layers.reLU({ name }).apply(x) as Sym;
    case 'conv':
      return convLayer(x, layer, seed);
    case 'bn':
      // PyTorch BN momentum 0.1 and eps 1e-5 are TF momentum 0.9 and epsilon 1e-5.
      return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name }).apply(x) as Sym;
    case 'avgpool': {
      const kernel = layer.kernel ?? 3;
      const stride = layer.stride ?? 1;
      // 'valid' where the record has no padding (NB201's 2×2 shortcut pool), else 'same'; TF's 'same' average pool
      // divides by the number of valid inputs, which is NB201's count_include_pad=False.
      const valid = layer.outputShape[1] === Math.floor((layer.inputShape[1] - kernel) / stride) + 1;
      return tf.layers.averagePooling2d({ poolSize: kernel, strides: stride, padding: valid ? 'valid' : 'same', name }).apply(x) as Sym;
    }
    case 'zero':
      // x·0 with a built-in layer: a frozen all-zero 1×1 depthwise conv. Its weights are non-trainable, so
      // trainable params still equal the analytic count (0).
      return tf.layers
        .depthwiseConv2d({ kernelSize: 1, depthMultiplier: 1, useBias: false, depthwiseInitializer: 'zeros', trainable: false, name })
        .apply(x) as Sym;
    case 'identity':
      return (layer.groups ?? 1) > 1 ? channelShuffle(x, layer, layer.groups ?? 1) : x;
    case 'add': {
      // tfjs-layers frees a tensor after its first use inside one merge, so a sum that receives the same tensor
      // twice (e.g. two skip edges from one node) fails with "Tensor is disposed": give repeats their own
      // parameter-free identity layer.
      const distinct = inputs.map((t, k, all) =>
        all.indexOf(t) === k ? t : (tf.layers.activation({ activation: 'linear', name: `${name}_repeat${k}` }).apply(t) as Sym),
      );
      return tf.layers.add({ name }).apply(distinct) as Sym;
    }
    case 'gap':
      return tf.layers.globalAveragePooling2d({ name }).apply(x) as Sym;
    case 'fc':
      return tf.layers
        .dense({ units: layer.outputShape[1], kernelInitializer: tf.initializers.glorotUniform({ seed }), name })
        .apply(x) as Sym;
    default:
      throw new Error(`no TF.js layer for the ${layer.kind} layer '${layer.name}'`);
  }
}

/**
 * A TF.js model of a layer graph with random weights: the weights of layer i come from the seed stream
 * (`seed`, `seedLabel`, i), so a model is the same for the same seed. Input [batch, res, res, channels].
 * Trainable parameters equal the analytic `params`; BN moving statistics and frozen zeros are extra,
 * non-trainable weights.
 */
export function buildTfModel(
  graph: LayerGraph,
  input: InputShape,
  options: { seed: number; seedLabel: string; name: string },
): Tf.LayersModel {
  const tf = tfjs();
  const inputTensor = tf.input({ shape: [input.resolution, input.resolution, input.channels], name: 'input' });
  const values: Sym[] = [];
  graph.layers.forEach((layer, i) => {
    const ins = graph.inputs[i].map((j) => (j < 0 ? inputTensor : values[j]));
    values.push(applyLayer(ins, layer, Rng.derive(options.seed, options.seedLabel, i).seed32()));
  });
  return tf.model({ inputs: inputTensor, outputs: values[values.length - 1], name: options.name });
}
