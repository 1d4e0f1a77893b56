// The 22-block FBNet search space of HW-NAS-Bench / HELP: arch strings, op graph, sampling, costs, models.
import { UnknownNameError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { InputShape, OpGraph, SearchSpace } from '../types.js';
import { FBNET_BLOCKS, FBNET_OPS, canonicalFbnet, formatFbnet, parseFbnet } from './arch.js';
import { fbnetLayers } from './macro.js';
import { buildTfModel } from '../tfjs-model.js';
import { fbnetGraph } from './graph.js';

const VOCABULARY = ['input', ...FBNET_OPS, 'output'] as const;
const GRAPH_NODES = FBNET_BLOCKS + 2;

/** HW-NAS-Bench's FBNet data is in the CIFAR-100 setting; other datasets change only resolution and classes. */
const INPUTS: Record<string, Omit<InputShape, 'batchSize'>> = {
  cifar100: { resolution: 32, channels: 3, classes: 100 },
  cifar10: { resolution: 32, channels: 3, classes: 10 },
  'imagenet16-120': { resolution: 16, channels: 3, classes: 120 },
};

/** The chain input → block 0 → … → block 21 → output, one node per block labelled with its choice. */
function opGraph(arch: string): OpGraph {
  const ops = ['input', ...parseFbnet(arch).map((c) => FBNET_OPS[c]), 'output'];
  const adjacency = Array.from({ length: GRAPH_NODES }, (_, i) => Array.from({ length: GRAPH_NODES }, (_, j) => (j === i + 1 ? 1 : 0)));
  return { ops, opIds: ops.map((op) => (VOCABULARY as readonly string[]).indexOf(op)), adjacency };
}

export const fbnetSpace: SearchSpace = {
  name: 'fbnet',
  description: 'FBNet 22-block space of HW-NAS-Bench/HELP (9 block choices per layer, CIFAR-100 setting)',
  size: 9 ** FBNET_BLOCKS,
  sizeLabel: `9^22 ≈ ${(9 ** FBNET_BLOCKS).toExponential(2)}`,
  opVocabulary: VOCABULARY,
  graphNodes: GRAPH_NODES,

  defaultInput(dataset = 'cifar100') {
    const base = INPUTS[dataset];
    if (base === undefined) throw new UnknownNameError('dataset', dataset, Object.keys(INPUTS));
    return { batchSize: 1, ...base };
  },

  canonical(arch) {
    return canonicalFbnet(String(arch));
  },

  // Blocks are applied in sequence with their own weights and skips really are identities (or 1×1 convs where
  // the shape changes), so no two distinct strings are provably the same function: the key is the string.
  isoKey(arch) {
    return canonicalFbnet(arch);
  },

  opGraph,
  layers: fbnetLayers,
  graph: fbnetGraph,
  buildModel: (arch: string, input: InputShape, options: { seed?: number } = {}) => buildTfModel(fbnetGraph(arch, input), input, { seed: options.seed ?? 0, seedLabel: 'fbnet-weights', name: `fbnet_${arch}` }),

  sample(rng: Rng) {
    return formatFbnet(Array.from({ length: FBNET_BLOCKS }, () => rng.int(FBNET_OPS.length)));
  },

  mutate(arch: string, rng: Rng) {
    const choices = parseFbnet(arch);
    const block = rng.int(FBNET_BLOCKS);
    // Draw from the 8 other choices so the result always differs from `arch`.
    const other = rng.int(FBNET_OPS.length - 1);
    choices[block] = other >= choices[block] ? other + 1 : other;
    return formatFbnet(choices);
  },

  neighbours(arch: string) {
    const choices = parseFbnet(arch);
    const out: string[] = [];
    for (let block = 0; block < FBNET_BLOCKS; block++) {
      for (let c = 0; c < FBNET_OPS.length; c++) {
        if (c === choices[block]) continue;
        const next = choices.slice();
        next[block] = c;
        out.push(formatFbnet(next));
      }
    }
    return out;
  },
};
