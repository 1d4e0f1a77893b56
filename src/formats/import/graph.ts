// Shape inference over an imported graph: nodes in dependency order, each costed by its rule, into hwnas' layer list.
// Both readers (ONNX, TF.js) end here, so an op costs the same whichever file it came from.
import { ModelFileError } from '../../core/errors.js';
import type { InputShape, Layer } from '../../spaces/types.js';
import { MAX_VALUES, numel, RULES, type Rule, type RuleContext, type Tensor } from './ops.js';
import type { ImportedModel, ImportGraph, ImportNode, ImportOp } from './types.js';

/** Image sides assumed where a file leaves them open (ImageNet's). */
export const DEFAULT_RESOLUTION = 224;
const BYTES = 4;

/**
 * Nodes so that every node comes after the nodes it reads, in file order otherwise. @throws ModelFileError on a cycle or a dangling input
 */
function dependencyOrder(graph: ImportGraph): ImportNode[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.outputs.forEach((t) => producer.set(t, i)));
  const state = new Uint8Array(graph.nodes.length); // 0 new, 1 visiting, 2 done
  const order: ImportNode[] = [];
  const visit = (root: number) => {
    // Iterative depth-first search: a long chain in reverse file order must not overflow the stack.
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const node = graph.nodes[top[0]];
      if (top[1] < node.inputs.length) {
        const tensor = node.inputs[top[1]++];
        if (tensor === '' || tensor === graph.input.name || graph.constants.has(tensor)) continue;
        const from = producer.get(tensor);
        if (from === undefined)
          throw new ModelFileError(graph.file, `reads '${tensor}', which no node writes and no initialiser holds`, node.name);
        if (state[from] === 1) throw new ModelFileError(graph.file, `the graph has a cycle through '${tensor}'`, node.name);
        if (state[from] === 0) {
          state[from] = 1;
          stack.push([from, 0]);
        }
        continue;
      }
      state[top[0]] = 2;
      order.push(node);
      stack.pop();
    }
  };
  graph.nodes.forEach((_, i) => state[i] === 0 && visit(i));
  return order;
}

/**
 * Fusion groups from the graph: a conv and the BN / activation nodes that follow it one by one (each the only reader
 * of the tensor before it), and a ReLU whose only reader is a conv (NB201's ReLU-Conv-BN). Every other node is its
 * own group, so the name-prefix rule of the built-in spaces never applies to imported names. The nodes are
 * reordered so that each group is contiguous (files order nodes by depth, TF.js among them), as `fuseLayers` and
 * a reader of the table expect: prologue, conv, epilogue.
 */
function fusionGroups(order: readonly ImportNode[], outputs: readonly string[]): { groups: Map<string, string>; order: ImportNode[] } {
  const readers = new Map<string, ImportNode[]>();
  for (const node of order) {
    for (const t of node.inputs) {
      const r = readers.get(t);
      if (r === undefined) readers.set(t, [node]);
      else r.push(node);
    }
  }
  const onlyReader = (tensor: string): ImportNode | undefined => {
    const r = readers.get(tensor);
    return r?.length === 1 && !outputs.includes(tensor) ? r[0] : undefined;
  };
  const groups = new Map<string, string>();
  const epilogues = new Map<string, ImportNode[]>();
  const prologues = new Map<string, ImportNode>();
  for (const conv of order) {
    if (conv.rule !== 'conv') continue;
    groups.set(conv.name, conv.name);
    const chain: ImportNode[] = [];
    for (
      let next = onlyReader(conv.outputs[0]);
      next !== undefined && (next.rule === 'bn' || next.rule === 'act') && !groups.has(next.name);
      next = onlyReader(next.outputs[0])
    ) {
      groups.set(next.name, conv.name);
      chain.push(next);
    }
    epilogues.set(conv.name, chain);
  }
  for (const node of order) {
    if (node.rule !== 'act' || node.kind !== 'relu' || groups.has(node.name)) continue;
    const reader = onlyReader(node.outputs[0]);
    if (reader?.rule !== 'conv') continue;
    groups.set(node.name, reader.name);
    prologues.set(reader.name, node);
  }
  // A prologue's input comes before it, so before its conv; an epilogue reads only its conv's chain.
  const grouped: ImportNode[] = [];
  for (const node of order) {
    if (node.rule === 'conv') {
      const prologue = prologues.get(node.name);
      if (prologue !== undefined) grouped.push(prologue);
      grouped.push(node, ...(epilogues.get(node.name) ?? []));
    } else if (!groups.has(node.name)) grouped.push(node);
  }
  return { groups, order: grouped };
}

/** Shapes are NHWC in hwnas' layer list: a file's NCHW 4-D shapes are reordered. */
const nhwc = (shape: number[], layout: ImportGraph['layout']): number[] =>
  layout === 'NCHW' && shape.length === 4 ? [shape[0], shape[2], shape[3], shape[1]] : shape;

