// Bring your own model: ONNX and TF.js files read into hwnas' layer list. Exported NB201 / FBNet archs cost what the
// analytic layer list costs; hand-built models check shapes op by op; malformed files are one typed error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HwnasError, ModelFileError, UnsupportedOpError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { archToOnnx } from '../../src/formats/onnx.js';
import { importModel, importModelFile, syntheticOnnxChain, type ImportedModel } from '../../src/formats/import/index.js';
import { profileArch, profileModel } from '../../src/hardware/breakdown.js';
import { BUILTIN_PROFILES } from '../../src/hardware/registry.js';
import type { SimulatedProfile } from '../../src/hardware/schema.js';
import { opClassOf, simulateArch, simulateLayers } from '../../src/hardware/simulator.js';
import { fuseLayers, parseWhatIfs, pruneLayers } from '../../src/hardware/whatif.js';
import { fileSaveHandler } from '../../src/formats/tfjs-file-io.js';
import { formatFbnet } from '../../src/spaces/fbnet/arch.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';
import { total } from '../../src/spaces/layers.js';
import { formatNb201 } from '../../src/spaces/nb201/arch.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { tfLayerName } from '../../src/spaces/tfjs-model.js';
import type { InputShape, Layer, SearchSpace } from '../../src/spaces/types.js';

