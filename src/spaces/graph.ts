// Facts about a cell's op graph that need no tensors (kept apart from the TF.js code, so commands that only read
// results do not load TF.js).
import type { OpGraph } from './types.js';

/**
 * Whether no path from the input node reaches the output node through nodes other than `none`: the network's output
 * is then a constant, which runtimes such as TFLite fold away (NB201 cells timed at ~0.01 ms on raspi4 and pixel3).
 */
export function isDisconnected(graph: OpGraph): boolean {
  const n = graph.ops.length;
  const reached = new Array<boolean>(n).fill(false);
  reached[0] = true;
  for (let j = 1; j < n; j++) {
    if (graph.ops[j] === 'none') continue;
    for (let i = 0; i < j && !reached[j]; i++) reached[j] = reached[i] && graph.adjacency[i][j] === 1;
  }
  return !reached[n - 1];
}
