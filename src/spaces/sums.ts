// Sums over an arch's layers (FLOPs, params, simulated latency), by a per-choice table for spaces whose layers are
// additive over choices: building the layer list is what costs, and the predictors and the search ask for the same
// sums of thousands of archs.
import { total } from './layers.js';
import type { InputShape, Layer, SearchSpace } from './types.js';

/**
 * A function canonical arch → `measure(space.layers(arch, input))`, where every entry of `measure`'s result is a sum of
 * per-layer terms (plus a constant). For spaces with additive layers (`ArchChoices.additiveLayers`) it measures
 * 1 + positions × (options − 1) archs once and then adds one table entry per choice; other spaces build each arch's
 * layers.
 */
export function createLayerSums(
  space: SearchSpace,
  input: InputShape,
  measure: (layers: readonly Layer[]) => readonly number[],
): (arch: string) => number[] {
  const codec = space.choices;
  if (codec === undefined || !codec.additiveLayers) return (arch) => [...measure(space.layers(arch, input))];
  const reference = new Array<number>(codec.positions).fill(0);
  const sums = (choices: number[]) => measure(space.layers(codec.format(choices), input));
  const base = sums(reference);
  const width = base.length;
  const delta = new Float64Array(codec.positions * codec.options * width);
  for (let p = 0; p < codec.positions; p++) {
    for (let o = 1; o < codec.options; o++) {
      const choices = reference.slice();
      choices[p] = o;
      const value = sums(choices);
      for (let k = 0; k < width; k++) delta[(p * codec.options + o) * width + k] = value[k] - base[k];
    }
  }
  return (arch) => {
    const choices = codec.parse(arch);
    const out = base.slice();
    for (let p = 0; p < codec.positions; p++) {
      const at = (p * codec.options + choices[p]) * width;
      for (let k = 0; k < width; k++) out[k] += delta[at + k];
    }
    return out;
  };
}

/** FLOPs (multiply–accumulates) and parameters of an arch at `input`, as `createLayerSums` computes them. */
export function createCostTotals(space: SearchSpace, input: InputShape): (arch: string) => { flops: number; params: number } {
  const sums = createLayerSums(space, input, (layers) => [total(layers, 'flops'), total(layers, 'params')]);
  return (arch) => {
    const [flops, params] = sums(arch);
    return { flops, params };
  };
}

const defaultTotals = new WeakMap<SearchSpace, (arch: string) => { flops: number; params: number }>();

/** `createCostTotals` at the space's default input, built once per space. */
export function costTotals(space: SearchSpace): (arch: string) => { flops: number; params: number } {
  let totals = defaultTotals.get(space);
  if (totals === undefined) {
    totals = createCostTotals(space, space.defaultInput());
    defaultTotals.set(space, totals);
  }
  return totals;
}
