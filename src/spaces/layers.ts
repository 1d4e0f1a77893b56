// Analytic cost records for the layer kinds both spaces use. Shapes are NHWC; bytes assume fp32.
import type { Layer, LayerOrigin, Shape, Shape4 } from './types.js';

const BYTES = 4;
const numel = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** Output spatial size of a conv/pool; padding defaults to 'same'-style k//2. */
export function convOut(size: number, kernel: number, stride: number, pad = Math.floor(kernel / 2)): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

function record(
  name: string,
  kind: Layer['kind'],
  origin: LayerOrigin,
  inputShape: Shape,
  outputShape: Shape,
  extra: Partial<Layer>,
  inputs = 1,
): Layer {
  const params = extra.params ?? 0;
  return {
    name,
    kind,
    origin,
    inputShape,
    outputShape,
    inputs,
    flops: 0,
    elementwiseOps: 0,
    ...extra,
    params,
    activationBytes: numel(outputShape) * BYTES,
    inputBytes: numel(inputShape) * BYTES * inputs,
    weightBytes: params * BYTES,
  };
}

/** Conv2d (no bias unless `bias`), optional groups; flops = MACs = k²·(Cin/groups)·Cout·Hout·Wout·N. */
export function conv(
  name: string,
  origin: LayerOrigin,
  input: Shape4,
  outChannels: number,
  kernel: number,
  stride = 1,
  groups = 1,
  bias = false,
): Layer {
  const [n, h, w, c] = input;
  const out: Shape4 = [n, convOut(h, kernel, stride), convOut(w, kernel, stride), outChannels];
  const perPosition = kernel * kernel * (c / groups) * outChannels;
  const params = kernel * kernel * (c / groups) * outChannels + (bias ? outChannels : 0);
  const flops = perPosition * out[0] * out[1] * out[2] + (bias ? numel(out) : 0);
  return record(name, 'conv', origin, input, out, { kernel, stride, groups, params, flops });
}

/** BatchNorm with affine scale/shift (2 params and 2 ops per channel element). */
export function batchNorm(name: string, origin: LayerOrigin, input: Shape4): Layer {
  return record(name, 'bn', origin, input, input, { params: 2 * input[3], elementwiseOps: 2 * numel(input) });
}

export function relu(name: string, origin: LayerOrigin, input: Shape4): Layer {
  return record(name, 'relu', origin, input, input, { elementwiseOps: numel(input) });
}

/** Average pooling k×k with padding k//2 unless given (NB201's 2×2 stride-2 shortcut pool has none). */
export function avgPool(
  name: string,
  origin: LayerOrigin,
  input: Shape4,
  kernel: number,
  stride = 1,
  padding = Math.floor(kernel / 2),
): Layer {
  const [n, h, w, c] = input;
  const out: Shape4 = [n, convOut(h, kernel, stride, padding), convOut(w, kernel, stride, padding), c];
  return record(name, 'avgpool', origin, input, out, { kernel, stride, elementwiseOps: numel(out) * kernel * kernel });
}

/** Elementwise sum of `inputs` tensors of one shape. */
export function add(name: string, origin: LayerOrigin, shape: Shape4, inputs: number): Layer {
  return record(name, 'add', origin, shape, shape, { elementwiseOps: numel(shape) * (inputs - 1) }, inputs);
}

export function globalAvgPool(name: string, origin: LayerOrigin, input: Shape4): Layer {
  return record(name, 'gap', origin, input, [input[0], input[3]], { elementwiseOps: numel(input) });
}

/** Linear layer with bias; flops = N·in·out + N·out (bias adds counted, as NB201 does). */
export function dense(name: string, origin: LayerOrigin, input: [number, number], units: number): Layer {
  const [n, c] = input;
  return record(name, 'fc', origin, input, [n, units], { params: c * units + units, flops: n * c * units + n * units });
}

/** An op that outputs zeros (NB201 `none`) or passes its input through (`skip_connect`): no arithmetic. */
export function passThrough(name: string, kind: 'zero' | 'identity', origin: LayerOrigin, input: Shape4): Layer {
  return record(name, kind, origin, input, input, {});
}

/** Sum of a numeric field over layers. */
export function total(layers: readonly Layer[], field: 'flops' | 'params' | 'elementwiseOps' | 'activationBytes' | 'weightBytes'): number {
  let sum = 0;
  for (const l of layers) sum += l[field];
  return sum;
}
