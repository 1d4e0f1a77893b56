// NASFLAT on real HELP NB201 latencies: pretrained briefly on three source devices, adapted to a fourth device (not a
// task-0 test device) from 20 measurements, it must rank that device's archs better than FLOPs do.
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { spearman } from '../../src/core/metrics.js';
import { Rng } from '../../src/core/rng.js';
import { loadLatencyTable } from '../../src/data/latency.js';
import { ArchFeatures } from '../../src/predictors/baselines/features.js';
import { resolveNasflatConfig } from '../../src/predictors/nasflat/config.js';
import { NasflatPredictor } from '../../src/predictors/nasflat/predictor.js';
import { getSpace } from '../../src/spaces/registry.js';
import { dataFile, describeWithData } from '../helpers/data.js';

const SOURCES = ['1080ti_1', 'silver_4114', 'pixel3'];
const TARGET = 'gold_6240';

describeWithData('NASFLAT few-shot transfer on NB201 (HELP latencies)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('beats FLOPs ranking on a held-out device after 20 samples', async () => {
    const space = getSpace('nb201');
    const table = loadLatencyTable(dataFile('help/nb201_latency.csv'), { devices: [...SOURCES, TARGET] });
    const rng = Rng.derive(0, 'nasflat-transfer-test');
    const few = rng.child('few').sample(table.archs, 20);
    const evaluated = rng.child('eval').sample(
      table.archs.filter((a) => !few.includes(a)),
      2000,
    );
    const truth = evaluated.map((a) => table.latency(TARGET, a)!);

    const config = resolveNasflatConfig({ epochs: 6, archsPerDevice: 192, width: 32, transferEpochs: 20 });
    const predictor = new NasflatPredictor(space, config, { seed: 0 });
    await predictor.pretrain(SOURCES.map((device) => ({ device, archs: table.archs, latencyMs: table.column(device) })));
    await predictor.adapt(TARGET, { archs: few, latencyMs: few.map((a) => table.latency(TARGET, a)!) });

    const nasflatRho = spearman(await predictor.predict(TARGET, evaluated), truth);
    const features = new ArchFeatures(space);
    const flopsRho = spearman(
      evaluated.map((a) => features.flops(a)),
      truth,
    );
    expect(nasflatRho).toBeGreaterThan(flopsRho);
  }, 60_000);
});
