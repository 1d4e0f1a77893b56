// `hwnas transfer --config …`: the paper's few-shot transfer table (targets × methods × 5/10/20 samples × seeds).
import path from 'node:path';
import { loadExperimentConfig } from '../../core/config/schema.js';
import { ConfigError } from '../../core/errors.js';
import { formatTable } from '../../core/table.js';
import { getSpace } from '../../spaces/registry.js';
import { runTransfer } from '../../predictors/transfer.js';
import { resolveSampler } from '../../predictors/transfer-sampler.js';
import { transferTable, summariseTransfer, writeTransferReport } from '../../predictors/transfer-report.js';
import { resolveDeviceData } from '../../predictors/transfer-task.js';
import { NASFLAT_ABLATIONS, applyAblations } from '../../predictors/transfer-ablation.js';
import { backendFor, defineCommand, loggerFor, out } from '../command.js';

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const numbers = (value: string | undefined, flag: string) =>
  list(value)?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--${flag}`, '', `expected comma-separated non-negative integers, got '${value}'`);
    return n;
  });

export const transferCommand = defineCommand({
  command: 'transfer',
  describe: 'Few-shot transfer experiment: Spearman ρ / Kendall τ per target device for each method and sample count',
  builder: (y) =>
    y
      .option('config', { type: 'string', demandOption: true, describe: 'Experiment config with a `transfer` section (e.g. experiments/transfer-nb201-task0.json)' })
      .option('methods', { type: 'string', describe: 'Comma-separated methods (predictor names), overriding transfer.methods' })
      .option('samples', { type: 'string', describe: 'Comma-separated sample counts, overriding transfer.samples (e.g. 5,10,20)' })
      .option('seeds', { type: 'string', describe: 'Comma-separated seeds, overriding transfer.seeds' })
      .option('targets', { type: 'string', describe: 'Comma-separated target devices, overriding the task\'s test devices' })
      .option('sampler', { type: 'string', describe: 'Sampler choosing the archs to measure on the target (e.g. random, kmeans), overriding transfer.sampler' })
      .option('max-eval', { type: 'number', describe: 'Score on a seeded random subset of at most this many remaining archs (default: all)' })
      .option('epochs', { type: 'number', describe: 'NASFLAT pretraining epochs, overriding its default' })
      .option('shared-pretrain', { type: 'boolean', describe: 'Pretrain each method once (first seed) instead of once per seed' })
      .option('hw-op-emb', { type: 'boolean', default: true, describe: 'NASFLAT hardware-specific op embeddings (--no-hw-op-emb ablates them)' })
      .option('hw-init', { type: 'boolean', default: true, describe: 'NASFLAT: initialise the target from the best-correlated source device (--no-hw-init ablates it)' })
      .option('supplementary', { type: 'boolean', default: true, describe: 'NASFLAT supplementary encodings (--no-supplementary ablates them)' })
      .option('out', { type: 'string', describe: 'Output folder (default transfer.outDir or <output.dir>/transfer/<name>[-ablations])' })
      .option('progress', { type: 'boolean', default: true, describe: 'Show a progress bar (--no-progress to hide)' }),
  handler: async (args) => {
    const log = loggerFor(args);
    const config = loadExperimentConfig(args.config);
    const section = config.transfer;
    if (section === undefined) throw new ConfigError(args.config, 'transfer', 'missing: this command needs a `transfer` section');
    await backendFor(args, config.backend);
    const space = getSpace(config.space.name);
    const data = resolveDeviceData(space, { ...section, targets: list(args.targets) ?? section.targets }, args.config, 'transfer');
    const samplerName = args.sampler ?? section.sampler ?? 'random';
    const ablations = NASFLAT_ABLATIONS.filter((a) => args[a.flag] === false);
    const methodOptions = applyAblations(section.methodOptions, ablations, args.epochs);
    const ablationSuffix = ablations.map((a) => `-no-${a.flag}`).join('') + (args.sampler !== undefined ? `-sampler-${args.sampler}` : '');
    const setup = {
      name: config.name,
      space,
      table: data.table,
      sources: data.sources,
      targets: data.targets,
      samples: numbers(args.samples, 'samples') ?? section.samples,
      seeds: numbers(args.seeds, 'seeds') ?? section.seeds,
      methods: list(args.methods) ?? section.methods,
      methodOptions,
      referenceArchs: data.referenceArchs,
      sampler: { name: samplerName, choose: await resolveSampler(samplerName, space) },
      maxEvalArchs: args.maxEval ?? section.maxEvalArchs,
      sharedPretrain: args.sharedPretrain ?? section.sharedPretrain,
      logger: log,
      progress: args.progress && !args.quiet,
    };
    log.info(`${space.name}: ${setup.sources.length} sources → ${setup.targets.length} targets; methods ${setup.methods.join(', ')}; samples ${setup.samples.join('/')}; seeds ${setup.seeds.join(',')}; sampler ${samplerName}`);
    const result = await runTransfer(setup);
    const dir = args.out ?? section.outDir ?? path.join(config.output.dir, 'transfer', config.name + ablationSuffix);
    const resolved = { ...config, transfer: { ...section, sources: setup.sources, targets: setup.targets, samples: setup.samples, seeds: setup.seeds, methods: setup.methods, sampler: samplerName, methodOptions } };
    const files = writeTransferReport(dir, `${config.name}${ablationSuffix}`, resolved, result, { ablations: ablations.map((a) => a.flag), taskComment: data.taskComment });
    const table = transferTable(summariseTransfer(result.records));
    out(`Spearman ρ (mean over ${setup.seeds.length} seeds), ${setup.targets.length} targets:\n`);
    out(formatTable(table.header, table.rows));
    out(`\nwrote ${files.markdown}, ${files.csv}, ${files.recordsCsv}, ${files.json} (${result.totalSeconds.toFixed(1)} s)`);
  },
});
