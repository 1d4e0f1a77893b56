// The few-shot readout of an adapted NASFLAT target: robust ridge regressions from a few named bases (the fine-tuned
// score, the pretrained network's score on each source device, analytic cost features) to ln ms, combined by
// stacking their leave-one-out predictions on the target's few measurements (non-negative least squares, Breiman's
// stacked regression), or the single best of them. With 5–20 measurements the fine-tuned score alone can lose to a
// simple basis (FLOPs, op counts, one source device); the readout keeps whichever explains the measurements best
// without ever looking at held-out data. Working in ln ms makes every prediction positive; Huber fits and a bounded
// leave-one-out loss keep one bad measurement from steering the fit or the choice.
import { spearman } from '../../core/metrics.js';
import {
  fitRidge,
  fitRidgeRobust,
  huberFit,
  median,
  predictLinear,
  RIDGE_LAMBDAS,
  robustLooErrorWithSe,
  type LinearModel,
} from '../baselines/linalg.js';
import { theilSen } from '../trust.js';

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

/**
 * A zero-shot proxy the readout is centred on: `ln ms ≈ intercept + slope·column` (Theil–Sen, slope ≥ 0). Members
 * model what the measurements say beyond it, so strong ridge shrinkage falls back to the proxy, not to a constant.
 */
export interface ReadoutPrior {
  column: string;
  slope: number;
  intercept: number;
}

/** The readout of one target: its prior plus the share-weighted sum of its members' predictions, in ln ms. */
export interface Readout {
  prior?: ReadoutPrior;
  members: ReadoutMember[];
  /** The readout's own leave-one-out prediction of each measurement (share-weighted member predictions), ln ms. */
  looLog: number[];
  /**
   * Each measurement predicted with the readout's own choice (the stack's shares, or the single best candidate) also
   * made without it, ln ms: `looLog` reuses shares fitted on every row and so understates the error on new archs.
   * Prediction intervals are built from these.
   */
  nestedLooLog?: number[];
  /** Chosen among the zero-shot candidates only, because the measurements disagreed with each other. */
  zeroShot?: boolean;
  /** Every candidate fitted one of its `increasing` columns negatively, so the readout ranks that column backwards. */
  upsideDown?: boolean;
}

/** Columns a readout needs at prediction time. */
export function readoutColumns(readout: Readout): string[] {
  return [...new Set([...(readout.prior === undefined ? [] : [readout.prior.column]), ...readout.members.flatMap((m) => m.columns)])];
}

