// `hwnas transfer --config …`: the paper's few-shot transfer table (targets × methods × 5/10/20 samples × seeds).
import { loadExperimentConfig } from '../../core/config/schema.js';
import { ConfigError } from '../../core/errors.js';
import { formatTable } from '../../core/table.js';
import { runTransfer } from '../../predictors/transfer/harness.js';
import { NASFLAT_ABLATIONS } from '../../predictors/transfer/ablation.js';
import { summariseTransfer, transferTable, writeTransferReport } from '../../predictors/transfer/report.js';
import { buildTransferSetup } from '../../predictors/transfer/setup.js';
import { backendFor, defineCommand, loggerFor, out, outJson } from '../command.js';

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const numbers = (value: string | undefined, flag: string) =>
  list(value)?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0)
      throw new ConfigError(`--${flag}`, '', `expected comma-separated non-negative integers, got '${value}'`);
    return n;
  });

export const transferCommand = defineCommand({
  command: 'transfer',
  describe: 'Few-shot transfer experiment: Spearman ρ / Kendall τ per target device for each method and sample count',
  builder: (y) =>
    y
      .option('config', {
        type: 'string',
        demandOption: true,
        describe: 'Experiment config with a `transfer` section (e.g. experiments/transfer-nb201-task0.json)',
      })
      .option('methods', { type: 'string', describe: 'Comma-separated methods (predictor names), overriding transfer.methods' })
      .option('samples', { type: 'string', describe: 'Comma-separated sample counts, overriding transfer.samples (e.g. 5,10,20)' })
      .option('seeds', { type: 'string', describe: 'Comma-separated seeds, overriding transfer.seeds' })
      .option('targets', { type: 'string', describe: "Comma-separated target devices, overriding the task's test devices" })
      .option('sampler', {
        type: 'string',
        describe: 'Sampler choosing the archs to measure on the target (e.g. random, kmeans), overriding transfer.sampler',
      })
      .option('max-eval', {
        type: 'number',
        describe: 'Score on a seeded random subset of at most this many remaining archs (default: all)',
      })
      .option('epochs', { type: 'number', describe: 'NASFLAT pretraining epochs, overriding its default' })
      .option('shared-pretrain', { type: 'boolean', describe: 'Pretrain each method once (first seed) instead of once per seed' })
      .option('hw-op-emb', {
        type: 'boolean',
        default: true,
        describe: 'NASFLAT hardware-specific op embeddings (--no-hw-op-emb ablates them)',
      })
      .option('hw-init', {
        type: 'boolean',
        default: true,
        describe: 'NASFLAT: initialise the target from the best-correlated source device (--no-hw-init ablates it)',
      })
      .option('supplementary', {
        type: 'boolean',
        default: true,
        describe: 'NASFLAT supplementary encodings (--no-supplementary ablates them)',
      })
      .option('readout', {
        type: 'boolean',
        default: true,
        describe: 'NASFLAT few-shot readout chosen by leave-one-out (--no-readout: the fine-tuned score through a line, as the paper)',
      })
      .option('out', { type: 'string', describe: 'Output folder (default transfer.outDir or <output.dir>/transfer/<name>[-ablations])' })
      .option('progress', { type: 'boolean', default: true, describe: 'Show a progress bar (--no-progress to hide)' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print JSON {files, seconds, spearman: {header, rows}} instead of the table',
      }),
  handler: async (args) => {
    const log = loggerFor(args);
    const config = loadExperimentConfig(args.config);
    await backendFor(args, config.backend);
    const { setup, outDir, title, resolvedConfig, ablations, taskComment } = await buildTransferSetup(
      config,
      args.config,
      {
        methods: list(args.methods),
        samples: numbers(args.samples, 'samples'),
        seeds: numbers(args.seeds, 'seeds'),
        targets: list(args.targets),
        sampler: args.sampler,
        maxEvalArchs: args.maxEval,
        epochs: args.epochs,
        sharedPretrain: args.sharedPretrain,
        ablations: NASFLAT_ABLATIONS.filter((a) => args[a.flag] === false).map((a) => a.flag),
        outDir: args.out,
      },
      log,
      args.progress && !args.quiet,
    );
    log.info(
      `${setup.space.name}: ${setup.sources.length} sources → ${setup.targets.length} targets; methods ${setup.methods.join(', ')}; samples ${setup.samples.join('/')}; seeds ${setup.seeds.join(',')}; sampler ${setup.sampler.name}${ablations.length > 0 ? `; ablations: no ${ablations.join(', no ')}` : ''}`,
    );
    const result = await runTransfer(setup);
    const files = writeTransferReport(outDir, title, resolvedConfig, result, { ablations, taskComment });
    const table = transferTable(summariseTransfer(result.records));
    if (args.json) return outJson({ files, seconds: result.totalSeconds, spearman: { header: table.header, rows: table.rows } });
    out(`Spearman ρ (mean over ${setup.seeds.length} seeds), ${setup.targets.length} targets:\n`);
    out(formatTable(table.header, table.rows));
    out(`\nwrote ${files.markdown}, ${files.csv}, ${files.recordsCsv}, ${files.json} (${result.totalSeconds.toFixed(1)} s)`);
  },
});
