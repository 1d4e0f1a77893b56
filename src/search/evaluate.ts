// Turns a config's `accuracy` and `latency` sections into one batch evaluator of trial metrics with provenance.
// Everything that can fail on user input (tables, devices, measurements, predictor) fails here, before a run exists.
import path from 'node:path';
import type { AccuracyConfig, DeviceConfig, LatencyConfig } from '../core/config/search.js';
import { ConfigError, UnknownNameError } from '../core/errors.js';
import { startProgress, type Logger } from '../core/log.js';
import { loadAccuracyTable } from '../data/accuracy.js';
import { measurablePool, spacePool } from '../encodings/pool.js';
import { loadLatencyTable } from '../data/latency.js';
import { getProfile, inlineTableDevice, openDevice } from '../hardware/registry.js';
import { TableDevice } from '../hardware/table.js';
import type { ExecutorConfig } from '../core/config/executor.js';
import { executorFor, QueuedDevice, requireLatencies, runsOnExecutor } from '../executor/devices.js';
import type { Device } from '../hardware/types.js';
import { oneDevice, readMeasurements } from '../hardware/measurements.js';
import { loadPredictor } from '../predictors/registry.js';
import { describeOutlier, diagnose, outlierRows, predictionIntervals, type FitDiagnostics } from '../predictors/trust.js';
import { describeAdaptation, fitDevice, type AdaptReport, type LatencyPredictor } from '../predictors/types.js';
import { resolveSampler } from '../predictors/transfer/sampler.js';
import { nextMeasurements } from './adaptive.js';
import { createCostTotals } from '../spaces/sums.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import { Rng } from '../core/rng.js';
import type { MetricSources, TrialMetrics } from './types.js';

/**
 * Not an error: adaptive rounds for a device measured by hand (`latency.measurements` with `latency.adaptive`) need
 * the user to measure `archs`. The run pauses and says which file to fill; `runs resume` continues.
 */
export class HandMeasurementsNeeded extends Error {
  constructor(
    readonly round: number,
    readonly rounds: number,
    readonly archs: string[],
    readonly device: string,
    /**
     * The candidates' accuracy when this session scored it (undefined when it came from the paused run), kept with the
     * run so `runs resume` need not score it again.
     */
    readonly candidates?: AdaptiveCandidates,
  ) {
    super(`adaptive round ${round}/${rounds} needs ${archs.length} measurements on ${device}`);
  }
}

/** The archs adaptive rounds choose from, with their accuracy (NaN where it failed), in the order they were drawn. */
export interface AdaptiveCandidates {
  archs: string[];
  accuracy: number[];
}

/** The result of evaluating one arch. */
export type Evaluation = { metrics: TrialMetrics; sources: MetricSources } | { error: string };

/** Scores a batch of canonical archs; a failure of one arch is its result, not an exception. */
export interface Evaluator {
  evaluate(archs: readonly string[]): Promise<Evaluation[]>;
  /** What each metric comes from, for headers and reports (`accuracy: zcp:synflow (proxy)`). */
  readonly describe: { accuracy: string; latencyMs: string; accuracyIsProxy: boolean };
}

/** A batch scorer of one metric: values (NaN with a reason where it has none) and their provenance. */
interface MetricScorer {
  source: string;
  /** Values with their provenance; a predictor's scores also carry the 90 % interval of each value. */
  score(
    archs: readonly string[],
  ): Promise<{ values: number[]; sources: string[]; errors: (string | undefined)[]; lower?: ArrayLike<number>; upper?: ArrayLike<number> }>;
}

/** How the few-shot predictor was adapted to the target (stored with the run, shown by `runs show`/`report`). */
export interface Adaptation {
  predictor: string;
  kind: string;
  device: string;
  deviceSource: string;
  sampler: string;
  archs: string[];
  latencyMs: number[];
  fitSeconds: number;
  /** How a transferable predictor was initialised and read out (see `describeAdaptation`). */
  report?: AdaptReport;
  /** Leave-one-out quality of the fit on the measurements, the rows it distrusts and its 90 % interval factor. */
  diagnostics?: FitDiagnostics;
  /** With `latency.adaptive`: how many of `archs` were measured up front; the rest came in rounds. */
  initialSamples?: number;
}

/** What `buildEvaluator` needs. */
export interface EvaluatorContext {
  space: SearchSpace;
  input: InputShape;
  seed: number;
  configFile: string;
  device?: DeviceConfig;
  latency: LatencyConfig;
  accuracy: AccuracyConfig;
  logger: Logger;
  /** An adapted predictor saved by an earlier session of this run (resume): used as is, never re-fitted. */
  adaptedPredictorDir?: string;
  /** Where measurements of measuring devices run (default inline). */
  executor?: ExecutorConfig;
  /** Scope of measurement job ids (the run id), so a resumed run finds the results of its jobs. */
  jobScope?: string;
  /** Measurements files of the adaptive rounds a user has measured by hand so far, in round order. */
  handRounds?: string[];
  /** The adaptive candidates' accuracy scored by an earlier session of this run: reused when the candidates match. */
  adaptiveCandidates?: AdaptiveCandidates;
  /** Show a progress bar on long preparation (scoring the adaptive candidates' accuracy). */
  progress?: boolean;
}

