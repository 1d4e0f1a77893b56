// Talaria-style per-layer breakdown of one arch, or one imported model, on a simulated device: costs traced to
// origins, bottlenecks, what-ifs.
import type { ImportedModel, ModelFormat } from '../formats/import/types.js';
import type { InputShape, Layer, LayerOrigin, SearchSpace } from '../spaces/types.js';
import type { SimulatedProfile } from './schema.js';
import { simulatedSource } from './simulated.js';
import { BYTES_PER_ELEMENT, simulateLayers, type Bound, type SimLayer } from './simulator.js';
import { applyWhatIfs, whatIfLabel, type WhatIf } from './whatif.js';
import type { Precision } from './types.js';

/** One layer's row of the breakdown. */
export interface LayerRow {
  name: string;
  kind: string;
  origin: LayerOrigin;
  outputShape: number[];
  flops: number;
  params: number;
  /** Bytes of the layer's output at the scenario's precision. */
  activationBytes: number;
  bytesMoved: number;
  timeMs: number;
  /** Fraction of the total latency. */
  share: number;
  bound: Bound;
  precision: Precision;
  fusedInto?: string;
}

/** Latency and memory of one scenario. */
export interface ScenarioTotals {
  latencyMs: number;
  flops: number;
  bytesMoved: number;
  /** Weights plus the largest single-layer activation working set, at the scenario's precision. */
  memoryBytes: number;
  /** Latency share by bound (compute / memory / overhead / free), plus the per-inference overhead. */
  byBound: Record<Bound | 'inference', number>;
}

export interface WhatIfResult {
  label: string;
  input: InputShape;
  /** The scenario's per-layer rows (fused layers cost nothing and say which layer they joined). */
  layers: LayerRow[];
  totals: ScenarioTotals;
  deltaMs: number;
  deltaPct: number;
  deltaMemoryPct: number;
}

export interface ProfileReport {
  device: string;
  source: string;
  /** The search space of `arch`, or `model` for an imported model. */
  space: string;
  /** The canonical arch (absent for an imported model: see `model`). */
  arch?: string;
  /** The imported model the layers come from (absent for an arch). */
  model?: { name: string; format: ModelFormat; file: string };
  input: InputShape;
  precision: Precision;
  layers: LayerRow[];
  totals: ScenarioTotals;
  /** The slowest layers, slowest first. */
  bottlenecks: LayerRow[];
  whatIfs: WhatIfResult[];
}

function simulateScenario(
  profile: SimulatedProfile,
  layers: readonly SimLayer[],
  precision: Precision,
): { rows: LayerRow[]; totals: ScenarioTotals } {
  const sim = profile.simulated;
  const { costs, totalMs } = simulateLayers(sim, layers, precision);
  const byBound: ScenarioTotals['byBound'] = { compute: 0, memory: 0, overhead: 0, free: 0, inference: sim.overhead.perInferenceUs * 1e-3 };
  let flops = 0;
  let bytesMoved = 0;
  let weightBytes = 0;
  let workingSet = 0;
  const rows = layers.map((l, i) => {
    const c = costs[i];
    const scale = BYTES_PER_ELEMENT[c.precision] / 4;
    byBound[c.bound] += c.timeMs;
    flops += l.flops;
    bytesMoved += c.bytesMoved;
    weightBytes += l.weightBytes * scale;
    workingSet = Math.max(workingSet, (l.inputBytes + l.activationBytes) * scale);
    return {
      name: l.name,
      kind: l.kind,
      origin: l.origin,
      outputShape: l.outputShape,
      flops: l.flops,
      params: l.params,
      activationBytes: l.activationBytes * scale,
      bytesMoved: c.bytesMoved,
      timeMs: c.timeMs,
      share: c.timeMs / totalMs,
      bound: c.bound,
      precision: c.precision,
      ...(l.fusedInto === undefined ? {} : { fusedInto: l.fusedInto }),
    };
  });
  return { rows, totals: { latencyMs: totalMs, flops, bytesMoved, memoryBytes: weightBytes + workingSet, byBound } };
}

/**
 * Per-layer breakdown of the layers `layersOf(input)` on a simulated device, the `top` slowest layers, and each
 * what-if scenario (each list in `whatIfs` is applied together, e.g. `[[int8], [fuse], [int8, fuse]]`) with its
 * change against the baseline. What the layers are of (space and arch, or model) is the caller's to add.
 */
export function profileLayers(
  profile: SimulatedProfile,
  layersOf: (input: InputShape) => Layer[],
  input: InputShape,
  whatIfs: readonly (readonly WhatIf[])[] = [],
  top = 5,
): Omit<ProfileReport, 'space' | 'arch' | 'model'> {
  const precision = profile.simulated.defaultPrecision;
  const base = simulateScenario(profile, layersOf(input), precision);
  const results = whatIfs.map((list): WhatIfResult => {
    const scenario = applyWhatIfs(layersOf, input, list);
    const { rows, totals } = simulateScenario(profile, scenario.layers, scenario.precision ?? precision);
    return {
      label: list.map(whatIfLabel).join('+'),
      input: scenario.input,
      layers: rows,
      totals,
      deltaMs: totals.latencyMs - base.totals.latencyMs,
      deltaPct: (100 * (totals.latencyMs - base.totals.latencyMs)) / base.totals.latencyMs,
      deltaMemoryPct: (100 * (totals.memoryBytes - base.totals.memoryBytes)) / base.totals.memoryBytes,
    };
  });
  const bottlenecks = base.rows
    .filter((r) => r.timeMs > 0)
    .sort((a, b) => b.timeMs - a.timeMs)
    .slice(0, top);
  return {
    device: profile.name,
    source: simulatedSource(profile),
    input,
    precision,
    layers: base.rows,
    totals: base.totals,
    bottlenecks,
    whatIfs: results,
  };
}

/** `profileLayers` of an arch of a search space. */
export function profileArch(
  profile: SimulatedProfile,
  space: SearchSpace,
  arch: string,
  input: InputShape,
  whatIfs: readonly (readonly WhatIf[])[] = [],
  top = 5,
): ProfileReport {
  const { device, source, ...rest } = profileLayers(profile, (i) => space.layers(arch, i), input, whatIfs, top);
  return { device, source, space: space.name, arch, ...rest };
}

/**
 * `profileLayers` of an imported model (`importModel`): `space` is `model`, `model` names it. Batch and resolution
 * what-ifs re-run the model's shape inference. @throws ModelFileError when the model cannot take `input`
 */
export function profileModel(
  profile: SimulatedProfile,
  model: ImportedModel,
  input: InputShape,
  whatIfs: readonly (readonly WhatIf[])[] = [],
  top = 5,
): ProfileReport {
  const { device, source, ...rest } = profileLayers(profile, (i) => model.layers(i), input, whatIfs, top);
  return { device, source, space: 'model', model: { name: model.name, format: model.format, file: model.file }, ...rest };
}
