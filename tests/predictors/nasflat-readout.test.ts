// The few-shot readout: leave-one-out choice among ridge readouts, stacking, non-negative least squares, the fallback for
// fewer than three measurements; plus the `disconnected` feature it and the GNN read.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { costColumnNames, costRow, nonSkipOps } from '../../src/predictors/nasflat/inputs.js';
import { isDisconnected } from '../../src/spaces/graph.js';
import {
  applyReadout,
  nonNegativeLeastSquares,
  readoutColumns,
  selectReadout,
  type BasisColumns,
} from '../../src/predictors/nasflat/readout.js';
import { getSpace } from '../../src/spaces/registry.js';

const rng = new Rng('readout-test');
const n = 20;
const column = () => Float64Array.from({ length: n }, () => rng.normal());
const a = column();
const b = column();
const noise = column();
// The measurements (ln ms: the readout works in ln ms) depend on `a` only (plus a little noise); `b` is unrelated.
const latencyMs = Array.from(a, (v, i) => 5 + 2 * v + 0.01 * noise[i]);
const basis: BasisColumns = new Map([
  ['a', a],
  ['b', b],
]);

describe('selectReadout', () => {
  const candidates = [
    { name: 'only-b', columns: ['b'] },
    { name: 'only-a', columns: ['a'] },
    { name: 'both', columns: ['a', 'b'] },
  ];

  it('keeps the candidate with the lowest leave-one-out error under `best`, and reports that error', () => {
    const readout = selectReadout(candidates, basis, latencyMs, 'best');
    expect(readout.members).toHaveLength(1);
    const [member] = readout.members;
    expect(member).toMatchObject({ name: 'only-a', share: 1 });
    expect(member.weights[0]).toBeCloseTo(2, 1);
    expect(member.intercept).toBeCloseTo(5, 1);
    expect(member.looRmseLog).toBeLessThan(0.05);
    expect(readoutColumns(readout)).toEqual(['a']);
  });

  it('stacks candidates by non-negative weights on their leave-one-out predictions, leaving out the useless one', () => {
    const readout = selectReadout(candidates, basis, latencyMs, 'stack');
    expect(readout.members.map((m) => m.name)).not.toContain('only-b');
    const shares = readout.members.reduce((s, m) => s + m.share, 0);
    expect(shares).toBeCloseTo(1, 2);
    const predicted = applyReadout(readout, basis, n);
    const byMember = readout.members.map((m) => applyReadout({ members: [{ ...m, share: 1 }], looLog: [] }, basis, n));
    for (let i = 0; i < n; i++)
      expect(predicted[i]).toBeCloseTo(
        readout.members.reduce((s, m, k) => s + m.share * byMember[k][i], 0),
        10,
      );
    for (let i = 0; i < n; i++) expect(predicted[i]).toBeCloseTo(latencyMs[i], 1);
  });

  it('is robust to one gross error: the fit and the choice hardly move, and its leave-one-out residual stands out', () => {
    const spoiled = [...latencyMs];
    spoiled[7] += Math.log(3); // one measurement 3× too slow
    const readout = selectReadout(candidates, basis, spoiled, 'best');
    expect(readout.members[0].name).toBe('only-a');
    expect(readout.members[0].weights[0]).toBeCloseTo(2, 1);
    const residuals = spoiled.map((y, i) => y - readout.looLog[i]);
    expect(residuals[7]).toBeCloseTo(Math.log(3), 1);
    for (let i = 0; i < n; i++) if (i !== 7) expect(Math.abs(residuals[i])).toBeLessThan(0.1);
  });

  it('centres on the prior column that ranks the measurements best, and falls back to it when the candidates are noise', () => {
    const flops = column();
    const y = Array.from(flops, (v, i) => 1 + 0.8 * v + 0.02 * noise[i]);
    const withPrior: BasisColumns = new Map([...basis, ['flops', flops], ['params', b]]);
    const readout = selectReadout([{ name: 'only-b', columns: ['b'] }], withPrior, y, 'stack', {
      columns: ['params', 'flops'],
      centre: true,
    });
    expect(readout.prior?.column).toBe('flops');
    expect(readout.prior?.slope).toBeCloseTo(0.8, 1);
    // The unrelated candidate is shrunk to (about) nothing: predictions follow the prior.
    const predicted = applyReadout(readout, withPrior, n);
    for (let i = 0; i < n; i++) expect(predicted[i]).toBeCloseTo(y[i], 1);
    expect(readoutColumns(readout)).toEqual(['flops', 'b']);
  });

  it('offers the proxy line as a candidate when not centred, and the stack takes it when the other candidates are noise', () => {
    const flops = column();
    const y = Array.from(flops, (v, i) => 1 + 0.8 * v + 0.02 * noise[i]);
    const withProxy: BasisColumns = new Map([...basis, ['flops', flops]]);
    const readout = selectReadout([{ name: 'only-b', columns: ['b'] }], withProxy, y, 'stack', { columns: ['flops'], centre: false });
    expect(readout.prior).toBeUndefined();
    expect(readout.members[0]).toMatchObject({ name: 'proxy:flops', columns: ['flops'] });
    expect(readout.members[0].share).toBeGreaterThan(0.9);
  });

  it('leaves out candidates with more columns than measurements − 2, whose leave-one-out folds are underdetermined', () => {
    const four = latencyMs.slice(0, 4);
    const readout = selectReadout(
      [
        { name: 'both', columns: ['a', 'b'] },
        { name: 'three', columns: ['a', 'b', 'a'] },
        { name: 'only-a', columns: ['a'] },
      ],
      basis,
      four,
      'stack',
    );
    expect(readout.members.map((m) => m.name)).not.toContain('three');
  });

  it('leaves out a candidate that would give a latency-like column a negative weight', () => {
    const minusA = Float64Array.from(a, (v) => -v);
    const signed: BasisColumns = new Map([...basis, ['minus-a', minusA]]);
    const free = selectReadout([{ name: 'minus-a', columns: ['minus-a'] }], signed, latencyMs, 'best');
    expect(free.members[0].weights[0]).toBeLessThan(0);
    const readout = selectReadout(
      [
        { name: 'minus-a', columns: ['minus-a'], increasing: ['minus-a'] },
        { name: 'only-b', columns: ['b'] },
      ],
      signed,
      latencyMs,
      'stack',
    );
    expect(readout.members.map((m) => m.name)).toEqual(['only-b']);
  });

  it('predicts each row for the intervals with the shares (or the best candidate) also chosen without it', () => {
    // Eight candidates of pure noise and measurements unrelated to all of them: shares fitted on the candidates'
    // leave-one-out predictions of every row explain those rows better than they predict a new one.
    const noiseRng = new Rng('readout-nested');
    const noiseColumns: BasisColumns = new Map(
      Array.from({ length: 8 }, (_, k) => [`noise-${k}`, Float64Array.from({ length: n }, () => noiseRng.normal())]),
    );
    const y = Array.from({ length: n }, () => 2 + 0.5 * noiseRng.normal());
    const noiseCandidates = [...noiseColumns.keys()].map((c) => ({ name: c, columns: [c] }));
    const rms = (predicted: readonly number[]) => Math.sqrt(predicted.reduce((s, p, i) => s + (p - y[i]) ** 2, 0) / n);
    const stack = selectReadout(noiseCandidates, noiseColumns, y, 'stack');
    expect(stack.nestedLooLog).toHaveLength(n);
    expect(rms(stack.nestedLooLog!)).toBeGreaterThan(1.1 * rms(stack.looLog));
    // The single best: left out, some rows change the choice, and their predictions get worse.
    const best = selectReadout(noiseCandidates, noiseColumns, y, 'best');
    expect(best.nestedLooLog!.some((v, i) => v !== best.looLog[i])).toBe(true);
    expect(rms(best.nestedLooLog!)).toBeGreaterThan(rms(best.looLog));
    // Where one candidate explains the rows, choosing it again without a row changes next to nothing.
    const clean = selectReadout(candidates, basis, latencyMs, 'stack');
    clean.nestedLooLog!.forEach((v, i) => expect(Math.abs(v - clean.looLog[i])).toBeLessThan(0.02));
  });

  it('fits only the first candidate, strongly regularised, when fewer than three measurements leave nothing out', () => {
    const small: BasisColumns = new Map([['a', Float64Array.from([0, 1])]]);
    const readout = selectReadout(
      [
        { name: 'only-a', columns: ['a'] },
        { name: 'b', columns: ['b'] },
      ],
      small,
      [1, 3],
      'stack',
    );
    expect(readout.members.map((m) => m.name)).toEqual(['only-a']);
    expect(Number.isNaN(readout.members[0].looRmseLog)).toBe(true);
    const predicted = applyReadout(readout, small, 2);
    // The mean is kept, the slope shrunk towards zero but still increasing.
    expect((predicted[0] + predicted[1]) / 2).toBeCloseTo(2, 10);
    expect(predicted[1]).toBeGreaterThan(predicted[0]);
  });
});

