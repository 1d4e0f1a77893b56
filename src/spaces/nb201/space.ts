// The NAS-Bench-201 search space: cell strings, official indices, op graph, iso keys, sampling, costs, models.
import { UnknownArchError, UnknownNameError } from '../../core/errors.js';
import type { ArchChoices, InputShape, OpGraph, SearchSpace } from '../types.js';
import { choiceMoves } from '../choices.js';
import { NB201_EDGES, NB201_EDGE_COUNT, NB201_OPS, NB201_SIZE, codeToOps, formatNb201, opsToCode, parseNb201 } from './arch.js';
import { nb201IsoKeyOfOps } from './iso.js';
import { nb201InputProblem, nb201Layers } from './macro.js';
import { buildTfModel } from '../tfjs-model.js';
import { nb201Graph } from './graph.js';
import { officialOrder } from './official-order.js';

const VOCABULARY = ['input', ...NB201_OPS, 'output'] as const;
/** One op per cell edge; a sample is one uniform draw of the 5^6 cell codes (`opsToCode` order). */
const CHOICES: ArchChoices = {
  positions: NB201_EDGE_COUNT,
  options: NB201_OPS.length,
  parse: parseNb201,
  format: formatNb201,
  additiveLayers: true,
};
/** input, one node per edge op, output. */
const GRAPH_NODES = NB201_EDGE_COUNT + 2;

const INPUTS: Record<string, Omit<InputShape, 'batchSize'>> = {
  cifar10: { resolution: 32, channels: 3, classes: 10 },
  cifar100: { resolution: 32, channels: 3, classes: 100 },
  'imagenet16-120': { resolution: 16, channels: 3, classes: 120 },
};

/**
 * Op-on-node adjacency (the arch2vec / NASLib / NASFLAT convention): the node of edge i→j feeds the nodes of
 * every edge leaving j, or the output when j = 3; the input feeds every edge leaving node 0. Fixed for all cells.
 */
const ADJACENCY: readonly (readonly number[])[] = (() => {
  const a = Array.from({ length: GRAPH_NODES }, () => new Array<number>(GRAPH_NODES).fill(0));
  NB201_EDGES.forEach(([from, to], e) => {
    if (from === 0) a[0][e + 1] = 1;
    if (to === 3) a[e + 1][GRAPH_NODES - 1] = 1;
    NB201_EDGES.forEach(([nextFrom], f) => {
      if (nextFrom === to) a[e + 1][f + 1] = 1;
    });
  });
  return a;
})();

/** The official NAS-Bench-201 index of an arch string. @throws UnknownArchError */
function officialIndex(arch: string): number {
  return officialOrder().indexOfCode[opsToCode(parseNb201(arch))];
}

/** The arch string at an official NAS-Bench-201 index. @throws UnknownArchError */
function atOfficialIndex(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= NB201_SIZE) {
    throw new UnknownArchError('nb201', String(index), `index must be an integer in 0..${NB201_SIZE - 1}`);
  }
  return formatNb201(codeToOps(officialOrder().codeOfIndex[index]));
}

export const nb201Space: SearchSpace = {
  name: 'nb201',
  description: 'NAS-Bench-201 cell space (4 nodes, 6 edges, 5 ops; 3 stages of 5 cells at 16/32/64 channels)',
  size: NB201_SIZE,
  sizeLabel: String(NB201_SIZE),
  opVocabulary: VOCABULARY,
  graphNodes: GRAPH_NODES,
  choices: CHOICES,

  defaultInput(dataset = 'cifar10') {
    const base = INPUTS[dataset];
    if (base === undefined) throw new UnknownNameError('dataset', dataset, Object.keys(INPUTS));
    return { batchSize: 1, ...base };
  },
  inputProblem: nb201InputProblem,

  /** Accepts a cell string or an official index (a number, or a string of digits as typed on a command line). */
  canonical(arch) {
    if (typeof arch === 'number') return atOfficialIndex(arch);
    if (/^\s*\d+\s*$/.test(arch)) return atOfficialIndex(Number(arch));
    return formatNb201(parseNb201(arch));
  },
  index: officialIndex,
  fromIndex: atOfficialIndex,

  /** All 15,625 cells in official index order. */
  enumerate() {
    const { codeOfIndex } = officialOrder();
    return Array.from(codeOfIndex, (code) => formatNb201(codeToOps(code)));
  },

  isoKey(arch) {
    return nb201IsoKeyOfOps(parseNb201(arch));
  },

  opGraph(arch): OpGraph {
    const opIds = [0, ...parseNb201(arch).map((op) => op + 1), VOCABULARY.length - 1];
    return { ops: opIds.map((id) => VOCABULARY[id]), opIds, adjacency: ADJACENCY.map((row) => row.slice()) };
  },

  layers: nb201Layers,
  graph: nb201Graph,
  buildModel: (arch: string, input: InputShape, options: { seed?: number } = {}) =>
    buildTfModel(nb201Graph(arch, input), input, { seed: options.seed ?? 0, seedLabel: 'nb201-weights', name: 'nb201' }),

  ...choiceMoves(CHOICES),
};
