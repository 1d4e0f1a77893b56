// The few-shot readout of an adapted NASFLAT target: robust ridge regressions from a few named bases (the fine-tuned
// score, the pretrained network's score on each source device, analytic cost features) to ln ms, combined by
// stacking their leave-one-out predictions on the target's few measurements (non-negative least squares, Breiman's
// stacked regression), or the single best of them. With 5–20 measurements the fine-tuned score alone can lose to a
// simple basis (FLOPs, op counts, one source device); the readout keeps whichever explains the measurements best
// without ever looking at held-out data. Working in ln ms makes every prediction positive; Huber fits and a bounded
// leave-one-out loss keep one bad measurement from steering the fit or the choice.
import { fitRidge, fitRidgeRobust, huberFit, predictLinear, RIDGE_LAMBDAS, robustLooError, type LinearModel } from '../baselines/linalg.js';

/** Feature columns of the few (or the predicted) archs, by column name, each aligned with the archs. */
export type BasisColumns = Map<string, Float64Array>;

/** One candidate readout: a name and the columns it regresses on. */
export interface ReadoutCandidate {
  name: string;
  columns: string[];
  /**
   * Columns that are themselves latency predictions (a score, FLOPs) and so may only enter with a non-negative
   * weight: a candidate whose fit gives one of them a negative weight is left out.
   */
  increasing?: string[];
}

/** A fitted member of a readout: `ln ms ≈ intercept + Σ weights[j]·column[j]`, entering the readout × `share`. */
export interface ReadoutMember {
  name: string;
  columns: string[];
  /** Its weight in the readout's sum (non-negative; the shares of a stack sum to about 1). */
  share: number;
  weights: number[];
  intercept: number;
  lambda: number;
  /** Root of `robustLooError` on the few measurements, ln ms (about a relative error). */
  looRmseLog: number;
}

/** The readout of one target: the share-weighted sum of its members' predictions of ln ms. */
export interface Readout {
  members: ReadoutMember[];
  /** The readout's own leave-one-out prediction of each measurement (share-weighted member predictions), ln ms. */
  looLog: number[];
}

/** Columns a readout needs at prediction time. */
export function readoutColumns(readout: Readout): string[] {
  return [...new Set(readout.members.flatMap((m) => m.columns))];
}

/** Predicted ln ms of every row of `basis` (which must hold every column of the readout). */
export function applyReadout(readout: Readout, basis: BasisColumns, rows: number): Float64Array {
  const out = new Float64Array(rows);
  const row: number[] = [];
  for (const member of readout.members) {
    const columns = member.columns.map((c) => basis.get(c)!);
    for (let r = 0; r < rows; r++) {
      row.length = 0;
      for (const column of columns) row.push(column[r]);
      out[r] += member.share * predictLinear(member, row);
    }
  }
  return out;
}

/**
 * How much the readout's members disagree about each row: the share-weighted standard deviation of their ln-ms
 * predictions (0 for a readout of one member). Where bases that explain the measurements equally well part ways, the
 * measurements have not pinned the latency down: the place to measure next.
 */
export function readoutSpread(readout: Readout, basis: BasisColumns, rows: number): Float64Array {
  const predictions = readout.members.map((m) => applyReadout({ members: [{ ...m, share: 1 }], looLog: [] }, basis, rows));
  const total = readout.members.reduce((s, m) => s + m.share, 0);
  return Float64Array.from({ length: rows }, (_, r) => {
    const mean = readout.members.reduce((s, m, k) => s + m.share * predictions[k][r], 0) / total;
    return Math.sqrt(readout.members.reduce((s, m, k) => s + m.share * (predictions[k][r] - mean) ** 2, 0) / total);
  });
}

/** Leave-one-out predictions of a robust ridge fit at `lambda` on `rows`. */
function looPredictions(rows: number[][], y: readonly number[], lambda: number): Float64Array {
  return Float64Array.from(rows, (row, i) => {
    const keep = rows.filter((_, k) => k !== i);
    const yKeep = y.filter((_, k) => k !== i);
    return predictLinear(fitRidgeRobust(keep, yKeep, lambda), row);
  });
}

/**
 * Non-negative least squares min ‖P·w − y‖², w ≥ 0, by cyclic coordinate descent on the normal equations (P has a
 * few dozen columns of highly correlated predictions; a tiny ridge keeps every coordinate step defined).
 */
export function nonNegativeLeastSquares(columns: readonly Float64Array[], y: readonly number[], sweeps = 2000, rowWeights?: ArrayLike<number>): Float64Array {
  const k = columns.length;
  const gram = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  const rowWeight = (i: number) => (rowWeights === undefined ? 1 : rowWeights[i]);
  for (let a = 0; a < k; a++) {
    for (let i = 0; i < y.length; i++) rhs[a] += rowWeight(i) * columns[a][i] * y[i];
    for (let b = 0; b <= a; b++) {
      let dot = 0;
      for (let i = 0; i < y.length; i++) dot += rowWeight(i) * columns[a][i] * columns[b][i];
      gram[a * k + b] = dot;
      gram[b * k + a] = dot;
    }
  }
  const scale = Math.max(...Array.from({ length: k }, (_, a) => gram[a * k + a]), 1e-300);
  for (let a = 0; a < k; a++) gram[a * k + a] += 1e-10 * scale;
  const w = new Float64Array(k);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let change = 0;
    for (let a = 0; a < k; a++) {
      let gradient = -rhs[a];
      for (let b = 0; b < k; b++) gradient += gram[a * k + b] * w[b];
      const next = Math.max(0, w[a] - gradient / gram[a * k + a]);
      change = Math.max(change, Math.abs(next - w[a]));
      w[a] = next;
    }
    if (change < 1e-12) break;
  }
  return w;
}

