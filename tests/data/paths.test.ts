import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataPath, defaultDataDir } from '../../src/data/paths.js';
import { repoRoot } from '../helpers/cli.js';

describe('data folder', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('uses $HWNAS_DATA_DIR when set', () => {
    vi.stubEnv('HWNAS_DATA_DIR', '/tmp/somewhere');
    expect(defaultDataDir()).toBe('/tmp/somewhere');
    expect(dataPath('fbnetZcp')).toBe('/tmp/somewhere/nasflat/fbnet_zcp.csv');
  });

  it('defaults to ../shared/data beside the package, from any working directory', () => {
    vi.stubEnv('HWNAS_DATA_DIR', undefined);
    const here = process.cwd();
    try {
      process.chdir(os.tmpdir());
      expect(defaultDataDir()).toBe(path.resolve(repoRoot, '../shared/data'));
    } finally {
      process.chdir(here);
    }
    expect(dataPath('nb201Latency', '/d')).toBe('/d/help/nb201_latency.csv');
  });
});
