// The search spaces users can name in configs and on the command line.
import { ConfigError, UnknownNameError } from '../core/errors.js';
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

/** A config's `space` section (core/config/space.ts): a space name and the input fields it may override. */
export interface SpaceSectionLike {
  name: string;
  dataset?: string;
  batchSize?: number;
  resolution?: number;
  classes?: number;
}

/**
 * The space and input a config's `space` section names, checked against the space itself.
 * @throws ConfigError at `space.name` for an unknown space, at `space.<field>` for an input the space cannot build
 */
export function configSpace(section: SpaceSectionLike, file: string): { space: SearchSpace; input: InputShape } {
  let space: SearchSpace;
  try {
    space = getSpace(section.name);
  } catch (err) {
    if (err instanceof UnknownNameError) throw new ConfigError(file, 'space.name', err.message);
    throw err;
  }
  const input = resolveInput(space, section);
  const problem = space.inputProblem(input);
  if (problem !== undefined) throw new ConfigError(file, `space.${problem.field}`, `${problem.reason}, got ${input[problem.field]}`);
  return { space, input };
}
