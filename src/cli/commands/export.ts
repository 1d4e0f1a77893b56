// `hwnas export <run> --out <dir>`: spec.json + ONNX and/or TF.js model for each Pareto-front architecture.
import { formatTable } from '../../core/table.js';
import { resolveRunDir } from '../../search/store.js';
import { backendFor, defineCommand, loggerFor, out, outJson, positiveInt, runArgument } from '../command.js';

export const exportCommand = defineCommand({
  command: 'export [run]',
  describe:
    'Export the Pareto front of a run: per arch spec.json, model.onnx (opset 13, NCHW) and a TF.js LayersModel (model.json + weights.bin), untrained, same weights; plus index.json',
  builder: (y) =>
    y
      .positional('run', {
        type: 'string',
        describe: 'Run id (directory name under --results) or a run directory (`--run <run>` is its deprecated old form)',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'Output folder; must not exist or be empty (written atomically)' })
      .option('results', { type: 'string', default: 'results', describe: 'Folder holding the run directories' })
      .option('top', { type: 'number', describe: 'Export only the first N front members (by the first objective)' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print JSON: {out, entries: [{rank, dir, arch, accuracy, latencyMs, …}]} (the index.json entries)',
      })
      .option('format', {
        choices: ['onnx', 'tfjs', 'all'] as const,
        default: 'all' as const,
        describe: 'Model files per arch: model.onnx, the TF.js model, or both',
      }),
  handler: async (args) => {
    positiveInt('top', args.top);
    const runDir = resolveRunDir(runArgument(args), args.results);
    const { exportRun, checkExportTarget } = await import('../../search/export.js');
    checkExportTarget(args.out);
    await backendFor(args);
    const entries = await exportRun(runDir, args.out, { top: args.top, format: args.format });
    if (args.json) return outJson({ out: args.out, entries });
    out(
      formatTable(
        ['rank', 'dir', 'arch', 'accuracy', 'latency ms'],
        entries.map((e) => [e.rank, e.dir, e.arch, e.accuracy, e.latencyMs]),
      ),
    );
    const how = [
      args.format !== 'tfjs' ? `ONNX Runtime: InferenceSession.create('${args.out}/${entries[0].dir}/model.onnx')` : '',
      args.format !== 'onnx' ? `TF.js: tf.loadLayersModel('file://${args.out}/${entries[0].dir}/model.json') via a file:// handler` : '',
    ].filter((s) => s !== '');
    loggerFor(args).info(`exported ${entries.length} models to ${args.out} (index.json); load one with ${how.join(' or ')}`);
  },
});
