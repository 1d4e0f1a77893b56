// Tiny generated latency tables for predictor tests: archs sampled from a real space, latencies from an additive
// per-op cost model that differs per device (so devices correlate, imperfectly), plus seeded noise.
import { Rng } from '../../src/core/rng.js';
import type { LatencyTable } from '../../src/data/latency.js';
import { ArchFeatures } from '../../src/predictors/baselines/features.js';
import type { SearchSpace } from '../../src/spaces/types.js';

/** A LatencyTable of `nArchs` distinct sampled archs on `devices`, generated deterministically from `seed`. */
export function syntheticTable(space: SearchSpace, devices: readonly string[], nArchs: number, seed = 0): LatencyTable {
  const rng = Rng.derive(seed, 'synthetic-table');
  const archs = new Set<string>();
  while (archs.size < nArchs) archs.add(space.sample(rng));
  const list = [...archs];
  const features = new ArchFeatures(space);
  const latencyMs = new Map<string, Float64Array>();
  devices.forEach((device, d) => {
    const costs = space.opVocabulary.map(() => 0.2 + rng.next());
    const perFlop = (0.5 + d) * 1e-7;
    latencyMs.set(
      device,
      Float64Array.from(list, (a) => {
        const counts = features.opCounts(a);
        let ms = 1 + perFlop * features.flops(a);
        counts.forEach((c, j) => (ms += c * costs[j]));
        return ms * (1 + 0.02 * rng.normal());
      }),
    );
  });
  const rows = new Map(list.map((a, i) => [a, i]));
  const column = (device: string) => {
    const values = latencyMs.get(device);
    if (values === undefined) throw new Error(`no device ${device}`);
    return values;
  };
  return {
    file: 'synthetic',
    devices: [...devices],
    archs: list,
    latencyMs,
    rowOf: (a) => rows.get(a),
    latency: (device, a) => {
      const r = rows.get(a);
      return r === undefined ? undefined : column(device)[r];
    },
    column,
    archAtIndex: () => undefined,
  };
}

/** Settings that keep each method's training to well under a second in tests. */
export const FAST_PREDICTOR_OPTIONS: Record<string, Record<string, unknown>> = {
  mlp: { hidden: [16], epochs: 30 },
  'help-style': {
    hidden: [16],
    archsPerDevice: 60,
    pretrain: { epochs: 3, batchSize: 64, learningRate: 1e-3, weightDecay: 0 },
    finetune: { epochs: 5, batchSize: 16, learningRate: 1e-3, weightDecay: 0 },
  },
  nasflat: {
    epochs: 2,
    archsPerDevice: 32,
    transferEpochs: 2,
    width: 16,
    graphLayers: 1,
    opUpdateLayers: 1,
    supplementaryDim: 8,
    batchSize: 64,
  },
};
