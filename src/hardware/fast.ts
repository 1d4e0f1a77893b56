// Fast scoring for search: per-choice latency tables for spaces whose layers depend only on each choice's position.
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Precision, SimulatedParams } from './schema.js';
import { simulateArch } from './simulator.js';

/**
 * A function arch → simulated latency in ms for one device, space and input. For spaces whose choices have additive
 * layers (`ArchChoices.additiveLayers`; tests check it against the full simulation) it simulates
 * 1 + positions × (options − 1) archs once and then sums one table entry per choice; other spaces are simulated
 * layer by layer.
 */
export function createLatencyScorer(
  sim: SimulatedParams,
  space: SearchSpace,
  input: InputShape,
  precision: Precision = sim.defaultPrecision,
): (arch: string) => number {
  const codec = space.choices;
  if (codec === undefined || !codec.additiveLayers) return (arch) => simulateArch(sim, space.layers(arch, input), precision);
  const reference = new Array<number>(codec.positions).fill(0);
  const cost = (choices: number[]) => simulateArch(sim, space.layers(codec.format(choices), input), precision);
  const baseMs = cost(reference);
  const delta = new Float64Array(codec.positions * codec.options);
  for (let p = 0; p < codec.positions; p++) {
    for (let o = 1; o < codec.options; o++) {
      const choices = reference.slice();
      choices[p] = o;
      delta[p * codec.options + o] = cost(choices) - baseMs;
    }
  }
  return (arch) => {
    const choices = codec.parse(arch);
    let ms = baseMs;
    for (let p = 0; p < codec.positions; p++) ms += delta[p * codec.options + choices[p]];
    return ms;
  };
}
