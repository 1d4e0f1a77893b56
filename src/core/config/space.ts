// The `space` section: which search space, dataset setting and input shape.
import { z } from 'zod';

export const DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'] as const;

/** Input limits, for configs, flags and measurement rows alike: every cost, model and measurement is built at them. */
export const MAX_BATCH_SIZE = 4096;
export const MIN_RESOLUTION = 8;
export const MAX_RESOLUTION = 1024;

export const spaceSection = z
  .object({
    /** Search space by its registry name (`hwnas spaces list`); the space checks the input it is given. */
    name: z.string().min(1),
    /** Dataset setting: fixes the default resolution (32 for CIFAR, 16 for ImageNet16-120) and class count. */
    dataset: z.enum(DATASETS).default('cifar10'),
    /** At most 4,096: every cost, model and measurement is built at this batch size. */
    batchSize: z.number().int().positive().max(MAX_BATCH_SIZE).default(1),
    /** Input resolution in pixels (8–1,024); defaults to the dataset's. */
    resolution: z.number().int().min(MIN_RESOLUTION).max(MAX_RESOLUTION).optional(),
    /** Number of classes; defaults to the dataset's. */
    classes: z.number().int().positive().optional(),
  })
  .strict();

export type SpaceConfig = z.output<typeof spaceSection>;