/** The evaluator plus what was prepared for it (the adapted predictor and the device to verify against). */
export interface PreparedEvaluator {
  evaluator: Evaluator;
  /** The target device (latency source `device` or `predictor`). */
  device?: Device;
  predictor?: LatencyPredictor;
  adaptation?: Adaptation;
}

/**
 * The target device of a config: a registered one by name, or a measured-table column given inline. A measured table
 * is read and matched to the space and input here, so a wrong one is refused before the run folder exists.
 */
async function targetDevice(context: EvaluatorContext): Promise<{ name: string; device: Device }> {
  const { device, configFile, space, input } = context;
  if (device === undefined) throw new ConfigError(configFile, 'device', 'is required for this latency source');
  const served = (table: TableDevice): TableDevice => {
    try {
      table.checkServes(space.name, input);
    } catch (err) {
      throw new ConfigError(configFile, 'device', (err as Error).message);
    }
    return table;
  };
  if (typeof device === 'object' && 'table' in device)
    return { name: device.column, device: served(inlineTableDevice(device, space.name, input, configFile)) };
  const { name, devicesDir } = typeof device === 'string' ? { name: device, devicesDir: undefined } : device;
  const entry = await wrapConfig(configFile, 'device', () => getProfile(name, { devicesDir }));
  const profile = entry.profile;
  // Measured devices (host, onnxruntime, remote) measure through the executor: in-process, or on workers.
  if (runsOnExecutor(profile, context.executor))
    return { name, device: new QueuedDevice(profile, executorFor(profile, context.executor, context.logger), context.jobScope) };
  const target = openDevice(entry);
  return { name, device: target instanceof TableDevice ? served(target) : target };
}

/** Re-raise an unknown name (device, sampler) as a config error at the field that named it. */
async function wrapConfig<T>(file: string, fieldPath: string, make: () => T | Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (err) {
    if (err instanceof UnknownNameError) throw new ConfigError(file, fieldPath, err.message);
    throw err;
  }
}

/** Candidates scored per call, so the progress bar moves while a zero-cost proxy takes minutes for thousands. */
const CANDIDATE_CHUNK = 50;

/**
 * The accuracy of the adaptive `candidates`: an earlier session's values when they are for the same archs (`scored`
 * false), else scored now.
 */
async function candidatesAccuracy(
  accuracy: MetricScorer,
  candidates: string[],
  context: EvaluatorContext,
): Promise<{ values: number[]; scored: boolean }> {
  const earlier = context.adaptiveCandidates;
  if (earlier !== undefined && earlier.archs.length === candidates.length && earlier.archs.every((a, i) => a === candidates[i])) {
    context.logger.info(`adaptive: the accuracy of ${candidates.length} candidate archs from the paused session`);
    return { values: earlier.accuracy, scored: false };
  }
  context.logger.info(`adaptive: scoring the accuracy of ${candidates.length} candidate archs (${accuracy.source})`);
  const progress = startProgress('adaptive candidates', candidates.length, { enabled: context.progress === true });
  const values: number[] = [];
  try {
    for (let start = 0; start < candidates.length; start += CANDIDATE_CHUNK) {
      const chunk = candidates.slice(start, start + CANDIDATE_CHUNK);
      values.push(...(await accuracy.score(chunk)).values);
      progress.tick(chunk.length);
    }
  } finally {
    progress.stop();
  }
  return { values, scored: true };
}

