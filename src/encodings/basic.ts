// Encoders computed directly from the architecture: op-on-node graph, NB201 path encoding, analytic costs.
import { total } from '../spaces/layers.js';
import type { SearchSpace } from '../spaces/types.js';
import type { Encoder } from './types.js';

/** Upper-triangular adjacency (row-major, i < j) followed by the one-hot op of every node: what the GNN sees. */
export const adjacencyEncoder: Encoder = {
  name: 'adjacency',
  description: 'op-on-node graph: upper-triangular adjacency + one-hot op per node',
  needsTraining: false,
  dimension: (space) => (space.graphNodes * (space.graphNodes - 1)) / 2 + space.graphNodes * space.opVocabulary.length,
  version: () => '1',
  encode(space, archs) {
    const n = space.graphNodes;
    const vocab = space.opVocabulary.length;
    return archs.map((arch) => {
      const g = space.opGraph(arch);
      const v = new Float32Array((n * (n - 1)) / 2 + n * vocab);
      let k = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) v[k++] = g.adjacency[i][j];
      for (let i = 0; i < n; i++) v[k + i * vocab + g.opIds[i]] = 1;
      return v;
    });
  },
};

// NB201 node paths from the cell input (node 0) to its output (node 3), as edge indices of the canonical string.
const NB201_PATHS: number[][] = [[3], [0, 4], [1, 5], [0, 2, 5]];
const NB201_PATH_OPS = ['skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];

/** Edge ops of a canonical NB201 string, in edge order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2. */
function nb201EdgeOps(arch: string): string[] {
  return arch.split('+').flatMap((node) =>
    node
      .split('|')
      .filter((s) => s !== '')
      .map((e) => e.split('~')[0]),
  );
}

/**
 * NB201 path encoding (White et al.): one count per op sequence along an input→output path of length 1–3 over the
 * four non-`none` ops (4 + 16 + 64 = 84 dims); paths through `none` carry nothing and are left out.
 */
export const pathEncoder: Encoder = {
  name: 'path',
  description: 'NB201 path encoding: op sequences along input→output paths (84 dims)',
  needsTraining: false,
  isAvailableFor: (space) => space.name === 'nb201',
  dimension: () => 4 + 16 + 64,
  version: () => '1',
  encode(space, archs) {
    if (space.name !== 'nb201') throw new RangeError(`the path encoding is defined for nb201 only, not ${space.name}`);
    const offsets = [0, 4, 20];
    return archs.map((arch) => {
      const ops = nb201EdgeOps(space.canonical(arch));
      const v = new Float32Array(84);
      for (const path of NB201_PATHS) {
        let code = 0;
        let alive = true;
        for (const edge of path) {
          const op = NB201_PATH_OPS.indexOf(ops[edge]);
          if (op < 0) alive = false;
          code = code * 4 + op;
        }
        if (alive) v[offsets[path.length - 1] + code] += 1;
      }
      return v;
    });
  },
};

/** Analytic costs at the space's default input: FLOPs (M), params (M), activation memory (MiB). */
export const flopsParamsEncoder: Encoder = {
  name: 'flops-params',
  description: 'analytic FLOPs (M), params (M) and activation MiB at the default input',
  needsTraining: false,
  dimension: () => 3,
  version: () => '1',
  encode(space: SearchSpace, archs) {
    const input = space.defaultInput();
    return archs.map((arch) => {
      const layers = space.layers(arch, input);
      return Float32Array.of(total(layers, 'flops') / 1e6, total(layers, 'params') / 1e6, total(layers, 'activationBytes') / 2 ** 20);
    });
  },
};
