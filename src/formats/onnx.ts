// ONNX export of a layer graph: NCHW input, opset 13, the weights of the TF.js model of the same seed, written with
// the ONNX protobuf schema (onnx-proto) so every byte is the schema's encoding, not ours.
import type * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { UsageError } from '../core/errors.js';
export { writeFileAtomic } from '../core/files.js';
import { HWNAS_VERSION } from '../core/version.js';
import { convVariant, tfLayerName } from '../spaces/tfjs-model.js';
import type { InputShape, Layer, LayerGraph, SearchSpace } from '../spaces/types.js';

const { onnx } = onnxProto;

/** The ONNX operator set the exported graphs use. */
export const ONNX_OPSET = 13;
/** ONNX IR version that opset 13 requires. */
const IR_VERSION = 7;
/** Names of the graph input ([batch, channels, res, res], float32) and output ([batch, classes] logits). */
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';
/** Suffixes of the BN running statistics: initialisers that are state, not parameters. */
export const ONNX_RUNNING_STATS = ['.running_mean', '.running_var'] as const;

/** What identifies an exported model; stored in `metadata_props` as `hwnas.<key>`. */
export interface OnnxModelInfo {
  space: string;
  arch: string;
  input: InputShape;
  weightsSeed: number;
}

/**
 * TF's 'same' padding of one spatial axis as [begin, end]: the output is ceil(size / stride) and the odd pixel of
 * padding, when there is one, goes at the end. PyTorch's NB201 pads k//2 on both sides, which differs only for
 * stride-2 convs on even sizes (TF pads 0 before and 1 after): the ONNX graph reproduces TF's padding, so its
 * outputs equal the TF.js model's.
 */
export function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const totalPad = Math.max((out - 1) * stride + kernel - size, 0);
  const begin = Math.floor(totalPad / 2);
  return [begin, totalPad - begin];
}

type Attr = ReturnType<typeof onnx.AttributeProto.create>;
const ints = (name: string, values: number[]): Attr =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const int = (name: string, value: number): Attr =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
const float = (name: string, value: number): Attr =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value });

function floatTensor(name: string, dims: number[], data: Float32Array): ReturnType<typeof onnx.TensorProto.create> {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}

function int64Tensor(name: string, values: number[]): ReturnType<typeof onnx.TensorProto.create> {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer),
  });
}

/** TF conv kernels [kh, kw, cin, cout] → ONNX [cout, cin, kh, kw]. */
function hwioToOihw(kernel: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const outData = new Float32Array(kernel.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) outData[((o * cin + i) * kh + h) * kw + w] = kernel[((h * kw + w) * cin + i) * cout + o];
  return outData;
}

/** The weights of one TF.js layer as typed arrays with their shapes. */
function tfWeights(model: tf.LayersModel, name: string): { data: Float32Array; shape: number[] }[] {
  let layer;
  try {
    layer = model.getLayer(name);
  } catch {
    throw new Error(`the TF.js model has no layer '${name}' (model and layer graph disagree)`);
  }
  return layer.getWeights().map((w) => ({ data: w.dataSync() as Float32Array, shape: w.shape }));
}

/** ONNX conv weights [cout, cin/groups, kh, kw] of a conv record, read from the TF.js model. */
function convWeights(model: tf.LayersModel, layer: Layer): { data: Float32Array; dims: number[] } {
  const base = tfLayerName(layer.name);
  const k = layer.kernel ?? 1;
  const cin = layer.inputShape[3];
  const cout = layer.outputShape[3];
  const groups = layer.groups ?? 1;
  switch (convVariant(layer)) {
    case 'plain': {
      const [w] = tfWeights(model, base);
      return { data: hwioToOihw(w.data, w.shape), dims: [cout, cin, k, k] };
    }
    case 'depthwise': {
      // TF depthwise kernel [kh, kw, C, 1] → [C, 1, kh, kw], one group per channel.
      const [w] = tfWeights(model, base);
      return { data: hwioToOihw(w.data, [k, k, 1, cin]), dims: [cin, 1, k, k] };
    }
    case 'grouped': {
      // Group g's sub-conv `<name>_g<g>` produces output channels [g·cout/groups, (g+1)·cout/groups).
      const parts = Array.from({ length: groups }, (_, g) => {
        const [w] = tfWeights(model, `${base}_g${g}`);
        return hwioToOihw(w.data, w.shape);
      });
      const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        data.set(p, offset);
        offset += p.length;
      }
      return { data, dims: [cout, cin / groups, k, k] };
    }
  }
}