const { onnx } = onnxProto;
const simulated = BUILTIN_PROFILES.filter((p): p is SimulatedProfile => p.kind === 'simulated');
const mobileCpu = simulated.find((p) => p.name === 'mobile-cpu')!;

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-import-'));
});
afterAll(() => {
  tf.disposeVariables();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The ONNX file hwnas exports for an arch, written and read back from disk. */
function onnxFile(space: SearchSpace, arch: string, input: InputShape, name: string): ImportedModel {
  const file = path.join(dir, `${name}.onnx`);
  fs.writeFileSync(file, archToOnnx(space, arch, input, 1));
  return importModelFile(file);
}

/** The TF.js LayersModel hwnas builds for an arch, saved as model.json + weights.bin and read back from disk. */
async function tfjsFile(space: SearchSpace, arch: string, input: InputShape, name: string): Promise<ImportedModel> {
  const model = space.buildModel(arch, input, { seed: 1 });
  try {
    await model.save(fileSaveHandler(path.join(dir, name)));
  } finally {
    model.dispose();
  }
  return importModelFile(path.join(dir, name, 'model.json'));
}

const fields = ['flops', 'params', 'elementwiseOps', 'weightBytes'] as const;
const timeOf = (profile: SimulatedProfile, layers: Layer[]): Map<string, number> => {
  const { costs } = simulateLayers(profile.simulated, layers);
  return new Map(layers.map((l, i) => [l.name, costs[i].timeMs]));
};

/**
 * The latency the analytic list would have if it had the file's extra rows: the imported list adds rows the analytic
 * list folds away (ONNX's channel-shuffle Transpose; TF.js's Permute / Cropping2D / Concatenate around the per-group
 * Conv2Ds that stand in for a grouped conv, since tfjs-layers has no `groups`), each costing its memory traffic and a
 * kernel launch. Everything else is the same op with the same shapes, so the identity holds to rounding.
 */
function accountedLatency(profile: SimulatedProfile, analytic: Layer[], imported: Layer[]): number {
  const importedTime = timeOf(profile, imported);
  const analyticTime = timeOf(profile, analytic);
  let ms = simulateArch(profile.simulated, analytic);
  for (const l of imported) if (l.kind === 'copy' || l.kind === 'concat') ms += importedTime.get(l.name)!;
  for (const l of analytic) {
    const grouped = l.kind === 'conv' && (l.groups ?? 1) > 1 && opClassOf(l) !== 'depthwise';
    const parts = Array.from({ length: l.groups ?? 1 }, (_, g) => importedTime.get(`${tfLayerName(l.name)}_g${g}`));
    if (grouped && parts.every((t) => t !== undefined)) ms += parts.reduce((a: number, t) => a + t!, 0) - analyticTime.get(l.name)!;
  }
  return ms;
}

const nb201Archs = [
  '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
  formatNb201([0, 0, 0, 0, 0, 0]), // all none: Mul by 0 (ONNX), a frozen zero depthwise conv (TF.js)
  formatNb201([1, 1, 1, 1, 1, 1]), // all skip: no node at all in either file
  formatNb201([4, 4, 4, 4, 4, 4]),
  formatNb201([3, 2, 4, 1, 3, 0]),
];
const fbnetArchs = [
  formatFbnet(Array(22).fill(3)), // k3_e6 everywhere: expand / depthwise / project, residual adds
  formatFbnet(Array(22).fill(8)), // all skip: identities and shape-changing 1x1 convs
  formatFbnet(Array(22).fill(1)), // k3_e1_g2: grouped convs and channel shuffles
  formatFbnet(Array.from({ length: 22 }, (_, i) => [8, 1, 7, 5][i % 4])),
];

describe('importing exported archs (ONNX and TF.js files)', () => {
  it.each([
    ['nb201', nb201Space, nb201Archs],
    ['fbnet', fbnetSpace, fbnetArchs],
  ] as const)(
    '%s: FLOPs, params, elementwise ops and weights equal the analytic layer list; latency equal once the extra rows are accounted',
    async (spaceName, space, archs) => {
      const input = space.defaultInput();
      for (const [k, arch] of archs.entries()) {
        const analytic = space.layers(arch, input);
        const grouped = analytic.some((l) => l.kind === 'conv' && (l.groups ?? 1) > 1 && opClassOf(l) !== 'depthwise');
        for (const model of [
          onnxFile(space, arch, input, `${spaceName}-${k}`),
          await tfjsFile(space, arch, input, `${spaceName}-${k}-tfjs`),
        ]) {
          const where = `${model.format} ${arch}`;
          expect(model.input, where).toEqual(input);
          const layers = model.layers(input);
          for (const f of fields) expect(total(layers, f), `${where} ${f}`).toBe(total(analytic, f));
          expect(
            layers.every((l) => l.origin.stage === 'model' && l.origin.op !== '' && l.fuseGroup !== undefined),
            where,
          ).toBe(true);
          for (const profile of simulated) {
            const ms = simulateArch(profile.simulated, layers);
            expect(ms / accountedLatency(profile, analytic, layers) - 1, `${where} on ${profile.name}`).toBeCloseTo(0, 9);
            // Without grouped convs the file has no extra work: the same latency, to rounding.
            if (!grouped) expect(ms / simulateArch(profile.simulated, analytic) - 1, `${where} on ${profile.name}`).toBeCloseTo(0, 9);
          }
        }
      }
    },
  );

  it('what-ifs on an imported arch give the analytic totals: batch and resolution re-run shape inference, fuse finds the conv chains, prune scales channels', async () => {
    const scenarios = ['fuse', 'batch:4', 'resolution:64', 'prune:0.5', 'int8,fuse,batch:2,resolution:48'].map((w) => parseWhatIfs(w));
    for (const [space, arch] of [
      [nb201Space, nb201Archs[0]],
      [fbnetSpace, fbnetArchs[0]],
      [fbnetSpace, fbnetArchs[3]],
    ] as const) {
      const input = space.defaultInput();
      const analytic = profileArch(mobileCpu, space, arch, input, scenarios);
      for (const model of [
        onnxFile(space, arch, input, `whatif-${space.name}`),
        await tfjsFile(space, arch, input, `whatif-${space.name}-tfjs`),
      ]) {
        const report = profileModel(mobileCpu, model, model.input, scenarios);
        expect(report).toMatchObject({ space: 'model', model: { name: model.name, format: model.format, file: model.file }, input });
        expect(report.arch).toBeUndefined();
        report.whatIfs.forEach((w, i) => {
          const expected = analytic.whatIfs[i];
          const where = `${model.format} ${space.name} ${w.label}`;
          expect(w.input, where).toEqual(expected.input);
          expect(w.totals.flops, where).toBe(expected.totals.flops);
          // Without grouped convs the file has no extra rows: the same latency; see `accountedLatency` for the rest.
          const plain = space === nb201Space || arch === fbnetArchs[0];
          if (plain) expect(w.totals.latencyMs / expected.totals.latencyMs - 1, where).toBeCloseTo(0, 9);
          // Fusion removes exactly the analytic list's BN and ReLU kernels (TF.js's split grouped convs end in a
          // Concatenate, which nothing fuses into).
          if (w.label === 'fuse' && (plain || model.format === 'onnx'))
            expect(w.layers.filter((l) => l.fusedInto !== undefined).length, where).toBe(
              expected.layers.filter((l) => l.fusedInto !== undefined).length,
            );
        });
      }
    }
  });
});

// A small ONNX graph builder for the hand-built models.
type Attr = ReturnType<typeof onnx.AttributeProto.create>;
const ints = (name: string, values: number[]): Attr =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const int = (name: string, value: number): Attr =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });

