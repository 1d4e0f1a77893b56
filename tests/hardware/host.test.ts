// Host measurement: real TF.js timings of built NB201 models on this machine.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { measureHost } from '../../src/hardware/host.js';
import { getSpace } from '../../src/spaces/registry.js';

const nb201 = getSpace('nb201');
// Small input and budget: this checks the measurement procedure, not the machine.
const input = { ...nb201.defaultInput(), resolution: 16 };
const timing = { warmup: 2, minRepeats: 5, maxRepeats: 20, budgetMs: 100, seed: 1 };

describe('measureHost', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('measures archs with positive medians and records the conditions', async () => {
    const archs = [
      nb201.fromIndex!(0),
      nb201.fromIndex!(1),
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
    ];
    const seen: number[] = [];
    const results = await measureHost(nb201, archs, input, { ...timing, onArch: (done) => seen.push(done) });
    expect(seen).toEqual([1, 2, 3]);
    for (const r of results) {
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(r.p10Ms).toBeLessThanOrEqual(r.latencyMs);
      expect(r.p90Ms).toBeGreaterThanOrEqual(r.latencyMs);
      expect(r.repeats).toBeGreaterThanOrEqual(timing.minRepeats);
      expect(r).toMatchObject({ batchSize: 1, resolution: 16 });
      expect(r.threads).toBeGreaterThanOrEqual(1);
      expect(['tfjs-tensorflow', 'tfjs-wasm', 'tfjs-cpu']).toContain(r.runtime);
      expect(r.cpu).not.toBe('');
    }
  }, 60_000);

  it('repeats one arch within a factor of 2.5 (stated spread on a shared machine)', async () => {
    const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    const [a] = await measureHost(nb201, [arch], input, timing);
    const [b] = await measureHost(nb201, [arch], input, timing);
    const ratio = Math.max(a.latencyMs, b.latencyMs) / Math.min(a.latencyMs, b.latencyMs);
    expect(ratio).toBeLessThan(2.5);
  }, 60_000);
});
