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
  /** Search space name, as the file keys it (NASFLAT's file has `nb201` and `fbnet`). */
  space: string;
  task: string;
  train: string[];
  test: string[];
  comment?: string;
  /** Devices of this task that the HELP tables do not have (BRP-NAS/Eagle devices). */
  missingFromHelpData: string[];
}

/**
 * Load `nasflat/device_task_splits.json`: tasks per space name, keyed by task id (`'0'`…`'5'`).
 * @throws DataFileError for a missing file, invalid JSON (line, char) or a wrong field (its path)
 */
export function loadDeviceTaskSplits(file: string): Readonly<Record<string, Map<string, DeviceTask> | undefined>> {
  const data: Record<string, Record<string, z.output<typeof taskSchema>>> = readJsonData(file, splitsSchema);
  return Object.fromEntries(
    Object.entries(data).map(([space, tasks]) => [
      space,
      new Map(
        Object.entries(tasks).map(([task, t]) => [
          task,
          { space, task, train: t.train, test: t.test, comment: t.comment, missingFromHelpData: t.missing_from_help_data },
        ]),
      ),
    ]),
  );
}

const metaSchema = z.object({
  fbnet_primitives: z.record(z.string(), z.string()),
  fbnet_num_classes: z.number().int().positive(),
  hardware_embedding_arch_indices: z.object({
    nb201: z.array(z.number().int().nonnegative()),
    fbnet: z.array(z.number().int().nonnegative()),
  }),
});

/** What hwnas uses from `help/help_meta.json`. */
export interface HelpMeta {
  /** FBNet block choices in index order. */
  fbnetPrimitives: string[];
  fbnetClasses: number;
  /** HELP's reference archs (measured on every device for its hardware embedding) per space name, as `arch_index` values. */
  referenceArchIndices: Readonly<Record<string, number[] | undefined>>;
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
