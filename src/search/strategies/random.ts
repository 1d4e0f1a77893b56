// Random search: uniformly sampled archs, avoiding repeats. The baseline every other strategy must beat.
import { z } from 'zod';
import type { StrategyFactory } from '../types.js';
import { proposeFresh, strategyParams } from './common.js';

const params = z.object({}).strict();

export const randomStrategy: StrategyFactory = {
  description: 'uniform random sampling of the space (no repeats while unseen archs are easy to find)',
  defaults: {},
  create(raw, file) {
    strategyParams(params, raw, file);
    return {
      name: 'random',
      propose: (context) => proposeFresh(context, (attempt) => context.space.sample(context.rng.child('attempt', attempt))),
    };
  },
};