function onnxModel(
  build: (g: {
    node: (op: string, name: string, inputs: string[], attrs?: Attr[]) => string;
    weight: (name: string, dims: number[]) => string;
    int64: (name: string, values: number[], dims?: number[]) => string;
    float: (name: string, values: number[]) => string;
  }) => string,
  inputDims: (number | string)[],
  opset = 13,
): Uint8Array {
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  const initializer: ReturnType<typeof onnx.TensorProto.create>[] = [];
  const tensor = (name: string, dims: number[], dataType: number, data: ArrayBufferView) => {
    initializer.push(
      onnx.TensorProto.create({ name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }),
    );
    return name;
  };
  const output = build({
    node: (opType, name, input, attribute = []) => {
      nodes.push(onnx.NodeProto.create({ opType, name, input, output: [name], attribute }));
      return name;
    },
    weight: (name, dims) => tensor(name, dims, onnx.TensorProto.DataType.FLOAT, new Float32Array(dims.reduce((a, b) => a * b, 1))),
    int64: (name, values, dims = [values.length]) =>
      tensor(name, dims, onnx.TensorProto.DataType.INT64, BigInt64Array.from(values.map(BigInt))),
    float: (name, values) =>
      tensor(name, values.length === 1 ? [] : [values.length], onnx.TensorProto.DataType.FLOAT, Float32Array.from(values)),
  });
  const type = (dims: (number | string)[]) =>
    onnx.TypeProto.create({
      tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
    });
  const graph = onnx.GraphProto.create({
    name: 'hand-built',
    node: nodes,
    initializer,
    input: [{ name: 'x', type: type(inputDims) }],
    output: [{ name: output, type: onnx.TypeProto.create({ tensorType: { elemType: 1 } }) }],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: opset }], graph })).finish();
}

/**
 * pad → conv 3x3/2 → BN → Clip (ReLU6) → depthwise 3x3 → grouped 1x1 (4 groups, bias) → channel shuffle (Reshape →
 * Transpose → Reshape) → HardSwish → max pool ‖ average pool → Concat → x·sigmoid(x) + x → global pool → flatten
 * through Shape → Gather → Unsqueeze → Concat → Reshape (PyTorch's `x.view(x.size(0), -1)`) → Dropout → Gemm →
 * MatMul → Softmax.
 */
const handBuilt = onnxModel(
  ({ node, weight, int64, float }) => {
    const padded = node('Pad', 'pad', ['x', int64('pads', [0, 0, 1, 1, 0, 0, 1, 1])]);
    const c1 = node('Conv', 'conv1', [padded, weight('conv1.w', [16, 3, 3, 3])], [ints('strides', [2, 2])]);
    const b1 = node('BatchNormalization', 'bn1', [c1, ...['s', 'b', 'm', 'v'].map((p) => weight(`bn1.${p}`, [16]))]);
    const a1 = node('Clip', 'relu6', [b1, float('zero', [0]), float('six', [6])]);
    const dw = node('Conv', 'dw', [a1, weight('dw.w', [16, 1, 3, 3])], [int('group', 16), ints('pads', [1, 1, 1, 1])]);
    const gc = node('Conv', 'gconv', [dw, weight('gconv.w', [32, 4, 1, 1]), weight('gconv.b', [32])], [int('group', 4)]);
    const split = node('Reshape', 'shuffle.split', [gc, int64('split', [0, 4, 8, 16, 16])]);
    const swapped = node('Transpose', 'shuffle.swap', [split], [ints('perm', [0, 2, 1, 3, 4])]);
    const merged = node('Reshape', 'shuffle.merge', [swapped, int64('merge', [0, 32, 16, 16])]);
    const hs = node('HardSwish', 'hswish', [merged]);
    const mp = node('MaxPool', 'maxpool', [hs], [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])]);
    const ap = node('AveragePool', 'avgpool', [hs], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
    const cat = node('Concat', 'concat', [mp, ap], [int('axis', 1)]);
    const sig = node('Sigmoid', 'sigmoid', [cat]);
    const swish = node('Mul', 'swish', [cat, sig]);
    const sum = node('Add', 'residual', [swish, cat]);
    const gap = node('GlobalAveragePool', 'gap', [sum]);
    const shape = node('Shape', 'shape', [gap]);
    const batch = node('Gather', 'batch', [shape, int64('zero_index', [0], [])], [int('axis', 0)]);
    const batch1 = node('Unsqueeze', 'batch1', [batch, int64('axes0', [0])]);
    const target = node('Concat', 'target', [batch1, int64('minus1', [-1])], [int('axis', 0)]);
    const flat = node('Reshape', 'flatten', [gap, target]);
    const drop = node('Dropout', 'dropout', [flat]);
    const fc = node('Gemm', 'fc', [drop, weight('fc.w', [10, 64]), weight('fc.b', [10])], [int('transB', 1)]);
    const mm = node('MatMul', 'proj', [fc, weight('proj.w', [10, 10])]);
    return node('Softmax', 'softmax', [mm]);
  },
  ['N', 3, 32, 32],
  14,
);

