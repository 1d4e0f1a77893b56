// Shape inference and analytic costs of the format-neutral ops, one rule per op: what a node outputs for its inputs'
// shapes and the layer row it costs. Values the graph computes shapes with (Shape → Gather → Concat → Reshape) are
// folded and cost nothing. FLOPs follow src/spaces/layers.ts: multiply–accumulates of conv and dense layers (bias
// adds included), elementwise arithmetic apart.
import type { LayerKind } from '../../spaces/types.js';
import type { ImportNode, ImportOp, Layout, Window } from './types.js';

/** A tensor during shape inference. */
export interface Tensor {
  shape: number[];
  /** Known values (row-major): constants and shape computations. A tensor with values is static. */
  value?: number[];
  /** A float weight of the file: its elements are parameters of the node that reads it. */
  param?: boolean;
}

/** The cost record of one node; the runner adds the name, origin, input bytes and fusion group. */
export interface RowSpec {
  kind: LayerKind;
  outputShape: number[];
  flops?: number;
  elementwiseOps?: number;
  params?: number;
  kernel?: number;
  stride?: number;
  groups?: number;
}

export interface RuleContext {
  layout: Layout;
  /** @throws ModelFileError naming the file and the node */
  fail(reason: string): never;
  /**
   * Reshape targets: how many leading and trailing dims copy the input's, recorded at the model's own input
   * (`native`) and replayed at another, so a reshape with spatial sizes written into it follows the resolution.
   */
  follow: Map<string, [number, number]>;
  native: boolean;
}

type OpOf<R extends ImportOp['rule']> = Extract<ImportNode, { rule: R }>;
/** A node's inputs in order; undefined where an optional input is absent. */
type Inputs = (Tensor | undefined)[];

export interface Rule<R extends ImportOp['rule']> {
  run(op: OpOf<R>, ins: Inputs, ctx: RuleContext): { output: Tensor; row?: RowSpec };
  /** The output's values when every present input is static; without it the op is never folded. */
  fold?(op: OpOf<R>, ins: Inputs, ctx: RuleContext): Tensor;
}

/** Constants with more elements than this keep only their shape. */
export const MAX_VALUES = 4096;

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function need(ins: Inputs, i: number, ctx: RuleContext, what = 'input'): Tensor {
  const t = ins[i];
  if (t === undefined) ctx.fail(`${what} ${i + 1} is missing`);
  return t;
}

/** A static input's values (shape, axes, pads), or `fallback` when the input is absent. */
function valuesOf(ins: Inputs, i: number, ctx: RuleContext, what: string, fallback?: number[]): number[] {
  const t = ins[i];
  if (t === undefined) {
    if (fallback !== undefined) return fallback;
    ctx.fail(`${what} is missing`);
  }
  if (t.value === undefined) ctx.fail(`${what} must be a constant or computed from shapes, it depends on the data`);
  return t.value;
}

/** [n, c, h, w] of a 4-D tensor in the file's layout. */
function nchw(t: Tensor, ctx: RuleContext, what: string): [number, number, number, number] {
  if (t.shape.length !== 4) ctx.fail(`${what} needs a 4-D (image) input, got ${fmt(t.shape)}`);
  const [a, b, c, d] = t.shape;
  return ctx.layout === 'NCHW' ? [a, b, c, d] : [a, d, b, c];
}

const image = (ctx: RuleContext, n: number, c: number, h: number, w: number): number[] =>
  ctx.layout === 'NCHW' ? [n, c, h, w] : [n, h, w, c];

/** Output size of one spatial axis (0 = height, 1 = width) of a window. */
function windowOut(size: number, win: Window, axis: 0 | 1, ctx: RuleContext): number {
  const k = win.dilations[axis] * (win.kernel[axis] - 1) + 1;
  const s = win.strides[axis];
  const pad = win.padding;
  let out: number;
  if (pad.mode === 'same_upper' || pad.mode === 'same_lower') out = Math.ceil(size / s);
  else {
    const total = pad.mode === 'explicit' ? pad.pads[axis] + pad.pads[axis + 2] : 0;
    out = (win.ceil ? Math.ceil : Math.floor)((size + total - k) / s) + 1;
  }
  if (!(out >= 1)) ctx.fail(`a ${win.kernel.join('x')} window with stride ${s} does not fit an input of ${size} px`);
  return out;
}