describe('nonNegativeLeastSquares', () => {
  it('matches least squares when the solution is non-negative, and clips a negative coefficient to zero', () => {
    const x1 = Float64Array.from([1, 0, 1, 2]);
    const x2 = Float64Array.from([0, 1, 1, 1]);
    const y = [2, 3, 5, 7]; // = 2·x1 + 3·x2 exactly
    const w = nonNegativeLeastSquares([x1, x2], y);
    expect(w[0]).toBeCloseTo(2, 6);
    expect(w[1]).toBeCloseTo(3, 6);
    // y = x1 − x2 needs a negative coefficient; with w2 clipped to 0 the best w1 is Σ x1·y / Σ x1² = 3 / 6.
    const yNeg = [1, -1, 0, 1];
    const clipped = nonNegativeLeastSquares([x1, x2], yNeg);
    expect(clipped[1]).toBe(0);
    expect(clipped[0]).toBeCloseTo((1 * 1 + 0 + 0 + 2 * 1) / (1 + 0 + 1 + 4), 6);
  });
});

describe('cost columns', () => {
  const nb201 = getSpace('nb201');

  it('flags NB201 cells whose output no input path reaches, and no FBNet arch', () => {
    // Node 3 is fed only through `none` edges or from nodes that receive nothing.
    expect(isDisconnected(nb201.opGraph('|none~0|+|none~0|nor_conv_3x3~1|+|none~0|skip_connect~1|nor_conv_3x3~2|'))).toBe(true);
    expect(isDisconnected(nb201.opGraph('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|'))).toBe(true);
    // A path 0 → 1 → 3 through a conv and a skip.
    expect(isDisconnected(nb201.opGraph('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|'))).toBe(false);
    // Of all 15,625 cells, exactly those with no live path are disconnected: 341 by brute force over edges.
    const disconnected = nb201.enumerate!().filter((arch) => isDisconnected(nb201.opGraph(arch)));
    expect(disconnected).toHaveLength(341);
    const fbnet = getSpace('fbnet');
    for (let i = 0; i < 20; i++) expect(isDisconnected(fbnet.opGraph(fbnet.sample(Rng.derive(1, 'fb', i))))).toBe(false);
  });

  it('gives MFLOPs, Mparams, the disconnected flag and one count per op, in the named order', () => {
    const names = costColumnNames(nb201);
    expect(names).toEqual([
      'flops',
      'params',
      'disconnected',
      'count:none',
      'count:skip_connect',
      'count:nor_conv_1x1',
      'count:nor_conv_3x3',
      'count:avg_pool_3x3',
    ]);
    const row = costRow(nb201, '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
    expect(row).toHaveLength(names.length);
    expect(Array.from(row.slice(2))).toEqual([0, 0, 2, 0, 3, 1]);
    // Ops that do work: three nor_conv_3x3 and one avg_pool_3x3; the skips do not count.
    expect(nonSkipOps(nb201, '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|')).toBe(4);
    expect(row[0]).toBeGreaterThan(1);
    expect(row[1]).toBeGreaterThan(0.1);
  });
});
