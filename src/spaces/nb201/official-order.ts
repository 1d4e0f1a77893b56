// The official NAS-Bench-201 arch index, derived rather than stored: NAS-Bench-201 generated the 15,625 cells in
// base-5 order and shuffled them with Python's `random.seed(88); random.shuffle(archs)` (xautodl
// `exps/NAS-Bench-201/main.py`). Replaying CPython's Mersenne Twister reproduces the index of every cell.
import { NB201_SIZE } from './arch.js';

/** CPython's MT19937 (`_randommodule.c`), seeded from an integer the way `random.seed(int)` does. Exported for its tests. */
export class PythonMersenneTwister {
  private readonly mt = new Uint32Array(624);
  private mti = 625;

  constructor(seed: number) {
    this.initByArray([seed >>> 0]);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev mod 2^32 without losing precision in doubles.
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = 624;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** genrand_uint32. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random._randbelow(n)` for n < 2^32: rejection sampling on the top bit_length(n) bits. */
  below(n: number): number {
    const bits = 32 - Math.clz32(n);
    for (;;) {
      const r = this.nextUint32() >>> (32 - bits);
      if (r < n) return r;
    }
  }
}

/** The two directions of the official order: code (base-5, see `opsToCode`) ↔ official index. */
export interface OfficialOrder {
  /** codeOfIndex[officialIndex] = base-5 code. */
  codeOfIndex: Int32Array;
  /** indexOfCode[code] = official index. */
  indexOfCode: Int32Array;
}

let memo: OfficialOrder | undefined;

/** The official NAS-Bench-201 order (computed once, ~1 ms; a pure function of nothing, so safe to memoise). */
export function officialOrder(): OfficialOrder {
  if (memo !== undefined) return memo;
  const codeOfIndex = new Int32Array(NB201_SIZE);
  for (let i = 0; i < NB201_SIZE; i++) codeOfIndex[i] = i;
  // random.shuffle: for i in reversed(range(1, n)): j = _randbelow(i + 1); swap.
  const mt = new PythonMersenneTwister(88);
  for (let i = NB201_SIZE - 1; i > 0; i--) {
    const j = mt.below(i + 1);
    const t = codeOfIndex[i];
    codeOfIndex[i] = codeOfIndex[j];
    codeOfIndex[j] = t;
  }
  const indexOfCode = new Int32Array(NB201_SIZE);
  for (let i = 0; i < NB201_SIZE; i++) indexOfCode[codeOfIndex[i]] = i;
  memo = { codeOfIndex, indexOfCode };
  return memo;
}