/** @throws ModelFileError unless every value is a positive integer (kernel sizes, strides, channel counts). */
function checkPositive(values: readonly number[], what: string, ctx: RuleContext): void {
  if (!values.every((v) => Number.isInteger(v) && v > 0)) ctx.fail(`${what} must be positive integers, got [${values.join(', ')}]`);
}

function checkWindow(win: Window, ctx: RuleContext): void {
  checkPositive(win.kernel, 'kernel sizes', ctx);
  checkPositive(win.strides, 'strides', ctx);
  checkPositive(win.dilations, 'dilations', ctx);
}

const kernelOf = (win: Window): number => Math.max(...win.kernel);
const strideOf = (win: Window): number => Math.max(...win.strides);

function normAxis(axis: number, rank: number, ctx: RuleContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) ctx.fail(`axis ${axis} is out of range for a rank-${rank} tensor`);
  return a;
}

/** NumPy broadcasting of the input shapes. */
function broadcast(shapes: number[][], ctx: RuleContext): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      if (s[i] === out[j] || s[i] === 1) continue;
      if (out[j] !== 1) ctx.fail(`shapes ${shapes.map(fmt).join(' and ')} do not broadcast`);
      out[j] = s[i];
    }
  }
  return out;
}

/** Elementwise arithmetic of static values with broadcasting (shape computations). */
function foldElementwise(ins: Tensor[], ctx: RuleContext, f: (a: number, b: number) => number): Tensor {
  const shape = broadcast(
    ins.map((t) => t.shape),
    ctx,
  );
  const n = numel(shape);
  // Broadcasting small constants can make a large one: keep its shape only.
  if (n > MAX_VALUES) return { shape };
  const at = (t: Tensor, flat: number): number => {
    // Index of `flat` (in `shape`) within the broadcast tensor `t`.
    let index = 0;
    let stride = 1;
    let rest = flat;
    const offset = shape.length - t.shape.length;
    const coords = Array<number>(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) {
      coords[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    for (let d = t.shape.length - 1; d >= 0; d--) {
      index += (t.shape[d] === 1 ? 0 : coords[d + offset]) * stride;
      stride *= t.shape[d];
    }
    return t.value![index];
  };
  const value = Array.from({ length: n }, (_, i) => ins.slice(1).reduce((acc, t) => f(acc, at(t, i)), at(ins[0], i)));
  return { shape, value };
}

const FOLDS: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sum: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  // Shape arithmetic is int64, where division truncates.
  Div: (a, b) => (Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b),
  Max: Math.max,
  Min: Math.min,
  Pow: (a, b) => a ** b,
};

function foldBinary(op: ImportNode, ins: Inputs, ctx: RuleContext): Tensor {
  const f = FOLDS[op.op];
  if (f === undefined) ctx.fail(`cannot compute '${op.op}' on constants`);
  return foldElementwise(
    ins.filter((t): t is Tensor => t !== undefined),
    ctx,
    f,
  );
}

/** Parameters of the float weights a node reads as inputs (a bias added by Add, a PRelu slope). */
const paramsOf = (ins: Inputs): number => ins.reduce((n, t) => n + (t?.param ? numel(t.shape) : 0), 0);

/** Elementwise node over broadcast inputs: `opsPerOutput` arithmetic per output element. */
function elementwise(
  ins: Inputs,
  ctx: RuleContext,
  kind: LayerKind,
  opsPerOutput: (inputs: number) => number,
): { output: Tensor; row: RowSpec } {
  const present = ins.filter((t): t is Tensor => t !== undefined);
  if (present.length === 0) ctx.fail('no inputs');
  const shape = broadcast(
    present.map((t) => t.shape),
    ctx,
  );
  return {
    output: { shape },
    row: { kind, outputShape: shape, elementwiseOps: numel(shape) * opsPerOutput(present.length), params: paramsOf(present) },
  };
}

/** ONNX Slice of one tensor: the output shape and, for a static 1-D input, the values. */
function slice(op: OpOf<'slice'>, ins: (Tensor | undefined)[], ctx: RuleContext): Tensor {
  const x = need(ins, 0, ctx);
  const starts = op.starts ?? valuesOf(ins, 1, ctx, 'Slice starts');
  const ends = op.ends ?? valuesOf(ins, 2, ctx, 'Slice ends');
  const axes = (
    op.axes ??
    valuesOf(
      ins,
      3,
      ctx,
      'Slice axes',
      starts.map((_, i) => i),
    )
  ).map((a) => normAxis(a, x.shape.length, ctx));
  const steps =
    op.steps ??
    valuesOf(
      ins,
      4,
      ctx,
      'Slice steps',
      starts.map(() => 1),
    );
  const shape = [...x.shape];
  // The kept indices of a 1-D static input, whose values the slice computes.
  let kept: number[] | undefined;
  axes.forEach((axis, i) => {
    const dim = x.shape[axis];
    const step = steps[i];
    if (!Number.isInteger(step) || step === 0) ctx.fail(`Slice step ${step}`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    const start = step > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], -1, dim - 1);
    const end = step > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    shape[axis] = Math.max(0, Math.ceil((end - start) / step));
    if (x.value !== undefined && x.shape.length === 1) kept = Array.from({ length: shape[axis] }, (_, k) => start + k * step);
  });
  return kept === undefined ? { shape } : { shape, value: kept.map((i) => x.value![i]) };
}

