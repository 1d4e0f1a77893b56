// Objectives and constraints over trial metrics: feasibility, the Pareto front of a run and its hypervolume,
// all derived from trials (never stored).
import { METRIC_MAXIMISED, type ObjectiveConfig } from '../core/config/search.js';
import { hypervolume, paretoFront, type Point } from './pareto.js';
import type { Constraint, EvaluatedTrial, Objective, Trial, TrialMetrics } from './types.js';

/** Objectives of a config with their directions resolved. */
export function resolveObjectives(configs: readonly ObjectiveConfig[]): Objective[] {
  return configs.map((o) => ({
    metric: o.metric,
    maximise: o.direction === undefined ? METRIC_MAXIMISED[o.metric] : o.direction === 'max',
    reference: o.reference,
  }));
}

/** True when the metrics satisfy every constraint. */
export function isFeasible(metrics: TrialMetrics, constraints: readonly Constraint[]): boolean {
  return constraints.every((c) => {
    const v = metrics[c.metric];
    return c.op === '<=' ? v <= c.value : c.op === '<' ? v < c.value : c.op === '>=' ? v >= c.value : v > c.value;
  });
}

/** The metrics as a point to minimise (maximised objectives negated). */
export function toPoint(metrics: TrialMetrics, objectives: readonly Objective[]): number[] {
  return objectives.map((o) => (o.maximise ? -metrics[o.metric] : metrics[o.metric]));
}

export function isEvaluated(t: Trial): t is EvaluatedTrial {
  return t.state === 'evaluated' && t.metrics !== undefined;
}

/** Evaluated trials, one per arch (its first evaluation): repeats of an arch never count twice. */
export function uniqueEvaluated(trials: readonly Trial[]): EvaluatedTrial[] {
  const seen = new Set<string>();
  const out: EvaluatedTrial[] = [];
  for (const t of trials) {
    if (!isEvaluated(t) || seen.has(t.arch)) continue;
    seen.add(t.arch);
    out.push(t);
  }
  return out;
}

/**
 * The feasible Pareto front, best first by the first objective (ties by arch string, so the order is
 * deterministic).
 */
export function paretoTrials(
  trials: readonly Trial[],
  objectives: readonly Objective[],
  constraints: readonly Constraint[],
): EvaluatedTrial[] {
  const feasible = uniqueEvaluated(trials).filter((t) => isFeasible(t.metrics, constraints));
  const front = paretoFront(feasible.map((t) => toPoint(t.metrics, objectives))).map((i) => feasible[i]);
  const first = objectives[0];
  return front.sort((a, b) => {
    const d = first.maximise ? b.metrics[first.metric] - a.metrics[first.metric] : a.metrics[first.metric] - b.metrics[first.metric];
    return d !== 0 ? d : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0;
  });
}

/**
 * The hypervolume reference point in metric units: the configured value where given, else the worst value of
 * the first committed batch pushed out by 10 % of that batch's range (so its worst points still count). Being a
 * function of batch 0 only, it is fixed for the whole run and identical after a resume.
 */
export function referencePoint(trials: readonly Trial[], objectives: readonly Objective[]): number[] | undefined {
  const first = uniqueEvaluated(trials).filter((t) => t.batch === 0);
  if (objectives.every((o) => o.reference !== undefined)) return objectives.map((o) => o.reference as number);
  if (first.length === 0) return undefined;
  return objectives.map((o) => {
    if (o.reference !== undefined) return o.reference;
    const values = first.map((t) => t.metrics[o.metric]);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const margin = hi > lo ? 0.1 * (hi - lo) : Math.max(Math.abs(hi) * 0.1, 1e-9);
    return o.maximise ? lo - margin : hi + margin;
  });
}

/** Hypervolume of the feasible front of `trials` for a reference point in metric units. */
export function frontHypervolume(front: readonly EvaluatedTrial[], objectives: readonly Objective[], reference: readonly number[]): number {
  const refPoint: Point = objectives.map((o, k) => (o.maximise ? -reference[k] : reference[k]));
  return hypervolume(
    front.map((t) => toPoint(t.metrics, objectives)),
    refPoint,
  );
}

/** Hypervolume after each evaluation, in index order (the "hypervolume vs evaluations" curve). */
export function hypervolumeTrace(
  trials: readonly Trial[],
  objectives: readonly Objective[],
  constraints: readonly Constraint[],
  reference: readonly number[],
): { evaluations: number; hypervolume: number }[] {
  const done = trials.filter((t) => t.state !== 'proposed').sort((a, b) => a.index - b.index);
  const out: { evaluations: number; hypervolume: number }[] = [];
  const refPoint: Point = objectives.map((o, k) => (o.maximise ? -reference[k] : reference[k]));
  let front: Point[] = [];
  let volume = 0;
  for (let i = 0; i < done.length; i++) {
    const t = done[i];
    if (isEvaluated(t) && isFeasible(t.metrics, constraints)) {
      // Incremental: only the current front matters for the next volume.
      const candidate = [...front, toPoint(t.metrics, objectives)];
      front = paretoFront(candidate).map((j) => candidate[j]);
      volume = hypervolume(front, refPoint);
    }
    out.push({ evaluations: i + 1, hypervolume: volume });
  }
  return out;
}
