// Helpers the strategies share: duplicate avoidance, constraint-aware ranking of evaluated trials, and parameter
// validation with `strategy.params.<field>` error paths.
import type { z } from 'zod';
import { validate } from '../../core/config/validate.js';
import { crowdingDistance, nondominatedRanks } from '../pareto.js';
import { isEvaluated, toPoint } from '../objectives.js';
import type { Constraint, EvaluatedTrial, ProposeContext, TrialMetrics } from '../types.js';

/** Tries before a strategy accepts a duplicate (in tiny or exhausted neighbourhoods). */
const FRESH_ATTEMPTS = 50;

/** Validate strategy parameters against `schema`. @throws ConfigError at `strategy.params.<field>` */
export function strategyParams<S extends z.ZodType>(schema: S, params: Record<string, unknown>, file: string): z.output<S> {
  return validate(schema, params, file, ['strategy', 'params']);
}

/** Archs already evaluated, failed or proposed earlier in the batch. */
export function seenArchs(context: ProposeContext): Set<string> {
  return new Set([...context.history.map((t) => t.arch), ...context.pending]);
}

/** The first of `make(attempt)` not seen before; after FRESH_ATTEMPTS the last one made, seen or not. */
export function proposeFresh(context: ProposeContext, make: (attempt: number) => string): string {
  const seen = seenArchs(context);
  let arch = make(0);
  for (let attempt = 1; attempt < FRESH_ATTEMPTS && seen.has(arch); attempt++) arch = make(attempt);
  return arch;
}

export function evaluatedHistory(context: ProposeContext): EvaluatedTrial[] {
  return context.history.filter(isEvaluated);
}

/** Total relative violation of the constraints (0 when feasible). */
export function violation(metrics: TrialMetrics, constraints: readonly Constraint[]): number {
  let total = 0;
  for (const c of constraints) {
    const v = metrics[c.metric];
    const excess = c.op === '<=' || c.op === '<' ? v - c.value : c.value - v;
    if (excess > 0 || (excess === 0 && (c.op === '<' || c.op === '>')))
      total += Math.max(excess, 1e-12) / Math.max(Math.abs(c.value), 1e-12);
  }
  return total;
}

/** Sort keys of trials for selection: feasible before infeasible (less violation first), then Pareto rank, then crowding. */
export interface Standing {
  violation: number;
  rank: number;
  crowding: number;
}

/** Constraint-domination standing (NSGA-II's) of each trial within `trials`. */
export function standings(trials: readonly EvaluatedTrial[], context: Pick<ProposeContext, 'objectives' | 'constraints'>): Standing[] {
  const points = trials.map((t) => toPoint(t.metrics, context.objectives));
  const violations = trials.map((t) => violation(t.metrics, context.constraints));
  const feasible = trials.map((_, i) => i).filter((i) => violations[i] === 0);
  const ranks = nondominatedRanks(feasible.map((i) => points[i]));
  const out: Standing[] = trials.map((_, i) => ({ violation: violations[i], rank: 0, crowding: 0 }));
  feasible.forEach((i, f) => (out[i].rank = ranks[f]));
  const maxRank = feasible.length > 0 ? Math.max(...ranks) : 0;
  for (let r = 0; r <= maxRank; r++) {
    const members = feasible.filter((_, f) => ranks[f] === r);
    const crowd = crowdingDistance(members.map((i) => points[i]));
    members.forEach((i, m) => (out[i].crowding = crowd[m]));
  }
  return out;
}

/** Negative when `a` stands better than `b`. */
export function compareStanding(a: Standing, b: Standing): number {
  return a.violation - b.violation || a.rank - b.rank || (a.crowding === b.crowding ? 0 : a.crowding > b.crowding ? -1 : 1);
}
