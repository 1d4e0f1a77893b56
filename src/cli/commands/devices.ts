// `hwnas devices list|show|validate|add|remove|measure|calibrate|import-table`: manage device profiles.
import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { DATASETS, spaceSection } from '../../core/config/space.js';
import { validate } from '../../core/config/validate.js';
import { readCsv, toCsv } from '../../core/csv.js';
import { ConfigError, DataFileError, UsageError } from '../../core/errors.js';
import { refuseLink, writeFileAtomic } from '../../core/files.js';
import { startProgress } from '../../core/log.js';
import { Rng } from '../../core/rng.js';
import { formatTable } from '../../core/table.js';
import { loadLatencyTable } from '../../data/latency.js';
import { loadHelpMeta } from '../../data/splits.js';
import { calibrateProfile, splitMeasurements } from '../../hardware/calibrate.js';
import { MEASUREMENTS_FORMAT, oneDevice, readMeasurements } from '../../hardware/measurements.js';
import {
  BUILTIN_PROFILES,
  checkDeviceName,
  getProfile,
  listDevices,
  loadProfile,
  removeUserProfile,
  resolveDevicesDir,
  saveUserProfile,
} from '../../hardware/registry.js';
import { PROFILE_SCHEMA_VERSION, type DeviceProfile, type TableProfile } from '../../hardware/schema.js';
import type { RuntimeMeasurement, TimingOptions } from '../../hardware/timing.js';
import { maskRedisUrl } from '../../executor/redis-url.js';
import { configSpace, getSpace, spaceRegistry } from '../../spaces/registry.js';
import type { InputShape, SearchSpace } from '../../spaces/types.js';
import { backendFor, defineCommand, loggerFor, out, outJson, type GlobalOptions } from '../command.js';

const DEVICES_DIR_HELP = 'Directory of user device profiles (default: $HWNAS_DEVICES_DIR, else ./hwnas-devices)';

function withDevicesDir<T>(y: Argv<T>) {
  return y.option('devices-dir', { type: 'string', describe: DEVICES_DIR_HELP });
}

/** The space and input of --space, --dataset, --batch and --resolution, within the limits of a config's space section. */
function spaceInput(args: { space: string; dataset?: string; batch?: number; resolution?: number }): {
  space: SearchSpace;
  input: InputShape;
} {
  const options = { dataset: args.dataset, batchSize: args.batch, resolution: args.resolution };
  const flags: Record<string, string> = { name: '--space', dataset: '--dataset', batchSize: '--batch', resolution: '--resolution' };
  try {
    return configSpace(validate(spaceSection, { name: args.space, ...options }, 'flags'), 'flags');
  } catch (err) {
    if (err instanceof ConfigError) {
      const field = err.path.replace(/^space\./, '');
      throw new UsageError(`${flags[field] ?? field} ${err.reason}`);
    }
    throw err;
  }
}

function withInput<T>(y: Argv<T>) {
  return y
    .option('space', { type: 'string', choices: spaceRegistry.names(), default: 'nb201', describe: 'Search space' })
    .option('dataset', { choices: DATASETS, describe: "Dataset setting for the default input (default: the space's)" })
    .option('batch', { type: 'number', describe: "Batch size (default 1; a measurement row's batch_size wins)" })
    .option('resolution', { type: 'number', describe: "Input resolution in pixels (default: the dataset's; a row's resolution wins)" });
}

const list = defineCommand({
  command: 'list',
  describe: 'List built-in and user devices with kind (simulated / measured-table / host / onnxruntime), version and source',
  builder: (y) => withDevicesDir(y).option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    const dir = resolveDevicesDir(args.devicesDir);
    const { devices, invalid } = listDevices(dir);
    if (args.json)
      return outJson({
        devicesDir: dir,
        devices: devices.map(({ profile, ...d }) => ({ ...d, description: profile.description, source: profile.provenance.source })),
        invalid,
      });
    const short = (text: string) => (text.length > 72 ? `${text.slice(0, 71)}…` : text);
    out(
      formatTable(
        ['device', 'kind', 'version', 'origin', 'source'],
        devices.map((d) => [
          d.name,
          d.kind,
          `v${d.version}`,
          d.origin === 'user' ? `user (${path.relative(process.cwd(), d.file ?? '') || d.file})` : 'built-in',
          short(d.profile.provenance.source),
        ]),
      ),
    );
    for (const bad of invalid) loggerFor(args).warn(`ignored invalid profile: ${bad.error}`);
  },
});