describe('a hand-built ONNX model', () => {
  const model = importModel(handBuilt, 'hand.onnx');
  const byName = <L extends Layer>(layers: L[]) => new Map(layers.map((l) => [l.name, l]));

  it('has one row per computing node, named and traced to the node, with NHWC shapes and the FLOPs / params of each op', () => {
    expect(model).toMatchObject({
      format: 'onnx',
      name: 'hand-built',
      nodes: 26,
      inputLayout: 'NCHW',
      input: { batchSize: 1, resolution: 32, channels: 3, classes: 10 },
    });
    const layers = model.layers(model.input);
    // Shape computations (Shape, Gather, Unsqueeze, the shape Concat) are folded: no rows.
    expect(layers.map((l) => l.name)).toEqual([
      'pad',
      'conv1',
      'bn1',
      'relu6',
      'dw',
      'gconv',
      'shuffle.split',
      'shuffle.swap',
      'shuffle.merge',
      'hswish',
      'maxpool',
      'avgpool',
      'concat',
      'sigmoid',
      'swish',
      'residual',
      'gap',
      'flatten',
      'dropout',
      'fc',
      'proj',
      'softmax',
    ]);
    const l = byName(layers);
    const expectRow = (name: string, row: Record<string, unknown>) => expect(l.get(name), name).toMatchObject(row);
    expectRow('pad', { kind: 'copy', origin: { stage: 'model', op: 'Pad' }, outputShape: [1, 34, 34, 3] });
    expectRow('conv1', {
      kind: 'conv',
      outputShape: [1, 16, 16, 16],
      kernel: 3,
      stride: 2,
      groups: 1,
      flops: 27 * 16 * 256,
      params: 27 * 16,
    });
    expectRow('bn1', { kind: 'bn', params: 32, elementwiseOps: 2 * 16 * 256 });
    expectRow('relu6', { kind: 'activation', origin: { op: 'Clip' }, params: 0 });
    expectRow('dw', { kind: 'conv', groups: 16, outputShape: [1, 16, 16, 16], flops: 9 * 16 * 256, params: 9 * 16 });
    expect(opClassOf(l.get('dw')!)).toBe('depthwise');
    // Grouped 1x1 with bias: 4 input channels per group, bias adds counted as the analytic conv does.
    expectRow('gconv', { kind: 'conv', groups: 4, outputShape: [1, 16, 16, 32], flops: 4 * 32 * 256 + 32 * 256, params: 4 * 32 + 32 });
    expect(opClassOf(l.get('gconv')!)).toBe('pointwise');
    expectRow('shuffle.split', { kind: 'reshape', outputShape: [1, 4, 8, 16, 16] });
    expectRow('shuffle.swap', { kind: 'copy', outputShape: [1, 8, 4, 16, 16] });
    expectRow('shuffle.merge', { kind: 'reshape', outputShape: [1, 16, 16, 32] });
    expectRow('maxpool', { kind: 'maxpool', outputShape: [1, 8, 8, 32], elementwiseOps: 9 * 32 * 64 });
    expectRow('avgpool', { kind: 'avgpool', outputShape: [1, 8, 8, 32], elementwiseOps: 4 * 32 * 64 });
    expectRow('concat', { kind: 'concat', inputs: 2, outputShape: [1, 8, 8, 64], inputBytes: 2 * 32 * 64 * 4 });
    expectRow('swish', { kind: 'elementwise', inputs: 2, elementwiseOps: 64 * 64 });
    expectRow('residual', { kind: 'add', inputs: 2, elementwiseOps: 64 * 64 });
    expectRow('gap', { kind: 'gap', outputShape: [1, 1, 1, 64], elementwiseOps: 64 * 64 });
    expectRow('flatten', { kind: 'reshape', origin: { op: 'Reshape' }, outputShape: [1, 64] });
    expectRow('dropout', { kind: 'identity', outputShape: [1, 64] });
    expectRow('fc', { kind: 'fc', outputShape: [1, 10], flops: 640 + 10, params: 650 });
    expectRow('proj', { kind: 'fc', origin: { op: 'MatMul' }, flops: 100, params: 100 });
    expectRow('softmax', { kind: 'activation', outputShape: [1, 10] });
    expect(total(layers, 'flops')).toBe(27 * 16 * 256 + 9 * 16 * 256 + 4 * 32 * 256 + 32 * 256 + 650 + 100);
  });

  it('is a model ONNX Runtime runs, with the output shape shape inference finds', async () => {
    const session = await ort.InferenceSession.create(handBuilt, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    try {
      const result = await session.run({ x: new ort.Tensor('float32', new Float32Array(4 * 3 * 32 * 32), [4, 3, 32, 32]) });
      expect(result.softmax.dims).toEqual(model.layers({ ...model.input, batchSize: 4 }).at(-1)?.outputShape);
    } finally {
      await session.release();
    }
  });

  it('slices data (a crop, a copy) and shapes (folded)', () => {
    const bytes = onnxModel(
      ({ node, int64 }) => {
        const crop = node('Slice', 'crop', ['x', int64('starts', [1, 1]), int64('ends', [-1, -1]), int64('axes', [2, 3])]);
        const leading = node('Slice', 'leading', [node('Shape', 'shape', [crop]), int64('from', [0]), int64('to', [2])]);
        return node('Reshape', 'rows', [crop, node('Concat', 'target', [leading, int64('rest', [-1])], [int('axis', 0)])]);
      },
      ['N', 3, 32, 32],
    );
    const model = importModel(bytes, 'slice.onnx');
    expect(model.layers({ ...model.input, batchSize: 2 }).map((l) => [l.name, l.kind, l.outputShape])).toEqual([
      ['crop', 'copy', [2, 30, 30, 3]],
      ['rows', 'reshape', [2, 3, 900]],
    ]);
    expect(model.layers({ ...model.input, resolution: 64 }).at(-1)?.outputShape).toEqual([1, 3, 62 * 62]);
  });

  it('re-runs shape inference for another batch and resolution: the shuffle reshapes follow the image, the flatten the batch', () => {
    const layers = byName(model.layers({ ...model.input, batchSize: 4, resolution: 64 }));
    expect(layers.get('conv1')?.outputShape).toEqual([4, 32, 32, 16]);
    expect(layers.get('shuffle.split')?.outputShape).toEqual([4, 4, 8, 32, 32]);
    expect(layers.get('shuffle.merge')?.outputShape).toEqual([4, 32, 32, 32]);
    expect(layers.get('flatten')?.outputShape).toEqual([4, 64]);
    expect(layers.get('softmax')?.outputShape).toEqual([4, 10]);
    // 4 x the batch, 4 x the pixels.
    expect(layers.get('conv1')?.flops).toBe(16 * 27 * 16 * 256);
    expect(model.inputDims({ ...model.input, batchSize: 4, resolution: 64 })).toEqual([4, 3, 64, 64]);
  });

  it('fuses a conv with the BN and activation that follow it in the graph, whatever the node names', () => {
    const fused = byName(fuseLayers(model.layers(model.input)));
    expect(fused.get('bn1')?.fusedInto).toBe('conv1');
    expect(fused.get('relu6')?.fusedInto).toBe('conv1');
    // The HardSwish reads the shuffle, not a conv: it stays a kernel of its own.
    expect(fused.get('hswish')?.fusedInto).toBeUndefined();
    expect([...fused.values()].filter((l) => l.fusedInto !== undefined)).toHaveLength(2);
  });

  it('prunes channels of an imported model and keeps the input channels and classes', () => {
    const pruned = pruneLayers(model.layers(model.input), 0.5, model.input);
    expect(pruned[0].inputShape).toEqual([1, 32, 32, 3]);
    expect(pruned.find((l) => l.name === 'conv1')?.outputShape).toEqual([1, 16, 16, 8]);
    expect(pruned.find((l) => l.name === 'fc')?.outputShape).toEqual([1, 10]);
  });
});

describe('a hand-built TF.js LayersModel', () => {
  it('reads separable, depthwise and grouped-free convs, fused activations, padding, pooling, concat and dense layers with TF.js own parameter count', async () => {
    const x = tf.input({ shape: [32, 32, 3], name: 'image' });
    const padded = tf.layers
      .zeroPadding2d({
        padding: [
          [1, 1],
          [1, 1],
        ],
        name: 'pad',
      })
      .apply(x) as tf.SymbolicTensor;
    const c1 = tf.layers
      .conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu6', name: 'conv1' })
      .apply(padded) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: 'bn1' }).apply(c1) as tf.SymbolicTensor;
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, name: 'dw' }).apply(bn) as tf.SymbolicTensor;
    const sep = tf.layers
      .separableConv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'sep' })
      .apply(dw) as tf.SymbolicTensor;
    const mp = tf.layers.maxPooling2d({ poolSize: 2, name: 'maxpool' }).apply(sep) as tf.SymbolicTensor;
    const ap = tf.layers.averagePooling2d({ poolSize: 2, name: 'avgpool' }).apply(sep) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: 'concat' }).apply([mp, ap]) as tf.SymbolicTensor;
    const added = tf.layers.add({ name: 'residual' }).apply([cat, cat]) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(added) as tf.SymbolicTensor;
    const drop = tf.layers.dropout({ rate: 0.2, name: 'dropout' }).apply(gap) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10, activation: 'softmax', name: 'classifier' }).apply(drop) as tf.SymbolicTensor;
    const built = tf.model({ inputs: x, outputs: out, name: 'hand_built' });
    const trainable = built.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    await built.save(fileSaveHandler(path.join(dir, 'hand-tfjs')));
    built.dispose();

    const model = importModelFile(path.join(dir, 'hand-tfjs', 'model.json'));
    expect(model).toMatchObject({
      format: 'tfjs',
      name: 'hand_built',
      inputLayout: 'NHWC',
      input: { batchSize: 1, resolution: 32, channels: 3, classes: 10 },
    });
    const layers = model.layers(model.input);
    expect(layers.map((l) => l.name)).toEqual([
      'pad',
      'conv1',
      'conv1/relu6',
      'bn1',
      'dw',
      'sep/depthwise',
      'sep/pointwise',
      'sep/relu',
      'maxpool',
      'avgpool',
      'concat',
      'residual',
      'gap',
      'dropout',
      'classifier',
      'classifier/softmax',
    ]);
    expect(total(layers, 'params')).toBe(trainable);
    const row = new Map(layers.map((l) => [l.name, l]));
    expect(row.get('conv1')).toMatchObject({
      kind: 'conv',
      outputShape: [1, 16, 16, 16],
      origin: { stage: 'model', op: 'Conv2D' },
      flops: 27 * 16 * 256 + 16 * 256,
    });
    expect(row.get('conv1/relu6')).toMatchObject({ kind: 'activation', origin: { op: 'Conv2D' }, fuseGroup: 'conv1' });
    expect(row.get('dw')).toMatchObject({ groups: 16, outputShape: [1, 16, 16, 32], flops: 9 * 32 * 256 + 32 * 256 });
    expect(opClassOf(row.get('dw')!)).toBe('depthwise');
    expect(row.get('sep/depthwise')).toMatchObject({ groups: 32, outputShape: [1, 16, 16, 32], origin: { op: 'SeparableConv2D' } });
    expect(row.get('sep/pointwise')).toMatchObject({ kernel: 1, outputShape: [1, 16, 16, 32] });
    expect(row.get('concat')?.outputShape).toEqual([1, 8, 8, 64]);
    expect(row.get('residual')).toMatchObject({ kind: 'add', inputs: 2 });
    expect(row.get('gap')?.outputShape).toEqual([1, 64]);
    expect(row.get('classifier')).toMatchObject({ kind: 'fc', outputShape: [1, 10], flops: 650 });
    // conv1's ReLU6 comes before the BN in this model: conv + ReLU6 fuse, the BN (after an activation) does too.
    const fused = new Map(fuseLayers(layers).map((l) => [l.name, l.fusedInto]));
    expect(fused.get('conv1/relu6')).toBe('conv1');
    expect(fused.get('bn1')).toBe('conv1');
    expect(fused.get('sep/relu')).toBe('sep/pointwise');
    expect(model.layers({ ...model.input, batchSize: 3, resolution: 64 }).find((l) => l.name === 'classifier')?.outputShape).toEqual([
      3, 10,
    ]);
  });

  it("reads Keras 3's form of a model.json: keras_history references, batch_shape, activations as objects", () => {
    const tensor = (layer: string) => ({ class_name: '__keras_tensor__', config: { keras_history: [layer, 0, 0] } });
    const topology = {
      class_name: 'Functional',
      config: {
        name: 'keras3',
        layers: [
          { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_shape: [null, 8, 8, 3] }, inbound_nodes: [] },
          {
            class_name: 'Conv2D',
            name: 'conv',
            config: {
              name: 'conv',
              filters: 3,
              kernel_size: [3, 3],
              padding: 'same',
              activation: { module: 'keras.activations', class_name: 'function', config: 'relu' },
              use_bias: true,
            },
            inbound_nodes: [{ args: [tensor('in')], kwargs: {} }],
          },
          {
            class_name: 'Add',
            name: 'add',
            config: { name: 'add' },
            inbound_nodes: [{ args: [[tensor('conv'), tensor('in')]], kwargs: {} }],
          },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['add', 0, 0]],
      },
    };
    const model = importModel(new TextEncoder().encode(JSON.stringify({ modelTopology: topology })), 'keras3.json');
    expect(model.layers(model.input).map((l) => [l.name, l.kind, l.inputs, l.outputShape])).toEqual([
      ['conv', 'conv', 1, [1, 8, 8, 3]],
      ['conv/relu', 'relu', 1, [1, 8, 8, 3]],
      ['add', 'add', 2, [1, 8, 8, 3]],
    ]);
  });

  it('reads a Sequential model without an InputLayer; a non-image input takes any batch but no resolution', async () => {
    const seq = tf.sequential({
      name: 'mlp',
      layers: [
        tf.layers.dense({ units: 32, inputShape: [784], activation: 'tanh', name: 'hidden' }),
        tf.layers.dense({ units: 10, name: 'out' }),
      ],
    });
    await seq.save(fileSaveHandler(path.join(dir, 'mlp')));
    seq.dispose();
    const model = importModelFile(path.join(dir, 'mlp', 'model.json'));
    expect(model).toMatchObject({ name: 'mlp', inputLayout: 'flat', input: { batchSize: 1, resolution: 1, channels: 784, classes: 10 } });
    expect(total(model.layers({ ...model.input, batchSize: 8 }), 'flops')).toBe(8 * (784 * 32 + 32 + 32 * 10 + 10));
    expect(() => model.layers({ ...model.input, resolution: 32 })).toThrow(
      /mlp[/\\]model\.json: the input \[\?, 784\] is not an image: it has no resolution to change/,
    );
    expect(() => model.layers({ ...model.input, channels: 3 })).toThrow(/the model fixes channels at 784, got 3/);
  });
});

