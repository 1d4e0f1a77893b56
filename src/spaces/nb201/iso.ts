// Isomorphism-aware keys of NB201 cells: cells that compute the same function share a key.
import { NB201_EDGES, NB201_EDGE_COUNT, NB201_OPS } from './arch.js';

/**
 * The cell output as a canonical sum of terms. Each node's value is a multiset of terms; a term is
 * `op(sum)` for a parametric/pooling op applied to a source node's sum, and the input is the term `x`.
 * - `none` edges and edges out of nodes that receive nothing contribute nothing (zero is the identity of the sum);
 * - `skip_connect` passes its source's terms through, so sums are flattened (associative, commutative);
 * - edges whose output never reaches node 3 never appear in node 3's expression;
 * - terms are sorted, which removes the node numbering: any node permutation of the same DAG gives the same key.
 * A cell whose output is identically zero has the key `0`.
 */
export function nb201IsoKeyOfOps(ops: ArrayLike<number>): string {
  const nodeTerms: string[][] = [['x']];
  for (let node = 1; node <= 3; node++) {
    const terms: string[] = [];
    for (let e = 0; e < NB201_EDGE_COUNT; e++) {
      const [from, to] = NB201_EDGES[e];
      if (to !== node) continue;
      const op = NB201_OPS[ops[e]];
      const source = nodeTerms[from];
      if (op === 'none' || source.length === 0) continue;
      if (op === 'skip_connect') terms.push(...source);
      else terms.push(`${op}(${source.join('+')})`);
    }
    terms.sort();
    nodeTerms.push(terms);
  }
  const output = nodeTerms[3];
  return output.length === 0 ? '0' : output.join('+');
}

/**
 * NAS-Bench-201's own `CellStructure.to_unique_str(consider_zero=True)`, kept to compare with the paper's count
 * of 6,466 unique cells: it marks a zero term `#` but keeps it in the sum (so `x` and `x + 0` differ) and does not
 * flatten sums reached through skip connections. Not used as a key.
 */
export function nb201OfficialUniqueString(ops: ArrayLike<number>): string {
  const nodes = ['0'];
  for (let node = 1; node <= 3; node++) {
    const terms: string[] = [];
    for (let e = 0; e < NB201_EDGE_COUNT; e++) {
      const [from, to] = NB201_EDGES[e];
      if (to !== node) continue;
      const op = NB201_OPS[ops[e]];
      if (op === 'none' || nodes[from] === '#') terms.push('#');
      else if (op === 'skip_connect') terms.push(nodes[from]);
      else terms.push(`(${nodes[from]})@${op}`);
    }
    nodes.push(terms.sort().join('+'));
  }
  return nodes[3];
}