/** Parameter rows of a profile: dotted field, value, and where the number came from. */
function parameterRows(profile: DeviceProfile): [string, string, string][] {
  const calibrated = profile.provenance.calibration;
  const rows: [string, string, string][] = [];
  const walk = (prefix: string, value: unknown, source: (field: string) => string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix === '' ? k : `${prefix}.${k}`, v, source);
    } else rows.push([prefix, String(value), source(prefix)]);
  };
  if (profile.kind === 'simulated') {
    walk('simulated', profile.simulated, (field) => {
      if (calibrated && /\.(peak|memory\.bandwidthGBs|overhead|efficiency)/.test(field))
        return `calibrated to ${calibrated.measurements} (from ${calibrated.base} v${calibrated.baseVersion})`;
      return /\.(peak|memory)\./.test(field) ? 'spec sheet (provenance.source)' : 'modelling assumption (provenance.notes)';
    });
  } else if (profile.kind === 'measured-table') walk('table', profile.table, () => 'import-table');
  else if (profile.kind === 'host') walk('host', profile.host, () => 'profile setting');
  else if (profile.kind === 'onnxruntime') walk('onnxruntime', profile.onnxruntime, () => 'profile setting');
  else
    walk(
      'remote',
      profile.remote.redis === undefined ? profile.remote : { ...profile.remote, redis: maskRedisUrl(profile.remote.redis) },
      () => 'profile setting',
    );
  return rows;
}

const show = defineCommand({
  command: 'show <device>',
  describe: 'Print a device profile, with where each number came from',
  builder: (y) =>
    withDevicesDir(y)
      .positional('device', { type: 'string', demandOption: true, describe: 'Device name (see devices list)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the profile JSON' }),
  handler: (args) => {
    const entry = getProfile(args.device, { devicesDir: args.devicesDir });
    const p = entry.profile;
    if (args.json) return outJson(p);
    out(`${p.name} v${p.version} (${p.kind}, ${entry.origin === 'user' ? `user: ${entry.file}` : 'built-in'})`);
    out(p.description);
    const prov = p.provenance;
    out(`\nsource:   ${prov.source}`);
    for (const key of ['runtime', 'precision', 'threads', 'governor', 'notes'] as const) {
      if (prov[key] !== undefined) out(`${key.padEnd(9)} ${prov[key]}`);
    }
    if (prov.calibration) {
      const c = prov.calibration;
      out(
        `calibrated from ${c.base} v${c.baseVersion} on ${c.measurements} (${c.trainRows} train / ${c.heldOutRows} held-back rows, ${c.date})`,
      );
      out(`  held-back before: ${JSON.stringify(c.before)}  after: ${JSON.stringify(c.after)}`);
    }
    out('\n' + formatTable(['field', 'value', 'source'], parameterRows(p)));
    if (p.reference) out(`\nreference latencies: ${p.reference.latencies.length} ${p.reference.space} archs`);
  },
});

/**
 * A profile as `devices validate` and `devices add` read it: every schema problem of the file in its one-line error
 * (the first as `file: path: reason`, then the others), so one round of edits fixes them all.
 */
function loadProfileReportingAll(file: string): DeviceProfile {
  try {
    return loadProfile(file);
  } catch (err) {
    if (!(err instanceof ConfigError) || err.others.length === 0) throw err;
    const others = err.others.map((o) => `${o.path === '' ? '' : `${o.path}: `}${o.reason}`).join('; ');
    throw new ConfigError(err.file, err.path, `${err.reason}; also ${others} (${err.others.length + 1} problems)`);
  }
}

