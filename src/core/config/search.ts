// The search sections of the experiment config: target device, latency and accuracy sources, objectives,
// constraints, strategy, budget and run naming. Strategy parameters are validated by the strategy registry.
import { z } from 'zod';
import { UsageError } from '../errors.js';

/** Metrics every trial records; objectives and constraints name them. */
export const METRIC_NAMES = ['accuracy', 'latencyMs', 'flopsM', 'paramsM'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Whether larger is better, per metric (the default direction of an objective). */
export const METRIC_MAXIMISED: Record<MetricName, boolean> = { accuracy: true, latencyMs: false, flopsM: false, paramsM: false };

/** The device the search targets: its latencies are the objective (directly or through a predictor). */
export const deviceSection = z.union([
  z.string().min(1),
  z
    .object({
      /** Device name: built-in profile or one in the user's devices directory. */
      name: z.string().min(1),
      /** Where user device profiles live (default `$HWNAS_DEVICES_DIR` or `./hwnas-devices`). */
      devicesDir: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      /** A device column of a wide measured latency table used as the target (its few "measurements" and its truth). */
      table: z.string().min(1),
      /** Device column without `_ms` (e.g. `raspi4`); also the device's name. */
      column: z.string().min(1),
      /** Batch size and resolution the table was measured at (default: the space section's). */
      batchSize: z.number().int().positive().optional(),
      /** See `batchSize`. */
      resolution: z.number().int().positive().optional(),
    })
    .strict(),
]);

/** The name a device section refers to (the column for an inline table). */
export function deviceLabel(device: z.output<typeof deviceSection>): string {
  return typeof device === 'string' ? device : 'table' in device ? device.column : device.name;
}

/** Where the latency objective comes from. */
export const latencySection = z.discriminatedUnion('source', [
  z
    .object({
      /** The target device itself: simulated profile, measured table or host measurement. */
      source: z.literal('device'),
    })
    .strict(),
  z
    .object({
      /** A saved pretrained predictor, adapted to the target device from a few measurements on it. */
      source: z.literal('predictor'),
      /** Folder of the saved pretrained predictor (`hwnas predictor pretrain --out`). */
      predictor: z.string().min(1),
      /** How many target-device measurements adapt it (the few shots). */
      samples: z.number().int().min(2).max(200).default(10),
      /** Sampler choosing the archs to measure (encodings sampler registry); `farthest` won bench:encodings' probe. */
      sampler: z.string().min(1).default('farthest'),
      /** A measurements CSV (`arch,latency_ms`) of the target instead of measuring `samples` archs on it. */
      measurements: z.string().min(1).optional(),
      /** Re-check the final front against the target device's own latency and print the agreement. */
      verify: z.boolean().default(true),
      /**
       * Measure more in rounds after the first `samples`: each round measures `perRound` archs of the predicted
       * Pareto front (over `candidates` archs of the pool, seeded) where the predictor is least sure, then refits.
       */
      adaptive: z
        .object({
          /** Measure-and-refit rounds after the first `samples` measurements. */
          rounds: z.number().int().min(1).max(20),
          /** Archs measured per round. */
          perRound: z.number().int().min(1).max(100),
          /** Pool archs the predicted front is taken from each round. */
          candidates: z.number().int().min(10).max(20000).default(2000),
        })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      /** One device column of a wide latency table (e.g. ../shared/data/help/nb201_latency.csv). */
      source: z.literal('table'),
      /** Wide latency CSV holding the device's column. */
      file: z.string().min(1),
      /** Device name as in the table (column without `_ms`). */
      column: z.string().min(1),
    })
    .strict(),
]);

/** Where the accuracy objective comes from. */
export const accuracySection = z.discriminatedUnion('source', [
  z
    .object({
      /** A measured accuracy table keyed by arch (e.g. hw-nas-bench-360/nb201_task_accuracy.csv). */
      source: z.literal('table'),
      /** Accuracy CSV keyed by arch (`arch_str` or `op_indices`). */
      file: z.string().min(1),
      /** Accuracy column to maximise (e.g. `cifar10_valid_acc`); its values are percentages or fractions. */
      column: z.string().min(1),
    })
    .strict(),
  z
    .object({
      /** A zero-cost proxy computed in TF.js on the built network: a proxy, not an accuracy. */
      source: z.literal('zcp'),
      /** Zero-cost proxy whose score stands in for accuracy; `synflow` ranks NB201 best among them. */
      proxy: z.string().min(1).default('synflow'),
      /** Images in the seeded synthetic batch (default: the zcp encoder's); at most 1,024. */
      batchSize: z.number().int().positive().max(1024).optional(),
      /** Input resolution of the proxy's network (default: the dataset's), 4–1,024. Lower is faster; synflow ranks barely change. */
      resolution: z.number().int().min(4).max(1024).optional(),
    })
    .strict(),
]);

export const objectiveEntry = z
  .object({
    /** Metric the objective optimises. */
    metric: z.enum(METRIC_NAMES),
    /** Default: maximise accuracy, minimise the rest. */
    direction: z.enum(['min', 'max']).optional(),
    /** Hypervolume reference value; default: the worst value among the first batch of evaluated trials. */
    reference: z.number().optional(),
  })
  .strict();

const CONSTRAINT = /^\s*([A-Za-z]+)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

/** `latencyMs <= 5` parsed. */
export interface Constraint {
  metric: MetricName;
  op: '<=' | '>=' | '<' | '>';
  value: number;
  text: string;
}

export const constraintEntry = z.string().transform((text, ctx): Constraint => {
  const m = CONSTRAINT.exec(text);
  if (m === null || !(METRIC_NAMES as readonly string[]).includes(m[1])) {
    ctx.addIssue({
      code: 'custom',
      message: `must look like '<metric> <=|<|>=|> <number>' with metric one of ${METRIC_NAMES.join(', ')}`,
      input: text,
    });
    return z.NEVER;
  }
  return { metric: m[1] as MetricName, op: m[2] as Constraint['op'], value: Number(m[3]), text: text.trim() };
});

export const strategySection = z
  .object({
    /** Search strategy, by its registry name. */
    name: z.string().min(1).default('regularized-evolution'),
    /** Strategy parameters, validated by the strategy (e.g. population, sampleSize). */
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const budgetSection = z
  .object({
    /** Architectures evaluated in total. */
    evaluations: z.number().int().positive().default(200),
    /** Trials proposed and committed together; candidates see the history of earlier batches only. */
    batchSize: z.number().int().positive().max(1000).default(10),
  })
  .strict();

/** Run ids are folder names under the results folder, never paths: checked here and for `--run-name`. */
export const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const RUN_NAME_RULE =
  'must be 1–100 letters, digits, dot, dash or underscore, starting with a letter or digit (a folder name, not a path)';

/** @throws UsageError naming where the name came from */
export function checkRunName(name: string, where: string): void {
  if (!RUN_NAME.test(name)) throw new UsageError(`${where} ${RUN_NAME_RULE}, got '${name.slice(0, 120)}'`);
}

/**
 * The flags that override a search config (--evaluations, --run-name, --seed), checked alone, before anything heavy
 * loads. @throws UsageError
 */
export function checkSearchFlags(options: { evaluations?: number; runName?: string; seed?: number }): void {
  if (options.evaluations !== undefined && !(Number.isInteger(options.evaluations) && options.evaluations > 0)) {
    throw new UsageError(`--evaluations must be a positive integer, got ${options.evaluations}`);
  }
  if (options.runName !== undefined) checkRunName(options.runName, '--run-name');
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= 0))
    throw new UsageError(`--seed must be a non-negative integer, got ${options.seed}`);
}

/** Where runs go and what they are called. */
export const outputSection = z
  .object({
    /** Folder under which each run gets its own directory. */
    dir: z.string().min(1).default('results'),
    /** Run id (directory name); default `<name>-<seed>-<config hash>`. */
    runName: z.string().regex(RUN_NAME, RUN_NAME_RULE).optional(),
  })
  .strict();

export type DeviceConfig = z.output<typeof deviceSection>;
export type LatencyConfig = z.output<typeof latencySection>;
export type AccuracyConfig = z.output<typeof accuracySection>;
export type ObjectiveConfig = z.output<typeof objectiveEntry>;
export type StrategyConfig = z.output<typeof strategySection>;
export type BudgetConfig = z.output<typeof budgetSection>;

/** The search sections with their defaults filled in (they are optional in configs of other commands). */
export function withSearchDefaults<
  C extends { objectives?: ObjectiveConfig[]; constraints?: Constraint[]; strategy?: StrategyConfig; budget?: BudgetConfig },
>(config: C): C & { objectives: ObjectiveConfig[]; constraints: Constraint[]; strategy: StrategyConfig; budget: BudgetConfig } {
  return {
    ...config,
    objectives: config.objectives ?? [{ metric: 'accuracy' }, { metric: 'latencyMs' }],
    constraints: config.constraints ?? [],
    strategy: config.strategy ?? strategySection.parse({}),
    budget: config.budget ?? budgetSection.parse({}),
  };
}
