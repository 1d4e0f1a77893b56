import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataPath, defaultDataDir } from '../../src/data/paths.js';

describe('data folder', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('uses $HWNAS_DATA_DIR when set', () => {
    vi.stubEnv('HWNAS_DATA_DIR', '/tmp/somewhere');
    expect(defaultDataDir()).toBe('/tmp/somewhere');
    expect(dataPath('fbnetZcp')).toBe('/tmp/somewhere/nasflat/fbnet_zcp.csv');
  });

  it('defaults to ../shared/data relative to the working directory', () => {
    vi.stubEnv('HWNAS_DATA_DIR', undefined);
    expect(defaultDataDir()).toBe(path.resolve(process.cwd(), '../shared/data'));
    expect(dataPath('nb201Latency', '/d')).toBe('/d/help/nb201_latency.csv');
  });
});
