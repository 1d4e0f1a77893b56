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
    description: z.string().optional(),
    seed: z.number().int().min(0).default(0),
    backend: z.enum(BACKEND_NAMES).optional(),
    space: spaceSection,
    predictor: predictorSection.optional(),
    transfer: transferSection.optional(),
    /** Search: target device, latency and accuracy sources, objectives, constraints, strategy, budget. */
    device: deviceSection.optional(),
    latency: latencySection.optional(),
    accuracy: accuracySection.optional(),
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
    constraints: z.array(constraintEntry).optional(),
    strategy: strategySection.optional(),
    budget: budgetSection.optional(),
    /** Where measurements run: inline (default) or on `hwnas worker` processes through BullMQ/Redis. */
    executor: executorSection.prefault({ kind: 'inline' }),
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
