// The paper's few-shot transfer experiment: for each target device, sample count, seed and method, fit on the few
// sampled archs and score the ranking (Spearman ρ, Kendall τ) on the remaining archs of the space.
import { kendall, spearman } from '../../core/metrics.js';
import type { Logger } from '../../core/log.js';
import { startProgress } from '../../core/log.js';
import { Rng } from '../../core/rng.js';
import type { LatencyTable } from '../../data/latency.js';
import type { SearchSpace } from '../../spaces/types.js';
import { ArchFeatures } from '../baselines/features.js';
import type { SourceLatencies } from '../baselines/sources.js';
import { getPredictorMethod, type BuildContext } from '../registry.js';
import { nonSkipOps } from '../nasflat/inputs.js';
import { predictionIntervals } from '../trust.js';
import { describeAdaptation, fitDevice, type LatencyPredictor } from '../types.js';

/**
 * Rankings that need no measurement at all, scored beside the methods (a few-shot predictor should never lose to
 * them): FLOPs, parameters, and the number of ops that do work (not `none`, not a skip).
 */
export const ZERO_SHOT_PROXIES: Record<string, (features: ArchFeatures, space: SearchSpace, arch: string) => number> = {
  'zero-shot:flops': (features, _space, arch) => features.flops(arch),
  'zero-shot:params': (features, _space, arch) => features.params(arch),
  'zero-shot:non-skip': (_features, space, arch) => nonSkipOps(space, arch),
};

/** Picks `n` archs of `pool` to measure on the target device, deterministically for `seed`. */
export type SampleChooser = (pool: readonly string[], n: number, seed: number) => string[] | Promise<string[]>;

/** Uniformly random samples: the fallback when no encoding-based sampler is configured. */
export const randomSamples: SampleChooser = (pool, n, seed) => Rng.derive(seed, 'transfer-samples', n).sample(pool, n);

/** A fully resolved transfer experiment. */
export interface TransferSetup {
  name: string;
  space: SearchSpace;
  /** Latencies of the source and target devices; its archs are the pool samples are drawn from. */
  table: LatencyTable;
  sources: string[];
  targets: string[];
  samples: number[];
  seeds: number[];
  methods: string[];
  methodOptions: Record<string, Record<string, unknown>>;
  /** HELP's reference archs of the space (needed by `help-style`). */
  referenceArchs?: string[];
  sampler: { name: string; choose: SampleChooser };
  /** Score on a seeded random subset of at most this many remaining archs. */
  maxEvalArchs?: number;
  /** Pretrain each method once (with the first seed) instead of once per seed. */
  sharedPretrain?: boolean;
  logger?: Logger;
  progress?: boolean;
}

/** One (method, target, sample count, seed) result. */
export interface TransferRecord {
  method: string;
  target: string;
  samples: number;
  seed: number;
  spearman: number;
  kendall: number;
  /** Archs scored (the pool minus every method's samples for this seed and sample count). */
  nEval: number;
  /** Wall time of fit + predict, seconds. */
  fitPredictSeconds: number;
  /** Share of the scored archs whose true latency lies in the nominal 90 % prediction interval (fitted methods only). */
  coverage90?: number;
  /** Why a cell is empty (e.g. a method needs more measurements than allowed). */
  note?: string;
  /**
   * How a transferable method (NASFLAT) adapted to the target: the source that initialised it and the readout's
   * members with their shares, as `predictor fit` prints them.
   */
  adaptation?: string;
}

/** Everything a transfer run produced. */
export interface TransferResult {
  records: TransferRecord[];
  /** Wall time of each method's pretraining per seed, seconds. */
  pretrainSeconds: Record<string, number[]>;
  totalSeconds: number;
}

/** The source-device latency matrix of a table. */
export function sourceLatencies(table: LatencyTable, devices: readonly string[]): SourceLatencies {
  return { devices: [...devices], archs: table.archs, latencyMs: devices.map((d) => table.column(d)) };
}

