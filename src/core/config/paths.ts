// Paths written in config files resolve against the file that holds them, never against the working directory,
// so `hwnas search --config /anywhere/x.json` behaves the same from every folder. A path starting with `hwnas:`
// names a file shipped inside the hwnas package (e.g. `hwnas:models/quickstart`), wherever it is installed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HwnasError } from '../errors.js';

/** Prefix of paths that resolve against the hwnas package folder. */
export const PACKAGE_PATH_PREFIX = 'hwnas:';

/** The hwnas package folder (the one holding its package.json), from `src/` under vitest or `dist/src/` when built. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'hwnas') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new HwnasError('cannot find the hwnas package folder (its package.json)');
    dir = parent;
  }
}

/** `value` made absolute: `hwnas:` paths against the package, other relative paths against `baseDir`. */
export function resolveConfigPath(value: string, baseDir: string): string {
  if (value.startsWith(PACKAGE_PATH_PREFIX)) return path.join(packageRoot(), value.slice(PACKAGE_PATH_PREFIX.length));
  return path.resolve(baseDir, value);
}

/**
 * Where an experiment config names files or folders, as dotted patterns (`*` = every key of a record).
 * `output.dir` is here too: a results folder written in a config is the config's, the default is the working directory's.
 */
export const EXPERIMENT_PATH_FIELDS = [
  'device.table',
  'device.devicesDir',
  'latency.file',
  'latency.predictor',
  'latency.measurements',
  'accuracy.file',
  'predictor.latencies',
  'predictor.splits',
  'predictor.helpMeta',
  'predictor.options.zcpTable.file',
  'transfer.latencies',
  'transfer.splits',
  'transfer.helpMeta',
  'transfer.outDir',
  'transfer.methodOptions.*.zcpTable.file',
  'output.dir',
] as const;

/** Where a device profile names files. */
export const DEVICE_PATH_FIELDS = ['table.file'] as const;

/**
 * A copy of raw config data with every string at one of `fields` resolved (see `resolveConfigPath`). Runs before
 * validation, so a field of the wrong type is left for the schema to report.
 */
export function resolvePathsIn(data: unknown, fields: readonly string[], baseDir: string): unknown {
  if (data === null || typeof data !== 'object') return data;
  const copy = structuredClone(data) as Record<string, unknown>;
  const visit = (node: unknown, keys: string[]): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const record = node as Record<string, unknown>;
    const [key, ...rest] = keys;
    for (const k of key === '*' ? Object.keys(record) : [key]) {
      if (rest.length > 0) visit(record[k], rest);
      else if (typeof record[k] === 'string') record[k] = resolveConfigPath(record[k] as string, baseDir);
    }
  };
  for (const field of fields) visit(copy, field.split('.'));
  return copy;
}
