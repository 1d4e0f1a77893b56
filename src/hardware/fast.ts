// Fast scoring for search: per-choice latency tables for spaces whose layers depend only on each choice's position.
import { Registry } from '../core/registry.js';
import { FBNET_BLOCKS, FBNET_OPS, formatFbnet, parseFbnet } from '../spaces/fbnet/arch.js';
import { NB201_EDGE_COUNT, NB201_OPS, formatNb201, parseNb201 } from '../spaces/nb201/arch.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Precision, SimulatedParams } from './schema.js';
import { simulateArch } from './simulator.js';

/** An arch as a tuple of independent choices: position p takes one of `options` values. */
export interface ChoiceCodec {
  positions: number;
  options: number;
  parse(arch: string): ArrayLike<number>;
  format(choices: readonly number[]): string;
}

/**
 * Spaces whose layer list is the union of per-position layer groups (NB201: every edge is built whatever the
 * others are and node sums always have 2 and 3 inputs; FBNet: block shapes depend only on the block index).
 * Their simulated latency is exactly additive over choices; tests check it against the full simulation.
 */
export const additiveSpaces = new Registry<ChoiceCodec>('additive space')
  .register('nb201', { positions: NB201_EDGE_COUNT, options: NB201_OPS.length, parse: parseNb201, format: formatNb201 })
  .register('fbnet', { positions: FBNET_BLOCKS, options: FBNET_OPS.length, parse: parseFbnet, format: formatFbnet });

/**
 * A function arch → simulated latency in ms for one device, space and input. For additive spaces it simulates
 * 1 + positions × (options − 1) archs once and then sums one table entry per choice; other spaces are simulated
 * layer by layer.
 */
export function createLatencyScorer(sim: SimulatedParams, space: SearchSpace, input: InputShape, precision: Precision = sim.defaultPrecision): (arch: string) => number {
  if (!additiveSpaces.has(space.name)) return (arch) => simulateArch(sim, space.layers(arch, input), precision);
  const codec = additiveSpaces.get(space.name);
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
