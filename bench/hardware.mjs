// @ts-check
// bench:hardware — simulator speed, ranking disagreement of the built-in profiles, calibration quality on every
// HELP device column, and host measurement time. Prints tables and writes results/bench/hardware.json.
// Environment: BENCH_SMOKE=1 (1,000 archs, two devices per table, one host arch).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../dist/core/backend.js';
import { spearman } from '../dist/core/metrics.js';
import { Rng } from '../dist/core/rng.js';
import { loadLatencyTable } from '../dist/data/latency.js';
import { dataPath } from '../dist/data/paths.js';
import { calibrateProfile } from '../dist/hardware/calibrate.js';
import { createLatencyScorer } from '../dist/hardware/fast.js';
import { measureHost } from '../dist/hardware/host.js';
import { BUILTIN_PROFILES } from '../dist/hardware/registry.js';
import { simulateArch } from '../dist/hardware/simulator.js';
import { getSpace } from '../dist/spaces/registry.js';
import { SMOKE, startBench } from './stamp.mjs';

const TRAIN = 50;
// Under BENCH_SMOKE=1: the first 1,000 NB201 archs, the first two device columns of each HELP table, one host arch.
const ARCHS = SMOKE ? 1000 : Infinity;
const DEVICES_PER_TABLE = SMOKE ? 2 : Infinity;
const HOST_ARCHS = SMOKE ? 1 : 5;
/** @typedef {import('../dist/hardware/schema.js').DeviceProfile} DeviceProfile */
const simulated = BUILTIN_PROFILES.filter(
  /** @returns {p is Extract<DeviceProfile, { kind: 'simulated' }>} */ (/** @type {DeviceProfile} */ p) => p.kind === 'simulated',
);
const nb201 = getSpace('nb201');
const fbnet = getSpace('fbnet');
const nb201Archs = (nb201.enumerate?.() ?? []).slice(0, ARCHS);
const bench = startBench('hardware', { trainArchs: TRAIN, nb201Archs: nb201Archs.length, hostArchs: HOST_ARCHS });
/** @type {Record<string, unknown>} */
const result = { machine: 'shared 2-core machine (other jobs running); times are indicative, ratios are measured in the same run' };

// 1. Simulator speed over all NB201 archs: per-choice tables (search path) against full layer-by-layer simulation.
{
  const archs = nb201Archs;
  const input = nb201.defaultInput();
  const rows = [];
  for (const p of simulated) {
    let t0 = performance.now();
    const score = createLatencyScorer(p.simulated, nb201, input);
    const fast = archs.map((a) => score(a));
    const fastS = (performance.now() - t0) / 1000;
    const subset = archs.filter((_, i) => i % 15 === 0);
    t0 = performance.now();
    const full = subset.map((a) => simulateArch(p.simulated, nb201.layers(a, input)));
    const fullS = (performance.now() - t0) / 1000;
    let maxRel = 0;
    subset.forEach((_, k) => (maxRel = Math.max(maxRel, Math.abs(fast[k * 15] / full[k] - 1))));
    rows.push({
      device: p.name,
      fastArchsPerS: Math.round(archs.length / fastS),
      fullArchsPerS: Math.round(subset.length / fullS),
      speedup: +(archs.length / fastS / (subset.length / fullS)).toFixed(1),
      maxRelDiff: maxRel,
    });
  }
  result.simulatorSpeed = {
    archs: archs.length,
    note: 'fast = per-choice tables incl. building them; full = layers() + per-layer simulation on every 15th arch',
    rows,
  };
  bench.table(
    `Simulator speed, ${archs.length} NB201 archs`,
    ['device', 'fast archs/s', 'full archs/s', 'speed-up', 'max rel diff'],
    rows.map((r) => [r.device, r.fastArchsPerS, r.fullArchsPerS, r.speedup, r.maxRelDiff]),
  );
}

// 2. Pairwise Spearman of the built-in profiles (they must disagree, as real devices do).
/** @type {Record<string, unknown>} */
const rankingMatrix = {};
result.rankingMatrix = rankingMatrix;
/** @type {[import('../dist/spaces/types.js').SearchSpace, string[]][]} */
const rankingSets = [
  [nb201, nb201Archs],
  [fbnet, loadLatencyTable(dataPath('fbnetLatency'), { devices: ['raspi4'] }).archs.slice(0, ARCHS)],
];
for (const [space, archs] of rankingSets) {
  const preds = simulated.map((p) => {
    const score = createLatencyScorer(p.simulated, space, space.defaultInput());
    return archs.map((a) => score(a));
  });
  const matrix = preds.map((a) => preds.map((b) => +spearman(a, b).toFixed(3)));
  rankingMatrix[space.name] = { archs: archs.length, devices: simulated.map((p) => p.name), spearman: matrix };
  bench.table(
    `Built-in profiles: pairwise Spearman over ${archs.length} ${space.name} archs`,
    ['', ...simulated.map((p) => p.name)],
    simulated.map((p, i) => [p.name, ...matrix[i]]),
  );
}