/**
 * The target of a Reshape: 0 copies the input dim, -1 takes what is left; dims that copied the input at the model's own input keep
 * following it.
 */
function reshapeTarget(op: ImportNode, input: number[], raw: number[], ctx: RuleContext): number[] {
  const target = raw.map((d, i) => (d === 0 ? input[i] : d));
  const follow = ctx.follow.get(op.name);
  if (!ctx.native && follow !== undefined) {
    const [head, tail] = follow;
    for (let i = 0; i < head; i++) if (raw[i] > 0) target[i] = input[i];
    for (let j = 0; j < tail; j++) if (raw[target.length - 1 - j] > 0) target[target.length - 1 - j] = input[input.length - 1 - j];
  }
  const known = target.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const free = target.indexOf(-1);
  if (free >= 0) {
    if (target.indexOf(-1, free + 1) >= 0) ctx.fail(`Reshape target ${fmt(raw)} has more than one -1`);
    target[free] = numel(input) / known;
  }
  if (!Number.isInteger(target[free >= 0 ? free : 0]) || numel(target) !== numel(input)) {
    ctx.fail(
      `cannot reshape ${fmt(input)} to ${fmt(raw)}${ctx.native ? '' : ' (the model fixes this shape: it cannot take this batch size or resolution)'}`,
    );
  }
  if (ctx.native) {
    let head = 0;
    while (head < Math.min(target.length, input.length) && target[head] === input[head]) head++;
    let tail = 0;
    while (head + tail < Math.min(target.length, input.length) && target[target.length - 1 - tail] === input[input.length - 1 - tail])
      tail++;
    ctx.follow.set(op.name, [head, tail]);
  }
  return target;
}

