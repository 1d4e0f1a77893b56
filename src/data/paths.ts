// Where the measured data lives, and the files hwnas knows inside it (relative to the data folder).
import path from 'node:path';
import { packageRoot } from '../core/config/paths.js';

/** The data folder: `$HWNAS_DATA_DIR`, else `../shared/data` beside the hwnas package (its checkout). */
export function defaultDataDir(): string {
  return process.env.HWNAS_DATA_DIR ?? path.resolve(packageRoot(), '../shared/data');
}

/** Known files, relative to the data folder (see each folder's README for units and coverage). */
export const DATA_FILES = {
  nb201Latency: 'help/nb201_latency.csv',
  fbnetLatency: 'help/fbnet_latency.csv',
  helpMeta: 'help/help_meta.json',
  nb201Cifar100Accuracy: 'hw-nas-bench-360/nb201_task_accuracy.csv',
  nb201Cifar10HwMetrics: 'hw-nas-bench/nb201_cifar10_hw_metrics_partial.csv',
  fbnetZcp: 'nasflat/fbnet_zcp.csv',
  deviceTaskSplits: 'nasflat/device_task_splits.json',
  nb201ZcpPartial: 'naslib/nb201_zcp_partial.csv',
} as const;

/** Absolute path of a known data file inside `dataDir` (default `defaultDataDir()`). */
export function dataPath(name: keyof typeof DATA_FILES, dataDir = defaultDataDir()): string {
  return path.join(dataDir, DATA_FILES[name]);
}