const init = defineCommand({
  command: 'init <name>',
  describe: 'Write a new device profile as commented YAML, its numbers copied from a built-in profile to edit; it validates as written',
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true, describe: 'Name of the new device (what --device will take)' })
      .option('like', {
        type: 'string',
        default: 'mobile-cpu',
        describe: 'Built-in profile whose numbers to start from (see `hwnas devices list`)',
      })
      .option('out', { type: 'string', describe: 'Profile file to write (default <name>.yaml); must not exist unless --force' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing --out file' }),
  handler: async (args) => {
    checkDeviceName(args.name, 'device name');
    const like = BUILTIN_PROFILES.find((p) => p.name === args.like);
    if (like === undefined)
      throw new UsageError(`unknown built-in device '${args.like}'; built-in: ${BUILTIN_PROFILES.map((p) => p.name).join(', ')}`);
    const file = args.out ?? `${args.name}.yaml`;
    if (!args.force && fs.existsSync(file)) throw new UsageError(`${file} exists; give another --out or --force`);
    const { profileTemplate } = await import('../../hardware/template.js');
    writeFileAtomic(file, profileTemplate(args.name, like));
    out(`wrote ${file} (numbers of ${like.name}); edit it, then: hwnas devices validate ${file} && hwnas devices add ${file}`);
  },
});

const validateCmd = defineCommand({
  command: 'validate <file>',
  describe:
    'Check a device profile file (JSON or YAML); a malformed one is reported in one line listing every problem (file: field path: reason; also …)',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true, describe: 'Profile file' }).option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print JSON {file, name, kind, version, schema} for a valid profile (a bad one is an error either way)',
    }),
  handler: (args) => {
    const p = loadProfileReportingAll(args.file);
    if (args.json) return outJson({ file: args.file, name: p.name, kind: p.kind, version: p.version, schema: PROFILE_SCHEMA_VERSION });
    out(`${args.file}: ok (${p.name}, ${p.kind}, v${p.version}, schema ${PROFILE_SCHEMA_VERSION})`);
  },
});

const add = defineCommand({
  command: 'add <file>',
  describe: 'Validate a profile and copy it into the devices directory as <name>.json',
  builder: (y) =>
    withDevicesDir(y)
      .positional('file', { type: 'string', demandOption: true, describe: 'Profile file (JSON or YAML)' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing user device of the same name' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON {name, kind, version, file} of the added device' }),
  handler: (args) => {
    const profile = loadProfileReportingAll(args.file);
    const written = saveUserProfile(profile, resolveDevicesDir(args.devicesDir), { overwrite: args.force });
    if (args.json) return outJson({ name: profile.name, kind: profile.kind, version: profile.version, file: written });
    out(`added ${profile.name} (${profile.kind} v${profile.version}) -> ${written}`);
  },
});

const remove = defineCommand({
  command: 'remove <device>',
  describe: 'Delete a user device from the devices directory (built-in devices cannot be removed)',
  builder: (y) => withDevicesDir(y).positional('device', { type: 'string', demandOption: true, describe: 'User device name' }),
  handler: (args) => {
    out(`removed ${args.device} (${removeUserProfile(args.device, resolveDevicesDir(args.devicesDir))})`);
  },
});

/** `n` distinct archs drawn with the seed (fewer when the space is smaller). */
function sampleArchs(space: ReturnType<typeof getSpace>, n: number, seed: number): string[] {
  const archs = new Set<string>();
  for (let i = 0; archs.size < n && i < n * 20; i++) archs.add(space.sample(Rng.derive(seed, 'devices-measure', i)));
  return [...archs];
}

/** Columns of the CSV `devices measure` writes (a measurements file `predictor fit` and `calibrate` read). */
export const MEASURE_COLUMNS = [
  'arch',
  'latency_ms',
  'p10_ms',
  'p90_ms',
  'repeats',
  'batch_size',
  'resolution',
  'device',
  'runtime',
  'runtime_version',
  'threads',
  'cpu',
  'governor',
  'load_avg',
];

function measureRow(device: string, r: RuntimeMeasurement): (string | number)[] {
  return [
    r.arch,
    +r.latencyMs.toFixed(4),
    +r.p10Ms.toFixed(4),
    +r.p90Ms.toFixed(4),
    r.repeats,
    r.batchSize,
    r.resolution,
    device,
    r.runtime,
    r.runtimeVersion,
    r.threads,
    r.cpu,
    r.governor,
    r.loadAvg,
  ];
}

/**
 * The archs already in a `devices measure` output file, so a re-run skips them. A torn last line (a crash while
 * writing) is dropped from the file.
 * @throws UsageError when the file has other columns or rows of another device or input
 */
