// `hwnas spaces list|show|sample`: inspect the search spaces.
import type * as tfjs from '@tensorflow/tfjs';
import { DATASETS } from '../../core/config/space.js';
import { UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { writeFileAtomic } from '../../core/files.js';
import { formatTable } from '../../core/table.js';
import { total } from '../../spaces/layers.js';
import { getSpace, resolveInput, spaceRegistry } from '../../spaces/registry.js';
import type { InputShape, Layer, SearchSpace } from '../../spaces/types.js';
import { backendFor, defineCommand, out, outJson, positiveInt } from '../command.js';

const list = defineCommand({
  command: 'list',
  describe: 'List the search spaces with their size and default input shape',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    const rows = spaceRegistry.values().map((s) => {
      const input = s.defaultInput();
      return {
        name: s.name,
        size: s.sizeLabel,
        input: `${input.resolution}x${input.resolution}x${input.channels}`,
        classes: input.classes,
        description: s.description,
      };
    });
    if (args.json) return outJson(rows);
    out(
      formatTable(
        ['space', 'size', 'input', 'classes', 'description'],
        rows.map((r) => [r.name, r.size, r.input, r.classes, r.description]),
      ),
    );
  },
});

/** Where a layer comes from, as one short string: `stage1 cell0 edge0→1 nor_conv_3x3`. */
export function originLabel(layer: Pick<Layer, 'origin'>): string {
  const o = layer.origin;
  return [
    o.stage,
    o.cell !== undefined ? `cell${o.cell}` : '',
    o.block !== undefined ? `block${o.block}` : '',
    o.edge ? `edge${o.edge[0]}→${o.edge[1]}` : '',
    o.op,
  ]
    .filter((s) => s !== '')
    .join(' ');
}

/** The input-shape flags `show` and `model` share. */
const inputOptions = {
  dataset: {
    choices: DATASETS,
    describe: "Dataset setting for the default input (default: the space's own, cifar10 for nb201, cifar100 for fbnet)",
  },
  batch: { type: 'number', describe: 'Batch size (default 1)' },
  resolution: { type: 'number', describe: "Input resolution in pixels (default: the dataset's; nb201 needs a multiple of 4)" },
  classes: { type: 'number', describe: "Number of classes (default: the dataset's)" },
} as const;

function inputFrom(space: SearchSpace, args: { dataset?: string; batch?: number; resolution?: number; classes?: number }): InputShape {
  return resolveInput(space, {
    dataset: args.dataset,
    batchSize: positiveInt('batch', args.batch),
    resolution: positiveInt('resolution', args.resolution),
    classes: positiveInt('classes', args.classes),
  });
}

const show = defineCommand({
  command: 'show <space>',
  describe: 'Print an architecture layer by layer: origin, output shape, FLOPs, params, activation bytes',
  builder: (y) =>
    y
      .positional('space', { type: 'string', demandOption: true, describe: 'Search space (nb201, fbnet)' })
      .option('arch', { type: 'string', demandOption: true, describe: 'Canonical arch string (NB201 also accepts its official index)' })
      .options(inputOptions)
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    const space = getSpace(args.space);
    const arch = space.canonical(args.arch);
    const input = inputFrom(space, args);
    const layers = space.layers(arch, input);
    const totals = {
      flops: total(layers, 'flops'),
      params: total(layers, 'params'),
      activationBytes: total(layers, 'activationBytes'),
      layers: layers.length,
    };
    if (args.json) return outJson({ space: space.name, arch, input, layers, totals });
    out(`${space.name} ${arch}`);
    out(`input ${input.batchSize}x${input.resolution}x${input.resolution}x${input.channels}, ${input.classes} classes\n`);
    out(
      formatTable(
        ['layer', 'origin', 'kind', 'output', 'FLOPs', 'params', 'act bytes'],
        layers.map((l) => [l.name, originLabel(l), l.kind, l.outputShape.join('x'), l.flops, l.params, l.activationBytes]),
      ),
    );
    out(
      `\ntotal: ${totals.layers} layers, ${(totals.flops / 1e6).toFixed(3)} MFLOPs (multiply-accumulates), ${(totals.params / 1e6).toFixed(4)} M params, ${(totals.activationBytes / 2 ** 20).toFixed(3)} MiB activations`,
    );
  },
});