/** Predicted ln ms of every row of `basis` (which must hold every column of the readout). */
export function applyReadout(readout: Readout, basis: BasisColumns, rows: number): Float64Array {
  const prior = readout.prior;
  const priorColumn = prior === undefined ? undefined : basis.get(prior.column)!;
  const out = Float64Array.from({ length: rows }, (_, r) => (prior === undefined ? 0 : prior.intercept + prior.slope * priorColumn![r]));
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

/**
 * Leave-one-out predictions of ln ms by the prior refitted without the row plus a robust ridge fit at `lambda` of
 * what that prior leaves (`priorOf(i)`: the prior fitted without row i, as a function of the row index).
 */
function looPredictions(
  rows: number[][],
  logMs: readonly number[],
  lambda: number,
  priorOf: (i: number) => (r: number) => number,
): Float64Array {
  return Float64Array.from(rows, (row, i) => {
    const prior = priorOf(i);
    const keep = rows.filter((_, k) => k !== i);
    const yKeep = logMs.flatMap((y, k) => (k === i ? [] : [y - prior(k)]));
    return prior(i) + predictLinear(fitRidgeRobust(keep, yKeep, lambda), row);
  });
}

/** Ridge strengths the readout tries: the usual ones and two that all but reduce a member to its prior. */
const READOUT_LAMBDAS = [...RIDGE_LAMBDAS, 1e3, 1e4];

/** Theil–Sen line of `logMs` on `x` over `rows`, its slope kept ≥ 0 (every prior column is a cost: larger = slower). */
function priorLine(x: ArrayLike<number>, logMs: readonly number[], rows: readonly number[]): { slope: number; intercept: number } {
  const line = theilSen(
    rows.map((r) => x[r]),
    rows.map((r) => logMs[r]),
  );
  if (line.slope >= 0) return line;
  return { slope: 0, intercept: median(rows.map((r) => logMs[r])) };
}

/**
 * Non-negative least squares min ‖P·w − y‖², w ≥ 0, by cyclic coordinate descent on the normal equations (P has a
 * few dozen columns of highly correlated predictions; a tiny ridge keeps every coordinate step defined).
 */
export function nonNegativeLeastSquares(
  columns: readonly Float64Array[],
  y: readonly number[],
  sweeps = 2000,
  rowWeights?: ArrayLike<number>,
): Float64Array {
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
export function selectReadout(
  candidates: readonly ReadoutCandidate[],
  basis: BasisColumns,
  logMs: readonly number[],
  rule: ReadoutRule,
  proxies: { columns: readonly string[]; centre: boolean } = { columns: [], centre: false },
): Readout {
  const priorColumns = proxies.columns;
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
  // The prior: the zero-shot proxy that ranks the measurements best (chosen on them alone), as a robust line.
  const all = logMs.map((_, i) => i);
  const rhos = priorColumns.map((c) => spearman(basis.get(c)!, logMs));
  const bestPrior = rhos.reduce((b, rho, k) => (rho > (rhos[b] ?? -Infinity) ? k : b), 0);
  const priorColumn = priorColumns.length > 0 && rhos[bestPrior] > 0 ? priorColumns[bestPrior] : undefined;
  const lineAt = (line: { slope: number; intercept: number }) => (r: number) => line.intercept + line.slope * basis.get(priorColumn!)![r];
  const proxyLine = priorColumn === undefined ? undefined : { column: priorColumn, ...priorLine(basis.get(priorColumn)!, logMs, all) };
  const proxyWithout = all.map((i) =>
    priorColumn === undefined
      ? undefined
      : lineAt(
          priorLine(
            basis.get(priorColumn)!,
            logMs,
            all.filter((k) => k !== i),
          ),
        ),
  );
  // Centred: every member models what the proxy leaves. Otherwise the proxy line is one more candidate of the stack.
  const centred = proxies.centre && proxyLine !== undefined;
  const priorFull = centred ? proxyLine : undefined;
  const priorAll = priorFull === undefined ? () => 0 : lineAt(priorFull);
  const priorWithout = all.map((i) => (centred ? proxyWithout[i]! : () => 0));
  const priorLoo = all.map((i) => priorWithout[i](i));
  const residual = logMs.map((y, i) => y - priorAll(i));
  // A candidate with more columns than n − 2 is underdetermined on every leave-one-out fold: its error says little.
  const fitting = candidates.filter((c) => c.columns.length <= n - 2);
  const scoredAll = (fitting.length > 0 ? fitting : candidates.slice(0, 1)).map((candidate) => {
    const rows = rowsOf(candidate.columns);
    const tried = READOUT_LAMBDAS.map((lambda) => {
      const loo = looPredictions(rows, logMs, lambda, (i) => priorWithout[i]);
      return { lambda, loo, ...robustLooErrorWithSe(Array.from(loo, (p, i) => p - logMs[i])) };
    });
    const minimum = tried.reduce((a, b) => (b.error <= a.error * (1 + 1e-9) ? b : a));
    // One-standard-error rule: the strongest shrinkage whose error is within one standard error of the lowest, so
    // with noisy measurements (large errors, large standard errors) a member stays close to its prior.
    const best =
      priorColumn === undefined
        ? minimum
        : tried.filter((t) => t.error <= minimum.error + minimum.se).reduce((a, b) => (b.lambda > a.lambda ? b : a));
    const model = fitRidgeRobust(rows, residual, best.lambda);
    const upsideDown = (candidate.increasing ?? []).some((c) => model.weights[candidate.columns.indexOf(c)] < 0);
    return { candidate, model, upsideDown, ...best };
  });
  if (!centred && proxyLine !== undefined) {
    // The proxy's robust line as a candidate: its leave-one-out predictions come from the line refitted without each row.
    const loo = Float64Array.from(all, (i) => proxyWithout[i]!(i));
    const { error, se } = robustLooErrorWithSe(Array.from(loo, (p, i) => p - logMs[i]));
    const model: LinearModel = { weights: [proxyLine.slope], intercept: proxyLine.intercept, lambda: 0 };
    scoredAll.push({
      candidate: { name: `proxy:${proxyLine.column}`, columns: [proxyLine.column] },
      model,
      upsideDown: false,
      lambda: 0,
      loo,
      error,
      se,
    });
  }
  const valid = scoredAll.filter((s) => !s.upsideDown);
  const scored = valid.length > 0 ? valid : scoredAll.slice(0, 1);
  const upsideDown = valid.length === 0 ? { upsideDown: true } : {};
  // The candidate with the lowest error (the first on ties), on every row or on all but row `without`.
  const lowest = (without?: number) => {
    const errors = scored.map((s) =>
      without === undefined
        ? s.error
        : robustLooErrorWithSe(Array.from(s.loo, (p, k) => p - logMs[k]).filter((_, k) => k !== without)).error,
    );
    return scored[errors.reduce((best, error, k) => (error < errors[best] ? k : best), 0)];
  };
  const single = (): Readout => {
    const top = lowest();
    return {
      prior: priorFull,
      members: [member(top.candidate, top.model, Math.sqrt(top.error), 1)],
      looLog: Array.from(top.loo),
      // Row i predicted by the candidate chosen without it.
      nestedLooLog: all.map((i) => lowest(i).loo[i]),
      ...upsideDown,
    };
  };
  if (rule === 'best') return single();
  // Stacking on what the prior leaves, weights by Huber IRLS: a row the stack cannot explain (a throttled run, a
  // typo) is down-weighted instead of pulling the shares towards whichever members happen to agree with it.
  const looColumns = scored.map((s) => s.loo.map((p, i) => p - priorLoo[i]));
  const target = logMs.map((y, i) => y - priorLoo[i]);
  const sharesOn = (rows: readonly number[]): Float64Array => {
    const columns = looColumns.map((c) => Float64Array.from(rows, (r) => c[r]));
    const y = rows.map((r) => target[r]);
    const { model: fitted } = huberFit(
      (weights) => nonNegativeLeastSquares(columns, y, 2000, weights),
      (shares) => y.map((v, j) => v - shares.reduce((sum, share, k) => sum + share * columns[k][j], 0)),
    );
    // On what a prior leaves, shares summing to more than 1 would amplify the members' corrections: at most 1.
    const sum = fitted.reduce((a, b) => a + b, 0);
    return priorFull === undefined || sum <= 1 ? fitted : fitted.map((v) => v / sum);
  };
  const shares = sharesOn(all);
  // Shares below 0.1 % change no prediction noticeably and would only clutter the readout.
  const kept = scored.map((s, k) => ({ ...s, share: shares[k], residualLoo: looColumns[k] })).filter((s) => s.share > 1e-3);
  if (kept.length === 0) return single();
  const looLog = logMs.map((_, i) => priorLoo[i] + kept.reduce((sum, s) => sum + s.share * s.residualLoo[i], 0));
  // The shares were fitted on these same leave-one-out predictions, so `looLog` is optimistic; refitted without
  // each row, they predict it out of sample.
  const nestedLooLog = all.map((i) => {
    const without = sharesOn(all.filter((k) => k !== i));
    return priorLoo[i] + without.reduce((sum, share, k) => sum + share * looColumns[k][i], 0);
  });
  return {
    prior: priorFull,
    members: kept.map((s) => member(s.candidate, s.model, Math.sqrt(s.error), s.share)).sort((a, b) => b.share - a.share),
    looLog,
    nestedLooLog,
    ...upsideDown,
  };
}
