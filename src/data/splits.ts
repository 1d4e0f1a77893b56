// NASFLAT few-shot device task splits and HELP's metadata (FBNet primitives, hardware-embedding reference archs).
import { z } from 'zod';
import { readJsonData } from './json.js';

const taskSchema = z.object({
  train: z.array(z.string()).min(1),
  test: z.array(z.string()).min(1),
  comment: z.string().optional(),
  missing_from_help_data: z.array(z.string()).default([]),
});
const splitsSchema = z.object({
  nb201: z.record(z.string(), taskSchema),
  fbnet: z.record(z.string(), taskSchema),
});

/** One few-shot transfer task: pretrain on `train` (source) devices, adapt to each `test` (target) device. */
export interface DeviceTask {
  space: 'nb201' | 'fbnet';
  task: string;
  train: string[];
  test: string[];
  comment?: string;
  /** Devices of this task that the HELP tables do not have (BRP-NAS/Eagle devices). */
  missingFromHelpData: string[];
}

/**
 * Load `nasflat/device_task_splits.json`: tasks per space, keyed by task id (`'0'`…`'5'`).
 * @throws DataFileError for a missing file, invalid JSON (line, char) or a wrong field (its path)
 */
export function loadDeviceTaskSplits(file: string): { nb201: Map<string, DeviceTask>; fbnet: Map<string, DeviceTask> } {
  const data = readJsonData(file, splitsSchema);
  const tasks = (space: 'nb201' | 'fbnet') =>
    new Map(
      Object.entries(data[space]).map(([task, t]) => [task, { space, task, train: t.train, test: t.test, comment: t.comment, missingFromHelpData: t.missing_from_help_data }]),
    );
  return { nb201: tasks('nb201'), fbnet: tasks('fbnet') };
}

const metaSchema = z.object({
  fbnet_primitives: z.record(z.string(), z.string()),
  fbnet_num_classes: z.number().int().positive(),
  hardware_embedding_arch_indices: z.object({ nb201: z.array(z.number().int().nonnegative()), fbnet: z.array(z.number().int().nonnegative()) }),
});

/** What hwnas uses from `help/help_meta.json`. */
export interface HelpMeta {
  /** FBNet block choices in index order. */
  fbnetPrimitives: string[];
  fbnetClasses: number;
  /** HELP's reference archs (measured on every device for its hardware embedding), as `arch_index` values. */
  referenceArchIndices: { nb201: number[]; fbnet: number[] };
}

/** Load `help/help_meta.json`. @throws DataFileError as for `loadDeviceTaskSplits` */
export function loadHelpMeta(file: string): HelpMeta {
  const data = readJsonData(file, metaSchema);
  const primitives = Object.entries(data.fbnet_primitives).sort((a, b) => Number(a[0]) - Number(b[0]));
  return {
    fbnetPrimitives: primitives.map(([, name]) => name),
    fbnetClasses: data.fbnet_num_classes,
    referenceArchIndices: { nb201: data.hardware_embedding_arch_indices.nb201, fbnet: data.hardware_embedding_arch_indices.fbnet },
  };
}