const sample = defineCommand({
  command: 'sample <space>',
  describe: 'Print n uniformly sampled canonical arch strings (same seed, same output)',
  builder: (y) =>
    y
      .positional('space', { type: 'string', demandOption: true, describe: 'Search space (nb201, fbnet)' })
      .option('n', { type: 'number', default: 5, describe: 'How many archs' })
      .option('seed', {
        type: 'number',
        default: 0,
        describe: 'Random seed (arch i comes from the stream (seed, i), so --n 10 extends --n 5)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array of the arch strings' }),
  handler: (args) => {
    const space = getSpace(args.space);
    const n = positiveInt('n', args.n) ?? 0;
    if (!Number.isInteger(args.seed) || args.seed < 0) throw new UsageError(`--seed must be a non-negative integer, got ${args.seed}`);
    const archs = Array.from({ length: n }, (_, i) => space.sample(Rng.derive(args.seed, 'spaces-sample', i)));
    if (args.json) return outJson(archs);
    for (const arch of archs) out(arch);
  },
});

const model = defineCommand({
  command: 'model <space>',
  describe:
    'Build the TF.js model of an arch, run one forward pass on random input, report params, shape and time; --onnx also writes it as ONNX',
  builder: (y) =>
    y
      .positional('space', { type: 'string', demandOption: true, describe: 'Search space (nb201, fbnet)' })
      .option('arch', { type: 'string', demandOption: true, describe: 'Canonical arch string (NB201 also accepts its official index)' })
      .options(inputOptions)
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the random weights and input' })
      .option('onnx', {
        type: 'string',
        describe: 'Also write the model as ONNX (opset 13, NCHW input `input`, output `logits`, same weights) to this file',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: async (args) => {
    const space = getSpace(args.space);
    const arch = space.canonical(args.arch);
    const input = inputFrom(space, args);
    const backend = await backendFor(args);
    // TF.js and the ONNX writer load only for this subcommand.
    const { tf } = await import('../../core/tf.js');
    const { archToOnnx, ONNX_OPSET } = await import('../../formats/onnx.js');
    const started = performance.now();
    const built = space.buildModel(arch, input, { seed: args.seed });
    const buildMs = performance.now() - started;
    const x = tf.randomNormal([input.batchSize, input.resolution, input.resolution, input.channels], 0, 1, 'float32', args.seed);
    const forwardStart = performance.now();
    const y = built.predict(x) as tfjs.Tensor;
    await y.data();
    const forwardMs = performance.now() - forwardStart;
    const count = (weights: tfjs.LayerVariable[]) => weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    const result = {
      space: space.name,
      arch,
      input,
      backend: backend.name,
      trainableParams: count(built.trainableWeights),
      analyticParams: total(space.layers(arch, input), 'params'),
      nonTrainableParams: count(built.nonTrainableWeights),
      outputShape: y.shape,
      buildMs,
      forwardMs,
      ...(args.onnx !== undefined && { onnx: args.onnx }),
    };
    try {
      if (args.onnx !== undefined) writeFileAtomic(args.onnx, archToOnnx(space, arch, input, args.seed, built));
    } finally {
      tf.dispose([x, y]);
      built.dispose();
    }
    if (args.json) return outJson(result);
    out(`${space.name} ${arch}`);
    out(
      `backend ${result.backend}; input ${input.batchSize}x${input.resolution}x${input.resolution}x${input.channels}; output ${result.outputShape.join('x')}`,
    );
    out(`params: ${result.trainableParams} trainable (analytic ${result.analyticParams}), ${result.nonTrainableParams} non-trainable`);
    out(`build ${buildMs.toFixed(1)} ms, first forward pass ${forwardMs.toFixed(1)} ms`);
    if (args.onnx !== undefined)
      out(
        `ONNX (opset ${ONNX_OPSET}, input NCHW ${input.batchSize}x${input.channels}x${input.resolution}x${input.resolution}) -> ${args.onnx}`,
      );
  },
});

export const spacesCommand = defineCommand({
  command: 'spaces <command>',
  describe: 'Inspect search spaces: list, show an arch layer by layer, sample archs, build its TF.js model',
  builder: (y) => y.command([list, show, sample, model] as never).demandCommand(1),
  handler: () => {},
});
