// Reads an ONNX model (ModelProto, decoded with the onnx-proto schema) into the format-neutral graph: one translator
// per ONNX op type; weights are read for their shapes only, small constants (shapes, axes, pads) for their values.
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { ModelFileError, UnsupportedOpError } from '../../core/errors.js';
import { activationOp, MAX_VALUES, numel } from './ops.js';
import type { Constant, ImportGraph, ImportNode, ImportOp, Padding, Window } from './types.js';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type Long = { toNumber(): number };

const toNumber = (v: number | Long | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber();

const DataType = onnx.TensorProto.DataType;
const FLOAT_TYPES: readonly number[] = [DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16];

/** The values of a small tensor (row-major), or undefined when it is large, external or of a type shapes never use. */
function tensorValues(t: TensorProto, n: number): number[] | undefined {
  if (n > MAX_VALUES) return undefined;
  const raw = t.rawData;
  if (raw !== null && raw !== undefined && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const readers: Partial<Record<number, [number, (offset: number) => number]>> = {
      [DataType.FLOAT]: [4, (o) => view.getFloat32(o, true)],
      [DataType.DOUBLE]: [8, (o) => view.getFloat64(o, true)],
      [DataType.INT64]: [8, (o) => Number(view.getBigInt64(o, true))],
      [DataType.INT32]: [4, (o) => view.getInt32(o, true)],
      [DataType.INT8]: [1, (o) => view.getInt8(o)],
      [DataType.UINT8]: [1, (o) => view.getUint8(o)],
      [DataType.BOOL]: [1, (o) => view.getUint8(o)],
    };
    const reader = readers[t.dataType ?? 0];
    if (reader === undefined || raw.length < n * reader[0]) return undefined;
    return Array.from({ length: n }, (_, i) => reader[1](i * reader[0]));
  }
  for (const field of [t.floatData, t.doubleData, t.int32Data, t.int64Data])
    if (field && field.length === n) return field.map((v) => toNumber(v));
  return n === 0 ? [] : undefined;
}

function constantOf(t: TensorProto): Constant {
  const dims = (t.dims ?? []).map((d) => toNumber(d));
  return { dims, value: tensorValues(t, numel(dims)), param: FLOAT_TYPES.includes(t.dataType ?? 0) };
}

/** A node's attributes by name, read with the types ONNX gives them. */
function attributes(node: NodeProto) {
  const byName = new Map<string, AttributeProto>((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  return {
    has: (name: string) => byName.has(name),
    int: (name: string, fallback: number) => (byName.has(name) ? toNumber(byName.get(name)!.i) : fallback),
    float: (name: string, fallback: number) => byName.get(name)?.f ?? fallback,
    ints: (name: string) => byName.get(name)?.ints?.map((v) => toNumber(v)),
    string: (name: string, fallback: string) => {
      const s = byName.get(name)?.s;
      return s === null || s === undefined || s.length === 0 ? fallback : new TextDecoder().decode(s);
    },
    tensor: (name: string) => byName.get(name)?.t ?? undefined,
  };
}
type Attributes = ReturnType<typeof attributes>;

interface Translation {
  op: ImportOp;
  /** The inputs the op reads, when not all of the node's (weights are attributes, not inputs). */
  inputs?: string[];
}

interface TranslateContext {
  opset: number;
  /** The shape of the constant the node reads as input `index`; undefined when that input is computed. */
  constantDims(index: number): number[] | undefined;
  /** The shape of a weight the node reads (input `index`). @throws ModelFileError when it is not a constant */
  weight(index: number): number[];
  fail(reason: string): never;
}

type Translator = (node: NodeProto, a: Attributes, ctx: TranslateContext) => Translation;

function window(a: Attributes, kernel: number[], ctx: TranslateContext): Window {
  if (kernel.length !== 2) ctx.fail(`only 2-D windows are supported, got kernel [${kernel.join(', ')}]`);
  const autoPad = a.string('auto_pad', 'NOTSET');
  const pads = a.ints('pads') ?? [0, 0, 0, 0];
  const padding: Padding =
    autoPad === 'SAME_UPPER'
      ? { mode: 'same_upper' }
      : autoPad === 'SAME_LOWER'
        ? { mode: 'same_lower' }
        : autoPad === 'VALID'
          ? { mode: 'valid' }
          : { mode: 'explicit', pads: [pads[0], pads[1], pads[2], pads[3]] };
  const strides = a.ints('strides') ?? [1, 1];
  const dilations = a.ints('dilations') ?? [1, 1];
  return {
    kernel: [kernel[0], kernel[1]],
    strides: [strides[0], strides[1]],
    dilations: [dilations[0], dilations[1]],
    padding,
    ceil: a.int('ceil_mode', 0) === 1,
  };
}

const first = (node: NodeProto): string[] => [node.input?.[0] ?? ''];
const act =
  (name: string): Translator =>
  (node) => ({ op: activationOp(name)!, inputs: first(node) });
const pool =
  (type: 'max' | 'avg'): Translator =>
  (_node, a, ctx) => ({ op: { rule: 'pool', type, window: window(a, a.ints('kernel_shape') ?? [], ctx) } });
const reduce =
  (type: 'mean' | 'max' | 'sum', axesInputFrom: number): Translator =>
  (node, a, ctx) => ({
    op: { rule: 'reduce', type, axes: ctx.opset < axesInputFrom ? a.ints('axes') : undefined, keepDims: a.int('keepdims', 1) === 1 },
    inputs: ctx.opset < axesInputFrom ? first(node) : undefined,
  });

/** One translator per supported ONNX op type (default domain). */
const TRANSLATORS: Record<string, Translator> = {
  Conv(node, a, ctx) {
    const w = ctx.weight(1);
    if (w.length !== 4) ctx.fail(`only 2-D convolutions are supported (weights [${w.join(', ')}])`);
    const op: ImportOp = {
      rule: 'conv',
      window: window(a, a.ints('kernel_shape') ?? w.slice(2), ctx),
      out: { channels: w[0] },
      groups: a.int('group', 1),
      inPerGroup: w[1],
      bias: (node.input?.[2] ?? '') !== '',
    };
    return { op, inputs: first(node) };
  },
  Gemm(node, a, ctx) {
    const w = ctx.weight(1);
    if (w.length !== 2) ctx.fail(`Gemm weights must be a matrix, got [${w.join(', ')}]`);
    const [k, n] = a.int('transB', 0) === 1 ? [w[1], w[0]] : w;
    return {
      op: { rule: 'dense', units: n, inFeatures: k, bias: (node.input?.[2] ?? '') !== '', transA: a.int('transA', 0) === 1 },
      inputs: first(node),
    };
  },
  MatMul(node, _a, ctx) {
    const w = ctx.constantDims(1);
    // A constant 2-D right operand is a dense layer's weights; anything else multiplies two computed tensors.
    if (w?.length === 2) return { op: { rule: 'dense', units: w[1], inFeatures: w[0], bias: false }, inputs: first(node) };
    return { op: { rule: 'matmul' } };
  },
  BatchNormalization: (node) => ({ op: { rule: 'bn', paramsPerChannel: 2 }, inputs: first(node) }),
  InstanceNormalization: (node) => ({ op: { rule: 'bn', paramsPerChannel: 2, axis: 1 }, inputs: first(node) }),
  LayerNormalization: (node, a) => ({ op: { rule: 'bn', paramsPerChannel: 2, axis: a.int('axis', -1) }, inputs: first(node) }),
  Relu: act('relu'),
  LeakyRelu: act('leakyrelu'),
  PRelu: (node) => ({ op: activationOp('prelu')!, inputs: [node.input?.[0] ?? '', node.input?.[1] ?? ''] }),
  Clip: act('clip'),
  Sigmoid: act('sigmoid'),
  HardSigmoid: act('hardsigmoid'),
  HardSwish: act('hardswish'),
  Tanh: act('tanh'),
  Elu: act('elu'),
  Selu: act('selu'),
  Celu: act('celu'),
  Softplus: act('softplus'),
  Softsign: act('softsign'),
  Mish: act('mish'),
  Gelu: act('gelu'),
  Erf: act('erf'),
  ThresholdedRelu: act('thresholdedrelu'),
  Softmax: act('softmax'),
  LogSoftmax: act('logsoftmax'),
  Exp: act('exp'),
  Log: act('log'),
  Sqrt: act('sqrt'),
  Reciprocal: act('reciprocal'),
  Neg: act('neg'),
  Abs: act('abs'),
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: () => ({ op: { rule: 'globalPool', type: 'avg', keepDims: true } }),
  GlobalMaxPool: () => ({ op: { rule: 'globalPool', type: 'max', keepDims: true } }),
  ReduceMean: reduce('mean', 18),
  ReduceMax: reduce('max', 18),
  ReduceSum: reduce('sum', 13),
  Add: () => ({ op: { rule: 'add' } }),
  Sum: () => ({ op: { rule: 'add' } }),
  Mean: () => ({ op: { rule: 'add' } }),
  Mul: () => ({ op: { rule: 'binary', multiply: true } }),
  Sub: () => ({ op: { rule: 'binary', multiply: false } }),
  Div: () => ({ op: { rule: 'binary', multiply: false } }),
  Max: () => ({ op: { rule: 'binary', multiply: false } }),
  Min: () => ({ op: { rule: 'binary', multiply: false } }),
  Pow: () => ({ op: { rule: 'binary', multiply: false } }),
  Concat: (_node, a) => ({ op: { rule: 'concat', axis: a.int('axis', 1) } }),
  Reshape: (node) => ({ op: { rule: 'reshape' }, inputs: [node.input?.[0] ?? '', node.input?.[1] ?? ''] }),
  Flatten: (node, a) => ({ op: { rule: 'flatten', axis: a.int('axis', 1) }, inputs: first(node) }),
  Transpose: (_node, a) => ({ op: { rule: 'transpose', perm: a.ints('perm') } }),
  Squeeze: (node, a, ctx) =>
    ctx.opset < 13 ? { op: { rule: 'squeeze', axes: a.ints('axes') }, inputs: first(node) } : { op: { rule: 'squeeze' } },
  Unsqueeze: (node, a, ctx) =>
    ctx.opset < 13 ? { op: { rule: 'unsqueeze', axes: a.ints('axes') ?? [] }, inputs: first(node) } : { op: { rule: 'unsqueeze' } },
  Identity: (node) => ({ op: { rule: 'identity' }, inputs: first(node) }),
  Dropout: (node) => ({ op: { rule: 'identity' }, inputs: first(node) }),
  Cast: (node) => ({ op: { rule: 'cast' }, inputs: first(node) }),
  Pad: (node, a, ctx) =>
    ctx.opset < 11
      ? { op: { rule: 'pad', pads: a.ints('pads') ?? [] }, inputs: first(node) }
      : { op: { rule: 'pad' }, inputs: [node.input?.[0] ?? '', node.input?.[1] ?? ''] },
  Slice: (node, a, ctx) =>
    ctx.opset < 10
      ? { op: { rule: 'slice', starts: a.ints('starts') ?? [], ends: a.ints('ends') ?? [], axes: a.ints('axes') }, inputs: first(node) }
      : { op: { rule: 'slice' } },
  Shape: (node, a) => ({
    op: { rule: 'shape', ...(a.has('start') && { start: a.int('start', 0) }), ...(a.has('end') && { end: a.int('end', 0) }) },
    inputs: first(node),
  }),
  Gather: (_node, a) => ({ op: { rule: 'gather', axis: a.int('axis', 0) } }),
};

/** ONNX op types the importer reads (Constant included), for messages and docs. */
export const ONNX_OPS = [...Object.keys(TRANSLATORS), 'Constant'].sort();

/** The value of a Constant node as a tensor. */
function constantNode(node: NodeProto, a: Attributes): TensorProto | undefined {
  const t = a.tensor('value');
  if (t !== undefined) return t;
  if (a.has('value_float')) return { dims: [], dataType: DataType.FLOAT, floatData: [a.float('value_float', 0)] };
  if (a.has('value_floats'))
    return {
      dims: [a.ints('value_floats')?.length ?? 0],
      dataType: DataType.FLOAT,
      floatData: (node.attribute ?? []).find((x) => x.name === 'value_floats')?.floats ?? [],
    };
  if (a.has('value_int')) return { dims: [], dataType: DataType.INT64, int64Data: [a.int('value_int', 0)] };
  if (a.has('value_ints')) {
    const v = a.ints('value_ints') ?? [];
    return { dims: [v.length], dataType: DataType.INT64, int64Data: v };
  }
  return undefined;
}

/** Dims of a value's declared type; undefined where the file leaves a dim open. */
function declaredDims(info: onnxProto.onnx.IValueInfoProto): (number | undefined)[] | undefined {
  const dims = info.type?.tensorType?.shape?.dim;
  if (dims === null || dims === undefined) return undefined;
  return dims.map((d) => {
    const v = toNumber(d.dimValue);
    return v > 0 ? v : undefined;
  });
}

/**
 * The format-neutral graph of an ONNX model.
 * @throws ModelFileError for bytes that are not an ONNX model (or are truncated), UnsupportedOpError for an op
 *   without a translator
 */
export function readOnnx(bytes: Uint8Array, file: string): ImportGraph {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ModelFileError(file, `not a readable ONNX model, truncated or of another format (${(err as Error).message})`);
  }
  const graph = model.graph;
  if (graph === null || graph === undefined || toNumber(model.irVersion) <= 0 || (graph.node ?? []).length === 0) {
    throw new ModelFileError(file, 'not an ONNX model (no IR version or no graph nodes)');
  }
  const opset = toNumber(model.opsetImport?.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')?.version) || 1;
  const constants = new Map<string, Constant>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? '', constantOf(t));

  const inputs = (graph.input ?? []).filter((v) => !constants.has(v.name ?? ''));
  if (inputs.length !== 1)
    throw new ModelFileError(
      file,
      `the model has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')}): only single-input models are supported`,
    );
  const dims = declaredDims(inputs[0]);
  if (dims === undefined || dims.length === 0) throw new ModelFileError(file, `the input '${inputs[0].name}' has no declared shape`);
  // Models converted from TF often take NHWC images and transpose them: channels last when the last dim looks like channels.
  const inputLayout =
    dims.length === 4 && dims[3] !== undefined && dims[3] <= 4 && !(dims[1] !== undefined && dims[1] <= 4) ? 'NHWC' : 'NCHW';

  const nodes: ImportNode[] = [];
  const names = new Set<string>();
  let fileNodes = 0;
  (graph.node ?? []).forEach((node, index) => {
    const domain = node.domain ?? '';
    const opType = domain === '' || domain === 'ai.onnx' ? (node.opType ?? '') : `${domain}.${node.opType}`;
    let name = node.name || node.output?.[0] || `${opType}_${index}`;
    for (let k = 2; names.has(name); k++) name = `${node.name || node.output?.[0]}_${k}`;
    names.add(name);
    const a = attributes(node);
    if (opType === 'Constant') {
      const t = constantNode(node, a);
      if (t === undefined) throw new ModelFileError(file, 'a Constant without a supported value attribute', name);
      constants.set(node.output?.[0] ?? '', { ...constantOf(t), param: false });
      return;
    }
    fileNodes++;
    const translate = TRANSLATORS[opType];
    if (translate === undefined) throw new UnsupportedOpError(file, opType, name, ONNX_OPS);
    const fail = (reason: string): never => {
      throw new ModelFileError(file, reason, name);
    };
    const ctx: TranslateContext = {
      opset,
      fail,
      constantDims: (i) => constants.get(node.input?.[i] ?? '')?.dims,
      weight(i) {
        return this.constantDims(i) ?? fail(`${opType} weights (input ${i + 1}) must be an initialiser or a constant`);
      },
    };
    const { op, inputs: read } = translate(node, a, ctx);
    nodes.push({ ...op, name, op: opType, inputs: read ?? [...(node.input ?? [])], outputs: [...(node.output ?? [])] });
  });

  const outputs = (graph.output ?? []).map((v) => v.name ?? '');
  const name = graph.name || path.basename(file, path.extname(file));
  return {
    format: 'onnx',
    file,
    name,
    layout: 'NCHW',
    input: { name: inputs[0].name ?? '', dims, layout: inputLayout },
    outputs,
    constants,
    nodes,
    fileNodes,
  };
}
