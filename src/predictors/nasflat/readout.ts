// The few-shot readout of an adapted NASFLAT target: ridge regressions from a few named bases (the fine-tuned score,
// the pretrained network's score on each source device, analytic cost features) to ms, chosen by leave-one-out
// error on the target's few measurements and averaged over the best few. With 5–20 measurements the fine-tuned score
// alone can lose to a simple basis (FLOPs, op counts, one source device); the readout keeps whichever explains the
// measurements best without ever looking at held-out data.
import { fitRidge, predictLinear, RIDGE_LAMBDAS } from '../baselines/linalg.js';

/** Feature columns of the few (or the predicted) archs, by column name, each aligned with the archs. */
export type BasisColumns = Map<string, Float64Array>;

/** One candidate readout: a name and the columns it regresses on. */
export interface ReadoutCandidate {
  name: string;
  columns: string[];
}

/** A fitted member of a readout: `ms ≈ intercept + Σ weights[j]·column[j]`. */
export interface ReadoutMember {
  name: string;
  columns: string[];
  weights: number[];
  intercept: number;
  lambda: number;
  /** Leave-one-out root-mean-square error on the few measurements, ms. */
  looRmseMs: number;
}

/** The readout of one target: the mean of its members' predictions. */
export interface Readout {
  members: ReadoutMember[];
}

/** Columns a readout needs at prediction time. */
export function readoutColumns(readout: Readout): string[] {
  return [...new Set(readout.members.flatMap((m) => m.columns))];
}

/** Predicted ms of every row of `basis` (which must hold every column of the readout). */
export function applyReadout(readout: Readout, basis: BasisColumns, rows: number): Float64Array {
  const out = new Float64Array(rows);
  const row: number[] = [];
  for (const member of readout.members) {
    const columns = member.columns.map((c) => basis.get(c)!);
    for (let r = 0; r < rows; r++) {
      row.length = 0;
      for (const column of columns) row.push(column[r]);
      out[r] += predictLinear(member, row) / readout.members.length;
    }
  }
  return out;
}

/** Leave-one-out squared errors of a ridge fit at `lambda` on `rows`. */
function looSquaredErrors(rows: number[][], y: readonly number[], lambda: number): number[] {
  return rows.map((row, i) => {
    const keep = rows.filter((_, k) => k !== i);
    const yKeep = y.filter((_, k) => k !== i);
    return (predictLinear(fitRidge(keep, yKeep, lambda), row) - y[i]) ** 2;
  });
}

/**
 * Fit every candidate at every ridge strength, score it by leave-one-out error on the few measurements, and keep
 * the `top` candidates with the lowest error (each at its best strength), whose predictions are averaged. Ties go to
 * the candidate listed first, then to the stronger penalty. With fewer than 3 measurements there is nothing to leave
 * out and only the first candidate is fitted.
 */
export function selectReadout(candidates: readonly ReadoutCandidate[], basis: BasisColumns, latencyMs: readonly number[], top: number): Readout {
  const n = latencyMs.length;
  const rowsOf = (columns: readonly string[]) => Array.from({ length: n }, (_, r) => columns.map((c) => basis.get(c)![r]));
  if (n < 3) {
    const first = candidates[0];
    const lambda = RIDGE_LAMBDAS[RIDGE_LAMBDAS.length - 1];
    const model = fitRidge(rowsOf(first.columns), latencyMs, lambda);
    return { members: [{ name: first.name, columns: first.columns, weights: model.weights, intercept: model.intercept, lambda, looRmseMs: NaN }] };
  }
  const scored = candidates.map((candidate, order) => {
    const rows = rowsOf(candidate.columns);
    let best: { lambda: number; error: number } = { lambda: RIDGE_LAMBDAS[0], error: Infinity };
    for (const lambda of RIDGE_LAMBDAS) {
      const error = looSquaredErrors(rows, latencyMs, lambda).reduce((a, b) => a + b, 0) / n;
      if (error <= best.error * (1 + 1e-9)) best = { lambda, error };
    }
    return { candidate, order, rows, ...best };
  });
  scored.sort((a, b) => a.error - b.error || a.order - b.order);
  return {
    members: scored.slice(0, Math.max(1, top)).map(({ candidate, rows, lambda, error }) => {
      const model = fitRidge(rows, latencyMs, lambda);
      return { name: candidate.name, columns: candidate.columns, weights: model.weights, intercept: model.intercept, lambda, looRmseMs: Math.sqrt(error) };
    }),
  };
}
