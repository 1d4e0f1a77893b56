// The 22-block FBNet search space of HW-NAS-Bench / HELP: arch strings, op graph, sampling, costs, models.
import { UnknownNameError } from '../../core/errors.js';
import type { ArchChoices, InputShape, OpGraph, SearchSpace } from '../types.js';
import { choiceMoves } from '../choices.js';
import { FBNET_BLOCKS, FBNET_OPS, canonicalFbnet, formatFbnet, parseFbnet } from './arch.js';
import { fbnetLayers } from './macro.js';
import { buildTfModel } from '../tfjs-model.js';
import { fbnetGraph } from './graph.js';

const VOCABULARY = ['input', ...FBNET_OPS, 'output'] as const;
const GRAPH_NODES = FBNET_BLOCKS + 2;
/** One block choice per block. */
const CHOICES: ArchChoices = {
  positions: FBNET_BLOCKS,
  options: FBNET_OPS.length,
  parse: parseFbnet,
  format: formatFbnet,
  additiveLayers: true,
};

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
  choices: CHOICES,

  defaultInput(dataset = 'cifar100') {
    const base = INPUTS[dataset];
    if (base === undefined) throw new UnknownNameError('dataset', dataset, Object.keys(INPUTS));
    return { batchSize: 1, ...base };
  },
  // Strided convs pad 'same', so any positive input builds.
  inputProblem: () => undefined,

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
  buildModel: (arch: string, input: InputShape, options: { seed?: number } = {}) =>
    buildTfModel(fbnetGraph(arch, input), input, { seed: options.seed ?? 0, seedLabel: 'fbnet-weights', name: `fbnet_${arch}` }),

  ...choiceMoves(CHOICES),
};