async function latencyScorer(
  context: EvaluatorContext,
  accuracy: MetricScorer,
): Promise<{ scorer: MetricScorer; device?: Device; predictor?: LatencyPredictor; adaptation?: Adaptation }> {
  const { latency, space, input, configFile } = context;
  if (latency.source === 'table') {
    const table = loadLatencyTable(latency.file, { devices: [latency.column], allowMissing: true });
    const source = `table:${latency.file}#${latency.column}`;
    return {
      scorer: {
        source,
        score: async (archs) => {
          const values = archs.map((a) => table.latency(latency.column, a) ?? NaN);
          return {
            values,
            sources: archs.map(() => source),
            errors: values.map((v) => (Number.isFinite(v) ? undefined : `no latency in ${latency.file} (${latency.column})`)),
          };
        },
      },
    };
  }
  const { name, device } = await targetDevice(context);
  const deviceScorer: MetricScorer = {
    source: name,
    score: async (archs) => {
      const records = await device.latency(space, archs, input);
      return { values: records.map((r) => r.latencyMs), sources: records.map((r) => r.source), errors: records.map((r) => r.error) };
    },
  };
  if (latency.source === 'device') return { scorer: deviceScorer, device };

  // Few-shot predictor: load the pretrained one, measure a few archs on the target, fit, then predict.
  let predictor: LatencyPredictor;
  let adaptation: Adaptation | undefined;
  if (context.adaptedPredictorDir !== undefined) {
    predictor = await loadPredictor(context.adaptedPredictorDir);
  } else {
    let archs: string[];
    let latencyMs: number[];
    let sampler: string;
    let deviceSource: string;
    // Measurements only ever go to archs worth timing: the adaptation samples and the adaptive rounds' candidates.
    const measurementPool = () => measurablePool(space, spacePool(space, context.seed));
    let pool: string[] | undefined;
    if (latency.measurements !== undefined) {
      const rows = oneDevice(latency.measurements, readMeasurements(latency.measurements, space));
      archs = rows.map((r) => r.arch);
      latencyMs = rows.map((r) => r.latencyMs);
      sampler = `file:${latency.measurements}`;
      deviceSource = `measurements:${latency.measurements}`;
      // Adaptive rounds choose among the archs worth timing; the user measures each round by hand.
      if (latency.adaptive !== undefined) pool = measurementPool();
    } else {
      const choose = await wrapConfig(configFile, 'latency.sampler', () => resolveSampler(latency.sampler, space));
      pool = measurementPool();
      archs = await choose(pool, latency.samples, context.seed);
      const records = requireLatencies(await device.latency(space, archs, input), name, `measuring the ${archs.length} adaptation samples`);
      latencyMs = records.map((r) => r.latencyMs);
      sampler = latency.sampler;
      deviceSource = records[0]?.source ?? name;
    }
    predictor = await loadPredictor(latency.predictor);
    if (predictor.space.name !== space.name)
      throw new ConfigError(
        configFile,
        'latency.predictor',
        `predictor is for space ${predictor.space.name}, config searches ${space.name}`,
      );
    const started = performance.now();
    // A distrusted measurement of a device that measures itself is taken again: if it repeats (within 25 %), the
    // device is unusual there, not the measurement wrong, and the fit keeps it.
    const confirmed: string[] = [];
    const remeasurable = latency.measurements === undefined;
    const fit = async (): Promise<AdaptReport | undefined> => {
      const first = await fitDevice(predictor, name, { archs, latencyMs }, context.seed, confirmed);
      const quality = predictor.fitQuality(name);
      const suspects = !remeasurable || quality === undefined ? [] : outlierRows(quality).filter((o) => !confirmed.includes(o.arch));
      if (suspects.length === 0) return first;
      const again = requireLatencies(
        await device.latency(
          space,
          suspects.map((o) => o.arch),
          input,
        ),
        name,
        'measuring distrusted rows again',
      );
      const repeated = suspects.filter((o, k) => Math.abs(Math.log(again[k].latencyMs / o.latencyMs)) <= Math.log(1.25));
      suspects.forEach((o, k) =>
        context.logger.info(
          `distrusted row ${o.row} measured again: ${again[k].latencyMs.toPrecision(4)} ms (first ${o.latencyMs.toPrecision(4)} ms): ${repeated.includes(o) ? 'kept' : 'left out'}`,
        ),
      );
      if (repeated.length === 0) return first;
      confirmed.push(...repeated.map((o) => o.arch));
      return fitDevice(predictor, name, { archs, latencyMs }, context.seed, confirmed);
    };
    let report = await fit();
    const initialSamples = archs.length;
    if (latency.adaptive !== undefined && pool !== undefined) {
      const { rounds, perRound, candidates: size } = latency.adaptive;
      const candidates = Rng.derive(context.seed, 'adaptive-candidates').sample(pool, Math.min(size, pool.length));
      const { values: candidateAccuracy, scored } = await candidatesAccuracy(accuracy, candidates, context);
      const byHand = latency.measurements !== undefined;
      for (let round = 1; round <= rounds; round++) {
        let next: string[];
        let measured: number[];
        if (byHand) {
          const file = context.handRounds?.[round - 1];
          if (file === undefined)
            throw new HandMeasurementsNeeded(
              round,
              rounds,
              await nextMeasurements(predictor, name, candidates, candidateAccuracy, new Set(archs), perRound),
              name,
              scored ? { archs: candidates, accuracy: candidateAccuracy } : undefined,
            );
          const rows = oneDevice(file, readMeasurements(file, space));
          next = rows.map((r) => r.arch);
          measured = rows.map((r) => r.latencyMs);
        } else {
          next = await nextMeasurements(predictor, name, candidates, candidateAccuracy, new Set(archs), perRound);
          measured = requireLatencies(await device.latency(space, next, input), name, `adaptive round ${round}`).map((r) => r.latencyMs);
        }
        archs = [...archs, ...next];
        latencyMs = [...latencyMs, ...measured];
        report = await fit();
        context.logger.info(
          `adaptive round ${round}/${rounds}: measured ${next.length} uncertain front candidates on ${name}${byHand ? ' (by hand)' : ''}; refitted on ${archs.length}`,
        );
      }
    }
    const quality = predictor.fitQuality(name);
    const diagnostics = quality === undefined ? undefined : diagnose(quality);
    adaptation = {
      predictor: latency.predictor,
      kind: predictor.kind,
      device: name,
      deviceSource,
      sampler,
      archs,
      latencyMs,
      fitSeconds: (performance.now() - started) / 1000,
      report,
      diagnostics,
      ...(latency.adaptive === undefined ? {} : { initialSamples }),
    };
    context.logger.info(
      `adapted ${predictor.kind} predictor (${latency.predictor}) to ${name} from ${archs.length} measurements chosen by ${sampler} in ${adaptation.fitSeconds.toFixed(1)} s${report === undefined ? '' : `; ${describeAdaptation(report)}`}`,
    );
    for (const outlier of diagnostics?.outliers ?? []) context.logger.warn(`distrusted measurement ${describeOutlier(outlier)}`);
    if (diagnostics?.warning !== undefined) context.logger.warn(diagnostics.warning);
  }
  const source = `predictor:${predictor.kind}(${path.basename(latency.predictor)})→${name}`;
  return {
    device,
    predictor,
    adaptation,
    scorer: {
      source,
      score: async (archs) => {
        const predicted = await predictor.predict(name, archs);
        const intervals = predictionIntervals(predicted, predictor.fitQuality(name));
        const values = Array.from(predicted);
        return {
          values,
          sources: archs.map(() => source),
          errors: values.map((v) => (Number.isFinite(v) && v > 0 ? undefined : `predictor returned an impossible latency (${v} ms)`)),
          lower: intervals?.lowerMs,
          upper: intervals?.upperMs,
        };
      },
    },
  };
}

