// Reads a TF.js LayersModel's model.json (its topology; weight files are not needed for costs) into the
// format-neutral graph: one translator per Keras layer class. Functional and Sequential models, Keras 2 and Keras 3
// inbound-node forms; channels-last layers only.
import path from 'node:path';
import { ModelFileError, UnsupportedOpError } from '../../core/errors.js';
import { ACTIVATION_NAMES, activationOp } from './ops.js';
import type { ImportGraph, ImportNode, ImportOp, Window } from './types.js';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One call of a layer: the IR node name, the tensors it reads and the tensor it writes. */
interface Call {
  name: string;
  inputs: string[];
  output: string;
}

/** Typed reads of a layer config; every bad field is a ModelFileError naming the layer. */
function configReader(cfg: Json, fail: (reason: string) => never) {
  const pair = (key: string, fallback?: [number, number]): [number, number] => {
    const v = cfg[key];
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    return fail(`config.${key} must be a number or a pair of numbers, got ${JSON.stringify(v)}`);
  };
  return {
    pair,
    number(key: string, fallback?: number): number {
      const v = cfg[key] ?? fallback;
      if (typeof v !== 'number') return fail(`config.${key} must be a number, got ${JSON.stringify(cfg[key])}`);
      return v;
    },
    numbers(key: string): number[] {
      const v = cfg[key];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number'))
        return fail(`config.${key} must be a list of numbers, got ${JSON.stringify(v)}`);
      return v;
    },
    bool: (key: string, fallback: boolean): boolean => (typeof cfg[key] === 'boolean' ? (cfg[key] as boolean) : fallback),
    /** Keras padding / cropping: p, [h, w] or [[top, bottom], [left, right]] → [top, bottom, left, right]. */
    margins(key: string): [number, number, number, number] {
      const v = cfg[key];
      if (typeof v === 'number') return [v, v, v, v];
      if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[0], v[1], v[1]];
      if (Array.isArray(v) && v.length === 2 && v.every((x) => Array.isArray(x) && x.length === 2 && x.every((y) => typeof y === 'number')))
        return [v[0][0], v[0][1], v[1][0], v[1][1]];
      return fail(`config.${key} must be p, [h, w] or [[top, bottom], [left, right]], got ${JSON.stringify(v)}`);
    },
    window(kernelKey: string, stridesFallback: [number, number] = [1, 1], paddingFallback = 'valid'): Window {
      const padding = cfg.padding ?? paddingFallback;
      if (padding !== 'same' && padding !== 'valid') fail(`padding '${String(padding)}' is not supported (same, valid)`);
      const kernel = pair(kernelKey);
      return {
        kernel,
        strides: pair('strides', stridesFallback),
        dilations: pair('dilation_rate', [1, 1]),
        padding: { mode: padding === 'same' ? 'same_upper' : 'valid' },
        ceil: false,
      };
    },
  };
}
type ConfigReader = ReturnType<typeof configReader>;

interface LayerContext {
  file: string;
  className: string;
  call: Call;
  read: ConfigReader;
  cfg: Json;
  fail(reason: string): never;
}

type LayerTranslator = (ctx: LayerContext) => ImportNode[];

/** An IR node of a call: the whole call, or a part of it (named `<layer>/<suffix>` when it has a suffix). */
const node = (ctx: LayerContext, op: ImportOp, part?: { suffix?: string; inputs: string[]; output: string }): ImportNode => ({
  ...op,
  name: part?.suffix === undefined ? ctx.call.name : `${ctx.call.name}/${part.suffix}`,
  op: ctx.className,
  inputs: part?.inputs ?? ctx.call.inputs,
  outputs: [part?.output ?? ctx.call.output],
});

/** The act op of a Keras activation name. @throws UnsupportedOpError for one without a cost rule */
function activationOf(ctx: LayerContext, name: string): Extract<ImportOp, { rule: 'act' }> {
  const op = activationOp(name);
  if (op === undefined) throw new UnsupportedOpError(ctx.file, `${ctx.className} activation '${name}'`, ctx.call.name, ACTIVATION_NAMES);
  return op;
}

/** `config.activation`: Keras 2 writes a name, Keras 3 may write {class_name: 'function', config: 'relu'}. */
function activationName(cfg: Json): string | undefined {
  const a = cfg.activation;
  if (typeof a === 'string') return a;
  if (!isRecord(a)) return undefined;
  return typeof a.config === 'string' ? a.config : typeof a.class_name === 'string' ? a.class_name : undefined;
}

