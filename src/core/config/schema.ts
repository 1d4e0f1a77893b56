// The experiment config: the one schema every command reads. Each section lives in its own file beside this one.
import { z } from 'zod';
import { BACKEND_NAMES } from '../backend.js';
import { executorSection } from './executor.js';
import { spaceSection } from './space.js';
import { predictorSection, transferSection } from './predictor.js';
import {
  accuracySection,
  budgetSection,
  constraintEntry,
  deviceSection,
  latencySection,
  objectiveEntry,
  outputSection,
  strategySection,
} from './search.js';
import path from 'node:path';
import { readConfigData } from './load.js';
import { EXPERIMENT_PATH_FIELDS, resolvePathsIn } from './paths.js';
import { validate } from './validate.js';

export const experimentSchema = z
  .object({
    /** Free-form name; also the default run-name prefix. */
    name: z.string().min(1).default('experiment'),
    /** Free text kept with every run of the config. */
    description: z.string().optional(),
    /** Seeds every random choice (samples, strategy, weights, splits): the same seed gives the same run. */
    seed: z.number().int().min(0).default(0),
    /** TF.js backend; default: tfjs-node's `tensorflow` when installed, else `wasm`. */
    backend: z.enum(BACKEND_NAMES).optional(),
    /** The search space and the input its networks are built for. */
    space: spaceSection,
    predictor: predictorSection.optional(),
    transfer: transferSection.optional(),
    /** Search: target device, latency and accuracy sources, objectives, constraints, strategy, budget. */
    device: deviceSection.optional(),
    latency: latencySection.optional(),
    accuracy: accuracySection.optional(),
    /** Metrics the Pareto front trades off; default: maximise accuracy, minimise latencyMs. */
    objectives: z
      .array(objectiveEntry)
      .min(2, 'needs 2 or more objectives (a Pareto front of one objective is its best arch)')
      .superRefine((list, ctx) => {
        list.forEach((o, i) => {
          if (list.findIndex((p) => p.metric === o.metric) !== i)
            ctx.addIssue({ code: 'custom', path: [i, 'metric'], message: `${o.metric} is already an objective`, input: o.metric });
        });
      })
      .optional(),
    /** Hard limits such as `latencyMs <= 5`: a trial outside them is infeasible and never on the front. */
    constraints: z.array(constraintEntry).optional(),
    /** How the next archs are proposed. */
    strategy: strategySection.optional(),
    /** How many archs are evaluated, and in batches of how many. */
    budget: budgetSection.optional(),
    /** Where measurements run: inline (default) or on `hwnas worker` processes through BullMQ/Redis. */
    executor: executorSection.prefault({ kind: 'inline' }),
    /** Where runs go and what they are called. */
    output: outputSection.prefault({}),
  })
  .strict();

export type ExperimentConfig = z.output<typeof experimentSchema>;

/**
 * Raw data of an experiment config file with its paths resolved against the file's folder (`hwnas:` paths against
 * the package), so the config means the same from any working directory. @throws ConfigError
 */
export function readExperimentData(file: string): Record<string, unknown> {
  return resolvePathsIn(readConfigData(file), EXPERIMENT_PATH_FIELDS, path.dirname(path.resolve(file))) as Record<string, unknown>;
}

/** Read, validate and default an experiment config file (paths resolved as `readExperimentData` does). @throws ConfigError */
export function loadExperimentConfig(file: string): ExperimentConfig {
  return validate(experimentSchema, readExperimentData(file), file);
}