/** How `selectReadout` combines the candidates: stacked (non-negative weights) or the single best. */
export type ReadoutRule = 'stack' | 'best';

/**
 * Fit every candidate (Huber-robust ridge on ln ms) at every ridge strength and keep, per candidate, the strength with
 * the lowest leave-one-out error on the few measurements (`robustLooError`: capped squared errors, the worst rows
 * left out, so a row the others contradict cannot choose the readout). `best` keeps the candidate with the lowest error (ties to the
 * one listed first); `stack` weights the candidates by non-negative least squares of the measurements on their
 * leave-one-out predictions, made robust by Huber reweighting of the rows (IRLS), and keeps
 * those with a weight above 0.001. Not considered: candidates with more columns than n − 2 (chosen by
 * leave-one-source-out on source devices, `bench:readout-rule`), and candidates whose fit gives one of their
 * `increasing` columns a negative weight (it would turn a latency ranking upside down). With fewer than 3
 * measurements there is nothing to leave out and only the first candidate is fitted, strongly regularised.
 * @param logMs ln of the measured latencies
 */
export function selectReadout(candidates: readonly ReadoutCandidate[], basis: BasisColumns, logMs: readonly number[], rule: ReadoutRule): Readout {
  const n = logMs.length;
  const rowsOf = (columns: readonly string[]) => Array.from({ length: n }, (_, r) => columns.map((c) => basis.get(c)![r]));
  const member = (candidate: ReadoutCandidate, model: LinearModel, looRmseLog: number, share: number): ReadoutMember => ({
    name: candidate.name,
    columns: candidate.columns,
    share,
    weights: model.weights,
    intercept: model.intercept,
    lambda: model.lambda,
    looRmseLog,
  });
  if (n < 3) {
    const model = fitRidge(rowsOf(candidates[0].columns), logMs, RIDGE_LAMBDAS[RIDGE_LAMBDAS.length - 1]);
    // With two rows the only out-of-sample guess for one is the other.
    return { members: [member(candidates[0], model, NaN, 1)], looLog: logMs.map((_, i) => logMs[n - 1 - i]) };
  }
  // A candidate with more columns than n − 2 is underdetermined on every leave-one-out fold: its error says little.
  const fitting = candidates.filter((c) => c.columns.length <= n - 2);
  const scoredAll = (fitting.length > 0 ? fitting : candidates.slice(0, 1)).map((candidate) => {
    const rows = rowsOf(candidate.columns);
    let best: { lambda: number; error: number; loo: Float64Array } = { lambda: RIDGE_LAMBDAS[0], error: Infinity, loo: new Float64Array(n) };
    for (const lambda of RIDGE_LAMBDAS) {
      const loo = looPredictions(rows, logMs, lambda);
      const error = robustLooError(Array.from(loo, (p, i) => p - logMs[i]));
      if (error <= best.error * (1 + 1e-9)) best = { lambda, error, loo };
    }
    const model = fitRidgeRobust(rows, logMs, best.lambda);
    const upsideDown = (candidate.increasing ?? []).some((c) => model.weights[candidate.columns.indexOf(c)] < 0);
    return { candidate, model, upsideDown, ...best };
  });
  const valid = scoredAll.filter((s) => !s.upsideDown);
  const scored = valid.length > 0 ? valid : scoredAll.slice(0, 1);
  const lowest = () => scored.reduce((a, b) => (b.error < a.error ? b : a));
  const single = () => {
    const top = lowest();
    return { members: [member(top.candidate, top.model, Math.sqrt(top.error), 1)], looLog: Array.from(top.loo) };
  };
  if (rule === 'best') return single();
  // Stacking weights by Huber IRLS: a row the stack cannot explain (a throttled run, a typo) is down-weighted instead
  // of pulling the shares towards whichever members happen to agree with it.
  const looColumns = scored.map((s) => s.loo);
  const stackedAt = (shares: Float64Array, i: number) => shares.reduce((sum, share, k) => sum + share * looColumns[k][i], 0);
  const { model: shares } = huberFit(
    (weights) => nonNegativeLeastSquares(looColumns, logMs, 2000, weights),
    (fitted) => logMs.map((y, i) => y - stackedAt(fitted, i)),
  );
  // Shares below 0.1 % change no prediction noticeably and would only clutter the readout.
  const kept = scored.map((s, k) => ({ ...s, share: shares[k] })).filter((s) => s.share > 1e-3);
  if (kept.length === 0) return single();
  const looLog = logMs.map((_, i) => kept.reduce((sum, s) => sum + s.share * s.loo[i], 0));
  return { members: kept.map((s) => member(s.candidate, s.model, Math.sqrt(s.error), s.share)).sort((a, b) => b.share - a.share), looLog };
}
