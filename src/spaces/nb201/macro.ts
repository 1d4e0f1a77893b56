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
import type { InputProblem, InputShape, Layer, LayerOrigin, Shape4 } from '../types.js';
import { NB201_EDGES, NB201_EDGE_COUNT, NB201_OPS, parseNb201 } from './arch.js';

export const STEM_CHANNELS = 16;
export const STAGE_CHANNELS = [16, 32, 64] as const;
export const CELLS_PER_STAGE = 5;

/** ReLU→Conv→BN (NB201 `ReLUConvBN`, conv without bias) records named `${prefix}.relu|conv|bn`. */
function reluConvBn(
  out: Layer[],
  prefix: string,
  origin: LayerOrigin,
  input: Shape4,
  channels: number,
  kernel: number,
  stride: number,
): Shape4 {
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

/** What NB201's network needs of its input beyond positive sizes: the two stride-2 reductions must halve the size exactly. */
export function nb201InputProblem(input: InputShape): InputProblem | undefined {
  return input.resolution % 4 === 0
    ? undefined
    : { field: 'resolution', reason: 'must be a multiple of 4 for nb201 (two stride-2 reductions)' };
}

function checkInput(input: InputShape): void {
  const { batchSize, resolution, channels, classes } = input;
  const positive = [batchSize, resolution, channels, classes].every((v) => Number.isInteger(v) && v > 0);
  if (!positive)
    throw new UsageError(`nb201: batch size, resolution, channels and classes must be positive integers, got ${JSON.stringify(input)}`);
  const problem = nb201InputProblem(input);
  if (problem !== undefined) throw new UsageError(`nb201: ${problem.field} ${problem.reason}, got ${input[problem.field]}`);
}

/**
 * Every layer any NB201 arch can have for one input, frozen: the list of an arch only picks from it. Per edge and
 * op the records depend on nothing but the input (every edge is built, node sums always have 2 and 3 inputs), so
 * `layers()` is a few hundred array pushes instead of a few hundred record constructions.
 */
interface LayerPlan {
  key: string;
  stem: Layer[];
  /** Reduction block before stage s (index s − 1). */
  reductions: Layer[][];
  /** edges[stage][cell][edge][op]. */
  edges: Layer[][][][][];
  /** sums[stage][cell] = [node-2 add, node-3 add]. */
  sums: [Layer, Layer][][];
  head: Layer[];
}

/** Deep-freeze a record so that a consumer mutating a shared layer fails loudly instead of corrupting others. */
function freeze(layer: Layer): Layer {
  Object.freeze(layer.inputShape);
  Object.freeze(layer.outputShape);
  Object.freeze(layer.origin.edge);
  Object.freeze(layer.origin);
  return Object.freeze(layer);
}

function buildPlan(input: InputShape, key: string): LayerPlan {
  checkInput(input);
  const stemOrigin: LayerOrigin = { stage: 'stem', op: 'stem' };
  const stemConv = conv(
    'stem.conv',
    stemOrigin,
    [input.batchSize, input.resolution, input.resolution, input.channels],
    STEM_CHANNELS,
    3,
    1,
  );
  let shape = stemConv.outputShape as Shape4;
  const plan: LayerPlan = { key, stem: [stemConv, batchNorm('stem.bn', stemOrigin, shape)], reductions: [], edges: [], sums: [], head: [] };

  STAGE_CHANNELS.forEach((channels, stage) => {
    if (stage > 0) {
      const block: Layer[] = [];
      shape = reductionBlock(block, stage, shape, channels);
      plan.reductions.push(block);
    }
    const name = `stage${stage + 1}`;
    const cellShape = shape;
    plan.edges.push(
      Array.from({ length: CELLS_PER_STAGE }, (_, cell) =>
        NB201_EDGES.map(([from, to]) =>
          NB201_OPS.map((op) => {
            // Inside a cell every node has the cell's shape (C_in = C_out, stride 1).
            const origin: LayerOrigin = { stage: name, cell, edge: [from, to], op };
            const prefix = `${name}.cell${cell}.edge${from}-${to}.${op}`;
            const layers: Layer[] = [];
            if (op === 'none') layers.push(passThrough(`${prefix}.zero`, 'zero', origin, cellShape));
            else if (op === 'skip_connect') layers.push(passThrough(`${prefix}.identity`, 'identity', origin, cellShape));
            else if (op === 'avg_pool_3x3') layers.push(avgPool(`${prefix}.avgpool`, origin, cellShape, 3, 1));
            else reluConvBn(layers, prefix, origin, cellShape, channels, op === 'nor_conv_1x1' ? 1 : 3, 1);
            return layers;
          }),
        ),
      ),
    );
    plan.sums.push(
      Array.from({ length: CELLS_PER_STAGE }, (_, cell) => {
        const origin: LayerOrigin = { stage: name, cell, op: 'sum' };
        return [add(`${name}.cell${cell}.node2.add`, origin, cellShape, 2), add(`${name}.cell${cell}.node3.add`, origin, cellShape, 3)];
      }),
    );
  });

  const headOrigin: LayerOrigin = { stage: 'head', op: 'lastact' };
  const gap = globalAvgPool('head.gap', { stage: 'head', op: 'gap' }, shape);
  plan.head.push(
    batchNorm('head.bn', headOrigin, shape),
    relu('head.relu', headOrigin, shape),
    gap,
    dense('head.fc', { stage: 'head', op: 'fc' }, gap.outputShape as [number, number], input.classes),
  );

  [plan.stem, ...plan.reductions, plan.head, ...plan.edges.flat(3), ...plan.sums.flat(2).map((l) => [l])].forEach((layers) =>
    layers.forEach(freeze),
  );
  return plan;
}

// The plan of the last input asked for: callers sweep many archs at one input (search, encoders, benchmarks).
let lastPlan: LayerPlan | undefined;

function planFor(input: InputShape): LayerPlan {
  const key = `${input.batchSize}/${input.resolution}/${input.channels}/${input.classes}`;
  if (lastPlan?.key !== key) lastPlan = buildPlan(input, key);
  return lastPlan;
}

/**
 * Per-layer shapes and costs of an NB201 cell in the NB201 macro network for `input` (any batch size and
 * resolution that is a multiple of 4). The records are shared between calls and frozen: copy one to change it.
 * @throws UnknownArchError, UsageError
 */
export function nb201Layers(arch: string, input: InputShape): Layer[] {
  return nb201LayersOfOps(parseNb201(arch), input);
}

/** `nb201Layers` for already-parsed op ids (edge order of `NB201_EDGES`). */
export function nb201LayersOfOps(ops: ArrayLike<number>, input: InputShape): Layer[] {
  const plan = planFor(input);
  const layers: Layer[] = [...plan.stem];
  for (let stage = 0; stage < STAGE_CHANNELS.length; stage++) {
    if (stage > 0) layers.push(...plan.reductions[stage - 1]);
    for (let cell = 0; cell < CELLS_PER_STAGE; cell++) {
      const edges = plan.edges[stage][cell];
      for (let e = 0; e < NB201_EDGE_COUNT; e++) {
        layers.push(...edges[e][ops[e]]);
        // Node 2 is complete after edge 2 (its inputs 0, 1), node 3 after edge 5 (inputs 0, 1, 2).
        if (e === 2) layers.push(plan.sums[stage][cell][0]);
        if (e === 5) layers.push(plan.sums[stage][cell][1]);
      }
    }
  }
  layers.push(...plan.head);
  return layers;
}