/** The layer's nodes followed by its fused activation (`config.activation`), when it has one. */
function withActivation(ctx: LayerContext, build: (output: string) => ImportNode[]): ImportNode[] {
  const name = activationName(ctx.cfg);
  if (name === undefined || name === 'linear') return build(ctx.call.output);
  const pre = `${ctx.call.output}/pre-activation`;
  return [...build(pre), node(ctx, activationOf(ctx, name), { suffix: name, inputs: [pre], output: ctx.call.output })];
}

const conv = (window: Window, out: Extract<ImportOp, { rule: 'conv' }>['out'], groups: number | 'depthwise', bias: boolean): ImportOp => ({
  rule: 'conv',
  window,
  out,
  groups,
  bias,
});

/** A layer that is one node of a fixed op. */
const single =
  (op: ImportOp): LayerTranslator =>
  (ctx) => [node(ctx, op)];
const activation =
  (name: string): LayerTranslator =>
  (ctx) => [node(ctx, activationOf(ctx, name))];
const identity = single({ rule: 'identity' });
const pool =
  (type: 'max' | 'avg'): LayerTranslator =>
  (ctx) => {
    const size = ctx.read.pair('pool_size', [2, 2]);
    return [node(ctx, { rule: 'pool', type, window: ctx.read.window('pool_size', ctx.read.pair('strides', size)) })];
  };
const globalPool =
  (type: 'max' | 'avg'): LayerTranslator =>
  (ctx) => [node(ctx, { rule: 'globalPool', type, keepDims: ctx.read.bool('keepdims', false) })];

