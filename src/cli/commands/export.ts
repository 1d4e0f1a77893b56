// `hwnas export --run <id> --out <dir>`: spec.json + TF.js LayersModel for each Pareto-front architecture.
import { formatTable } from '../../core/table.js';
import { resolveRunDir } from '../../search/store.js';
import { backendFor, defineCommand, loggerFor, out } from '../command.js';

export const exportCommand = defineCommand({
  command: 'export',
  describe: 'Export the Pareto front of a run: per arch spec.json and a TF.js LayersModel (model.json + weights.bin, untrained), plus index.json',
  builder: (y) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'Run id (directory name under --results) or a run directory' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output folder; must not exist or be empty (written atomically)' })
      .option('results', { type: 'string', default: 'results', describe: 'Folder holding the run directories' })
      .option('top', { type: 'number', describe: 'Export only the first N front members (by the first objective)' }),
  handler: async (args) => {
    const runDir = resolveRunDir(args.run, args.results);
    const { exportRun, checkExportTarget } = await import('../../search/export.js');
    checkExportTarget(args.out);
    await backendFor(args);
    const entries = await exportRun(runDir, args.out, { top: args.top });
    out(formatTable(['rank', 'dir', 'arch', 'accuracy', 'latency ms'], entries.map((e) => [e.rank, e.dir, e.arch, e.accuracy, e.latencyMs])));
    loggerFor(args).info(`exported ${entries.length} models to ${args.out} (index.json); load one with tf.loadLayersModel('file://${args.out}/${entries[0].dir}/model.json') via a file:// handler`);
  },
});
