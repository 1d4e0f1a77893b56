// `hwnas predictor pretrain|fit|eval|predict|list`: build a latency predictor on source devices, adapt it to a new
// device from a few measurements, score it on held-out measurements and predict archs.
import fs from 'node:fs';
import path from 'node:path';
import { loadExperimentConfig } from '../../core/config/schema.js';
import { toCsv } from '../../core/csv.js';
import { ConfigError, DataFileError, UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import { latencyMetrics } from '../../core/metrics.js';
import { formatTable } from '../../core/table.js';
import { MEASUREMENTS_FORMAT, oneDevice, readMeasurements } from '../../hardware/measurements.js';
import { ArchFeatures } from '../../predictors/baselines/features.js';
import { getPredictorMethod, loadPredictor, predictorRegistry } from '../../predictors/registry.js';
import { sourceLatencies } from '../../predictors/transfer/harness.js';
import { DEFAULT_INTERVAL_LEVEL, describeOutlier, diagnose, predictionIntervals } from '../../predictors/trust.js';
import { describeAdaptation, fitDevice } from '../../predictors/types.js';
import { resolveDeviceData } from '../../predictors/transfer/task.js';
import { configSpace } from '../../spaces/registry.js';
import { backendFor, defineCommand, loggerFor, out, outJson } from '../command.js';

/**
 * Refuse an output folder before any work: never the folder being read, nor (without --force) one that holds files.
 * @throws UsageError naming the folder
 */
function checkOutFolder(out: string, force: boolean, reads: { flag: string; dir: string }[] = []): void {
  const target = path.resolve(out);
  for (const { flag, dir } of reads) {
    const source = path.resolve(dir);
    if (target === source || source.startsWith(target + path.sep) || target.startsWith(source + path.sep)) {
      throw new UsageError(`--out ${out} would write into the predictor it reads (${flag} ${dir}); choose another folder`);
    }
  }
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) throw new UsageError(`--out ${out} exists and is not a folder`);
    if (!force && fs.readdirSync(target).length > 0)
      throw new UsageError(`--out ${out} exists and is not empty; use --force to replace it`);
  }
}