/** One translator per supported layer class. */
const TRANSLATORS: Record<string, LayerTranslator> = {
  Conv2D: (ctx) =>
    withActivation(ctx, (output) => [
      node(
        ctx,
        conv(
          ctx.read.window('kernel_size'),
          { channels: ctx.read.number('filters') },
          ctx.read.number('groups', 1),
          ctx.read.bool('use_bias', true),
        ),
        { inputs: ctx.call.inputs, output },
      ),
    ]),
  DepthwiseConv2D: (ctx) => {
    const init = ctx.cfg.depthwise_initializer;
    const useBias = ctx.read.bool('use_bias', true);
    // A frozen, zero-initialised 1x1 depthwise conv without bias always outputs zeros: how hwnas writes NB201's
    // `none` op with built-in layers only (src/spaces/tfjs-model.ts). It computes nothing.
    if (
      ctx.cfg.trainable === false &&
      !useBias &&
      isRecord(init) &&
      init.class_name === 'Zeros' &&
      ctx.read.pair('kernel_size').every((k) => k === 1)
    )
      return [node(ctx, { rule: 'zero' })];
    return withActivation(ctx, (output) => [
      node(ctx, conv(ctx.read.window('kernel_size'), { depthMultiplier: ctx.read.number('depth_multiplier', 1) }, 'depthwise', useBias), {
        inputs: ctx.call.inputs,
        output,
      }),
    ]);
  },
  SeparableConv2D: (ctx) =>
    withActivation(ctx, (output) => {
      const mid = `${ctx.call.output}/depthwise`;
      const pointwise: Window = { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: { mode: 'valid' }, ceil: false };
      return [
        node(ctx, conv(ctx.read.window('kernel_size'), { depthMultiplier: ctx.read.number('depth_multiplier', 1) }, 'depthwise', false), {
          suffix: 'depthwise',
          inputs: ctx.call.inputs,
          output: mid,
        }),
        node(ctx, conv(pointwise, { channels: ctx.read.number('filters') }, 1, ctx.read.bool('use_bias', true)), {
          suffix: 'pointwise',
          inputs: [mid],
          output,
        }),
      ];
    }),
  Dense: (ctx) =>
    withActivation(ctx, (output) => [
      node(
        ctx,
        { rule: 'dense', units: ctx.read.number('units'), bias: ctx.read.bool('use_bias', true) },
        { inputs: ctx.call.inputs, output },
      ),
    ]),
  BatchNormalization: (ctx) => {
    const axis: unknown = Array.isArray(ctx.cfg.axis) ? ctx.cfg.axis[0] : (ctx.cfg.axis ?? -1);
    if (typeof axis !== 'number') return ctx.fail(`config.axis must be a number, got ${JSON.stringify(ctx.cfg.axis)}`);
    return [
      node(ctx, { rule: 'bn', paramsPerChannel: Number(ctx.read.bool('center', true)) + Number(ctx.read.bool('scale', true)), axis }),
    ];
  },
  Activation: (ctx) => {
    const name =
      activationName(ctx.cfg) ?? ctx.fail(`config.activation must name an activation, got ${JSON.stringify(ctx.cfg.activation)}`);
    return [node(ctx, name === 'linear' ? { rule: 'identity' } : activationOf(ctx, name))];
  },
  ReLU: (ctx) => {
    const max = ctx.cfg.max_value;
    const slope = ctx.cfg.negative_slope;
    if (typeof slope === 'number' && slope !== 0) return activation('leakyrelu')(ctx);
    return activation(typeof max === 'number' ? 'relu6' : 'relu')(ctx);
  },
  LeakyReLU: activation('leakyrelu'),
  ELU: activation('elu'),
  ThresholdedReLU: activation('thresholdedrelu'),
  Softmax: activation('softmax'),
  PReLU: (ctx) => {
    // Keras' alpha has the shape of a sample unless axes share it; shared over both spatial axes it is per channel.
    const shared = Array.isArray(ctx.cfg.shared_axes) ? ctx.cfg.shared_axes : [];
    return [node(ctx, { ...activationOf(ctx, 'prelu'), weights: shared.includes(1) && shared.includes(2) ? 'channel' : 'element' })];
  },
  MaxPooling2D: pool('max'),
  AveragePooling2D: pool('avg'),
  GlobalAveragePooling2D: globalPool('avg'),
  GlobalMaxPooling2D: globalPool('max'),
  Add: single({ rule: 'add' }),
  Average: single({ rule: 'add' }),
  Multiply: single({ rule: 'binary', multiply: true }),
  Subtract: single({ rule: 'binary', multiply: false }),
  Maximum: single({ rule: 'binary', multiply: false }),
  Minimum: single({ rule: 'binary', multiply: false }),
  Concatenate: (ctx) => [node(ctx, { rule: 'concat', axis: ctx.read.number('axis', -1) })],
  Flatten: single({ rule: 'flatten', axis: 1 }),
  // Keras leaves the batch out of a target shape (0 copies it) and numbers permuted axes from 1.
  Reshape: (ctx) => [node(ctx, { rule: 'reshape', target: [0, ...ctx.read.numbers('target_shape')] })],
  Permute: (ctx) => [node(ctx, { rule: 'transpose', perm: [0, ...ctx.read.numbers('dims')] })],
  ZeroPadding2D: (ctx) => {
    const [t, b, l, r] = ctx.read.margins('padding');
    return [node(ctx, { rule: 'pad', pads: [0, t, l, 0, 0, b, r, 0] })];
  },
  Cropping2D: (ctx) => {
    const [t, b, l, r] = ctx.read.margins('cropping');
    return [node(ctx, { rule: 'pad', pads: [0, -t, -l, 0, 0, -b, -r, 0] })];
  },
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};

/** TF.js layer classes the importer reads (InputLayer included), for messages and docs. */
export const TFJS_LAYERS = [...Object.keys(TRANSLATORS), 'InputLayer'].sort();

const tensorName = (layer: string, nodeIndex: number, tensorIndex: number): string => `${layer}:${nodeIndex}:${tensorIndex}`;

/** Tensor references `[layer, node, tensor]` in Keras 2 (`[[name, n, t, kwargs], …]`) or Keras 3 (`keras_history`) form. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (typeof value[0] === 'string' && typeof value[1] === 'number' && typeof value[2] === 'number')
      out.push(tensorName(value[0], value[1], value[2]));
    else value.forEach((v) => references(v, out));
  } else if (isRecord(value)) {
    const history = isRecord(value.config) ? value.config.keras_history : undefined;
    if (Array.isArray(history)) references(history, out);
    else if ('args' in value) references(value.args, out);
  }
  return out;
}

/** Input dims from an InputLayer or first-layer config (null → open). */
function inputDims(cfg: Json): (number | undefined)[] | undefined {
  const shape = cfg.batch_input_shape ?? cfg.batch_shape;
  if (!Array.isArray(shape)) return undefined;
  return shape.map((d) => (Number.isInteger(d) && (d as number) > 0 ? (d as number) : undefined));
}

