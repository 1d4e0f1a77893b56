// CAZ (NASFLAT): CATE ⊕ Arch2Vec ⊕ zero-cost proxies. Vectors are per-arch (cacheable); the column standardisation
// the paper applies happens where distances are taken, over the candidate pool (samplers, the encoding probe).
import type { Encoder } from './types.js';
import { concatRows } from './matrix.js';

/** Signed log: keeps ZCP ranks but brings synflow-like magnitudes (1e30) to the scale of the learned embeddings. */
export function symlog(v: Float32Array): Float32Array {
  return v.map((t) => Math.sign(t) * Math.log1p(Math.abs(t)));
}

/**
 * The `caz` encoder over the given `[cate, arch2vec, zcp]` instances (the registry passes its own, so a retrained
 * model or changed ZCP config changes CAZ's version too).
 */
export function createCazEncoder([cate, arch2vec, zcp]: readonly [Encoder, Encoder, Encoder]): Encoder {
  const parts = [cate, arch2vec, zcp];
  return {
    name: 'caz',
    description: 'CATE ⊕ Arch2Vec ⊕ signed-log ZCP (NASFLAT); standardised per column over the pool where distances are taken',
    needsTraining: true,
    isAvailableFor: (space) => parts.every((p) => p.isAvailableFor?.(space) ?? true),
    dimension: (space) => parts.reduce((s, p) => s + p.dimension(space), 0),
    // The learned parts' dimensions have no names of their own: cate0…, arch2vec0…; the proxies keep theirs (signed-log).
    columns: (space) =>
      parts.flatMap(
        (p) => p.columns?.(space).map((c) => `symlog_${c}`) ?? Array.from({ length: p.dimension(space) }, (_, j) => `${p.name}${j}`),
      ),
    version: (space) => `caz-1[${parts.map((p) => `${p.name}=${p.version(space)}`).join(';')}]`,
    async encode(space, archs) {
      const [c, a, z] = await Promise.all(parts.map(async (p) => p.encode(space, archs)));
      return concatRows([c, a, z.map(symlog)]);
    },
  };
}