/** Save into a temporary sibling, then swap it in: a failure or a kill never leaves a half-written predictor. */
async function saveFolder(out: string, save: (dir: string) => Promise<void>): Promise<void> {
  const target = path.resolve(out);
  const staging = `${target}.partial-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  try {
    await save(staging);
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.renameSync(staging, target);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    throw err instanceof UsageError
      ? err
      : new UsageError(`cannot save the predictor to ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const pretrain = defineCommand({
  command: 'pretrain',
  describe: "Pretrain a predictor on the source devices of a config's `predictor` section and save it",
  builder: (y) =>
    y
      .option('config', {
        type: 'string',
        demandOption: true,
        describe: 'Experiment config with a `predictor` section (e.g. experiments/pretrain-nb201.json)',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'Folder to save the predictor in (predictor.json + binary weights)' })
      .option('kind', { type: 'string', describe: 'Predictor name, overriding predictor.kind (see `hwnas predictor list`)' })
      .option('latencies', { type: 'string', describe: 'Wide latency table, overriding predictor.latencies' })
      .option('devices', { type: 'string', describe: 'Comma-separated source devices, overriding predictor.devices / the task' })
      .option('seed', { type: 'number', describe: 'Seed, overriding the config seed' })
      .option('epochs', { type: 'number', describe: 'Training epochs, overriding predictor.epochs' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an --out folder that already holds files' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object: {kind, space, sources, seed, seconds, out}' }),
  handler: async (args) => {
    const log = loggerFor(args);
    checkOutFolder(args.out, args.force);
    const config = loadExperimentConfig(args.config);
    const section = config.predictor;
    if (section === undefined) throw new ConfigError(args.config, 'predictor', 'missing: this command needs a `predictor` section');
    await backendFor(args, config.backend);
    const { space } = configSpace(config.space, args.config);
    const kind = args.kind ?? section.kind;
    const devices = args.devices?.split(',').map((d) => d.trim()) ?? section.devices;
    const latencies = args.latencies ?? section.latencies;
    const data = resolveDeviceData(space, { ...section, latencies, sources: devices, targets: [] }, args.config, 'predictor');
    const method = getPredictorMethod(kind);
    const seed = args.seed ?? config.seed;
    log.info(`pretraining ${kind} on ${data.sources.length} ${space.name} source devices (${data.sources.join(', ')}), seed ${seed}`);
    const t0 = performance.now();
    const predictor = await method.create({
      space,
      features: new ArchFeatures(space),
      sources: sourceLatencies(data.table, data.sources),
      referenceArchs: data.referenceArchs,
      seed,
      options: section.options,
      epochs: args.epochs ?? section.epochs,
      optionsSource: `${args.config} (predictor.options)`,
      progress: !args.quiet,
      logger: log,
    });
    await saveFolder(args.out, (dir) => predictor.save(dir));
    const seconds = (performance.now() - t0) / 1000;
    if (args.json) return outJson({ kind, space: space.name, sources: data.sources, seed, seconds, out: args.out });
    out(`saved ${kind} predictor (${space.name}, sources ${data.sources.join(', ')}) to ${args.out} in ${seconds.toFixed(1)} s`);
  },
});

const fit = defineCommand({
  command: 'fit',
  describe: 'Adapt a saved predictor to a new device from a few measurements (few-shot transfer) and save it',
  builder: (y) =>
    y
      .option('predictor', {
        type: 'string',
        demandOption: true,
        describe: 'Saved predictor folder (from `predictor pretrain` or an earlier fit)',
      })
      .option('device', { type: 'string', demandOption: true, describe: 'Name of the new device' })
      .option('measurements', { type: 'string', demandOption: true, describe: `Measurements on the device: ${MEASUREMENTS_FORMAT}` })
      .option('out', { type: 'string', demandOption: true, describe: 'Folder to save the adapted predictor in' })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the fine-tuning' })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Replace an --out folder that already holds files (never the --predictor folder)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON object: the adaptation, leave-one-out quality, outlier rows, interval factor',
      }),
  handler: async (args) => {
    const log = loggerFor(args);
    checkOutFolder(args.out, args.force, [{ flag: '--predictor', dir: args.predictor }]);
    await backendFor(args);
    const predictor = await loadPredictor(args.predictor);
    const rows = oneDevice(args.measurements, readMeasurements(args.measurements, predictor.space));
    const t0 = performance.now();
    const report = await fitDevice(
      predictor,
      args.device,
      { archs: rows.map((r) => r.arch), latencyMs: rows.map((r) => r.latencyMs) },
      args.seed,
    );
    await saveFolder(args.out, (dir) => predictor.save(dir));
    const quality = predictor.fitQuality(args.device);
    const diagnostics = quality === undefined ? undefined : diagnose(quality);
    const seconds = (performance.now() - t0) / 1000;
    if (args.json)
      return outJson({
        kind: predictor.kind,
        device: args.device,
        measurements: rows.length,
        seconds,
        out: args.out,
        adaptation: report ?? null,
        diagnostics: diagnostics ?? null,
      });
    out(`fitted ${predictor.kind} to '${args.device}' on ${rows.length} measurements in ${seconds.toFixed(2)} s; saved to ${args.out}`);
    if (report !== undefined) out(describeAdaptation(report));
    if (diagnostics === undefined) return;
    out(
      `leave-one-out on the measurements: MAPE ${diagnostics.looMapePct.toFixed(1)} % (median ${diagnostics.looMedianErrorPct.toFixed(1)} %), Spearman ρ ${Number.isNaN(diagnostics.looSpearman) ? '-' : diagnostics.looSpearman.toFixed(3)}; ` +
        `90 % intervals: prediction ÷/× ${diagnostics.interval90Factor.toFixed(2)}`,
    );
    for (const outlier of diagnostics.outliers) log.warn(`distrusted ${describeOutlier(outlier)}`);
    if (diagnostics.warning !== undefined) log.warn(diagnostics.warning);
  },
});

