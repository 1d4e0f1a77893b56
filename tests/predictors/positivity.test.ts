// Property test: whatever measurements a predictor is fitted on — heavy noise, a gross outlier, two rows, all-equal
// latencies, a narrow range, archs from one corner of the space — every prediction for every arch of the space is
// a latency: finite and > 0. Run for every registered predictor on all 15,625 NB201 cells and 5,000 FBNet archs,
// with source devices from the built-in simulated profiles (no data needed).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { Rng } from '../../src/core/rng.js';
import { getDevice } from '../../src/hardware/registry.js';
import type { SimulatedDevice } from '../../src/hardware/simulated.js';
import { ArchFeatures } from '../../src/predictors/baselines/features.js';
import { getPredictorMethod, predictorRegistry } from '../../src/predictors/registry.js';
import type { LatencyPredictor } from '../../src/predictors/types.js';
import { getSpace } from '../../src/spaces/registry.js';
import type { SearchSpace } from '../../src/spaces/types.js';
import { FAST_PREDICTOR_OPTIONS } from './fixtures.js';

const SOURCES = ['server-gpu', 'desktop-cpu', 'mobile-cpu', 'edge-tpu'];
const TARGET = 'mcu';

/** Every arch of NB201; 5,000 distinct seeded FBNet archs. */
function archsOf(space: SearchSpace): string[] {
  if (space.enumerate !== undefined) return space.enumerate();
  const archs = new Set<string>();
  for (let i = 0; archs.size < 5000; i++) archs.add(space.sample(Rng.derive(0, 'positivity-archs', i)));
  return [...archs];
}

/** The adversarial measurement sets, built from the target's true latencies of the space's archs. */
function adversarialSets(
  archs: string[],
  truth: Float64Array,
  features: ArchFeatures,
): Record<string, { archs: string[]; latencyMs: number[] }> {
  const rng = Rng.derive(0, 'positivity-sets');
  const picked = rng.sample(
    archs.map((_, i) => i),
    10,
  );
  const base = picked.map((i) => archs[i]);
  const exact = picked.map((i) => truth[i]);
  const byFlops = archs.map((_, i) => i).sort((a, b) => features.flops(archs[a]) - features.flops(archs[b]));
  const corner = byFlops.slice(0, 10);
  return {
    'heavy noise (σ = 0.7 in ln ms)': { archs: base, latencyMs: exact.map((v) => v * Math.exp(0.7 * rng.normal())) },
    'one gross outlier (×20)': { archs: base, latencyMs: exact.map((v, i) => (i === 3 ? 20 * v : v)) },
    'two rows': { archs: base.slice(0, 2), latencyMs: exact.slice(0, 2) },
    'all-equal latencies': { archs: base, latencyMs: exact.map(() => 4.2) },
    'a 1 % latency range': { archs: base, latencyMs: exact.map((_, i) => 10 * (1 + 0.001 * i)) },
    'the ten smallest archs only, decreasing with FLOPs': {
      archs: corner.map((i) => archs[i]),
      latencyMs: corner.map((_, k) => 50 - 4 * k),
    },
  };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe.each(['nb201', 'fbnet'])('every prediction is a latency (%s)', (spaceName) => {
  const space = getSpace(spaceName);
  const archs = archsOf(space);
  const input = space.defaultInput();
  const latencies = (device: string) => Float64Array.from(archs, (getDevice(device) as SimulatedDevice).scorer(space, input));
  const features = new ArchFeatures(space);
  const sources = { devices: SOURCES, archs, latencyMs: SOURCES.map(latencies) };
  const sets = adversarialSets(archs, latencies(TARGET), features);

  it.each(predictorRegistry.names())(
    '%s: finite and > 0 for every arch, whatever it was fitted on',
    async (method) => {
      const predictor: LatencyPredictor = await getPredictorMethod(method).create({
        space,
        features,
        sources,
        referenceArchs: archs.slice(0, 5),
        seed: 0,
        options: FAST_PREDICTOR_OPTIONS[method] ?? {},
      });
      const failures: string[] = [];
      for (const [name, set] of Object.entries(sets)) {
        // HELP-style must be measured on its reference archs: they join every set.
        const measured =
          method === 'help-style'
            ? { archs: [...archs.slice(0, 5), ...set.archs], latencyMs: [...archs.slice(0, 5).map((_, i) => 3 + i), ...set.latencyMs] }
            : set;
        await predictor.fit(name, measured, { seed: 0 });
        const predicted = await predictor.predict(name, archs);
        const bad = Array.from(predicted).filter((v) => !(Number.isFinite(v) && v > 0));
        if (bad.length > 0) failures.push(`${name}: ${bad.length} impossible predictions (e.g. ${bad[0]})`);
        expect(predicted).toHaveLength(archs.length);
      }
      expect(failures).toEqual([]);
    },
    300_000,
  );
});
