// Multi-objective local search: after `initial` random archs, step to an unseen neighbour of a randomly chosen
// member of the current front (the least-violating trials when nothing is feasible); restart at random when the
// whole front's neighbourhood has been seen.
import { z } from 'zod';
import type { StrategyFactory } from '../types.js';
import { evaluatedHistory, proposeFresh, seenArchs, standings, strategyParams } from './common.js';

const params = z
  .object({
    /** Random archs evaluated before the local steps start. */
    initial: z.number().int().min(1).default(10),
  })
  .strict();

export const localSearch: StrategyFactory = {
  description: 'local search: unseen neighbours of front members, random restarts when exhausted',
  defaults: { initial: 10 },
  create(raw, file) {
    const { initial } = strategyParams(params, raw, file);
    return {
      name: 'local-search',
      propose(context) {
        const random = () => proposeFresh(context, (a) => context.space.sample(context.rng.child('sample', a)));
        const evaluated = evaluatedHistory(context);
        if (evaluated.length < initial) return random();
        const standing = standings(evaluated, context);
        const best = Math.min(...standing.map((s) => s.violation));
        const front = evaluated.filter((_, i) => standing[i].violation === best && (best > 0 || standing[i].rank === 0));
        const seen = seenArchs(context);
        const open = front
          .map((t) => ({ arch: t.arch, moves: context.space.neighbours(t.arch).filter((n) => !seen.has(n)) }))
          .filter((c) => c.moves.length > 0);
        if (open.length === 0) return random();
        return context.rng.pick(context.rng.pick(open).moves);
      },
    };
  },
};
