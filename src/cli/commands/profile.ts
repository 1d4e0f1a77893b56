// `hwnas profile`: Talaria-style per-layer latency breakdown of one arch, or of an ONNX / TF.js model of your own, on
// a simulated device, with what-ifs.
import { DATASETS } from '../../core/config/space.js';
import { UsageError } from '../../core/errors.js';
import { formatTable } from '../../core/table.js';
import { importModelFile } from '../../formats/import/index.js';
import { profileArch, profileModel, type LayerRow, type ProfileReport } from '../../hardware/breakdown.js';
import { getProfile } from '../../hardware/registry.js';
import type { SimulatedProfile } from '../../hardware/schema.js';
import { parseWhatIfs, WHAT_IF_SYNTAX, type WhatIf } from '../../hardware/whatif.js';
import { getSpace, resolveInput, spaceRegistry } from '../../spaces/registry.js';
import { defineCommand, out, outJson, positiveInt } from '../command.js';
import { originLabel } from './spaces.js';

const ms = (x: number): string => x.toFixed(4);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

function layerCells(r: LayerRow): (string | number)[] {
  return [
    r.name,
    originLabel(r),
    r.outputShape.join('x'),
    r.flops,
    r.bytesMoved,
    ms(r.timeMs),
    pct(r.share),
    r.fusedInto ? `fused` : r.bound,
  ];
}

/** The peak field a precision what-if needs; fp32 is always there. */
const PEAK_FIELD = { fp16: 'fp16Gflops', int8: 'int8Gops' } as const;

/**
 * One line per precision what-if the device has no peak for: the simulator computes it at the fp32 rate, so only
 * its smaller tensors change the figures, which would otherwise read as "quantising does not help here".
 */
function unacceleratedNotes(profile: SimulatedProfile, whatIfs: readonly WhatIf[]): string[] {
  const peak = profile.simulated.peak;
  return whatIfs.flatMap((w) => {
    if (w.kind !== 'precision' || w.precision === 'fp32' || peak[PEAK_FIELD[w.precision]] !== undefined) return [];
    return [
      `${profile.name} has no ${w.precision} peak (simulated.peak.${PEAK_FIELD[w.precision]}): the ${w.precision} what-if computes at the fp32 rate, only its smaller weights and activations change the figures`,
    ];
  });
}

export const profileCommand = defineCommand({
  command: 'profile',
  describe:
    'Per-layer latency breakdown of an arch, or of your own ONNX / TF.js model, on a simulated device: origin, shape, FLOPs, bytes, ms, bound, bottlenecks, what-ifs',
  builder: (y) =>
    y
      .option('space', { type: 'string', choices: spaceRegistry.names(), describe: 'Search space (default nb201)' })
      .option('arch', { type: 'string', describe: 'Canonical arch string (NB201 also accepts its index)' })
      .option('model', {
        type: 'string',
        describe:
          'Profile a model file instead of an arch: ONNX (model.onnx) or a TF.js LayersModel (model.json; weight files not needed). Rows keep its node names',
      })
      .conflicts('model', ['space', 'arch', 'dataset'])
      .option('device', { type: 'string', default: 'mobile-cpu', describe: 'Simulated device (see devices list)' })
      .option('devices-dir', {
        type: 'string',
        describe: 'Directory of user device profiles (default: $HWNAS_DEVICES_DIR, else ./hwnas-devices)',
      })
      .option('dataset', { choices: DATASETS, describe: "Dataset setting for the default input (default: the space's)" })
      .option('batch', { type: 'number', describe: "Batch size (default 1, or the model's)" })
      .option('resolution', { type: 'number', describe: "Input resolution in pixels (default: the dataset's, or the model's)" })
      .option('what-if', {
        type: 'string',
        describe: `What-ifs, each simulated on its own and (if several) all together; ${WHAT_IF_SYNTAX}`,
      })
      .option('top', { type: 'number', default: 5, describe: 'How many bottleneck layers to list' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the whole breakdown as JSON (with `notes` when a precision what-if has no peak on the device)',
      }),
  handler: (args) => {
    const profile = getProfile(args.device, { devicesDir: args.devicesDir }).profile;
    if (profile.kind !== 'simulated')
      throw new UsageError(`device '${profile.name}' is ${profile.kind}: a per-layer breakdown needs a simulated device`);
    const whatIfs = parseWhatIfs(args.whatIf ?? '');
    const scenarios = whatIfs.length > 1 ? [...whatIfs.map((w) => [w]), whatIfs] : whatIfs.map((w) => [w]);
    let report: ProfileReport;
    let title: string;
    let inputText: string;
    if (args.model !== undefined) {
      const model = importModelFile(args.model);
      const input = {
        ...model.input,
        batchSize: positiveInt('batch', args.batch) ?? model.input.batchSize,
        resolution: positiveInt('resolution', args.resolution) ?? model.input.resolution,
      };
      report = profileModel(profile, model, input, scenarios, args.top);
      title = `model ${model.name} (${model.format}, ${model.nodes} nodes, ${args.model})`;
      inputText = `${model.inputDims(input).join('x')}${model.inputLayout === 'flat' ? '' : ` (${model.inputLayout})`}`;
    } else {
      if (args.arch === undefined) throw new UsageError('give --arch (of --space, default nb201) or --model');
      const space = getSpace(args.space ?? 'nb201');
      const arch = space.canonical(/^\d+$/.test(args.arch) ? Number(args.arch) : args.arch);
      const input = resolveInput(space, { dataset: args.dataset, batchSize: args.batch, resolution: args.resolution });
      report = profileArch(profile, space, arch, input, scenarios, args.top);
      title = `${space.name} ${arch}`;
      inputText = `${input.batchSize}x${input.resolution}x${input.resolution}x${input.channels}`;
    }
    const notes = unacceleratedNotes(profile, whatIfs);
    if (args.json) return outJson(notes.length === 0 ? report : { ...report, notes });

    out(title);
    out(`device ${report.source} (${report.precision}), input ${inputText}\n`);
    out(formatTable(['layer', 'origin', 'output', 'FLOPs', 'bytes moved', 'ms', 'share', 'bound'], report.layers.map(layerCells)));
    const t = report.totals;
    const bound = Object.entries(t.byBound)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${pct(v / t.latencyMs)}`)
      .join(', ');
    out(
      `\ntotal ${ms(t.latencyMs)} ms, ${(t.flops / 1e6).toFixed(3)} M MACs, ${(t.bytesMoved / 2 ** 20).toFixed(3)} MiB moved, memory ${(t.memoryBytes / 2 ** 20).toFixed(3)} MiB (${bound})`,
    );
    out(`\ntop ${report.bottlenecks.length} bottlenecks:`);
    out(
      formatTable(
        ['layer', 'origin', 'ms', 'share', 'bound'],
        report.bottlenecks.map((r) => [r.name, originLabel(r), ms(r.timeMs), pct(r.share), r.bound]),
      ),
    );
    if (report.whatIfs.length > 0) {
      out('\nwhat-if:');
      out(
        formatTable(
          ['scenario', 'ms', 'change ms', 'change', 'memory MiB', 'memory change'],
          report.whatIfs.map((w) => [
            w.label,
            ms(w.totals.latencyMs),
            signed(w.deltaMs, 4),
            `${signed(w.deltaPct, 1)}%`,
            (w.totals.memoryBytes / 2 ** 20).toFixed(3),
            `${signed(w.deltaMemoryPct, 1)}%`,
          ]),
        ),
      );
      for (const note of notes) out(`note: ${note}`);
    }
  },
});