/** Run shape inference for the input tensor `dims`: the layer rows and the graph's output tensors. */
function infer(
  graph: ImportGraph,
  order: readonly ImportNode[],
  groups: Map<string, string>,
  dims: number[],
  follow: RuleContext['follow'],
  native: boolean,
): { layers: Layer[]; outputs: Tensor[] } {
  const tensors = new Map<string, Tensor>();
  for (const [name, c] of graph.constants) tensors.set(name, { shape: c.dims, value: c.value, param: c.param });
  tensors.set(graph.input.name, { shape: dims });
  const layers: Layer[] = [];
  for (const node of order) {
    const ctx: RuleContext = {
      layout: graph.layout,
      fail: (reason) => {
        throw new ModelFileError(graph.file, reason, node.name);
      },
      follow,
      native,
    };
    const ins = node.inputs.map((name) => {
      if (name === '') return undefined;
      // Only a node's first output is computed (the others are masks, indices, training statistics).
      return tensors.get(name) ?? ctx.fail(`reads '${name}', an output hwnas does not compute (only a node's first output is)`);
    });
    const present = ins.filter((t): t is Tensor => t !== undefined);
    const rule = RULES[node.rule] as unknown as Rule<ImportOp['rule']>;
    const foldable =
      rule.fold !== undefined &&
      present.length > 0 &&
      present.every((t) => t.value !== undefined) &&
      present.every((t) => numel(t.shape) <= MAX_VALUES);
    if (foldable) {
      tensors.set(node.outputs[0], rule.fold!(node, ins, ctx));
      continue;
    }
    const { output, row } = rule.run(node, ins, ctx);
    tensors.set(node.outputs[0], output);
    if (row === undefined) continue;
    const data = present.filter((t) => !t.param && t.value === undefined);
    const first = data[0] ?? present[0];
    const params = row.params ?? 0;
    layers.push({
      name: node.name,
      kind: row.kind,
      origin: { stage: 'model', op: node.op },
      inputShape: nhwc(first?.shape ?? [], graph.layout),
      outputShape: nhwc(row.outputShape, graph.layout),
      inputs: Math.max(1, data.length),
      ...(row.kernel !== undefined && { kernel: row.kernel }),
      ...(row.stride !== undefined && { stride: row.stride }),
      ...(row.groups !== undefined && { groups: row.groups }),
      flops: row.flops ?? 0,
      elementwiseOps: row.elementwiseOps ?? 0,
      params,
      activationBytes: numel(row.outputShape) * BYTES,
      inputBytes: data.reduce((n, t) => n + numel(t.shape), 0) * BYTES,
      weightBytes: params * BYTES,
      fuseGroup: groups.get(node.name) ?? node.name,
    });
  }
  const outputs = graph.outputs.map((name) => {
    const t = tensors.get(name);
    if (t === undefined) throw new ModelFileError(graph.file, `the model output '${name}' is not computed by any node`);
    return t;
  });
  return { layers, outputs };
}

const fmtDims = (dims: readonly (number | undefined)[]): string => `[${dims.map((d) => d ?? '?').join(', ')}]`;

/** The model's own input and how another `InputShape` becomes an input tensor. */
function inputOf(graph: ImportGraph): { native: Omit<InputShape, 'classes'>; dims(input: InputShape): number[] } {
  const { dims, layout } = graph.input;
  const fail = (reason: string): never => {
    throw new ModelFileError(graph.file, reason);
  };
  const batch = dims[0] ?? 1;
  if (dims.length === 4) {
    const [c, h, w] = layout === 'NCHW' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
    if (c === undefined) fail(`the input ${fmtDims(dims)} leaves its channel count open`);
    const height = h ?? w ?? DEFAULT_RESOLUTION;
    const width = w ?? h ?? DEFAULT_RESOLUTION;
    const square = height === width;
    return {
      native: { batchSize: batch, resolution: height, channels: c! },
      dims: (input) => {
        if (!square && input.resolution !== height) fail(`the input is ${height}x${width} px, not square: its resolution cannot change`);
        const side = input.resolution;
        return layout === 'NCHW' ? [input.batchSize, c!, side, square ? side : width] : [input.batchSize, side, square ? side : width, c!];
      },
    };
  }
  if (dims.length < 1 || dims.slice(1).some((d) => d === undefined))
    fail(`the input ${fmtDims(dims)} leaves dims open (only the batch and an image's height and width may be)`);
  const rest = dims.slice(1) as number[];
  return {
    native: { batchSize: batch, resolution: 1, channels: rest[rest.length - 1] ?? 1 },
    dims: (input) => {
      if (input.resolution !== 1) fail(`the input ${fmtDims(dims)} is not an image: it has no resolution to change`);
      return [input.batchSize, ...rest];
    },
  };
}

/** Channels (classes) of the first model output. */
function classesOf(shape: readonly number[], layout: ImportGraph['layout']): number {
  if (shape.length === 4) return layout === 'NCHW' ? shape[1] : shape[3];
  return shape[shape.length - 1] ?? 1;
}

/**
 * An imported model from a reader's graph: shape inference runs once at the model's own input (so a broken model
 * fails at import, not later) and again for every `layers(input)`.
 * @throws ModelFileError
 */
export function importedModel(graph: ImportGraph): ImportedModel {
  const { groups, order } = fusionGroups(dependencyOrder(graph), graph.outputs);
  const shape = inputOf(graph);
  const follow: RuleContext['follow'] = new Map();
  const nativeDims = shape.dims({ ...shape.native, classes: 0 });
  const { outputs } = infer(graph, order, groups, nativeDims, follow, true);
  const input: InputShape = { ...shape.native, classes: classesOf(outputs[0]?.shape ?? [], graph.layout) };
  const inputDims = (want: InputShape): number[] => {
    for (const key of ['batchSize', 'resolution'] as const) {
      if (!(Number.isInteger(want[key]) && want[key] > 0))
        throw new ModelFileError(graph.file, `${key} must be a positive integer, got ${want[key]}`);
    }
    for (const key of ['channels', 'classes'] as const) {
      if (want[key] !== input[key]) throw new ModelFileError(graph.file, `the model fixes ${key} at ${input[key]}, got ${want[key]}`);
    }
    return shape.dims(want);
  };
  return {
    format: graph.format,
    name: graph.name,
    file: graph.file,
    input,
    inputLayout: graph.input.dims.length === 4 ? graph.input.layout : 'flat',
    nodes: graph.fileNodes,
    inputDims,
    layers: (want) => infer(graph, order, groups, inputDims(want), follow, false).layers,
  };
}
