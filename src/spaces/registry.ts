// The search spaces users can name in configs and on the command line.
import { Registry } from '../core/registry.js';
import type { InputShape, SearchSpace } from './types.js';
import { nb201Space } from './nb201/space.js';
import { fbnetSpace } from './fbnet/space.js';

export const spaceRegistry = new Registry<SearchSpace>('search space').register('nb201', nb201Space).register('fbnet', fbnetSpace);

/** A space by name. @throws UnknownNameError listing the known spaces */
export function getSpace(name: string): SearchSpace {
  return spaceRegistry.get(name);
}

/** The space's default input for `dataset`, with any given field overridden. */
export function resolveInput(
  space: SearchSpace,
  options: { dataset?: string; batchSize?: number; resolution?: number; classes?: number } = {},
): InputShape {
  const base = space.defaultInput(options.dataset);
  return {
    ...base,
    batchSize: options.batchSize ?? base.batchSize,
    resolution: options.resolution ?? base.resolution,
    classes: options.classes ?? base.classes,
  };
}