/** Run the experiment. Methods are pretrained per seed, then fitted per target and sample count. */
export async function runTransfer(setup: TransferSetup): Promise<TransferResult> {
  const started = performance.now();
  const { space, table } = setup;
  const features = new ArchFeatures(space);
  const sources = sourceLatencies(table, setup.sources);
  const pool = table.archs;
  const records: TransferRecord[] = [];
  const pretrainSeconds: Record<string, number[]> = Object.fromEntries(setup.methods.map((m) => [m, []]));
  const contexts = (seed: number) =>
    setup.methods.map((method): BuildContext => ({
      space,
      features,
      sources: getPredictorMethod(method).usesSources ? sources : undefined,
      referenceArchs: setup.referenceArchs,
      seed,
      options: setup.methodOptions[method] ?? {},
      optionsSource: `transfer.methodOptions.${method}`,
      logger: setup.logger,
    }));
  const progress = startProgress(
    `transfer ${setup.name}`,
    setup.seeds.length * setup.targets.length * setup.samples.length * setup.methods.length,
    {
      enabled: setup.progress ?? true,
      fields: ['method'],
    },
  );
  let shared: LatencyPredictor[] | undefined;
  try {
    for (const seed of setup.seeds) {
      let predictors = shared;
      if (predictors === undefined) {
        predictors = [];
        for (const context of contexts(seed)) {
          const name = setup.methods[predictors.length];
          const t0 = performance.now();
          setup.logger?.info(`pretraining ${name} (seed ${seed})`);
          predictors.push(await getPredictorMethod(name).create(context));
          pretrainSeconds[name].push((performance.now() - t0) / 1000);
        }
        if (setup.sharedPretrain) shared = predictors;
      }
      const seedContexts = contexts(seed);
      for (const n of setup.samples) {
        const base = await setup.sampler.choose(pool, n, seed);
        const samplesOf = setup.methods.map((method, m) => {
          const required = getPredictorMethod(method).requiredArchs?.(seedContexts[m]) ?? [];
          if (required.length > n) return undefined;
          const requiredSet = new Set(required);
          return [...required, ...base.filter((a) => !requiredSet.has(a)).slice(0, n - required.length)];
        });
        const used = new Set(samplesOf.flatMap((s) => s ?? []));
        let evalArchs = pool.filter((a) => !used.has(a));
        if (setup.maxEvalArchs !== undefined && evalArchs.length > setup.maxEvalArchs)
          evalArchs = Rng.derive(seed, 'transfer-eval', n).sample(evalArchs, setup.maxEvalArchs);
        const evalRows = evalArchs.map((a) => table.rowOf(a)!);
        const proxyValues = Object.entries(ZERO_SHOT_PROXIES).map(([name, proxy]) => ({
          name,
          values: evalArchs.map((a) => proxy(features, space, a)),
        }));
        for (const target of setup.targets) {
          const column = table.column(target);
          const truth = Float64Array.from(evalRows, (r) => column[r]);
          for (const { name, values } of proxyValues)
            records.push({
              method: name,
              target,
              samples: n,
              seed,
              spearman: spearman(truth, values),
              kendall: kendall(truth, values),
              nEval: evalArchs.length,
              fitPredictSeconds: 0,
            });
          for (let m = 0; m < setup.methods.length; m++) {
            const method = setup.methods[m];
            const archs = samplesOf[m];
            if (archs === undefined) {
              records.push({
                method,
                target,
                samples: n,
                seed,
                spearman: NaN,
                kendall: NaN,
                nEval: 0,
                fitPredictSeconds: 0,
                note: `needs at least ${getPredictorMethod(method).requiredArchs!(seedContexts[m]).length} measurements`,
              });
              progress.tick(1, { method });
              continue;
            }
            const t0 = performance.now();
            const report = await fitDevice(predictors[m], target, { archs, latencyMs: archs.map((a) => column[table.rowOf(a)!]) }, seed);
            const predicted = await predictors[m].predict(target, evalArchs);
            const seconds = (performance.now() - t0) / 1000;
            const intervals = predictionIntervals(predicted, predictors[m].fitQuality(target));
            const coverage90 =
              intervals === undefined
                ? undefined
                : truth.reduce((c, t, i) => c + (intervals.lowerMs[i] <= t && t <= intervals.upperMs[i] ? 1 : 0), 0) / truth.length;
            records.push({
              method,
              target,
              samples: n,
              seed,
              spearman: spearman(truth, predicted),
              kendall: kendall(truth, predicted),
              nEval: evalArchs.length,
              fitPredictSeconds: seconds,
              coverage90,
              adaptation: report === undefined ? undefined : describeAdaptation(report),
            });
            progress.tick(1, { method });
          }
        }
      }
    }
  } finally {
    progress.stop();
  }
  return { records, pretrainSeconds, totalSeconds: (performance.now() - started) / 1000 };
}
