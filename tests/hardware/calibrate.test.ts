// Calibration on real measured NB201 latencies: held-out ranking must improve over the uncalibrated profile.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { loadLatencyTable } from '../../src/data/latency.js';
import { calibrateProfile, fitSimulated, splitMeasurements, calibrationSamples } from '../../src/hardware/calibrate.js';
import { BUILTIN_PROFILES } from '../../src/hardware/registry.js';
import type { SimulatedProfile } from '../../src/hardware/schema.js';
import { simulateArch } from '../../src/hardware/simulator.js';
import { getSpace } from '../../src/spaces/registry.js';
import { dataFile, describeWithData } from '../helpers/data.js';

const nb201 = getSpace('nb201');
const input = nb201.defaultInput();
const base = BUILTIN_PROFILES.find((p) => p.name === 'mobile-cpu') as SimulatedProfile;

describe('fitSimulated', () => {
  it('recovers a known profile from its own simulated latencies', () => {
    const truth = BUILTIN_PROFILES.find((p) => p.name === 'desktop-cpu') as SimulatedProfile;
    const archs = Array.from({ length: 40 }, (_, i) => nb201.sample(Rng.derive(5, 'fit-test', i)));
    const samples = archs.map((arch) => {
      const layers = nb201.layers(arch, input);
      return { arch, layers, latencyMs: simulateArch(truth.simulated, layers) };
    });
    const fit = fitSimulated(base.simulated, samples);
    expect(fit.lossAfter).toBeLessThan(fit.lossBefore / 10);
    for (const s of samples) expect(Math.abs(Math.log(simulateArch(fit.sim, s.layers) / s.latencyMs))).toBeLessThan(0.1);
  });

  it('splits rows deterministically for a seed', () => {
    const rows = Array.from({ length: 10 }, (_, i) => i);
    expect(splitMeasurements(rows, 0.3, 1)).toEqual(splitMeasurements(rows, 0.3, 1));
    const { train, heldOut } = splitMeasurements(rows, 0.3, 1);
    expect(heldOut).toHaveLength(3);
    expect([...train, ...heldOut].sort((a, b) => a - b)).toEqual(rows);
  });
});

describeWithData('calibration on HELP NB201 latencies (50 measured archs, rest held out)', () => {
  const table = loadLatencyTable(dataFile('help/nb201_latency.csv'), { devices: ['raspi4', 'pixel3', '1080ti_1'] });
  const order = Rng.derive(1, 'calibration-test').shuffle(table.archs.map((_, i) => i));

  it.each(['raspi4', 'pixel3', '1080ti_1'])('improves held-out Spearman for %s', (device) => {
    const latency = table.column(device);
    const rows = order.map((i) => ({ arch: table.archs[i], latencyMs: latency[i] }));
    const report = calibrateProfile(base, nb201, input, rows.slice(0, 50), rows.slice(50), {
      name: `mobile-cpu-${device}`,
      measurements: device,
      date: 'test',
    });
    console.log(
      `[calibration] ${device} from mobile-cpu: held-out rho ${report.before.spearman.toFixed(3)} -> ${report.after.spearman.toFixed(3)}, tau ${report.before.kendall.toFixed(3)} -> ${report.after.kendall.toFixed(3)}, MAPE ${report.before.mape.toFixed(0)}% -> ${report.after.mape.toFixed(0)}%`,
    );
    expect(report.heldOutRows).toBe(table.archs.length - 50);
    expect(report.after.spearman).toBeGreaterThan(report.before.spearman + 0.01);
    expect(report.after.kendall).toBeGreaterThan(report.before.kendall);
    expect(report.profile).toMatchObject({ name: `mobile-cpu-${device}`, version: base.version + 1 });
    expect(report.profile.provenance.calibration).toMatchObject({ base: 'mobile-cpu', trainRows: 50 });
    expect(calibrationSamples(nb201, rows.slice(0, 1), input)[0].layers.length).toBeGreaterThan(0);
  });
});