async function accuracyScorer(context: EvaluatorContext): Promise<{ scorer: MetricScorer; proxy: boolean }> {
  const { accuracy, space } = context;
  if (accuracy.source === 'table') {
    const table = loadAccuracyTable(accuracy.file, accuracy.column, { canonical: (a) => space.canonical(a) });
    const source = `table:${accuracy.file}#${accuracy.column}`;
    return {
      proxy: false,
      scorer: {
        source,
        score: async (archs) => {
          const values = archs.map((a) => table.get(a) ?? NaN);
          return {
            values,
            sources: archs.map(() => source),
            errors: values.map((v) => (Number.isFinite(v) ? undefined : `no accuracy in ${accuracy.file} (${accuracy.column})`)),
          };
        },
      },
    };
  }
  const { zcpAccuracyScorer } = await import('./zcp-accuracy.js');
  return {
    proxy: true,
    scorer: await zcpAccuracyScorer(
      space,
      { ...context.input, resolution: accuracy.resolution ?? context.input.resolution },
      accuracy.proxy,
      { seed: context.seed, batchSize: accuracy.batchSize },
    ),
  };
}

/** Build the evaluator of a config. @throws ConfigError / DataFileError for bad sources, before anything is written */
export async function buildEvaluator(context: EvaluatorContext): Promise<PreparedEvaluator> {
  const accuracy = await accuracyScorer(context);
  const latency = await latencyScorer(context, accuracy.scorer);
  const { space, input } = context;
  const costs = createCostTotals(space, input);
  const evaluator: Evaluator = {
    describe: { accuracy: accuracy.scorer.source, latencyMs: latency.scorer.source, accuracyIsProxy: accuracy.proxy },
    async evaluate(archs) {
      const acc = await accuracy.scorer.score(archs);
      const lat = await latency.scorer.score(archs);
      return archs.map((arch, i): Evaluation => {
        const error = acc.errors[i] ?? lat.errors[i];
        if (error !== undefined) return { error };
        const { flops, params } = costs(arch);
        return {
          metrics: {
            accuracy: acc.values[i],
            latencyMs: lat.values[i],
            ...(lat.lower !== undefined && lat.upper !== undefined ? { latencyLowerMs: lat.lower[i], latencyUpperMs: lat.upper[i] } : {}),
            flopsM: flops / 1e6,
            paramsM: params / 1e6,
          },
          sources: { accuracy: acc.sources[i], latencyMs: lat.sources[i], flopsM: 'analytic', paramsM: 'analytic' },
        };
      });
    },
  };
  return { evaluator, device: latency.device, predictor: latency.predictor, adaptation: latency.adaptation };
}
