// Spaces whose archs are a tuple of independent choices: sampling, mutation and neighbours from the declared choices.
import type { Rng } from '../core/rng.js';
import type { ArchChoices, SearchSpace } from './types.js';

/**
 * `sample`, `mutate` and `neighbours` of a space declared by its choices. A sample is one draw of the arch's
 * position in the choice order (position 0 most significant) where the number of archs is exact in a double, else
 * one draw per position; a mutation changes one position to one of its other values.
 */
export function choiceMoves(choices: ArchChoices): Pick<SearchSpace, 'sample' | 'mutate' | 'neighbours'> {
  const { positions, options, parse, format } = choices;
  const count = options ** positions;
  return {
    sample(rng: Rng) {
      if (!Number.isSafeInteger(count)) return format(Array.from({ length: positions }, () => rng.int(options)));
      let code = rng.int(count);
      const values = new Array<number>(positions);
      for (let p = positions - 1; p >= 0; p--) {
        values[p] = code % options;
        code = Math.floor(code / options);
      }
      return format(values);
    },

    mutate(arch: string, rng: Rng) {
      const values = Array.from(parse(arch));
      const position = rng.int(positions);
      // Draw from the other values so the result always differs from `arch`.
      const other = rng.int(options - 1);
      values[position] = other >= values[position] ? other + 1 : other;
      return format(values);
    },

    neighbours(arch: string) {
      const values = Array.from(parse(arch));
      const out: string[] = [];
      for (let position = 0; position < positions; position++) {
        for (let value = 0; value < options; value++) {
          if (value === values[position]) continue;
          const next = values.slice();
          next[position] = value;
          out.push(format(next));
        }
      }
      return out;
    },
  };
}
