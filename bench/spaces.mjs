// @ts-check
// Search-space speed: enumerate + layer list + FLOPs over all 15,625 NB201 archs (against parsing the same
// strings, the floor any per-arch work pays), and TF.js models/s for build + one forward pass (batch 1, 32×32)
// for both spaces on the selected backend. Prints a table and writes results/bench/spaces.json.
// Usage: npm run bench:spaces [-- --backend cpu|wasm|tensorflow]. Times are wall clock on whatever else the machine runs.
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/core/backend.js';
import { Rng } from '../dist/core/rng.js';
import { total } from '../dist/spaces/layers.js';
import { getSpace } from '../dist/spaces/registry.js';
import { SMOKE, startBench } from './stamp.mjs';
import { medianMs } from './timing.mjs';

const REPEATS = SMOKE ? 1 : 5;
const TARGET_SPACE_MS = 1000; // enumerate + layers + FLOPs of the whole NB201 space: well under a second
const MODELS = SMOKE ? { nb201: 2, fbnet: 1 } : { nb201: 10, fbnet: 5 };
const backendFlag = process.argv.indexOf('--backend');
const backend = await initBackend(
  backendFlag > 0 ? /** @type {import('../dist/core/backend.js').BackendName} */ (process.argv[backendFlag + 1]) : undefined,
);
const bench = startBench('spaces', { repeats: REPEATS, targetSpaceMs: TARGET_SPACE_MS, models: MODELS });

const nb201 = getSpace('nb201');
const input = nb201.defaultInput('cifar10');
const enumerate = nb201.enumerate?.bind(nb201);
if (enumerate === undefined) throw new Error('nb201 cannot enumerate its archs');
/** @type {string[]} */
let archs = [];
let flopsSum = 0;
let layerCount = 0;
const enumerateMs = medianMs(
  () => {
    archs = enumerate();
  },
  REPEATS,
  { warmUp: true },
);
const parseMs = medianMs(
  () => {
    for (const arch of archs) nb201.canonical(arch);
  },
  REPEATS,
  { warmUp: true },
);
const layersMs = medianMs(
  () => {
    flopsSum = 0;
    layerCount = 0;
    for (const arch of archs) {
      const layers = nb201.layers(arch, input);
      layerCount += layers.length;
      flopsSum += total(layers, 'flops');
    }
  },
  REPEATS,
  { warmUp: true },
);
const spaceMs = enumerateMs + layersMs;
const spaceRows = [
  { step: 'enumerate (official index order)', ms: enumerateMs },
  { step: 'canonical() of every arch (baseline)', ms: parseMs },
  { step: 'layers() + FLOPs of every arch', ms: layersMs },
  { step: 'enumerate + layers + FLOPs', ms: spaceMs },
].map((r) => ({ ...r, archsPerS: (archs.length / r.ms) * 1000, vsBaseline: r.ms / parseMs }));

const modelRows = [];
for (const [name, count] of Object.entries(MODELS)) {
  const space = getSpace(name);
  const shape = { ...space.defaultInput(), batchSize: 1, resolution: 32 };
  const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 1);
  let buildMs = 0;
  let forwardMs = 0;
  for (let i = 0; i < count; i++) {
    const arch = space.sample(Rng.derive(0, 'bench-spaces', name, i));
    const t0 = performance.now();
    const model = space.buildModel(arch, shape, { seed: i });
    const t1 = performance.now();
    const y = /** @type {import('@tensorflow/tfjs').Tensor} */ (model.predict(x));
    await y.data();
    const t2 = performance.now();
    buildMs += t1 - t0;
    forwardMs += t2 - t1;
    y.dispose();
    model.dispose();
  }
  x.dispose();
  modelRows.push({
    space: name,
    models: count,
    buildMs: buildMs / count,
    forwardMs: forwardMs / count,
    modelsPerS: (count / (buildMs + forwardMs)) * 1000,
  });
}

bench.note(
  `NB201: ${archs.length} archs, ${layerCount} layer records, mean ${(flopsSum / archs.length / 1e6).toFixed(3)} MFLOPs (median of ${REPEATS} runs)`,
);
bench.table(
  'NB201, the whole space',
  ['step', 'ms', 'archs/s', 'x canonical()'],
  spaceRows.map((r) => [r.step, r.ms, Math.round(r.archsPerS), r.vsBaseline]),
);
bench.note(`whole space ${spaceMs.toFixed(0)} ms (target < ${TARGET_SPACE_MS} ms): ${spaceMs < TARGET_SPACE_MS ? 'ok' : 'SLOW'}`);
bench.table(
  `Models on ${backend.name} (batch 1, 32x32)`,
  ['space', 'models', 'build ms', 'forward ms', 'models/s'],
  modelRows.map((r) => [r.space, r.models, r.buildMs, r.forwardMs, r.modelsPerS]),
);
bench.write(
  {
    repeats: REPEATS,
    targetSpaceMs: TARGET_SPACE_MS,
    nb201: { archs: archs.length, layerRecords: layerCount, meanMflops: flopsSum / archs.length / 1e6, steps: spaceRows },
    models: modelRows,
  },
  { backend },
);