function alreadyMeasured(file: string, device: string, input: InputShape): Set<string> {
  if (!fs.existsSync(file)) return new Set();
  const text = fs.readFileSync(file, 'utf8');
  if (text.length > 0 && !text.endsWith('\n')) fs.writeFileSync(file, text.slice(0, text.lastIndexOf('\n') + 1));
  if (text.trim() === '') return new Set();
  const table = readCsv(file);
  if (table.header.join(',') !== MEASURE_COLUMNS.join(','))
    throw new UsageError(`${file} exists and is not a devices measure output (columns ${table.header.join(',')}); choose another --out`);
  const col = (name: string) => MEASURE_COLUMNS.indexOf(name);
  const done = new Set<string>();
  for (const [i, row] of table.rows.entries()) {
    if (row[col('device')] !== device)
      throw new UsageError(`${file} line ${table.lines[i]} holds device '${row[col('device')]}', not '${device}'; choose another --out`);
    if (Number(row[col('batch_size')]) !== input.batchSize || Number(row[col('resolution')]) !== input.resolution) {
      throw new UsageError(
        `${file} line ${table.lines[i]} was measured at batch ${row[col('batch_size')]}, resolution ${row[col('resolution')]}, not ${input.batchSize}, ${input.resolution}; choose another --out`,
      );
    }
    done.add(row[col('arch')]);
  }
  return done;
}

/** Timing flags given on the command line (they override the profile's). */
function timingOverrides(args: { warmup?: number; minRepeats?: number; maxRepeats?: number; budgetMs?: number }): Partial<TimingOptions> {
  const result: Partial<TimingOptions> = {};
  for (const [key, flag, min] of [
    ['warmup', 'warmup', 0],
    ['minRepeats', 'min-repeats', 1],
    ['maxRepeats', 'max-repeats', 1],
    ['budgetMs', 'budget-ms', 0],
  ] as const) {
    const value = args[key];
    if (value === undefined) continue;
    if (!(Number.isFinite(value) && value >= min && (key === 'budgetMs' || Number.isInteger(value))))
      throw new UsageError(`--${flag} must be ${key === 'budgetMs' ? 'a number' : 'an integer'} ≥ ${min}, got ${value}`);
    result[key] = value;
  }
  return result;
}