const evaluate = defineCommand({
  command: 'eval',
  describe: 'Score a predictor on held-out measurements: Spearman, Kendall, MAPE, RMSE, within-10 %, top-k slowdown',
  builder: (y) =>
    y
      .option('predictor', { type: 'string', demandOption: true, describe: 'Saved predictor folder' })
      .option('device', { type: 'string', demandOption: true, describe: 'Device to predict for (fitted or a source device)' })
      .option('measurements', { type: 'string', demandOption: true, describe: `Held-out measurements: ${MEASUREMENTS_FORMAT}` })
      .option('k', { type: 'number', default: 10, describe: 'k of the top-k slowdown' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object' }),
  handler: async (args) => {
    await backendFor(args);
    const predictor = await loadPredictor(args.predictor);
    const rows = oneDevice(args.measurements, readMeasurements(args.measurements, predictor.space));
    const predicted = await predictor.predict(
      args.device,
      rows.map((r) => r.arch),
    );
    const metrics = latencyMetrics(
      rows.map((r) => r.latencyMs),
      predicted,
      args.k,
    );
    if (args.json) return outJson(metrics);
    out(
      formatTable(
        ['metric', 'value'],
        Object.entries(metrics).map(([k, v]) => [k, v]),
      ),
    );
  },
});

/** Archs listed one per line (blank lines and `#` comments skipped; a leading `arch` header is allowed). */
function readArchList(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataFileError(file, 0, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const archs = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return archs[0] === 'arch' ? archs.slice(1) : archs;
}

const predict = defineCommand({
  command: 'predict',
  describe: 'Predict the latency (ms) of archs on a device with an interval; writes CSV arch,latency_ms,lower_ms,upper_ms',
  builder: (y) =>
    y
      .option('predictor', { type: 'string', demandOption: true, describe: 'Saved predictor folder' })
      .option('device', { type: 'string', demandOption: true, describe: 'Device to predict for' })
      .option('archs', {
        type: 'string',
        demandOption: true,
        describe: 'Text file with one arch per line (canonical string; NB201 also takes its index)',
      })
      .option('level', {
        type: 'number',
        default: DEFAULT_INTERVAL_LEVEL,
        describe: "Nominal coverage of the prediction intervals (conformal, from the fit's leave-one-out residuals)",
      })
      .option('out', { type: 'string', describe: 'CSV file to write (default: stdout)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON: one object per arch with latencyMs, lowerMs, upperMs' }),
  handler: async (args) => {
    if (!(args.level > 0 && args.level < 1)) throw new UsageError(`--level must be between 0 and 1, got ${args.level}`);
    await backendFor(args);
    const predictor = await loadPredictor(args.predictor);
    const archs = readArchList(args.archs).map((a) => predictor.space.canonical(a));
    const t0 = performance.now();
    const predicted = await predictor.predict(args.device, archs);
    // A source device has no few measurements to calibrate an interval on: its bounds are left empty.
    const intervals = predictionIntervals(predicted, predictor.fitQuality(args.device), args.level);
    if (args.json) {
      return outJson(
        archs.map((arch, i) => ({
          arch,
          latencyMs: predicted[i],
          lowerMs: intervals?.lowerMs[i] ?? null,
          upperMs: intervals?.upperMs[i] ?? null,
          level: intervals === undefined ? null : args.level,
        })),
      );
    }
    const csv = toCsv(
      ['arch', 'latency_ms', 'lower_ms', 'upper_ms'],
      archs.map((a, i) => [a, predicted[i], intervals?.lowerMs[i] ?? '', intervals?.upperMs[i] ?? '']),
    );
    if (args.out === undefined) return out(csv);
    writeFileAtomic(args.out, csv);
    loggerFor(args).info(`predicted ${archs.length} archs in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    out(`wrote ${archs.length} predictions to ${args.out}`);
  },
});

const listMethods = defineCommand({
  command: 'list',
  describe: 'List the predictor methods (names usable in predictor.kind and transfer.methods)',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    const rows = predictorRegistry.names().map((name) => ({
      name,
      usesSources: predictorRegistry.get(name).usesSources,
      description: predictorRegistry.get(name).description,
    }));
    if (args.json) return outJson(rows);
    out(
      formatTable(
        ['predictor', 'uses sources', 'description'],
        rows.map((r) => [r.name, r.usesSources ? 'yes' : 'no', r.description]),
      ),
    );
  },
});

export const predictorCommand = defineCommand({
  command: 'predictor <command>',
  describe: 'Latency predictors: pretrain on source devices, fit to a new device, evaluate, predict',
  builder: (y) => y.command([pretrain, fit, evaluate, predict, listMethods] as never).demandCommand(1),
  handler: () => {},
});
