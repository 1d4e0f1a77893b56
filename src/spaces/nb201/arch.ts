// NAS-Bench-201 cell strings: 6 edges of a 4-node DAG, each carrying one of 5 ops.
import { UnknownArchError } from '../../core/errors.js';

/** Ops in NAS-Bench-201's own order (`NAS_BENCH_201` search space of xautodl); op ids are indices here. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** Cell edges [from, to] in canonical-string order: 1←0; 2←0, 2←1; 3←0, 3←1, 3←2. */
export const NB201_EDGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 2],
  [0, 3],
  [1, 3],
  [2, 3],
];
export const NB201_EDGE_COUNT = NB201_EDGES.length;
/** Number of cells: 5^6. */
export const NB201_SIZE = NB201_OPS.length ** NB201_EDGE_COUNT;

const OP_ID = new Map<string, number>(NB201_OPS.map((op, i) => [op, i]));

// Every path that reads an arch (canonical form, op graph, layers, costs) parses it, and the predictors and the
// search read the same archs again and again: the space's 15,625 canonical strings are kept once parsed.
const parsedCanonical = new Map<string, readonly number[]>();

/**
 * Parse a cell string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|` into its 6 op ids (edge order of `NB201_EDGES`).
 * @throws UnknownArchError saying which part is wrong
 */
export function parseNb201(arch: string): number[] {
  const known = parsedCanonical.get(arch);
  if (known !== undefined) return known.slice();
  const ops = parseCell(arch);
  if (formatNb201(ops) === arch) parsedCanonical.set(arch, ops.slice());
  return ops;
}

function parseCell(arch: string): number[] {
  const text = arch.trim();
  const fail = (reason: string): never => {
    throw new UnknownArchError('nb201', arch, reason);
  };
  const nodes = text.split('+');
  if (nodes.length !== 3) fail(`expected 3 node groups joined by '+' (nodes 1, 2, 3), got ${nodes.length}`);
  const ops: number[] = [];
  nodes.forEach((group, n) => {
    const node = n + 1;
    if (!group.startsWith('|') || !group.endsWith('|') || group.length < 2) fail(`node ${node} group '${group}' must be wrapped in '|'`);
    const tokens = group.slice(1, -1).split('|');
    if (tokens.length !== node) fail(`node ${node} needs ${node} input edge(s) (from nodes 0..${node - 1}), got ${tokens.length}`);
    tokens.forEach((token, from) => {
      const tilde = token.lastIndexOf('~');
      if (tilde < 0) fail(`edge '${token}' into node ${node} is not 'op~input'`);
      const op = token.slice(0, tilde);
      const source = token.slice(tilde + 1);
      if (source !== String(from)) fail(`edge ${from + 1} into node ${node} must come from node ${from}, got '~${source}'`);
      const id = OP_ID.get(op);
      if (id === undefined) fail(`unknown op '${op}' on edge ${from}→${node} (known: ${NB201_OPS.join(', ')})`);
      ops.push(id as number);
    });
  });
  return ops;
}

/** The canonical cell string of 6 op ids. */
export function formatNb201(ops: ArrayLike<number>): string {
  const o = (e: number): string => NB201_OPS[ops[e]];
  return `|${o(0)}~0|+|${o(1)}~0|${o(2)}~1|+|${o(3)}~0|${o(4)}~1|${o(5)}~2|`;
}

/**
 * The space's own enumeration code of a cell: base-5 digits of the op ids, edge 0 most significant. This is the
 * order in which NAS-Bench-201 generates the cells (`CellStructure.gen_all`) before shuffling them.
 */
export function opsToCode(ops: ArrayLike<number>): number {
  let code = 0;
  for (let e = 0; e < NB201_EDGE_COUNT; e++) code = code * NB201_OPS.length + ops[e];
  return code;
}

/** Inverse of `opsToCode`. */
export function codeToOps(code: number): number[] {
  const ops = new Array<number>(NB201_EDGE_COUNT);
  for (let e = NB201_EDGE_COUNT - 1; e >= 0; e--) {
    ops[e] = code % NB201_OPS.length;
    code = Math.floor(code / NB201_OPS.length);
  }
  return ops;
}
