// Starting and resuming a search run: config → evaluator → run store → loop → verification. Everything that can
// fail on user input fails before the run directory is created.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { experimentSchema, readExperimentData, type ExperimentConfig } from '../core/config/schema.js';
import { deviceLabel, withSearchDefaults } from '../core/config/search.js';
import { validate } from '../core/config/validate.js';
import type { BackendInfo } from '../core/backend.js';
import { ConfigError, UnknownNameError, UsageError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { startProgress } from '../core/log.js';
import { kendall, mape, spearman } from '../core/metrics.js';
import { isMeasurable } from '../encodings/pool.js';
import { configSpace, resolveInput } from '../spaces/registry.js';
import type { SearchSpace } from '../spaces/types.js';
import { buildEvaluator, HandMeasurementsNeeded, type Adaptation, type AdaptiveCandidates, type PreparedEvaluator } from './evaluate.js';
import { readCsv, toCsv } from '../core/csv.js';
import { checkSearchFlags } from '../core/config/search.js';
import { requireLatencies } from '../executor/devices.js';
import { maskRedisUrl } from '../executor/redis-url.js';
import { runLoop, type SearchPlan } from './loop.js';
import { frontHypervolume, isEvaluated, isFeasible, paretoTrials, referencePoint, resolveObjectives } from './objectives.js';
import { RunStore, type RunMeta } from './store.js';
import { createStrategy } from './strategies/registry.js';
import { HWNAS_VERSION } from '../core/version.js';
import type { EvaluatedTrial, Trial } from './types.js';

export const PREDICTOR_DIR = 'predictor';

/** Predicted vs true latency of the final front on the target device. */
export interface Verification {
  device: string;
  source: string;
  archs: string[];
  predictedMs: number[];
  trueMs: number[];
  spearman: number;
  kendall: number;
  mape: number;
  /**
   * Front members whose output no input reaches, and the MAPE over the others (when there are both): no measurement
   * is ever taken of such an arch (`isMeasurable`), and a runtime that folds its constant output times it in
   * microseconds, so a relative error on it can dwarf the rest. Absent in runs made before they were counted.
   */
  constantOutput?: number;
  mapeOthers?: number;
  /** Front members that violate a latency constraint under the true latency. */
  trueViolations: number;
}

/** How the predicted latencies of `archs` agree with their true ones (the agreement fields of a `Verification`). */
export function frontAgreement(
  space: SearchSpace,
  archs: readonly string[],
  predictedMs: readonly number[],
  trueMs: readonly number[],
): Pick<Verification, 'spearman' | 'kendall' | 'mape' | 'constantOutput' | 'mapeOthers'> {
  const others = archs.flatMap((arch, i) => (isMeasurable(space, arch) ? [i] : []));
  const constantOutput = archs.length - others.length;
  return {
    spearman: spearman(predictedMs, trueMs),
    kendall: kendall(predictedMs, trueMs),
    mape: mape(trueMs, predictedMs),
    constantOutput,
    ...(constantOutput > 0 && others.length > 0
      ? {
          mapeOthers: mape(
            others.map((i) => trueMs[i]),
            others.map((i) => predictedMs[i]),
          ),
        }
      : {}),
  };
}

/** What a finished (or resumed) search returns. */
export interface SearchOutcome {
  runDir: string;
  runId: string;
  trials: Trial[];
  front: EvaluatedTrial[];
  reference?: number[];
  hypervolume: number;
  verification?: Verification;
  seconds: number;
  /** Set when the run waits for measurements a user takes by hand (adaptive rounds): fill `file`, then resume. */
  paused?: PausedRound;
}

/** An adaptive round waiting for hand measurements (stored as a `paused` note). */
export interface PausedRound {
  round: number;
  rounds: number;
  device: string;
  archs: string[];
  /** The CSV to fill (`arch,latency_ms`), inside the run folder. */
  file: string;
}

/** Write the round's CSV (latency_ms empty) and the `paused` note; the outcome says what to do. */
function pauseRun(store: RunStore, need: HandMeasurementsNeeded, started: number): SearchOutcome {
  const file = path.join(store.dir, `measure-round-${need.round}.csv`);
  fs.writeFileSync(
    file,
    toCsv(
      ['arch', 'latency_ms'],
      need.archs.map((a) => [a, '']),
    ),
  );
  const paused: PausedRound = { round: need.round, rounds: need.rounds, device: need.device, archs: need.archs, file };
  store.addNote('paused', { ...paused });
  // Kept once, by the session that scored them; JSON has no NaN: a failed candidate's accuracy is stored as null.
  if (need.candidates !== undefined)
    store.addNote('adaptive-candidates', {
      archs: need.candidates.archs,
      accuracy: need.candidates.accuracy.map((v) => (Number.isFinite(v) ? v : null)),
    });
  const outcome: SearchOutcome = {
    runDir: store.dir,
    runId: store.runId,
    trials: [],
    front: [],
    hypervolume: 0,
    seconds: (performance.now() - started) / 1000,
    paused,
  };
  store.close();
  return outcome;
}

/** The adaptive candidates' accuracy the last paused session of a run stored, if any. */
function storedCandidates(store: RunStore): AdaptiveCandidates | undefined {
  const last = store.notes('adaptive-candidates').at(-1)?.data as { archs: string[]; accuracy: (number | null)[] } | undefined;
  return last === undefined ? undefined : { archs: last.archs, accuracy: last.accuracy.map((v) => v ?? NaN) };
}

/**
 * The measurement files of the rounds a paused run asked for, each checked to hold a latency for every arch asked.
 * @throws UsageError naming the file and the archs still without a latency
 */
function filledRounds(store: RunStore): string[] {
  return store.notes('paused').map(({ data }) => {
    const round = data as unknown as PausedRound;
    if (!fs.existsSync(round.file))
      throw new UsageError(
        `${round.file} is missing: it lists the ${round.archs.length} archs to measure on ${round.device} for round ${round.round}`,
      );
    const table = readCsv(round.file);
    const archCol = table.header.indexOf('arch');
    const latencyCol = table.header.indexOf('latency_ms');
    if (archCol < 0 || latencyCol < 0) throw new UsageError(`${round.file}: needs the columns arch and latency_ms`);
    const filled = new Set(table.rows.filter((r) => (r[latencyCol] ?? '').trim() !== '').map((r) => r[archCol].trim()));
    const missing = round.archs.filter((a) => !filled.has(a));
    if (missing.length > 0) {
      throw new UsageError(
        `${round.file}: no latency_ms yet for ${missing.length} of the ${round.archs.length} archs (e.g. ${missing[0]}); measure them on ${round.device}, fill the column, then resume`,
      );
    }
    return round.file;
  });
}

export interface SearchOptions {
  logger: Logger;
  backend: BackendInfo;
  /** Show the progress bar. */
  progress: boolean;
  /** Overrides `output.dir`. */
  outputDir?: string;
  /** Overrides `output.runName`. */
  runName?: string;
  /** Overrides `budget.evaluations`. */
  evaluations?: number;
  /** Overrides `seed`. */
  seed?: number;
  /** Overrides the target device's name (the column of a measured table). */
  device?: string;
  /** Overrides `strategy.name` (its params are kept only when the name stays the same). */
  strategy?: string;
}

/**
 * The config data with the command-line overrides applied, before validation: the run stores (and `runs resume`
 * reuses) the config it actually ran, and a bad override is reported like a bad config field.
 */
function withOverrides(raw: Record<string, unknown>, options: SearchOptions): Record<string, unknown> {
  const data = structuredClone(raw);
  if (options.evaluations !== undefined) data.budget = { ...(data.budget as object | undefined), evaluations: options.evaluations };
  if (options.seed !== undefined) data.seed = options.seed;
  if (options.device !== undefined) {
    const device = data.device;
    if (device !== null && typeof device === 'object' && 'table' in device) data.device = { ...device, column: options.device };
    else if (device !== null && typeof device === 'object') data.device = { ...device, name: options.device };
    else data.device = options.device;
  }
  if (options.strategy !== undefined) {
    const strategy = data.strategy as { name?: unknown } | undefined;
    data.strategy = strategy?.name === options.strategy ? strategy : { name: options.strategy };
  }
  return data;
}

function hashOf(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** Everything resolved from a config that the loop and the evaluator need. */
type SearchConfig = ReturnType<typeof withSearchDefaults<ExperimentConfig>>;

/** Validate a search config and fill in the search defaults. @throws ConfigError */
function loadSearchConfig(data: unknown, file: string): SearchConfig {
  return withSearchDefaults(validate(experimentSchema, data, file));
}

interface Resolved {
  config: SearchConfig;
  plan: SearchPlan;
  prepared: PreparedEvaluator;
}

async function resolve(
  config: SearchConfig,
  file: string,
  options: SearchOptions,
  runId: string,
  adaptedPredictorDir?: string,
  handRounds?: string[],
  adaptiveCandidates?: AdaptiveCandidates,
): Promise<Resolved> {
  if (config.accuracy === undefined) throw new ConfigError(file, 'accuracy', 'is required for a search (source table or zcp)');
  if (config.latency === undefined) throw new ConfigError(file, 'latency', 'is required for a search (source device, predictor or table)');
  const { space, input } = configSpace(config.space, file);
  let strategy;
  try {
    strategy = createStrategy(config.strategy.name, config.strategy.params, file);
  } catch (err) {
    if (err instanceof UnknownNameError) throw new ConfigError(file, 'strategy.name', err.message);
    throw err;
  }
  const prepared = await buildEvaluator({
    space,
    input,
    seed: config.seed,
    configFile: file,
    device: config.device,
    latency: config.latency,
    accuracy: config.accuracy,
    logger: options.logger,
    adaptedPredictorDir,
    executor: config.executor,
    jobScope: `run-${runId}`,
    handRounds,
    adaptiveCandidates,
    progress: options.progress,
  });
  const plan: SearchPlan = {
    space,
    strategy,
    objectives: resolveObjectives(config.objectives),
    constraints: config.constraints,
    evaluations: config.budget.evaluations,
    batchSize: config.budget.batchSize,
    seed: config.seed,
  };
  return { config, plan, prepared };
}

/** A free-form name as a run-folder prefix: other characters become '-', at most 60. */
function safeName(name: string): string {
  const slug = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 60);
  return slug === '' ? 'run' : slug;
}

function freeRunDir(outputDir: string, base: string, explicit: boolean): string {
  const dir = path.join(outputDir, base);
  if (explicit || !fs.existsSync(dir)) return dir;
  for (let n = 2; ; n++) if (!fs.existsSync(`${dir}-${n}`)) return `${dir}-${n}`;
}

/** Start a new run from a config file. @throws ConfigError, DataFileError, UsageError — before anything is written */
export async function startSearch(configFile: string, options: SearchOptions): Promise<SearchOutcome> {
  // Flags first: a refused command leaves nothing behind.
  checkSearchFlags(options);
  const raw = withOverrides(readExperimentData(configFile), options);
  const config = loadSearchConfig(raw, configFile);
  const configHash = hashOf(config);
  const outputDir = options.outputDir ?? config.output.dir;
  const runName = options.runName ?? config.output.runName;
  // The default run id comes from the free-form config name, made safe as a folder name (never a path).
  const runDir = freeRunDir(
    outputDir,
    runName ?? `${safeName(config.name)}-s${config.seed}-${configHash.slice(0, 8)}`,
    runName !== undefined,
  );
  const started = performance.now();
  let resolved: Resolved | undefined;
  let pause: HandMeasurementsNeeded | undefined;
  try {
    resolved = await resolve(config, configFile, options, path.basename(runDir));
  } catch (err) {
    if (!(err instanceof HandMeasurementsNeeded)) throw err;
    pause = err;
  }
  const stored = structuredClone(raw);
  // Redis credentials are never stored: the URL is kept with its password masked (resume takes $HWNAS_REDIS_URL).
  const executor = stored.executor as { redis?: unknown } | undefined;
  if (typeof executor?.redis === 'string') stored.executor = { ...executor, redis: maskRedisUrl(executor.redis) };
  const recorded =
    config.executor.kind === 'bullmq' && config.executor.redis !== undefined
      ? { ...config, executor: { ...config.executor, redis: maskRedisUrl(config.executor.redis) } }
      : config;
  const meta: RunMeta = {
    runId: path.basename(runDir),
    createdAt: new Date().toISOString(),
    config: { ...recorded, input: stored } as Record<string, unknown>,
    configHash,
    configFile: path.resolve(configFile),
    backend: options.backend.name,
    versions: { hwnas: HWNAS_VERSION, tfjs: options.backend.tfjsVersion, node: process.version },
  };
  const store = RunStore.create(runDir, meta);
  if (pause !== undefined || resolved === undefined) return pauseRun(store, pause as HandMeasurementsNeeded, started);
  try {
    await saveAdaptation(store, resolved);
  } catch (err) {
    store.close();
    fs.rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
  return continueRun(store, resolved, options, configFile);
}

/** Keep the adapted predictor and how it was adapted with the run (a resume reuses them, never re-fits). */
async function saveAdaptation(store: RunStore, resolved: Resolved): Promise<void> {
  if (resolved.prepared.adaptation !== undefined && resolved.prepared.predictor !== undefined) {
    await resolved.prepared.predictor.save(path.join(store.dir, PREDICTOR_DIR));
    store.addNote('adaptation', { ...resolved.prepared.adaptation });
  }
}

/** Resume a run: same config, the adapted predictor it saved, the loop from its committed events. */
export async function resumeSearch(runDir: string, options: SearchOptions): Promise<SearchOutcome> {
  const store = RunStore.openWriter(runDir);
  try {
    const meta = store.meta();
    if (store.notes('completed').length > 0)
      throw new UsageError(`run ${store.runId} is already complete (${store.counts().evaluated} evaluated)`);
    const stored = (meta.config as { input: Record<string, unknown> }).input;
    const label = `${store.runId} (stored config)`;
    const config = loadSearchConfig(stored, label);
    if (config.executor.kind === 'bullmq' && config.executor.redis?.includes('***')) {
      if (process.env.HWNAS_REDIS_URL === undefined) {
        throw new UsageError(
          `run ${store.runId} used Redis at ${config.executor.redis}, whose password is not stored; set HWNAS_REDIS_URL to the full URL to resume`,
        );
      }
      config.executor.redis = process.env.HWNAS_REDIS_URL;
    }
    const predictorDir = path.join(runDir, PREDICTOR_DIR);
    const adapted = fs.existsSync(predictorDir);
    let resolved: Resolved;
    try {
      // A run paused for hand measurements continues its adaptive rounds from the files the user filled, with the
      // candidates' accuracy it kept.
      resolved = adapted
        ? await resolve(config, label, options, store.runId, predictorDir)
        : await resolve(config, label, options, store.runId, undefined, filledRounds(store), storedCandidates(store));
    } catch (err) {
      if (err instanceof HandMeasurementsNeeded) return pauseRun(store, err, performance.now());
      throw err;
    }
    if (!adapted) await saveAdaptation(store, resolved);
    return await continueRun(store, resolved, options, label);
  } catch (err) {
    store.close();
    throw err;
  }
}

async function continueRun(store: RunStore, resolved: Resolved, options: SearchOptions, file: string): Promise<SearchOutcome> {
  const started = performance.now();
  const { plan, prepared, config } = resolved;
  store.addNote('session', { pid: process.pid, backend: options.backend.name, threads: options.backend.threads, file });
  const already = store.trials().filter((t) => t.state !== 'proposed').length;
  const bar = startProgress('search', plan.evaluations, {
    enabled: options.progress,
    fields: [prepared.evaluator.describe.accuracyIsProxy ? 'bestProxy' : 'bestAccuracy', 'hv'],
  });
  let stopped = false;
  const progress = { tick: bar.tick, stop: () => (stopped ? undefined : ((stopped = true), bar.stop())) };
  if (already > 0) progress.tick(already);
  // Ctrl-C / SIGTERM: everything committed stays; restore the terminal, release the lock, say how to go on.
  const onSignal = (signal: NodeJS.Signals) => {
    progress.stop();
    if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
    store.close();
    process.stderr.write(
      `hwnas: ${signal}: search stopped; what was committed is kept; continue with: hwnas runs resume ${store.runId} --results ${path.dirname(store.dir)}\n`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const trials = await runLoop(store, plan, prepared.evaluator, (all, n) => {
      const front = paretoTrials(all, plan.objectives, plan.constraints);
      const reference = referencePoint(all, plan.objectives);
      const best = Math.max(
        ...all
          .filter(isEvaluated)
          .filter((t) => isFeasible(t.metrics, plan.constraints))
          .map((t) => t.metrics.accuracy),
      );
      progress.tick(n, {
        [prepared.evaluator.describe.accuracyIsProxy ? 'bestProxy' : 'bestAccuracy']: Number.isFinite(best) ? best.toPrecision(4) : '-',
        hv: reference === undefined ? '-' : frontHypervolume(front, plan.objectives, reference).toPrecision(4),
      });
    });
    progress.stop();
    const front = paretoTrials(trials, plan.objectives, plan.constraints);
    const reference = referencePoint(trials, plan.objectives);
    let verification: Verification | undefined;
    if (config.latency?.source === 'predictor' && config.latency.verify && prepared.device !== undefined && front.length > 0) {
      const archs = front.map((t) => t.arch);
      const truth = requireLatencies(
        await prepared.device.latency(plan.space, archs, resolveInput(plan.space, config.space)),
        prepared.device.profile.name,
        'verifying the front',
      );
      const predictedMs = front.map((t) => t.metrics.latencyMs);
      const trueMs = truth.map((r) => r.latencyMs);
      const latencyConstraints = plan.constraints.filter((c) => c.metric === 'latencyMs');
      verification = {
        device: config.device === undefined ? '' : deviceLabel(config.device),
        source: truth[0].source,
        archs,
        predictedMs,
        trueMs,
        ...frontAgreement(plan.space, archs, predictedMs, trueMs),
        trueViolations: front.filter((t, i) => !isFeasible({ ...t.metrics, latencyMs: trueMs[i] }, latencyConstraints)).length,
      };
      store.addNote('verification', { ...verification });
    }
    store.addNote('completed', { evaluations: trials.length });
    return {
      runDir: store.dir,
      runId: store.runId,
      trials,
      front,
      reference,
      hypervolume: reference === undefined ? 0 : frontHypervolume(front, plan.objectives, reference),
      verification,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.stop();
    store.close();
  }
}

export type { Adaptation };
