// Which archs the transfer experiment measures on a target: a sampler of the encodings registry by name, with
// the pool encoded once per experiment (every seed and sample count reuses it).
import { encoderRegistry } from '../../encodings/registry.js';
import { samplerRegistry } from '../../encodings/samplers.js';
import type { SearchSpace } from '../../spaces/types.js';
import { randomSamples, type SampleChooser } from './harness.js';

/**
 * The sample chooser for a sampler name (`random`, `kmeans`, `farthest`, `nasflat`).
 * @throws UnknownNameError listing the samplers (the encoder's own errors surface when samples are drawn)
 */
export async function resolveSampler(name: string, space: SearchSpace): Promise<SampleChooser> {
  // The harness's own random stream: the transfer table in the README was measured with it.
  if (name === 'random') return randomSamples;
  const sampler = samplerRegistry.get(name);
  const encoder = sampler.defaultEncoder === undefined ? undefined : encoderRegistry.get(sampler.defaultEncoder);
  let cached: { pool: readonly string[]; vectors: Map<string, Float32Array> } | undefined;
  const encode = async (pool: readonly string[], archs: readonly string[]) => {
    if (cached?.pool !== pool) {
      const rows = await encoder!.encode(space, pool);
      cached = { pool, vectors: new Map(pool.map((a, i) => [a, rows[i]])) };
    }
    return archs.map((a) => cached!.vectors.get(a) as Float32Array);
  };
  return (pool, n, seed) =>
    sampler.select({ space, n, seed, pool, encode: encoder === undefined ? undefined : (archs) => encode(pool, archs) });
}
