// NSGA-II (Deb et al. 2002) with constraint domination, written so each child depends only on committed history:
// the parents are the best `population` evaluated trials by (violation, rank, crowding); children come from binary
// tournaments, uniform crossover of the arch's choices (where the space is a tuple of choices) and mutation.
import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../spaces/types.js';
import type { StrategyFactory } from '../types.js';
import { compareStanding, evaluatedHistory, proposeFresh, standings, strategyParams } from './common.js';

const params = z
  .object({
    /** Parents kept by environmental selection. */
    population: z.number().int().min(2).default(20),
    /** Probability of uniform crossover of two parents (spaces with per-position choices only). */
    crossoverProb: z.number().min(0).max(1).default(0.9),
    /** Probability of mutating the child (always when crossover reproduced a parent or a seen arch). */
    mutationProb: z.number().min(0).max(1).default(0.5),
  })
  .strict();

function crossover(space: SearchSpace, a: string, b: string, rng: Rng): string {
  const codec = space.choices;
  if (codec === undefined) return a;
  const x = codec.parse(a);
  const y = codec.parse(b);
  return space.canonical(codec.format(Array.from({ length: codec.positions }, (_, p) => (rng.next() < 0.5 ? x[p] : y[p]))));
}

export const nsga2Strategy: StrategyFactory = {
  description: 'NSGA-II: non-dominated sorting + crowding over the evaluated history, tournament, crossover, mutation',
  defaults: { population: 20, crossoverProb: 0.9, mutationProb: 0.5 },
  create(raw, file) {
    const { population, crossoverProb, mutationProb } = strategyParams(params, raw, file);
    return {
      name: 'nsga2',
      propose(context) {
        const evaluated = evaluatedHistory(context);
        if (evaluated.length < population) return proposeFresh(context, (a) => context.space.sample(context.rng.child('sample', a)));
        const all = standings(evaluated, context);
        const order = evaluated.map((_, i) => i).sort((i, j) => compareStanding(all[i], all[j]) || i - j);
        const parents = order.slice(0, population);
        const tournament = (rng: Rng) => {
          const [i, j] = [rng.pick(parents), rng.pick(parents)];
          return compareStanding(all[i], all[j]) <= 0 ? i : j;
        };
        const { space } = context;
        return proposeFresh(context, (attempt) => {
          const rng = context.rng.child('child', attempt);
          const a = evaluated[tournament(rng)].arch;
          const b = evaluated[tournament(rng)].arch;
          let child = rng.next() < crossoverProb ? crossover(space, a, b, rng) : a;
          if (child === a || child === b || rng.next() < mutationProb) child = space.mutate(child, rng);
          return child;
        });
      },
    };
  },
};