describe('files hwnas cannot read: one typed error naming the file (and the node)', () => {
  const expectError = (fn: () => unknown, type: new (...args: never[]) => ModelFileError, message: RegExp) => {
    let error: unknown;
    try {
      fn();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(HwnasError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/\n/);
  };

  it('an unsupported op names the op type and the node', () => {
    const bytes = onnxModel(
      ({ node, weight }) => node('Resize', 'upsample1', [node('Conv', 'conv', ['x', weight('w', [8, 3, 3, 3])])]),
      [1, 3, 32, 32],
    );
    expectError(
      () => importModel(bytes, 'up.onnx'),
      UnsupportedOpError,
      /^up\.onnx: node 'upsample1': unsupported op 'Resize' \(supported: .*Conv.*\)$/,
    );
    const lstm = {
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 's', layers: [{ class_name: 'LSTM', config: { name: 'lstm_1', units: 4, batch_input_shape: [null, 5, 3] } }] },
      },
    };
    expectError(
      () => importModel(new TextEncoder().encode(JSON.stringify(lstm)), 'rnn.json'),
      UnsupportedOpError,
      /^rnn\.json: node 'lstm_1': unsupported op 'LSTM' \(supported: .*Conv2D.*\)$/,
    );
  });

  it('truncated, empty, foreign binary and foreign JSON files', () => {
    const exported = archToOnnx(nb201Space, nb201Archs[0], nb201Space.defaultInput(), 1);
    expectError(
      () => importModel(exported.subarray(0, exported.length / 2), 'cut.onnx'),
      ModelFileError,
      /^cut\.onnx: not a readable ONNX model, truncated or of another format \(.+\)$/,
    );
    expectError(() => importModel(new Uint8Array(0), 'empty.onnx'), ModelFileError, /^empty\.onnx: the file is empty$/);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expectError(() => importModel(png, 'picture.onnx'), ModelFileError, /^picture\.onnx: not (a readable |an )ONNX model/);
    expectError(
      () => importModel(new TextEncoder().encode('{"hello": "world"}'), 'config.json'),
      ModelFileError,
      /^config\.json: JSON without modelTopology: not a TF\.js LayersModel model\.json$/,
    );
    expectError(
      () => importModel(new TextEncoder().encode('{"modelTopology": '), 'cut.json'),
      ModelFileError,
      /^cut\.json: not a JSON file \(.+\)$/,
    );
    expectError(
      () => importModel(new TextEncoder().encode('{"format": "graph-model", "modelTopology": {"node": []}}'), 'graph.json'),
      ModelFileError,
      /graph\.json: a TF\.js graph model/,
    );
    expectError(() => importModelFile(path.join(dir, 'missing.onnx')), ModelFileError, /missing\.onnx: no such file$/);
    expectError(() => importModelFile(dir), ModelFileError, /is a folder/);
  });

  it('shapes that do not fit name the node: weights against their input, a fixed reshape against another resolution', () => {
    const bytes = onnxModel(({ node, weight }) => node('Conv', 'conv', ['x', weight('w', [8, 4, 3, 3])]), [1, 3, 32, 32]);
    expectError(
      () => importModel(bytes, 'bad.onnx'),
      ModelFileError,
      /^bad\.onnx: node 'conv': the input has 3 channels, the weights expect 4$/,
    );
    const fixed = onnxModel(
      ({ node, weight, int64 }) => node('Gemm', 'fc', [node('Reshape', 'flat', ['x', int64('s', [1, 3072])]), weight('w', [3072, 10])]),
      [1, 3, 32, 32],
    );
    const model = importModel(fixed, 'fixed.onnx');
    expect(model.layers({ ...model.input, batchSize: 2 }).at(-1)?.outputShape).toEqual([2, 10]);
    expectError(
      () => model.layers({ ...model.input, resolution: 64 }),
      ModelFileError,
      /^fixed\.onnx: node 'flat': cannot reshape \[1, 3, 64, 64\] to \[1, 3072\] \(the model fixes this shape/,
    );
    const wide = importModel(
      onnxModel(({ node }) => node('Relu', 'relu', ['x']), [1, 3, 32, 48]),
      'wide.onnx',
    );
    expect(wide.input.resolution).toBe(32);
    expectError(
      () => wide.layers({ ...wide.input, resolution: 64 }),
      ModelFileError,
      /^wide\.onnx: the input is 32x48 px, not square: its resolution cannot change$/,
    );
  });
});