/**
 * The ONNX model (serialised ModelProto) of a layer graph, with the weights of `weights`, the TF.js model built
 * from the same graph (so both files hold the same network and the same initial weights). Input `input` is
 * [batch, channels, res, res] (batch symbolic), output `logits` is [batch, classes].
 * @throws UsageError for a layer kind ONNX export does not handle
 */
export function onnxFromGraph(graph: LayerGraph, weights: tf.LayersModel, info: OnnxModelInfo): Uint8Array {
  const { layers } = graph;
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  const initializer: ReturnType<typeof onnx.TensorProto.create>[] = [];
  // The ONNX value name of each layer's output (an identity layer reuses its input's).
  const valueOf: string[] = [];
  const inputName = (j: number): string => (j < 0 ? ONNX_INPUT : valueOf[j]);
  const node = (opType: string, inputs: string[], output: string, attribute: Attr[] = [], name = output) =>
    nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], name, attribute }));
  // Constants are nodes, not initialisers, so the initialisers are exactly the parameters and the BN statistics.
  const constant = (name: string, t: ReturnType<typeof onnx.TensorProto.create>, first = false) => {
    const n = onnx.NodeProto.create({
      opType: 'Constant',
      input: [],
      output: [name],
      name,
      attribute: [onnx.AttributeProto.create({ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t })],
    });
    if (first) nodes.unshift(n);
    else nodes.push(n);
  };
  let zero: string | undefined;
  const last = layers.length - 1;

  layers.forEach((layer, i) => {
    const ins = graph.inputs[i].map(inputName);
    const out = i === last ? ONNX_OUTPUT : layer.name;
    valueOf.push(out);
    const base = tfLayerName(layer.name);
    switch (layer.kind) {
      case 'conv': {
        const k = layer.kernel ?? 1;
        const s = layer.stride ?? 1;
        const [top, bottom] = samePadding(layer.inputShape[1], k, s);
        const [left, right] = samePadding(layer.inputShape[2], k, s);
        const w = convWeights(weights, layer);
        initializer.push(floatTensor(`${layer.name}.weight`, w.dims, w.data));
        node('Conv', [ins[0], `${layer.name}.weight`], out, [
          ints('kernel_shape', [k, k]),
          ints('strides', [s, s]),
          ints('pads', [top, left, bottom, right]),
          int('group', layer.groups ?? 1),
        ]);
        return;
      }
      case 'bn': {
        const [gamma, beta, mean, variance] = tfWeights(weights, base);
        const c = layer.outputShape[3];
        initializer.push(
          floatTensor(`${layer.name}.weight`, [c], gamma.data),
          floatTensor(`${layer.name}.bias`, [c], beta.data),
          floatTensor(`${layer.name}.running_mean`, [c], mean.data),
          floatTensor(`${layer.name}.running_var`, [c], variance.data),
        );
        node(
          'BatchNormalization',
          [ins[0], `${layer.name}.weight`, `${layer.name}.bias`, `${layer.name}.running_mean`, `${layer.name}.running_var`],
          out,
          [float('epsilon', 1e-5), float('momentum', 0.9)],
        );
        return;
      }
      case 'relu':
        node('Relu', ins, out);
        return;
      case 'avgpool': {
        const k = layer.kernel ?? 3;
        const s = layer.stride ?? 1;
        const valid = layer.outputShape[1] === Math.floor((layer.inputShape[1] - k) / s) + 1;
        const [top, bottom] = valid ? [0, 0] : samePadding(layer.inputShape[1], k, s);
        const [left, right] = valid ? [0, 0] : samePadding(layer.inputShape[2], k, s);
        // count_include_pad = 0: divide by the valid inputs, as TF's 'same' pool and NB201 do.
        node('AveragePool', ins, out, [
          ints('kernel_shape', [k, k]),
          ints('strides', [s, s]),
          ints('pads', [top, left, bottom, right]),
          int('count_include_pad', 0),
        ]);
        return;
      }
      case 'zero':
        if (zero === undefined) {
          zero = 'hwnas.zero';
          constant(zero, floatTensor(zero, [], new Float32Array([0])), true);
        }
        node('Mul', [ins[0], zero], out);
        return;
      case 'identity': {
        const groups = layer.groups ?? 1;
        if (groups <= 1) {
          valueOf[i] = ins[0];
          if (i === last) node('Identity', ins, out);
          return;
        }
        // Channel shuffle: [N, g·c, H, W] → [N, g, c, H, W] → [N, c, g, H, W] → [N, g·c, H, W] (0 keeps N).
        const [, h, w, c] = layer.outputShape;
        constant(`${layer.name}.split_shape`, int64Tensor(`${layer.name}.split_shape`, [0, groups, c / groups, h, w]));
        constant(`${layer.name}.merge_shape`, int64Tensor(`${layer.name}.merge_shape`, [0, c, h, w]));
        node('Reshape', [ins[0], `${layer.name}.split_shape`], `${layer.name}.split`);
        node('Transpose', [`${layer.name}.split`], `${layer.name}.swapped`, [ints('perm', [0, 2, 1, 3, 4])]);
        node('Reshape', [`${layer.name}.swapped`, `${layer.name}.merge_shape`], out);
        return;
      }
      case 'add':
        node('Sum', ins, out);
        return;
      case 'gap':
        node('GlobalAveragePool', ins, `${layer.name}.pooled`);
        node('Flatten', [`${layer.name}.pooled`], out, [int('axis', 1)]);
        return;
      case 'fc': {
        const [kernel, bias] = tfWeights(weights, base);
        initializer.push(
          floatTensor(`${layer.name}.weight`, kernel.shape, kernel.data),
          floatTensor(`${layer.name}.bias`, bias.shape, bias.data),
        );
        node('Gemm', [ins[0], `${layer.name}.weight`, `${layer.name}.bias`], out);
        return;
      }
      default:
        throw new UsageError(`ONNX export has no mapping for the ${layer.kind} layer '${layer.name}'`);
    }
  });

  const { input } = info;
  const tensorType = (dims: (number | string)[]) =>
    onnx.TypeProto.create({
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    });
  const graphProto = onnx.GraphProto.create({
    name: `${info.space}`,
    node: nodes,
    initializer,
    input: [
      onnx.ValueInfoProto.create({ name: ONNX_INPUT, type: tensorType(['batch', input.channels, input.resolution, input.resolution]) }),
    ],
    output: [onnx.ValueInfoProto.create({ name: ONNX_OUTPUT, type: tensorType(['batch', input.classes]) })],
  });
  const metadata: Record<string, string> = {
    'hwnas.space': info.space,
    'hwnas.arch': info.arch,
    'hwnas.input_shape': JSON.stringify([input.batchSize, input.channels, input.resolution, input.resolution]),
    'hwnas.input_layout': 'NCHW',
    'hwnas.classes': String(input.classes),
    'hwnas.weights_seed': String(info.weightsSeed),
    'hwnas.padding': 'tensorflow-same',
    'hwnas.version': HWNAS_VERSION,
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'hwnas',
    producerVersion: HWNAS_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: graphProto,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The parts of an ONNX file a reader checks: metadata, opset, initialiser sizes. @throws UsageError when the bytes are not an ONNX model
 */
export function readOnnxSummary(
  bytes: Uint8Array,
  file: string,
): {
  metadata: Record<string, string>;
  opset: number;
  initializers: { name: string; size: number }[];
  nodes: number;
  inputShape: (number | string)[];
} {
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new UsageError(`${file} is not an ONNX model (${(err as Error).message})`);
  }
  if (model.graph === null || model.graph === undefined) throw new UsageError(`${file} is not an ONNX model (no graph)`);
  const metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const opset = Number(model.opsetImport.find((o) => (o.domain ?? '') === '')?.version ?? 0);
  const initializers = (model.graph.initializer ?? []).map((t) => ({
    name: t.name ?? '',
    size: (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1),
  }));
  const dims = model.graph.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
  const inputShape = dims.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0)));
  return { metadata, opset, initializers, nodes: (model.graph.node ?? []).length, inputShape };
}

/**
 * The ONNX model of `arch` with the initial weights of `space.buildModel(arch, input, { seed })`. Pass `weights`
 * (that model, or one with changed weights) to reuse a built model; otherwise one is built and disposed.
 * @throws UnknownArchError, UsageError
 */
export function archToOnnx(space: SearchSpace, arch: string, input: InputShape, seed: number, weights?: tf.LayersModel): Uint8Array {
  const canonical = space.canonical(arch);
  const graph = space.graph(canonical, input);
  const model = weights ?? space.buildModel(canonical, input, { seed });
  try {
    return onnxFromGraph(graph, model, { space: space.name, arch: canonical, input, weightsSeed: seed });
  } finally {
    if (weights === undefined) model.dispose();
  }
}
