// Seeded random streams. Every random choice in hwnas comes from an Rng derived from (seed, purpose, index),
// so results do not depend on call order across candidates, threads or batches.
import seedrandom from 'seedrandom';

/** A seedable random generator carrying its own state. */
export class Rng {
  private readonly prng: seedrandom.PRNG;

  /** @param key any string; equal keys give equal streams */
  constructor(readonly key: string) {
    this.prng = seedrandom.alea(key);
  }

  /** The stream for (seed, purpose, index…): independent of every other purpose/index. */
  static derive(seed: number, purpose: string, ...index: (number | string)[]): Rng {
    return new Rng([String(seed), purpose, ...index.map(String)].join('/'));
  }

  /** A child stream of this one, independent of the parent's position. */
  child(purpose: string, ...index: (number | string)[]): Rng {
    return new Rng([this.key, purpose, ...index.map(String)].join('/'));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick on an empty list');
    return items[this.int(items.length)];
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** k distinct elements chosen uniformly, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new RangeError(`cannot sample ${k} of ${items.length} items`);
    const pool = items.slice();
    for (let i = 0; i < k; i++) {
      const j = i + this.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, k);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.prng();
    const v = this.prng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A 32-bit integer seed, for libraries that take numeric seeds (e.g. tfjs initialisers). */
  seed32(): number {
    return this.prng.int32() >>> 0;
  }
}
