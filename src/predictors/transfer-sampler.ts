// Which archs the transfer experiment measures on a target: a sampler by name (random until the encodings
// sampler registry is wired in).
import { UnknownNameError } from '../core/errors.js';
import type { SearchSpace } from '../spaces/types.js';
import { randomSamples, type SampleChooser } from './transfer.js';

/** The sample chooser for a sampler name. @throws UnknownNameError listing the known samplers */
export async function resolveSampler(name: string, _space: SearchSpace): Promise<SampleChooser> {
  if (name === 'random') return randomSamples;
  throw new UnknownNameError('sampler', name, ['random']);
}
