// Builds a TF.js LayersModel of an FBNet arch from its analytic layer list, so model and costs cannot drift apart.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import type { InputShape, Layer } from '../types.js';
import { fbnetLayers } from './macro.js';

type Sym = tf.SymbolicTensor;

/** TF.js layer names may not contain dots; the analytic name stays recognisable. */
const tfName = (name: string): string => name.replace(/\./g, '_');

/**
 * A 1×1 (or K×K) conv with `groups` groups from built-in layers only, so the saved model loads with
 * `tf.loadLayersModel` and no custom classes: tfjs-layers 4.22 Conv2D has no `groups` option. Channels are split
 * by moving them to a spatial axis (Permute), cropping (Cropping2D) and moving them back; the group outputs are
 * concatenated.
 */
function groupedConv(x: Sym, layer: Layer, seed: number): Sym {
  const groups = layer.groups ?? 1;
  const inChannels = layer.inputShape[3];
  const outChannels = layer.outputShape[3];
  const base = tfName(layer.name);
  const channelsInSpace = tf.layers.permute({ dims: [1, 3, 2], name: `${base}_split` }).apply(x) as Sym;
  const parts: Sym[] = [];
  for (let g = 0; g < groups; g++) {
    const start = (g * inChannels) / groups;
    const end = ((g + 1) * inChannels) / groups;
    const cropped = tf.layers.cropping2D({ cropping: [[0, 0], [start, inChannels - end]], name: `${base}_crop${g}` }).apply(channelsInSpace) as Sym;
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

function convLayer(x: Sym, layer: Layer, seed: number): Sym {
  const channels = layer.inputShape[3];
  const groups = layer.groups ?? 1;
  const common = { kernelSize: layer.kernel ?? 1, strides: layer.stride ?? 1, padding: 'same' as const, useBias: false, name: tfName(layer.name) };
  if (groups === 1) {
    return tf.layers.conv2d({ ...common, filters: layer.outputShape[3], kernelInitializer: tf.initializers.heNormal({ seed }) }).apply(x) as Sym;
  }
  if (groups === channels && layer.outputShape[3] === channels) {
    return tf.layers.depthwiseConv2d({ ...common, depthMultiplier: 1, depthwiseInitializer: tf.initializers.heNormal({ seed }) }).apply(x) as Sym;
  }
  return groupedConv(x, layer, seed);
}

/** Channel shuffle for `groups` groups: [H, W, g·c] → [H, W, g, c] → [H, W, c, g] → [H, W, g·c]. */
function channelShuffle(x: Sym, layer: Layer, groups: number): Sym {
  const [, h, w, c] = layer.outputShape;
  const base = tfName(layer.name);
  const split = tf.layers.reshape({ targetShape: [h, w, groups, c / groups], name: `${base}_reshape` }).apply(x) as Sym;
  const swapped = tf.layers.permute({ dims: [1, 2, 4, 3], name: `${base}_permute` }).apply(split) as Sym;
  return tf.layers.reshape({ targetShape: [h, w, c], name: base }).apply(swapped) as Sym;
}

/**
 * A TF.js model of an FBNet arch with random weights (deterministic for `seed`); input [batch, res, res, channels].
 * Trainable parameters equal the analytic `params`; BN moving statistics are extra, non-trainable weights.
 * @throws UnknownArchError
 */
export function buildFbnetModel(arch: string, input: InputShape, options: { seed?: number } = {}): tf.LayersModel {
  const seed = options.seed ?? 0;
  const layers = fbnetLayers(arch, input);
  const inputTensor = tf.input({ shape: [input.resolution, input.resolution, input.channels], name: 'input' });
  let x: Sym = inputTensor;
  let blockInput: Sym = x;
  let currentBlock: number | undefined;
  layers.forEach((layer, i) => {
    if (layer.origin.block !== currentBlock) {
      currentBlock = layer.origin.block;
      blockInput = x;
    }
    const layerSeed = Rng.derive(seed, 'fbnet-weights', i).seed32();
    const name = tfName(layer.name);
    switch (layer.kind) {
      case 'conv':
        x = convLayer(x, layer, layerSeed);
        break;
      case 'bn':
        x = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name }).apply(x) as Sym;
        break;
      case 'relu':
        x = tf.layers.reLU({ name }).apply(x) as Sym;
        break;
      case 'identity':
        // Identity records with groups are channel shuffles (after a grouped expansion conv); the rest are skips.
        if ((layer.groups ?? 1) > 1) x = channelShuffle(x, layer, layer.groups ?? 1);
        break;
      case 'add':
        x = tf.layers.add({ name }).apply([x, blockInput]) as Sym;
        break;
      case 'gap':
        x = tf.layers.globalAveragePooling2d({ name }).apply(x) as Sym;
        break;
      case 'fc':
        x = tf.layers.dense({ units: layer.outputShape[1], kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed }), name }).apply(x) as Sym;
        break;
      default:
        throw new Error(`FBNet layer list has an unexpected ${layer.kind} layer '${layer.name}'`);
    }
  });
  return tf.model({ inputs: inputTensor, outputs: x, name: `fbnet_${arch}` });
}
