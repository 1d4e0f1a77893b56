// Regenerates the quickstart's pretrained latency predictor (this folder) from the built-in simulated device
// profiles: NASFLAT pretrained on five simulated source devices over NB201. The quickstart's target device
// (mobile-npu) is deliberately NOT a source. Run from the repository root:
//   npm run build && node models/quickstart/regenerate.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../dist/core/backend.js';
import { getDevice } from '../../dist/hardware/registry.js';
import { getPredictorMethod } from '../../dist/predictors/registry.js';
import { ArchFeatures } from '../../dist/predictors/baselines/features.js';
import { getSpace } from '../../dist/spaces/registry.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCES = ['server-gpu', 'desktop-cpu', 'mobile-cpu', 'edge-tpu', 'mcu'];
const SEED = 0;
const OPTIONS = { epochs: 30, archsPerDevice: 512 };

const backend = await initBackend();
const space = getSpace('nb201');
const input = space.defaultInput('cifar10');
const archs = space.enumerate();
const latencyMs = SOURCES.map((name) => {
  const score = getDevice(name).scorer(space, input);
  return Float64Array.from(archs, score);
});
const started = performance.now();
const predictor = await getPredictorMethod('nasflat').create({
  space,
  features: new ArchFeatures(space),
  sources: { devices: SOURCES, archs, latencyMs },
  seed: SEED,
  options: OPTIONS,
  progress: true,
});
const seconds = (performance.now() - started) / 1000;
for (const f of fs.readdirSync(here)) if (f !== 'regenerate.mjs' && f !== 'README.md') fs.rmSync(path.join(here, f), { recursive: true });
await predictor.save(here);
fs.writeFileSync(
  path.join(here, 'provenance.json'),
  JSON.stringify({ method: 'nasflat', space: 'nb201', input, sources: SOURCES.map((n) => getDevice(n).source), seed: SEED, options: OPTIONS, backend: backend.name, pretrainSeconds: Math.round(seconds) }, null, 2) + '\n',
);
console.log(`pretrained nasflat on ${SOURCES.join(', ')} in ${seconds.toFixed(0)} s (${backend.name}); saved to ${here}`);