describe('damaged files never crash the importer', () => {
  it('an ONNX file cut anywhere or with random bytes changed, and a model.json with random characters changed, import or fail with a ModelFileError', async () => {
    // The hand-built ONNX model (every kind of node, small weights: the bytes changed mostly hit the graph) and an
    // exported FBNet model.json.
    const onnxBytes = handBuilt;
    const input = fbnetSpace.defaultInput();
    await tfjsFile(fbnetSpace, fbnetArchs[3], input, 'damaged');
    const json = fs.readFileSync(path.join(dir, 'damaged', 'model.json'), 'utf8');
    const rng = Rng.derive(7, 'damaged-model-files', 0);
    const damaged: Uint8Array[] = [];
    for (let cut = 1; cut < onnxBytes.length; cut += 97) damaged.push(onnxBytes.subarray(0, cut));
    for (let i = 0; i < 150; i++) {
      const bytes = Uint8Array.from(onnxBytes);
      for (let k = 0; k < 3; k++) bytes[rng.int(bytes.length)] = rng.int(256);
      damaged.push(bytes);
      const chars = json.split('');
      for (let k = 0; k < 2; k++) chars[rng.int(chars.length)] = '0-9.{}[]",:n'[rng.int(12)];
      damaged.push(new TextEncoder().encode(chars.join('')));
    }
    const outcomes = { imported: 0, refused: 0 };
    for (const bytes of damaged) {
      try {
        const model = importModel(bytes, 'damaged');
        model.layers({ ...model.input, batchSize: 2, resolution: 64 });
        outcomes.imported++;
      } catch (err) {
        if (!(err instanceof ModelFileError)) throw err;
        outcomes.refused++;
      }
    }
    expect(outcomes.refused).toBeGreaterThan(50);
  });
});

describe('a synthetic 300-layer ONNX chain (the benchmark model)', () => {
  it('imports and profiles with what-ifs in well under a second', () => {
    const bytes = syntheticOnnxChain(300);
    const start = performance.now();
    const model = importModel(bytes, 'chain.onnx');
    const report = profileModel(mobileCpu, model, model.input, [parseWhatIfs('int8,fuse'), parseWhatIfs('batch:8')]);
    const ms = performance.now() - start;
    expect(model.nodes).toBe(300);
    expect(report.layers).toHaveLength(300);
    expect(report.whatIfs[0].layers.filter((l) => l.fusedInto !== undefined)).toHaveLength(2 * 99);
    expect(ms).toBeLessThan(1000);
  });
});