const measure = defineCommand({
  command: 'measure',
  describe:
    'Measure real latency on this machine with a host (TF.js) or onnxruntime device and append it to a measurements CSV (re-runs skip archs already in it)',
  builder: (y) =>
    withInput(withDevicesDir(y))
      .option('device', {
        type: 'string',
        default: 'host',
        describe: 'Measuring device: host (TF.js), host-ort (ONNX Runtime, 1 thread) or a user profile of kind host / onnxruntime',
      })
      .option('n', { type: 'number', default: 20, describe: 'How many distinct archs to sample and measure' })
      .option('archs', { type: 'string', describe: 'Comma-separated archs to measure instead of sampling (NB201 indices accepted)' })
      .option('all', {
        type: 'boolean',
        default: false,
        describe: 'Measure every arch of an enumerable space (nb201: 15,625) in index order',
      })
      .option('model', { type: 'string', describe: 'Time this ONNX file instead of built archs (onnxruntime devices)' })
      .option('seed', { type: 'number', default: 0, describe: "Seed for sampling archs and the models' initial weights" })
      .option('out', {
        type: 'string',
        describe: `Output CSV file (${MEASURE_COLUMNS.join(',')}); rows are appended as they are measured. Required unless --model`,
      })
      .option('warmup', { type: 'number', describe: "Untimed runs per arch before timing (default: the profile's)" })
      .option('min-repeats', { type: 'number', describe: "Timed runs per arch at least (default: the profile's)" })
      .option('max-repeats', { type: 'number', describe: "Timed runs per arch at most (default: the profile's)" })
      .option('budget-ms', {
        type: 'number',
        describe: "Stop timing an arch after this much timed work, once min-repeats ran (default: the profile's); the median is reported",
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary (or the --model measurement) as JSON' }),
  handler: async (args) => {
    // The executors (BullMQ, ONNX Runtime) load only for this subcommand.
    const { closeExecutors, executorFor, isMeasuringProfile, QueuedDevice } = await import('../../executor/devices.js');
    const profile = getProfile(args.device, { devicesDir: args.devicesDir }).profile;
    if (!isMeasuringProfile(profile))
      throw new UsageError(
        `device '${profile.name}' is ${profile.kind}: its latencies are looked up or computed, not measured; measure with a host, onnxruntime or remote device`,
      );
    const timing = timingOverrides(args);
    const { space, input } = spaceInput(args);
    if (args.model !== undefined) {
      if (profile.kind !== 'onnxruntime')
        throw new UsageError(`--model needs a local onnxruntime device; '${profile.name}' is ${profile.kind}`);
      const { measureOnnxFile } = await import('../../hardware/onnxruntime.js');
      const r = await measureOnnxFile(args.model, { ...profile.onnxruntime, ...timing }, { batchSize: args.batch, seed: args.seed });
      if (args.out !== undefined) writeFileAtomic(args.out, toCsv(MEASURE_COLUMNS, [measureRow(profile.name, r)]));
      if (args.json) return outJson({ file: args.model, device: profile.name, ...r });
      out(
        `${args.model}: median ${r.latencyMs.toFixed(3)} ms (p10 ${r.p10Ms.toFixed(3)}, p90 ${r.p90Ms.toFixed(3)}, ${r.repeats} runs) on ${profile.name} (onnxruntime ${r.runtimeVersion}, ${r.threads} thread${r.threads === 1 ? '' : 's'})`,
      );
      return;
    }
    if (args.out === undefined) throw new UsageError('--out is required (the measurements CSV to write or extend)');
    // Rows are appended in place as they are measured (no temporary file and rename), so a link is refused here.
    refuseLink(args.out);
    let archs: string[];
    if (args.all) {
      if (space.enumerate === undefined)
        throw new UsageError(`--all needs an enumerable space; ${space.name} has ${space.sizeLabel} archs (use --n)`);
      archs = space.enumerate();
    } else if (args.archs !== undefined)
      archs = args.archs.split(',').map((a) => space.canonical(/^\d+$/.test(a.trim()) ? Number(a) : a.trim()));
    else {
      if (!(Number.isInteger(args.n) && args.n > 0)) throw new UsageError(`--n must be a positive integer, got ${args.n}`);
      archs = sampleArchs(space, args.n, args.seed);
    }
    const done = alreadyMeasured(args.out, profile.name, input);
    const todo = archs.filter((a) => !done.has(a));
    if (!fs.existsSync(args.out) || fs.statSync(args.out).size === 0) writeFileAtomic(args.out, toCsv(MEASURE_COLUMNS, []));
    const log = loggerFor(args);
    // Measured here: the TF.js backend of --backend (jobs with backend 'auto' keep the one chosen).
    if (profile.kind !== 'remote') await backendFor(args as GlobalOptions);
    const device = new QueuedDevice(profile, executorFor(profile, { kind: 'inline' }, log));
    const progress = startProgress(`measuring on ${profile.name}`, todo.length, { enabled: !args.quiet, fields: ['ms'] });
    const failures: string[] = [];
    let results: RuntimeMeasurement[];
    try {
      results = await device.measure(space, todo, input, {
        ...timing,
        seed: args.seed,
        onArch: (_, r) => {
          // One appended line per arch: a crash loses at most the archs being timed.
          fs.appendFileSync(
            args.out as string,
            toCsv(MEASURE_COLUMNS, [measureRow(profile.name, r)])
              .split('\n')
              .slice(1)
              .join('\n'),
          );
          progress.tick(1, { ms: r.latencyMs.toFixed(2) });
        },
        onError: (arch, reason) => {
          failures.push(arch);
          progress.tick(1, { ms: 'failed' });
          log.warn(`${arch}: ${reason}`);
        },
      });
    } finally {
      progress.stop();
      await closeExecutors();
    }
    if (failures.length > 0 && results.length === 0)
      throw new UsageError(`all ${failures.length} measurements on ${profile.name} failed (reasons above)`);
    const sorted = results.map((r) => r.latencyMs).sort((a, b) => a - b);
    const spread = results.map((r) => r.p90Ms / r.p10Ms).sort((a, b) => a - b);
    const first = results[0];
    const summary = {
      device: profile.name,
      space: space.name,
      measured: results.length,
      skipped: archs.length - todo.length,
      failed: failures.length,
      out: args.out,
      medianMs: sorted[sorted.length >> 1] ?? null,
      medianP90OverP10: spread[spread.length >> 1] ?? null,
      runtime: first?.runtime ?? null,
      runtimeVersion: first?.runtimeVersion ?? null,
      threads: first?.threads ?? null,
      batchSize: input.batchSize,
      resolution: input.resolution,
    };
    if (args.json) return outJson(summary);
    const skipped =
      (summary.skipped > 0 ? `; ${summary.skipped} already in the file, skipped` : '') +
      (failures.length > 0 ? `; ${failures.length} failed (not written)` : '');
    if (first === undefined) return out(`nothing to measure: all ${archs.length} archs are already in ${args.out}`);
    out(
      `measured ${results.length} ${space.name} archs on ${profile.name} (${first.runtime} ${first.runtimeVersion}, ${first.threads} thread${first.threads === 1 ? '' : 's'}, batch ${input.batchSize}, resolution ${input.resolution}): median ${summary.medianMs?.toFixed(3)} ms, median p90/p10 ${summary.medianP90OverP10?.toFixed(2)}${skipped} -> ${args.out}`,
    );
  },
});

const calibrate = defineCommand({
  command: 'calibrate <device>',
  describe: 'Fit the free parameters of a simulated profile to measured latencies; writes a new profile version',
  builder: (y) =>
    withInput(withDevicesDir(y))
      .positional('device', { type: 'string', demandOption: true, describe: 'Simulated device to start from' })
      .option('measurements', { type: 'string', demandOption: true, describe: `Measurements file: ${MEASUREMENTS_FORMAT}` })
      .option('only', {
        type: 'string',
        describe: 'Use only rows whose device column equals this (required when the file holds several devices)',
      })
      .option('held-out', {
        type: 'number',
        default: 0.2,
        describe: 'Fraction of rows held back to report Spearman/Kendall/MAPE before and after',
      })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the train / held-back split' })
      .option('name', { type: 'string', describe: 'Name of the calibrated device (default <device>-cal)' })
      .option('out', {
        type: 'string',
        describe: 'Write the calibrated profile to this file instead of adding it to the devices directory',
      })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing user device of the same name' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the figures as JSON' }),
  handler: (args) => {
    const base = getProfile(args.device, { devicesDir: args.devicesDir }).profile;
    if (base.kind !== 'simulated') throw new UsageError(`device '${base.name}' is ${base.kind}; only simulated profiles can be calibrated`);
    if (!(args.heldOut > 0 && args.heldOut < 1)) throw new UsageError(`--held-out must be between 0 and 1, got ${args.heldOut}`);
    const name = args.name ?? `${base.name.replace(/-cal$/, '')}-cal`;
    checkDeviceName(name, args.name === undefined ? 'the calibrated device name (<device>-cal; choose one with --name)' : '--name');
    if (args.out !== undefined) {
      refuseLink(args.out);
      if (fs.existsSync(args.out) && !args.force) throw new UsageError(`${args.out} exists; use --force to replace it`);
    }
    const { space, input } = spaceInput(args);
    const rows = oneDevice(args.measurements, readMeasurements(args.measurements, space), args.only, 'choose one with --only');
    const { train, heldOut } = splitMeasurements(rows, args.heldOut, args.seed);
    if (heldOut.length < 3) {
      throw new DataFileError(
        args.measurements,
        0,
        `${rows.length} archs leave ${heldOut.length} held back (--held-out ${args.heldOut}); calibration needs at least 3 held-back archs to report quality`,
      );
    }
    const report = calibrateProfile(base, space, input, train, heldOut, {
      name,
      measurements: path.basename(args.measurements),
    });
    let written: string;
    if (args.out !== undefined) {
      writeFileAtomic(args.out, JSON.stringify(report.profile, null, 2) + '\n');
      written = args.out;
    } else written = saveUserProfile(report.profile, resolveDevicesDir(args.devicesDir), { overwrite: args.force });
    if (args.json)
      return outJson({
        profile: report.profile.name,
        version: report.profile.version,
        file: written,
        trainRows: report.trainRows,
        heldOutRows: report.heldOutRows,
        before: report.before,
        after: report.after,
        multipliers: report.fit.multipliers,
      });
    out(`calibrated ${base.name} v${base.version} on ${report.trainRows} rows; held-back ${report.heldOutRows} rows:`);
    out(
      formatTable(
        ['', 'spearman', 'kendall', 'MAPE %'],
        [
          ['before', report.before.spearman, report.before.kendall, report.before.mape],
          ['after', report.after.spearman, report.after.kendall, report.after.mape],
        ],
      ),
    );
    out(`wrote ${report.profile.name} v${report.profile.version} -> ${written}`);
  },
});

