// How the layers of an NB201 network are wired: cells sum their edges into nodes, reduction blocks add a shortcut.
import type { InputShape, LayerGraph, LayerOrigin } from '../types.js';
import { nb201Layers } from './macro.js';

const sameEdge = (a: LayerOrigin | undefined, b: LayerOrigin): boolean =>
  a?.edge !== undefined && b.edge !== undefined && a.edge[0] === b.edge[0] && a.edge[1] === b.edge[1];

/**
 * The NB201 layer list as a dataflow graph. Inside a cell, node 0 is the cell input, an edge's layers run in
 * sequence from its source node, node 1 is edge 0→1's output and nodes 2 and 3 sum their incoming edges. A
 * reduction block's shortcut (avg pool, 1×1 conv) starts from the block input and is added to the main path.
 * @throws UnknownArchError, UsageError
 */
export function nb201Graph(arch: string, input: InputShape): LayerGraph {
  const layers = nb201Layers(arch, input);
  const inputs: number[][] = [];
  let x = -1;
  let nodes: number[] = [];
  let incoming: number[][] = [];
  let edgeValue = -1;
  let blockInput = -1;
  let shortcut = -1;
  layers.forEach((layer, i) => {
    const o = layer.origin;
    const prev = layers[i - 1]?.origin;
    const next = layers[i + 1]?.origin;
    if (o.cell !== undefined) {
      if (prev?.cell !== o.cell || prev.stage !== o.stage) {
        nodes = [x];
        incoming = [[], [], [], []];
      }
      if (o.edge !== undefined) {
        const [from, to] = o.edge;
        if (!sameEdge(prev, o)) edgeValue = nodes[from];
        inputs.push([edgeValue]);
        edgeValue = i;
        if (!sameEdge(next, o)) {
          incoming[to].push(i);
          if (to === 1) nodes[1] = i;
        }
      } else {
        // A node sum: node j sums its j incoming edges.
        const node = layer.inputs;
        inputs.push(incoming[node]);
        nodes[node] = i;
        if (node === 3) x = i;
      }
    } else if (o.stage.startsWith('reduction')) {
      if (prev?.stage !== o.stage) blockInput = x;
      if (layer.kind === 'add') {
        inputs.push([x, shortcut]);
        x = i;
      } else if (layer.name.includes('.shortcut.')) {
        inputs.push([layer.kind === 'avgpool' ? blockInput : shortcut]);
        shortcut = i;
      } else {
        inputs.push([x]);
        x = i;
      }
    } else {
      inputs.push([x]);
      x = i;
    }
  });
  return { layers, inputs };
}