// 3. Calibration for every device column of both HELP tables: 50 archs to fit, all others held back.
//    Base profile = the built-in whose ranking best matches the 50 training rows (no held-back data used).
/** @type {object[]} */
const calibration = [];
result.calibration = calibration;
for (const space of [nb201, fbnet]) {
  const table = loadLatencyTable(dataPath(space.name === 'nb201' ? 'nb201Latency' : 'fbnetLatency'));
  const order = Rng.derive(0, 'bench-calibration', space.name).shuffle(table.archs.map((_, i) => i));
  const rows = [];
  for (const device of table.devices.slice(0, DEVICES_PER_TABLE)) {
    const batch = /_(\d+)$/.exec(device);
    const input = { ...space.defaultInput(), batchSize: batch ? Number(batch[1]) : 1 };
    const latency = table.column(device);
    const measured = order.map((i) => ({ arch: table.archs[i], latencyMs: latency[i] }));
    const train = measured.slice(0, TRAIN);
    const t0 = performance.now();
    const trainRho = simulated.map((p) => {
      const score = createLatencyScorer(p.simulated, space, input);
      return spearman(
        train.map((r) => r.latencyMs),
        train.map((r) => score(r.arch)),
      );
    });
    const base = simulated[trainRho.indexOf(Math.max(...trainRho))];
    const report = calibrateProfile(base, space, input, train, measured.slice(TRAIN), {
      measurements: `${path.basename(table.file)}#${device}`,
    });
    const seconds = (performance.now() - t0) / 1000;
    const row = {
      space: space.name,
      device,
      batchSize: input.batchSize,
      base: base.name,
      heldOut: report.heldOutRows,
      before: report.before,
      after: report.after,
      seconds: +seconds.toFixed(2),
    };
    rows.push(row);
    calibration.push(row);
  }
  bench.table(
    `Calibration on ${space.name} (${TRAIN} archs fitted, the other ${table.archs.length - TRAIN} held back)`,
    ['device', 'base', 'rho before', 'rho after', 'tau before', 'tau after', 'MAPE% before', 'MAPE% after', 's'],
    rows.map((r) => [
      r.device,
      r.base,
      +r.before.spearman.toFixed(3),
      +r.after.spearman.toFixed(3),
      +r.before.kendall.toFixed(3),
      +r.after.kendall.toFixed(3),
      +r.before.mape.toFixed(1),
      +r.after.mape.toFixed(1),
      r.seconds,
    ]),
  );
  const improved = rows.filter((r) => r.after.spearman > r.before.spearman).length;
  bench.note(
    `held-out rho improved on ${improved}/${rows.length} devices; mean ${(rows.reduce((s, r) => s + r.before.spearman, 0) / rows.length).toFixed(3)} -> ${(rows.reduce((s, r) => s + r.after.spearman, 0) / rows.length).toFixed(3)}`,
  );
}

// 4. Host measurement: wall time per arch (build + warm-up + timed repeats) and the measured median.
{
  const info = await initBackend();
  const input = nb201.defaultInput();
  const archs = Array.from({ length: HOST_ARCHS }, (_, i) => nb201.sample(Rng.derive(0, 'bench-host', i)));
  const t0 = performance.now();
  const measured = await measureHost(nb201, archs, input, { warmup: 3, minRepeats: 5, maxRepeats: 50, budgetMs: 300, seed: 0 });
  const perArchS = (performance.now() - t0) / 1000 / archs.length;
  const host = {
    backend: info.name,
    threads: measured[0].threads,
    archs: archs.length,
    secondsPerArch: +perArchS.toFixed(3),
    medianMs: measured.map((m) => +m.latencyMs.toFixed(3)),
    repeats: measured.map((m) => m.repeats),
  };
  result.host = host;
  bench.note(
    `host measurement (${info.name}, ${measured[0].threads} threads, NB201 cifar10 batch 1): ${perArchS.toFixed(2)} s per arch; medians ${host.medianMs.join(', ')} ms`,
  );
  bench.write(result, { backend: info });
}
