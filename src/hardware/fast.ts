// Fast scoring for search: per-choice latency tables for spaces whose layers depend only on each choice's position.
import { createLayerSums } from '../spaces/sums.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Precision, SimulatedParams } from './schema.js';
import { simulateArch } from './simulator.js';

/**
 * A function arch → simulated latency in ms for one device, space and input. For spaces whose choices have additive
 * layers (`ArchChoices.additiveLayers`; tests check it against the full simulation) it sums one per-choice table entry
 * per position (`createLayerSums`); other spaces are simulated layer by layer.
 */
export function createLatencyScorer(
  sim: SimulatedParams,
  space: SearchSpace,
  input: InputShape,
  precision: Precision = sim.defaultPrecision,
): (arch: string) => number {
  const sums = createLayerSums(space, input, (layers) => [simulateArch(sim, layers, precision)]);
  return (arch) => sums(arch)[0];
}
