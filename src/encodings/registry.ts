// The encoder registry, keyed by the names users write (`--encoder caz`). The sampler registry lives beside the
// samplers (samplers.ts), so checking a sampler name does not load the encoders and TF.js.
import { Registry } from '../core/registry.js';
import { createArch2VecEncoder } from './arch2vec.js';
import { createCazEncoder } from './caz.js';
import { adjacencyEncoder, flopsParamsEncoder, pathEncoder } from './basic.js';
import { createCateEncoder } from './cate.js';
import type { Encoder } from './types.js';
import { createZcpEncoder, createZcpTableEncoder, type ZcpTableSource } from './zcp.js';

const arch2vec = createArch2VecEncoder();
const cate = createCateEncoder();
const zcp = createZcpEncoder();

/** Every encoder by name; `caz` composes the registered cate, arch2vec and zcp instances. */
export const encoderRegistry = new Registry<Encoder>('encoder')
  .register('adjacency', adjacencyEncoder)
  .register('path', pathEncoder)
  .register('flops-params', flopsParamsEncoder)
  .register('zcp', zcp)
  .register('arch2vec', arch2vec)
  .register('cate', cate)
  .register('caz', createCazEncoder([cate, arch2vec, zcp]));

/**
 * The encoder a user named, with `zcp` (and the ZCP part of `caz`) read from a precomputed table when `zcpTable` is
 * given instead of computed in TF.js.
 * @throws UnknownNameError for an unknown encoder name
 */
export function resolveEncoder(name: string, options: { zcpTable?: ZcpTableSource } = {}): Encoder {
  const encoder = encoderRegistry.get(name);
  if (options.zcpTable === undefined) return encoder;
  const table = createZcpTableEncoder(options.zcpTable);
  if (name === 'zcp') return table;
  if (name === 'caz') return createCazEncoder([cate, arch2vec, table]);
  return encoder;
}
