// Resolves the data a transfer experiment or a pretraining names: source/target devices (explicit or from a
// NASFLAT task split), the wide latency table restricted to them, and HELP's reference archs.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { loadLatencyTable, type LatencyTable } from '../../data/latency.js';
import { loadDeviceTaskSplits, loadHelpMeta } from '../../data/splits.js';
import type { SearchSpace } from '../../spaces/types.js';

/** What a config says about where devices and latencies come from (fields shared by `predictor` and `transfer`). */
export interface DeviceDataSpec {
  latencies: string;
  splits?: string;
  task?: string;
  sources?: string[];
  targets?: string[];
  helpMeta?: string;
}

/** Source and target devices with their latency table and (when available) HELP's reference archs. */
export interface DeviceData {
  table: LatencyTable;
  sources: string[];
  targets: string[];
  referenceArchs?: string[];
  /** e.g. "GPU,CPU,mCPU to GPU,CPU,FPGA,eCPU,ASIC", from the task split. */
  taskComment?: string;
}

/**
 * Resolve devices and load the latencies. Explicit `sources`/`targets` win over the task's lists.
 * @throws ConfigError (file, field path) for a missing task, a device the table lacks, or overlapping source/target
 */
export function resolveDeviceData(space: SearchSpace, spec: DeviceDataSpec, file: string, section: string): DeviceData {
  let sources = spec.sources;
  let targets = spec.targets;
  let taskComment: string | undefined;
  if (spec.task !== undefined) {
    if (spec.splits === undefined)
      throw new ConfigError(file, `${section}.splits`, 'a task needs the device task splits file (device_task_splits.json)');
    const tasks = loadDeviceTaskSplits(spec.splits)[space.name];
    const task = tasks?.get(spec.task);
    if (task === undefined)
      throw new ConfigError(
        file,
        `${section}.task`,
        `no task '${spec.task}' for space ${space.name} (tasks: ${[...(tasks?.keys() ?? [])].join(', ')})`,
      );
    if (task.missingFromHelpData.length > 0) {
      throw new ConfigError(
        file,
        `${section}.task`,
        `${space.name} task ${spec.task} is not reproducible with this data: no latencies for ${task.missingFromHelpData.join(', ')}`,
      );
    }
    sources ??= task.train;
    targets ??= task.test;
    taskComment = task.comment;
  }
  if (sources === undefined) throw new ConfigError(file, `${section}.sources`, 'name the source devices or a task');
  const overlap = (targets ?? []).filter((t) => sources.includes(t));
  if (overlap.length > 0)
    throw new ConfigError(file, `${section}.targets`, `target device(s) ${overlap.join(', ')} are also source devices`);

  const table = loadLatencyTable(spec.latencies, { canonical: (a) => space.canonical(a) });
  for (const [field, list] of [
    ['sources', sources],
    ['targets', targets ?? []],
  ] as const) {
    const missing = list.filter((d) => !table.devices.includes(d));
    if (missing.length > 0)
      throw new ConfigError(
        file,
        `${section}.${field}`,
        `no latencies for ${missing.join(', ')} in ${spec.latencies} (devices: ${table.devices.join(', ')})`,
      );
  }
  return { table, sources, targets: targets ?? [], referenceArchs: referenceArchs(space, table, spec), taskComment };
}

/** HELP's reference archs of the space, if a `help_meta.json` is configured or sits beside the latency table. */
function referenceArchs(space: SearchSpace, table: LatencyTable, spec: DeviceDataSpec): string[] | undefined {
  const metaFile = spec.helpMeta ?? path.join(path.dirname(spec.latencies), 'help_meta.json');
  if (!fs.existsSync(metaFile)) return undefined;
  const indices = loadHelpMeta(metaFile).referenceArchIndices[space.name];
  const archs = indices?.map((i) => table.archAtIndex(i));
  return archs !== undefined && archs.every((a) => a !== undefined) ? (archs as string[]) : undefined;
}