/**
 * The format-neutral graph of a TF.js LayersModel model.json.
 * @throws ModelFileError for text that is not such a file, UnsupportedOpError for a layer class without a translator
 */
export function readTfjs(bytes: Uint8Array, file: string): ImportGraph {
  const fail = (reason: string, node?: string): never => {
    throw new ModelFileError(file, reason, node);
  };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    return fail(`not a JSON file (${(err as Error).message})`);
  }
  if (!isRecord(json)) return fail('not a TF.js model.json (the JSON is not an object)');
  if (json.format === 'graph-model')
    fail('a TF.js graph model: only a LayersModel (format layers-model) has the layer topology hwnas reads');
  const outer = json.modelTopology;
  if (!isRecord(outer)) return fail('JSON without modelTopology: not a TF.js LayersModel model.json');
  // Models converted from Keras .h5 files wrap the topology in model_config.
  const topology = isRecord(outer.model_config) ? outer.model_config : outer;
  const className = topology.class_name;
  const config = topology.config;
  const sequential = className === 'Sequential';
  if (!sequential && className !== 'Model' && className !== 'Functional')
    fail(`modelTopology.class_name '${String(className)}' is not a LayersModel (Model, Functional, Sequential)`);
  const entries = sequential && Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
  if (!Array.isArray(entries) || entries.length === 0) return fail('modelTopology.config has no layers');

  let input: { name: string; dims: (number | undefined)[] } | undefined;
  const nodes: ImportNode[] = [];
  let fileNodes = 0;
  let previous: string | undefined;
  entries.forEach((entry, index) => {
    if (!isRecord(entry) || typeof entry.class_name !== 'string' || !isRecord(entry.config))
      return fail(`modelTopology layer ${index} has no class_name or config`);
    const cfg = entry.config;
    const name = typeof entry.name === 'string' ? entry.name : typeof cfg.name === 'string' ? cfg.name : `${entry.class_name}_${index}`;
    const dims = inputDims(cfg);
    if (entry.class_name === 'InputLayer' || (sequential && index === 0 && dims !== undefined)) {
      if (input !== undefined) fail(`the model has more than one input (${input.name}, ${name}): only single-input models are supported`);
      if (dims === undefined) return fail('an input without batch_input_shape', name);
      // A Sequential model's first layer may carry the input shape itself: its input is then a tensor of its own.
      input = { name: entry.class_name === 'InputLayer' ? tensorName(name, 0, 0) : `${name}/input`, dims };
      previous = input.name;
      if (entry.class_name === 'InputLayer') return;
    }
    const translate = TRANSLATORS[entry.class_name];
    if (translate === undefined) throw new UnsupportedOpError(file, entry.class_name, name, TFJS_LAYERS);
    if (cfg.data_format === 'channels_first') fail('channels_first layers are not supported (channels last only)', name);
    const calls = sequential
      ? [previous === undefined ? fail('a Sequential model without an input shape', name) : [previous]]
      : (Array.isArray(entry.inbound_nodes) ? entry.inbound_nodes : []).map((call) => references(call));
    calls.forEach((inputs, k) => {
      fileNodes++;
      const call: Call = { name: k === 0 ? name : `${name}:${k}`, inputs, output: tensorName(name, k, 0) };
      const layerFail = (reason: string): never => fail(reason, call.name);
      nodes.push(
        ...translate({ file, className: entry.class_name as string, call, read: configReader(cfg, layerFail), cfg, fail: layerFail }),
      );
      previous = call.output;
    });
  });
  if (input === undefined) return fail('the model has no InputLayer or batch_input_shape');

  const ends = (key: string): string[] => {
    const refs = isRecord(config) ? references(config[key]) : [];
    return refs;
  };
  if (!sequential && ends('input_layers').length > 1)
    fail(`the model has ${ends('input_layers').length} inputs: only single-input models are supported`);
  const outputs = sequential ? [previous!] : ends('output_layers');
  if (outputs.length === 0) fail('the model names no output_layers');
  const modelName =
    isRecord(config) && typeof config.name === 'string' && config.name !== '' ? config.name : path.basename(file, path.extname(file));
  return {
    format: 'tfjs',
    file,
    name: modelName,
    layout: 'NHWC',
    input: { ...input, layout: 'NHWC' },
    outputs,
    constants: new Map(),
    nodes,
    fileNodes,
  };
}