const importTable = defineCommand({
  command: 'import-table <name>',
  describe: 'Register a measured-table device: latencies looked up by canonical arch in one column of a wide latency CSV',
  builder: (y) =>
    withDevicesDir(y)
      .positional('name', { type: 'string', demandOption: true, describe: 'Name of the new device' })
      .option('file', { type: 'string', demandOption: true, describe: 'Wide latency CSV (e.g. ../shared/data/help/nb201_latency.csv)' })
      .option('column', { type: 'string', demandOption: true, describe: 'Device column, with or without its _ms suffix (e.g. raspi4)' })
      .option('space', { type: 'string', choices: spaceRegistry.names(), default: 'nb201', describe: 'Search space of the table' })
      .option('batch', { type: 'number', describe: "Batch size the table was measured at (default: the column's _<n> suffix, else 1)" })
      .option('resolution', { type: 'number', describe: "Input resolution of the measurements (default: the space's default)" })
      .option('reference', {
        type: 'string',
        describe:
          "HELP meta JSON whose reference-arch indices are stored as the device's reference latencies (default: help_meta.json beside the table, when it exists)",
      })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing user device of the same name' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print JSON {name, archs, batchSize, resolution, referenceArchs, file} of the added device',
      }),
  handler: (args) => {
    checkDeviceName(args.name, 'device name');
    const space = getSpace(args.space);
    const column = args.column.replace(/_ms$/, '');
    const file = path.resolve(args.file);
    // Load now so a wrong file or column fails here, not at search time.
    const table = loadLatencyTable(file, { devices: [column] });
    const suffix = /_(\d+)$/.exec(column);
    const batchSize = args.batch ?? (suffix ? Number(suffix[1]) : 1);
    const resolution = args.resolution ?? space.defaultInput().resolution;
    const metaFile = args.reference ?? path.join(path.dirname(file), 'help_meta.json');
    let reference: TableProfile['reference'];
    if (args.reference !== undefined || fs.existsSync(metaFile)) {
      const indices = loadHelpMeta(metaFile).referenceArchIndices[space.name] ?? [];
      const latencies = indices.flatMap((index) => {
        const arch = table.archAtIndex(index);
        const latencyMs = arch === undefined ? undefined : table.latency(column, arch);
        return arch === undefined || latencyMs === undefined ? [] : [{ arch, latencyMs }];
      });
      if (latencies.length > 0) reference = { space: space.name, batchSize, resolution, latencies };
    }
    const profile: TableProfile = {
      schemaVersion: PROFILE_SCHEMA_VERSION,
      name: args.name,
      version: 1,
      kind: 'measured-table',
      description: `${column} latencies from ${path.basename(file)} (${table.archs.length} ${space.name} archs)`,
      provenance: { source: `measured table ${file}, column ${column}_ms` },
      table: { file, column, space: space.name, batchSize, resolution },
      ...(reference && { reference }),
    };
    const written = saveUserProfile(profile, resolveDevicesDir(args.devicesDir), { overwrite: args.force });
    if (args.json)
      return outJson({
        name: profile.name,
        archs: table.archs.length,
        batchSize,
        resolution,
        referenceArchs: reference?.latencies.length ?? 0,
        file: written,
      });
    const refs = reference ? `, ${reference.latencies.length} reference archs` : '';
    out(
      `added measured-table device ${profile.name}: ${table.archs.length} archs, batch ${batchSize}, resolution ${resolution}${refs} -> ${written}`,
    );
  },
});

export const devicesCommand = defineCommand({
  command: 'devices <command>',
  describe:
    'Device profiles: list, show, init (a commented template), validate, add, remove, measure on this machine (TF.js or ONNX Runtime), calibrate, import a measured table',
  builder: (y) => y.command([list, show, init, validateCmd, add, remove, measure, calibrate, importTable] as never).demandCommand(1),
  handler: () => {},
});
