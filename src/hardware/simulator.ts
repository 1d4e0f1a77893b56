// The per-layer latency simulator: time = max(compute, memory) + launch overhead, with shape-dependent utilisation.
import type { Layer } from '../spaces/types.js';
import type { OpClass, Precision, SimulatedParams } from './schema.js';

/** A layer as the simulator sees it: what-ifs may set its precision or fuse it into a neighbour. */
export type SimLayer = Layer & {
  /** Precision of this layer; default the run's precision. */
  precision?: Precision;
  /** Name of the layer this one was fused into: it then costs nothing of its own. */
  fusedInto?: string;
};

export type Bound = 'compute' | 'memory' | 'overhead' | 'free';

/** The simulated cost of one layer. */
export interface LayerCost {
  timeMs: number;
  computeMs: number;
  memoryMs: number;
  overheadMs: number;
  /** Bytes moved to/from off-chip memory at the layer's precision. */
  bytesMoved: number;
  bound: Bound;
  opClass: OpClass | 'none';
  precision: Precision;
}

export const BYTES_PER_ELEMENT: Record<Precision, number> = { fp32: 4, fp16: 2, int8: 1 };

/** Peak in FLOP/s at a precision; a precision the device does not accelerate runs at the fp32 rate. */
export function peakFlops(sim: SimulatedParams, precision: Precision): number {
  const p = sim.peak;
  const gflops = precision === 'int8' ? (p.int8Gops ?? p.fp32Gflops) : precision === 'fp16' ? (p.fp16Gflops ?? p.fp32Gflops) : p.fp32Gflops;
  return gflops * 1e9;
}

/** The efficiency class of a layer, or 'none' for layers that do no work (zero / identity ops, reshape views). */
export function opClassOf(layer: Layer): OpClass | 'none' {
  switch (layer.kind) {
    case 'conv': {
      const inChannels = layer.inputShape[layer.inputShape.length - 1];
      if ((layer.groups ?? 1) > 1 && layer.groups === inChannels) return 'depthwise';
      return layer.kernel === 1 ? 'pointwise' : 'conv';
    }
    case 'fc':
      return 'fc';
    case 'avgpool':
    case 'maxpool':
    case 'gap':
      return 'pool';
    case 'bn':
    case 'relu':
    case 'activation':
    case 'add':
    case 'elementwise':
    case 'concat':
    case 'copy':
      // A concat or copy has no arithmetic (elementwiseOps 0): it costs its memory traffic and a launch.
      return 'elementwise';
    default:
      return 'none';
  }
}

/** Fraction of lanes a channel count keeps busy when channels are processed `tile` at a time. */
function tileUtil(channels: number, tile: number): number {
  if (tile <= 1) return 1;
  return channels / (Math.ceil(channels / tile) * tile);
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Simulate one layer. Pure; `into` is filled and returned so the fast path can reuse one object.
 * A zero/identity layer, or one fused into a neighbour, costs nothing (no kernel is launched for it).
 */
export function simulateLayer(sim: SimulatedParams, layer: SimLayer, precision: Precision, into?: LayerCost): LayerCost {
  const out = into ?? ({} as LayerCost);
  const prec = layer.precision ?? precision;
  const opClass = layer.fusedInto === undefined ? opClassOf(layer) : 'none';
  out.opClass = opClass;
  out.precision = prec;
  if (opClass === 'none') {
    out.timeMs = out.computeMs = out.memoryMs = out.overheadMs = out.bytesMoved = 0;
    out.bound = 'free';
    return out;
  }
  const channels = layer.outputShape[layer.outputShape.length - 1];
  const util = sim.utilisation;
  let ops: number;
  let lanes: number;
  if (opClass === 'conv' || opClass === 'pointwise' || opClass === 'depthwise' || opClass === 'fc') {
    ops = 2 * layer.flops;
    const inChannels = layer.inputShape[layer.inputShape.length - 1] / (layer.groups ?? 1);
    // Without depthwise support a depthwise conv occupies one input lane of each tile (a systolic array column).
    const inLanes = opClass === 'depthwise' && sim.support.depthwise ? 1 : tileUtil(inChannels, util.inChannelTile);
    lanes = inLanes * tileUtil(channels, util.outChannelTile);
  } else {
    ops = layer.elementwiseOps;
    lanes = tileUtil(channels, util.outChannelTile);
  }
  const outputs = numel(layer.outputShape);
  const parallel = util.halfUtilOutputs > 0 ? outputs / (outputs + util.halfUtilOutputs) : 1;
  const computeS = ops / (peakFlops(sim, prec) * sim.efficiency[opClass] * lanes * parallel);

  const scale = BYTES_PER_ELEMENT[prec] / 4;
  const weightBytes = layer.weightBytes * scale;
  const activationBytes = (layer.inputBytes + layer.activationBytes) * scale;
  // On-chip reuse: when inputs, outputs and weights fit together, activations never leave the chip.
  const fits = weightBytes + activationBytes <= sim.memory.onChipKiB * 1024;
  const bytesMoved = fits ? weightBytes : weightBytes + activationBytes;
  const memoryS = bytesMoved / (sim.memory.bandwidthGBs * 1e9);
  const overheadS = sim.overhead.perLayerUs * 1e-6;

  out.computeMs = computeS * 1e3;
  out.memoryMs = memoryS * 1e3;
  out.overheadMs = overheadS * 1e3;
  out.bytesMoved = bytesMoved;
  out.timeMs = Math.max(out.computeMs, out.memoryMs) + out.overheadMs;
  out.bound = out.overheadMs > Math.max(out.computeMs, out.memoryMs) ? 'overhead' : out.computeMs >= out.memoryMs ? 'compute' : 'memory';
  return out;
}

/**
 * Total simulated latency in ms of a layer list: the sum of per-layer times plus the per-inference overhead.
 * The fast path for scoring many archs: no allocation per layer.
 */
export function simulateArch(sim: SimulatedParams, layers: readonly SimLayer[], precision: Precision = sim.defaultPrecision): number {
  const scratch = {} as LayerCost;
  let totalMs = sim.overhead.perInferenceUs * 1e-3;
  for (const layer of layers) totalMs += simulateLayer(sim, layer, precision, scratch).timeMs;
  return totalMs;
}

/** Per-layer costs of a layer list (in order) and their total, including the per-inference overhead. */
export function simulateLayers(
  sim: SimulatedParams,
  layers: readonly SimLayer[],
  precision: Precision = sim.defaultPrecision,
): { costs: LayerCost[]; totalMs: number } {
  const costs = layers.map((l) => simulateLayer(sim, l, precision));
  let totalMs = sim.overhead.perInferenceUs * 1e-3;
  for (const c of costs) totalMs += c.timeMs;
  return { costs, totalMs };
}
