// Regularized (aging) evolution (Real et al. 2019), multi-objective: the population is the newest `population`
// evaluated trials; a tournament of `sampleSize` picks the parent by constraint-domination standing; one mutation.
import { z } from 'zod';
import type { StrategyFactory } from '../types.js';
import { compareStanding, evaluatedHistory, proposeFresh, standings, strategyParams } from './common.js';

const params = z
  .object({
    /** Newest evaluated trials that form the population (older ones age out). */
    population: z.number().int().min(2).default(20),
    /** Tournament size. */
    sampleSize: z.number().int().min(1).default(5),
  })
  .strict()
  .refine((p) => p.sampleSize <= p.population, { message: 'sampleSize must not exceed population', path: ['sampleSize'] });

export const regularizedEvolution: StrategyFactory = {
  description: 'aging evolution: tournament over the newest evaluated trials, mutate the winner',
  defaults: { population: 20, sampleSize: 5 },
  create(raw, file) {
    const { population, sampleSize } = strategyParams(params, raw, file);
    return {
      name: 'regularized-evolution',
      propose(context) {
        const evaluated = evaluatedHistory(context);
        if (evaluated.length < population) return proposeFresh(context, (a) => context.space.sample(context.rng.child('sample', a)));
        const members = evaluated.slice(-population);
        const standing = standings(members, context);
        const contestants = context.rng.sample(
          members.map((_, i) => i),
          sampleSize,
        );
        const parent = contestants.reduce((best, i) => (compareStanding(standing[i], standing[best]) < 0 ? i : best));
        return proposeFresh(context, (a) => context.space.mutate(members[parent].arch, context.rng.child('mutate', a)));
      },
    };
  },
};