function squeezeShape(shape: number[], axes: number[] | undefined, ctx: RuleContext): number[] {
  if (axes === undefined) return shape.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normAxis(a, shape.length, ctx)));
  for (const a of drop) if (shape[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of ${fmt(shape)}`);
  return shape.filter((_, i) => !drop.has(i));
}

function unsqueezeShape(shape: number[], axes: number[], ctx: RuleContext): number[] {
  const rank = shape.length + axes.length;
  const add = new Set(axes.map((a) => normAxis(a, rank, ctx)));
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(add.has(i) ? 1 : shape[next++]);
  return out;
}

function transposeShape(shape: number[], perm: number[] | undefined, ctx: RuleContext): number[] {
  const p = perm ?? shape.map((_, i) => shape.length - 1 - i);
  if (p.length !== shape.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i))
    ctx.fail(`permutation ${fmt(p)} does not fit ${fmt(shape)}`);
  return p.map((i) => shape[i]);
}

export const RULES: { [R in ImportOp['rule']]: Rule<R> } = {
  conv: {
    run(op, ins, ctx) {
      const [n, c, h, w] = nchw(need(ins, 0, ctx), ctx, 'a convolution');
      checkWindow(op.window, ctx);
      const groups = op.groups === 'depthwise' ? c : op.groups;
      if (c % groups !== 0) ctx.fail(`${c} input channels do not split into ${groups} groups`);
      if (op.inPerGroup !== undefined && c / groups !== op.inPerGroup)
        ctx.fail(`the input has ${c} channels, the weights expect ${op.inPerGroup * groups}`);
      const cout = 'channels' in op.out ? op.out.channels : c * op.out.depthMultiplier;
      checkPositive([groups, cout], 'groups and output channels', ctx);
      if (cout % groups !== 0) ctx.fail(`${cout} output channels do not split into ${groups} groups`);
      const ho = windowOut(h, op.window, 0, ctx);
      const wo = windowOut(w, op.window, 1, ctx);
      const [kh, kw] = op.window.kernel;
      const weights = kh * kw * (c / groups) * cout;
      const outputShape = image(ctx, n, cout, ho, wo);
      const flops = weights * n * ho * wo + (op.bias ? numel(outputShape) : 0);
      return {
        output: { shape: outputShape },
        row: {
          kind: 'conv',
          outputShape,
          flops,
          params: weights + (op.bias ? cout : 0),
          kernel: kernelOf(op.window),
          stride: strideOf(op.window),
          groups,
        },
      };
    },
  },
  dense: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      if (x.shape.length < 2) ctx.fail(`a dense layer needs a batch of vectors, got ${fmt(x.shape)}`);
      checkPositive([op.units], 'units', ctx);
      const features = op.transA ? x.shape[0] : x.shape[x.shape.length - 1];
      if (op.inFeatures !== undefined && features !== op.inFeatures)
        ctx.fail(`the input has ${features} features, the weights expect ${op.inFeatures}`);
      const rows = numel(x.shape) / features;
      const outputShape = op.transA ? [x.shape[1], op.units] : [...x.shape.slice(0, -1), op.units];
      const flops = rows * features * op.units + (op.bias ? rows * op.units : 0);
      return {
        output: { shape: outputShape },
        row: { kind: 'fc', outputShape, flops, params: features * op.units + (op.bias ? op.units : 0) },
      };
    },
  },
  matmul: {
    run(_op, ins, ctx) {
      const a = need(ins, 0, ctx).shape;
      const b = need(ins, 1, ctx).shape;
      if (a.length < 2 || b.length < 2) ctx.fail(`MatMul of ${fmt(a)} and ${fmt(b)}: vectors are not supported`);
      const [m, k] = a.slice(-2);
      const [k2, n] = b.slice(-2);
      if (k !== k2) ctx.fail(`MatMul of ${fmt(a)} and ${fmt(b)}: inner dims differ`);
      const batch = broadcast([a.slice(0, -2), b.slice(0, -2)], ctx);
      const outputShape = [...batch, m, n];
      return { output: { shape: outputShape }, row: { kind: 'fc', outputShape, flops: numel(batch) * m * k * n, params: paramsOf(ins) } };
    },
  },
  bn: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const axis = normAxis(
        op.axis ?? (x.shape.length === 4 && ctx.layout === 'NCHW' ? 1 : x.shape.length === 2 ? 1 : -1),
        x.shape.length,
        ctx,
      );
      return {
        output: { shape: x.shape },
        row: { kind: 'bn', outputShape: x.shape, params: op.paramsPerChannel * x.shape[axis], elementwiseOps: 2 * numel(x.shape) },
      };
    },
  },
  act: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const own =
        op.weights === 'channel'
          ? x.shape[ctx.layout === 'NCHW' && x.shape.length === 4 ? 1 : x.shape.length - 1]
          : op.weights === 'element'
            ? numel(x.shape.slice(1))
            : 0;
      // An extra input is a PRelu slope: parameters, never broadcast into the output.
      return {
        output: { shape: x.shape },
        row: {
          kind: op.kind,
          outputShape: x.shape,
          elementwiseOps: op.opsPerElement * numel(x.shape),
          params: own + paramsOf(ins.slice(1)),
        },
      };
    },
  },
  pool: {
    run(op, ins, ctx) {
      const [n, c, h, w] = nchw(need(ins, 0, ctx), ctx, 'a pooling layer');
      checkWindow(op.window, ctx);
      const ho = windowOut(h, op.window, 0, ctx);
      const wo = windowOut(w, op.window, 1, ctx);
      const outputShape = image(ctx, n, c, ho, wo);
      const [kh, kw] = op.window.kernel;
      return {
        output: { shape: outputShape },
        row: {
          kind: op.type === 'max' ? 'maxpool' : 'avgpool',
          outputShape,
          elementwiseOps: numel(outputShape) * kh * kw,
          kernel: kernelOf(op.window),
          stride: strideOf(op.window),
        },
      };
    },
  },
  globalPool: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const [n, c] = nchw(x, ctx, 'a global pooling layer');
      const outputShape = op.keepDims ? image(ctx, n, c, 1, 1) : [n, c];
      return {
        output: { shape: outputShape },
        row: { kind: op.type === 'max' ? 'maxpool' : 'gap', outputShape, elementwiseOps: numel(x.shape) },
      };
    },
  },
  reduce: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const rank = x.shape.length;
      const raw = op.axes ?? (ins[1] === undefined ? x.shape.map((_, i) => i) : valuesOf(ins, 1, ctx, 'reduction axes'));
      const axes = new Set(raw.map((a) => normAxis(a, rank, ctx)));
      const outputShape = op.keepDims ? x.shape.map((d, i) => (axes.has(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.has(i));
      // Over the two spatial axes a reduction is a global pooling layer.
      const spatial = ctx.layout === 'NCHW' ? [2, 3] : [1, 2];
      const global = rank === 4 && axes.size === 2 && spatial.every((a) => axes.has(a));
      const kind: LayerKind = global ? (op.type === 'max' ? 'maxpool' : 'gap') : 'elementwise';
      return { output: { shape: outputShape }, row: { kind, outputShape, elementwiseOps: numel(x.shape) } };
    },
  },
  add: {
    run: (_op, ins, ctx) => elementwise(ins, ctx, 'add', (n) => n - 1),
    fold: (op, ins, ctx) => foldBinary(op, ins, ctx),
  },
  binary: {
    run(op, ins, ctx) {
      const result = elementwise(ins, ctx, 'elementwise', (n) => n - 1);
      // x · 0 (how NB201's `none` op is exported) outputs zeros: nothing to compute.
      if (op.multiply && ins.some((t) => t?.value !== undefined && t.value.length > 0 && t.value.every((v) => v === 0))) {
        return { output: result.output, row: { kind: 'zero', outputShape: result.output.shape } };
      }
      return result;
    },
    fold: (op, ins, ctx) => foldBinary(op, ins, ctx),
  },
  concat: {
    run(op, ins, ctx) {
      const present = ins.filter((t): t is Tensor => t !== undefined);
      const first = need(ins, 0, ctx);
      const axis = normAxis(op.axis, first.shape.length, ctx);
      const outputShape = [...first.shape];
      outputShape[axis] = 0;
      for (const t of present) {
        if (t.shape.length !== first.shape.length || t.shape.some((d, i) => i !== axis && d !== first.shape[i]))
          ctx.fail(`cannot concatenate ${present.map((p) => fmt(p.shape)).join(', ')} on axis ${op.axis}`);
        outputShape[axis] += t.shape[axis];
      }
      return { output: { shape: outputShape }, row: { kind: 'concat', outputShape, params: paramsOf(present) } };
    },
    fold(op, ins, ctx) {
      const present = ins.filter((t): t is Tensor => t !== undefined);
      if (present.some((t) => t.shape.length !== 1)) return this.run(op, ins, ctx).output;
      return { shape: [present.reduce((n, t) => n + t.shape[0], 0)], value: present.flatMap((t) => t.value!) };
    },
  },
  reshape: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const outputShape = reshapeTarget(op, x.shape, op.target ?? valuesOf(ins, 1, ctx, 'the Reshape shape'), ctx);
      return { output: { shape: outputShape, value: x.value }, row: { kind: 'reshape', outputShape } };
    },
    fold(op, ins, ctx) {
      return this.run(op, ins, ctx).output;
    },
  },
  flatten: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const axis = op.axis < 0 ? op.axis + x.shape.length : op.axis;
      const outputShape = [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))];
      return { output: { shape: outputShape }, row: { kind: 'reshape', outputShape } };
    },
  },
  transpose: {
    run(op, ins, ctx) {
      const outputShape = transposeShape(need(ins, 0, ctx).shape, op.perm, ctx);
      return { output: { shape: outputShape }, row: { kind: 'copy', outputShape } };
    },
  },
  squeeze: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const outputShape = squeezeShape(x.shape, op.axes ?? (ins[1] === undefined ? undefined : valuesOf(ins, 1, ctx, 'Squeeze axes')), ctx);
      return { output: { shape: outputShape, value: x.value }, row: { kind: 'reshape', outputShape } };
    },
    fold(op, ins, ctx) {
      return this.run(op, ins, ctx).output;
    },
  },
  unsqueeze: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const outputShape = unsqueezeShape(x.shape, op.axes ?? valuesOf(ins, 1, ctx, 'Unsqueeze axes'), ctx);
      return { output: { shape: outputShape, value: x.value }, row: { kind: 'reshape', outputShape } };
    },
    fold(op, ins, ctx) {
      return this.run(op, ins, ctx).output;
    },
  },
  identity: {
    run(_op, ins, ctx) {
      const x = need(ins, 0, ctx);
      return { output: { shape: x.shape }, row: { kind: 'identity', outputShape: x.shape } };
    },
    fold: (_op, ins, ctx) => need(ins, 0, ctx),
  },
  cast: {
    run(_op, ins, ctx) {
      const x = need(ins, 0, ctx);
      return { output: { shape: x.shape }, row: { kind: 'elementwise', outputShape: x.shape, elementwiseOps: numel(x.shape) } };
    },
    fold: (_op, ins, ctx) => need(ins, 0, ctx),
  },
  pad: {
    run(op, ins, ctx) {
      const x = need(ins, 0, ctx);
      const pads = op.pads ?? valuesOf(ins, 1, ctx, 'the Pad amounts');
      const rank = x.shape.length;
      if (pads.length !== 2 * rank) ctx.fail(`${pads.length} pad amounts for a rank-${rank} tensor`);
      const outputShape = x.shape.map((d, i) => d + pads[i] + pads[i + rank]);
      if (outputShape.some((d) => d < 1)) ctx.fail(`padding ${fmt(pads)} leaves nothing of ${fmt(x.shape)}`);
      return { output: { shape: outputShape }, row: { kind: 'copy', outputShape } };
    },
  },
  slice: {
    run(op, ins, ctx) {
      const output = slice(op, ins, ctx);
      return { output: { shape: output.shape }, row: { kind: 'copy', outputShape: output.shape } };
    },
    fold: (op, ins, ctx) => slice(op, ins, ctx),
  },
  shape: {
    // A tensor's shape is known whatever its values: always static, never costed (see the runner).
    run(op, ins, ctx) {
      const dims = need(ins, 0, ctx).shape;
      const value = dims.slice(op.start ?? 0, op.end);
      return { output: { shape: [value.length], value } };
    },
  },
  gather: {
    run(_op, ins, ctx) {
      if (ins[0]?.value === undefined) ctx.fail('Gather is supported on shapes and constants only (this one reads model data)');
      return ctx.fail('Gather indices must be constants');
    },
    fold(_op, ins, ctx) {
      const data = need(ins, 0, ctx);
      const indices = need(ins, 1, ctx);
      if (data.shape.length !== 1) ctx.fail('Gather is supported on 1-D shapes and constants only');
      const picked = indices.value!.map((i) => data.value![i < 0 ? i + data.shape[0] : i]);
      return { shape: indices.shape, value: picked };
    },
  },
  zero: {
    run(_op, ins, ctx) {
      const x = need(ins, 0, ctx);
      return { output: { shape: x.shape }, row: { kind: 'zero', outputShape: x.shape } };
    },
  },
};

/**
 * Arithmetic per element of the elementwise activations, roughly (a clamp is 1, an exp-based function 4–8); the
 * simulator's elementwise efficiency absorbs the rest. Keys are lower case without underscores, so ONNX's
 * `HardSigmoid` and Keras' `hard_sigmoid` meet.
 */
const ACTIVATION_OPS: Record<string, number> = {
  relu: 1,
  relu6: 1,
  clip: 1,
  thresholdedrelu: 1,
  leakyrelu: 2,
  prelu: 2,
  hardsigmoid: 3,
  hardswish: 4,
  elu: 3,
  selu: 4,
  celu: 4,
  softplus: 3,
  softsign: 3,
  sigmoid: 4,
  tanh: 5,
  swish: 5,
  silu: 5,
  mish: 7,
  gelu: 8,
  erf: 5,
  softmax: 5,
  logsoftmax: 5,
  exp: 1,
  exponential: 1,
  log: 1,
  sqrt: 1,
  reciprocal: 1,
  neg: 1,
  abs: 1,
};

/** The act op of an activation name (`Sigmoid`, `hard_sigmoid`, `relu`), or undefined for an unknown one. */
export function activationOp(name: string): Extract<ImportOp, { rule: 'act' }> | undefined {
  const key = name.toLowerCase().replace(/_/g, '');
  const ops = ACTIVATION_OPS[key];
  return ops === undefined ? undefined : { rule: 'act', kind: key === 'relu' ? 'relu' : 'activation', opsPerElement: ops };
}

/** Activation names `activationOp` knows, for messages. */
export const ACTIVATION_NAMES = Object.keys(ACTIVATION_OPS);
