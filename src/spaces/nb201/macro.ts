// The NAS-Bench-201 macro network (xautodl `TinyNetwork` + `InferCell`) and its analytic layer list.
//
//   stem        3×3 conv 3→16 (no bias) + BN
//   stage1..3   5 cells each at C = 16, 32, 64; every cell computes all 6 edges, node j = sum of its inputs,
//               cell output = node 3. Ops: none = x·0, skip_connect = x, nor_conv_k×k = ReLU→Conv k×k→BN,
//               avg_pool_3x3 = 3×3 average pool, stride 1, padding 1 (count_include_pad=False).
//   reduction1,2  ResNet basic block: ReLU→Conv3×3 s2→BN, ReLU→Conv3×3→BN, shortcut AvgPool2×2 s2 → Conv1×1,
//               then add.
//   head        BN + ReLU (`lastact`), global average pool, linear C→classes (with bias).
// Every edge is built and counted, including edges whose output never reaches node 3: NB201 builds them too, and
// its FLOPs (which count only Conv2d and Linear, as multiply–accumulates) include them.
import { UsageError } from '../../core/errors.js';
import { add, avgPool, batchNorm, conv, dense, globalAvgPool, passThrough, relu } from '../layers.js';
import type { InputShape, Layer, LayerOrigin, Shape4 } from '../types.js';
import { NB201_EDGES, NB201_EDGE_COUNT, NB201_OPS, parseNb201 } from './arch.js';

export const STEM_CHANNELS = 16;
export const STAGE_CHANNELS = [16, 32, 64] as const;
export const CELLS_PER_STAGE = 5;

/**
 * Origins and name prefixes of every (stage, cell, edge, op), shared read-only by all layer lists and built once: `layers()` runs for the whole space in
 * benchmarks and encoders, and building 15 cells × 6 edges of strings per call dominated its time.
 */
const EDGE_TAGS = [0, 1, 2].map((stage) =>
  Array.from({ length: CELLS_PER_STAGE }, (_, cell) =>
    NB201_EDGES.map(([from, to]) =>
      NB201_OPS.map((op) => ({
        origin: { stage: `stage${stage + 1}`, cell, edge: [from, to] as [number, number], op } satisfies LayerOrigin,
        prefix: `stage${stage + 1}.cell${cell}.edge${from}-${to}.${op}`,
      })),
    ),
  ),
);
const NODE_TAGS = [0, 1, 2].map((stage) =>
  Array.from({ length: CELLS_PER_STAGE }, (_, cell) =>
    [2, 3].map((node) => ({ origin: { stage: `stage${stage + 1}`, cell, op: 'sum' } satisfies LayerOrigin, name: `stage${stage + 1}.cell${cell}.node${node}.add` })),
  ),
);

/** ReLU→Conv→BN (NB201 `ReLUConvBN`, conv without bias) records named `${prefix}.relu|conv|bn`. */
function reluConvBn(out: Layer[], prefix: string, origin: LayerOrigin, input: Shape4, channels: number, kernel: number, stride: number): Shape4 {
  out.push(relu(`${prefix}.relu`, origin, input));
  const c = conv(`${prefix}.conv`, origin, input, channels, kernel, stride);
  const shape = c.outputShape as Shape4;
  out.push(c, batchNorm(`${prefix}.bn`, origin, shape));
  return shape;
}

/** The residual reduction block between stages (NB201 `ResNetBasicblock(C_in, C_out, stride 2)`). */
function reductionBlock(out: Layer[], index: number, input: Shape4, channels: number): Shape4 {
  const stage = `reduction${index}`;
  const origin: LayerOrigin = { stage, op: 'resblock' };
  const a = reluConvBn(out, `${stage}.conv_a`, origin, input, channels, 3, 2);
  const b = reluConvBn(out, `${stage}.conv_b`, origin, a, channels, 3, 1);
  const pool = avgPool(`${stage}.shortcut.avgpool`, origin, input, 2, 2, 0);
  const shortcut = conv(`${stage}.shortcut.conv`, origin, pool.outputShape as Shape4, channels, 1, 1);
  out.push(pool, shortcut, add(`${stage}.add`, origin, b, 2));
  return b;
}

