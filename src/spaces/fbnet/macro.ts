// The FBNet macro network of HW-NAS-Bench / HELP (CIFAR setting) and its analytic layer list.
//
// Plan (HW-NAS-Bench `FBNet_Infer`, FBNet-v1 channels with the unofficial CIFAR strides):
//   stem   3×3 conv 3→16, stride 1, BN, ReLU
//   blocks 22 searchable blocks in 7 stages of [1, 4, 4, 4, 4, 4, 1] blocks with
//          [16, 24, 32, 64, 112, 184, 352] output channels; the first block of a stage has the stage
//          stride [1, 1, 2, 2, 1, 2, 1], the others stride 1. Input channels of block 0 = 16 (stem).
//          k{K}_e{E}[_g2]: 1×1 conv Cin→E·Cin (groups g) + BN + ReLU, channel shuffle when g = 2,
//          K×K depthwise conv (stride) + BN + ReLU, 1×1 conv E·Cin→Cout (groups g) + BN,
//          plus the input when Cin = Cout and stride 1.
//          skip: identity, but a 1×1 conv (stride) + BN + ReLU when the stride is 2 or Cin ≠ Cout.
//   head   1×1 conv 352→1504 + BN + ReLU, global average pool, linear 1504→classes (with bias).
// Convs have no bias; padding is K//2. At 32×32 with 100 classes this reproduces the `params` column of
// nasflat/fbnet_zcp.csv exactly, and `torchstatFlops` reproduces its `flops` column exactly (all 5,000 archs).
import { add, batchNorm, conv, dense, globalAvgPool, passThrough, relu } from '../layers.js';
import type { InputShape, Layer, LayerOrigin, Shape4 } from '../types.js';
import { FBNET_OPS, parseFbnet } from './arch.js';

export const STAGE_BLOCKS = [1, 4, 4, 4, 4, 4, 1] as const;
export const STAGE_CHANNELS = [16, 24, 32, 64, 112, 184, 352] as const;
export const STAGE_STRIDES = [1, 1, 2, 2, 1, 2, 1] as const;
export const STEM_CHANNELS = 16;
export const HEAD_CHANNELS = 1504;

/** Kernel, expansion and groups of a block choice; undefined for `skip`. */
export function blockConfig(choice: number): { kernel: number; expansion: number; groups: number } | undefined {
  const m = /^k(\d)_e(\d)(_g(\d))?$/.exec(FBNET_OPS[choice]);
  return m === null ? undefined : { kernel: Number(m[1]), expansion: Number(m[2]), groups: m[4] === undefined ? 1 : Number(m[4]) };
}

/** Input/output channels and stride of each of the 22 blocks, which depend only on the position. */
export const BLOCK_PLAN: readonly { stage: number; inChannels: number; outChannels: number; stride: number }[] = STAGE_BLOCKS.flatMap(
  (n, stage) =>
    Array.from({ length: n }, (_, i) => ({
      stage,
      inChannels: i > 0 ? STAGE_CHANNELS[stage] : stage === 0 ? STEM_CHANNELS : STAGE_CHANNELS[stage - 1],
      outChannels: STAGE_CHANNELS[stage],
      stride: i === 0 ? STAGE_STRIDES[stage] : 1,
    })),
);

/** Zero-padded block number so names sort: `block07`. */
export const blockName = (block: number): string => `block${String(block).padStart(2, '0')}`;

/** Conv + BN (+ ReLU) records named `${prefix}.conv|bn|relu`. */
function convBnRelu(
  out: Layer[],
  prefix: string,
  origin: LayerOrigin,
  input: Shape4,
  channels: number,
  kernel: number,
  stride: number,
  groups: number,
  withRelu: boolean,
): Shape4 {
  const c = conv(`${prefix}.conv`, origin, input, channels, kernel, stride, groups);
  const shape = c.outputShape as Shape4;
  out.push(c, batchNorm(`${prefix}.bn`, origin, shape));
  if (withRelu) out.push(relu(`${prefix}.relu`, origin, shape));
  return shape;
}

/** Per-layer shapes and costs of an FBNet arch for `input` (any batch size and resolution). @throws UnknownArchError */
export function fbnetLayers(arch: string, input: InputShape): Layer[] {
  const choices = parseFbnet(arch);
  const layers: Layer[] = [];
  let shape: Shape4 = [input.batchSize, input.resolution, input.resolution, input.channels];
  shape = convBnRelu(layers, 'stem', { stage: 'stem', op: 'stem' }, shape, STEM_CHANNELS, 3, 1, 1, true);

  choices.forEach((choice, block) => {
    const { inChannels, outChannels, stride } = BLOCK_PLAN[block];
    const op = FBNET_OPS[choice];
    const origin: LayerOrigin = { stage: 'block', block, op };
    const prefix = `${blockName(block)}.${op}`;
    const cfg = blockConfig(choice);
    if (cfg === undefined) {
      if (stride !== 1 || inChannels !== outChannels) shape = convBnRelu(layers, prefix, origin, shape, outChannels, 1, stride, 1, true);
      else layers.push(passThrough(`${prefix}.identity`, 'identity', origin, shape));
      return;
    }
    const hidden = inChannels * cfg.expansion;
    let x = convBnRelu(layers, `${prefix}.expand`, origin, shape, hidden, 1, 1, cfg.groups, true);
    // A channel shuffle only permutes channels: no arithmetic, no parameters.
    if (cfg.groups > 1) layers.push({ ...passThrough(`${prefix}.shuffle`, 'identity', origin, x), groups: cfg.groups });
    x = convBnRelu(layers, `${prefix}.dw`, origin, x, hidden, cfg.kernel, stride, hidden, true);
    x = convBnRelu(layers, `${prefix}.project`, origin, x, outChannels, 1, 1, cfg.groups, false);
    if (inChannels === outChannels && stride === 1) layers.push(add(`${prefix}.add`, origin, x, 2));
    shape = x;
  });

  shape = convBnRelu(layers, 'head', { stage: 'head', op: 'head' }, shape, HEAD_CHANNELS, 1, 1, 1, true);
  const gap = globalAvgPool('head.gap', { stage: 'head', op: 'gap' }, shape);
  layers.push(gap, dense('head.fc', { stage: 'head', op: 'fc' }, gap.outputShape as [number, number], input.classes));
  return layers;
}

/**
 * FLOPs as the NASLib/NASFLAT zero-cost `flops` proxy counts them (tensorwatch/torchstat convention), which is
 * what the `flops` column of nasflat/fbnet_zcp.csv holds: conv and linear multiply–accumulates (no bias
 * adds), 2 per BN element, 1 per ReLU element, 1 per input element of the global average pool; residual
 * adds and shuffles are free. torchstat keeps only the last call of a module, and HW-NAS-Bench's block
 * reuses one ReLU module for both of its ReLUs, so only the ReLU after the depthwise conv is counted.
 */
export function torchstatFlops(layers: readonly Layer[]): number {
  let sum = 0;
  for (const l of layers) {
    if (l.kind === 'conv') sum += l.flops;
    else if (l.kind === 'fc') sum += l.flops - l.outputShape[0] * l.outputShape[1];
    else if (l.kind === 'bn' || l.kind === 'gap') sum += l.elementwiseOps;
    else if (l.kind === 'relu' && !(l.origin.stage === 'block' && l.name.endsWith('.expand.relu'))) sum += l.elementwiseOps;
  }
  return sum;
}
