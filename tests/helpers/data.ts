// Locates ../shared/data; tests that need it use `describeWithData` and skip with a message when it is absent.
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { repoRoot } from './cli.js';

/** The shared data folder: $HWNAS_DATA_DIR or ../shared/data beside the checkout. */
export const dataDir = process.env.HWNAS_DATA_DIR ?? path.resolve(repoRoot, '../shared/data');
export const hasData = fs.existsSync(path.join(dataDir, 'help/nb201_latency.csv'));

/** Path of a file inside the shared data folder. */
export const dataFile = (rel: string): string => path.join(dataDir, rel);

if (!hasData) console.warn(`[hwnas tests] ${dataDir} not found: tests on real measured data are skipped`);

/**
 * `describe` that is skipped (with a clear reason in its title) when the shared data folder is absent. Its body is
 * then never run, so it may load data while it collects its tests.
 */
export function describeWithData(name: string, fn: () => void): void {
  if (hasData) describe(name, fn);
  else
    describe.skip(`${name} [skipped: shared data not found at ${dataDir}]`, () =>
      it.skip('needs ../shared/data (or $HWNAS_DATA_DIR)', () => {}));
}
