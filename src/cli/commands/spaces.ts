// `hwnas spaces list|show|sample`: inspect the search spaces.
import { DATASETS } from '../../core/config/space.js';
import { Rng } from '../../core/rng.js';
import { formatTable } from '../../core/table.js';
import { total } from '../../spaces/layers.js';
import { getSpace, resolveInput, spaceRegistry } from '../../spaces/registry.js';
import type { Layer } from '../../spaces/types.js';
import { defineCommand, out, outJson } from '../command.js';

const list = defineCommand({
  command: 'list',
  describe: 'List the search spaces with their size and default input shape',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    const rows = spaceRegistry.values().map((s) => {
      const input = s.defaultInput();
      return { name: s.name, size: s.sizeLabel, input: `${input.resolution}x${input.resolution}x${input.channels}`, classes: input.classes, description: s.description };
    });
    if (args.json) return outJson(rows);
    out(formatTable(['space', 'size', 'input', 'classes', 'description'], rows.map((r) => [r.name, r.size, r.input, r.classes, r.description])));
  },
});

/** Where a layer comes from, as one short string: `stage1 cell0 edge0→1 nor_conv_3x3`. */
export function originLabel(layer: Pick<Layer, 'origin'>): string {
  const o = layer.origin;
  return [o.stage, o.cell !== undefined ? `cell${o.cell}` : '', o.block !== undefined ? `block${o.block}` : '', o.edge ? `edge${o.edge[0]}→${o.edge[1]}` : '', o.op]
    .filter((s) => s !== '')
    .join(' ');
}

const show = defineCommand({
  command: 'show <space>',
  describe: 'Print an architecture layer by layer: origin, output shape, FLOPs, params, activation bytes',
  builder: (y) =>
    y
      .positional('space', { type: 'string', demandOption: true, describe: 'Search space (nb201, fbnet)' })
      .option('arch', { type: 'string', demandOption: true, describe: 'Canonical arch string (NB201 also accepts its index)' })
      .option('dataset', { choices: DATASETS, describe: 'Dataset setting for the default input (default: cifar10)' })
      .option('batch', { type: 'number', describe: 'Batch size (default 1)' })
      .option('resolution', { type: 'number', describe: 'Input resolution in pixels (default: the dataset\'s)' })
      .option('classes', { type: 'number', describe: 'Number of classes (default: the dataset\'s)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    const space = getSpace(args.space);
    const arch = space.canonical(args.arch);
    const input = resolveInput(space, { dataset: args.dataset, batchSize: args.batch, resolution: args.resolution, classes: args.classes });
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
    out(`\ntotal: ${totals.layers} layers, ${(totals.flops / 1e6).toFixed(3)} MFLOPs (multiply-accumulates), ${(totals.params / 1e6).toFixed(4)} M params, ${(totals.activationBytes / 2 ** 20).toFixed(3)} MiB activations`);
  },
});

const sample = defineCommand({
  command: 'sample <space>',
  describe: 'Print n uniformly sampled canonical arch strings (same seed, same output)',
  builder: (y) =>
    y
      .positional('space', { type: 'string', demandOption: true, describe: 'Search space (nb201, fbnet)' })
      .option('n', { type: 'number', default: 5, describe: 'How many archs' })
      .option('seed', { type: 'number', default: 0, describe: 'Random seed' }),
  handler: (args) => {
    const space = getSpace(args.space);
    for (let i = 0; i < args.n; i++) out(space.sample(Rng.derive(args.seed, 'spaces-sample', i)));
  },
});

export const spacesCommand = defineCommand({
  command: 'spaces <command>',
  describe: 'Inspect search spaces: list, show an arch layer by layer, sample archs',
  builder: (y) => y.command([list, show, sample] as never).demandCommand(1),
  handler: () => {},
});
