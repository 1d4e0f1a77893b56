// How the layers of an FBNet network are wired: a chain, with a residual add from the block input.
import type { InputShape, LayerGraph } from '../types.js';
import { fbnetLayers } from './macro.js';

/**
 * The FBNet layer list as a dataflow graph: each layer takes the previous one; `add` also takes its block's input. @throws UnknownArchError
 */
export function fbnetGraph(arch: string, input: InputShape): LayerGraph {
  const layers = fbnetLayers(arch, input);
  const inputs: number[][] = [];
  let blockInput = -1;
  let currentBlock: number | undefined;
  layers.forEach((layer, i) => {
    if (layer.origin.block !== currentBlock) {
      currentBlock = layer.origin.block;
      blockInput = i - 1;
    }
    inputs.push(layer.kind === 'add' ? [i - 1, blockInput] : [i - 1]);
  });
  return { layers, inputs };
}