/** Shape checks NB201's network needs: the two stride-2 reductions must halve the size exactly. */
function checkInput(input: InputShape): void {
  const { batchSize, resolution, channels, classes } = input;
  const positive = [batchSize, resolution, channels, classes].every((v) => Number.isInteger(v) && v > 0);
  if (!positive) throw new UsageError(`nb201: batch size, resolution, channels and classes must be positive integers, got ${JSON.stringify(input)}`);
  if (resolution % 4 !== 0) throw new UsageError(`nb201: resolution must be a multiple of 4 (two stride-2 reductions), got ${resolution}`);
}

/**
 * Per-layer shapes and costs of an NB201 cell in the NB201 macro network for `input` (any batch size and
 * resolution that is a multiple of 4). @throws UnknownArchError, UsageError
 */
export function nb201Layers(arch: string, input: InputShape): Layer[] {
  return nb201LayersOfOps(parseNb201(arch), input);
}

/** `nb201Layers` for already-parsed op ids (edge order of `NB201_EDGES`). */
export function nb201LayersOfOps(ops: ArrayLike<number>, input: InputShape): Layer[] {
  checkInput(input);
  const layers: Layer[] = [];
  let shape: Shape4 = [input.batchSize, input.resolution, input.resolution, input.channels];
  const stemOrigin: LayerOrigin = { stage: 'stem', op: 'stem' };
  const stem = conv('stem.conv', stemOrigin, shape, STEM_CHANNELS, 3, 1);
  shape = stem.outputShape as Shape4;
  layers.push(stem, batchNorm('stem.bn', stemOrigin, shape));

  for (let stage = 0; stage < STAGE_CHANNELS.length; stage++) {
    const channels = STAGE_CHANNELS[stage];
    if (stage > 0) shape = reductionBlock(layers, stage, shape, channels);
    for (let cell = 0; cell < CELLS_PER_STAGE; cell++) {
      // Inside a cell every node has the cell's shape (C_in = C_out, stride 1).
      for (let e = 0; e < NB201_EDGE_COUNT; e++) {
        const { origin, prefix } = EDGE_TAGS[stage][cell][e][ops[e]];
        switch (origin.op) {
          case 'none':
            layers.push(passThrough(`${prefix}.zero`, 'zero', origin, shape));
            break;
          case 'skip_connect':
            layers.push(passThrough(`${prefix}.identity`, 'identity', origin, shape));
            break;
          case 'nor_conv_1x1':
            reluConvBn(layers, prefix, origin, shape, channels, 1, 1);
            break;
          case 'nor_conv_3x3':
            reluConvBn(layers, prefix, origin, shape, channels, 3, 1);
            break;
          case 'avg_pool_3x3':
            layers.push(avgPool(`${prefix}.avgpool`, origin, shape, 3, 1));
        }
        // Node 2 is complete after edge 2 (its inputs 0, 1), node 3 after edge 5 (inputs 0, 1, 2).
        if (e === 2) layers.push(add(NODE_TAGS[stage][cell][0].name, NODE_TAGS[stage][cell][0].origin, shape, 2));
        if (e === 5) layers.push(add(NODE_TAGS[stage][cell][1].name, NODE_TAGS[stage][cell][1].origin, shape, 3));
      }
    }
  }

  const headOrigin: LayerOrigin = { stage: 'head', op: 'lastact' };
  layers.push(batchNorm('head.bn', headOrigin, shape), relu('head.relu', headOrigin, shape));
  const gap = globalAvgPool('head.gap', { stage: 'head', op: 'gap' }, shape);
  layers.push(gap, dense('head.fc', { stage: 'head', op: 'fc' }, gap.outputShape as [number, number], input.classes));
  return layers;
}
