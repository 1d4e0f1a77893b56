// The few-shot readout: leave-one-out choice among ridge readouts, averaging of the best ones, and the fallback for
// fewer than three measurements; plus the `disconnected` feature it and the GNN read.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { costColumnNames, costRow, isDisconnected } from '../../src/predictors/nasflat/inputs.js';
import { applyReadout, readoutColumns, selectReadout, type BasisColumns } from '../../src/predictors/nasflat/readout.js';
import { getSpace } from '../../src/spaces/registry.js';

const rng = new Rng('readout-test');
const n = 20;
const column = () => Float64Array.from({ length: n }, () => rng.normal());
const a = column();
const b = column();
const noise = column();
// The measurements depend on `a` only (plus a little noise); `b` is unrelated.
const latencyMs = Array.from(a, (v, i) => 5 + 2 * v + 0.01 * noise[i]);
const basis: BasisColumns = new Map([
  ['a', a],
  ['b', b],
]);

describe('selectReadout', () => {
  it('prefers the candidate that explains the measurements by leave-one-out error, and reports that error', () => {
    const readout = selectReadout(
      [
        { name: 'only-b', columns: ['b'] },
        { name: 'only-a', columns: ['a'] },
        { name: 'both', columns: ['a', 'b'] },
      ],
      basis,
      latencyMs,
      1,
    );
    expect(readout.members).toHaveLength(1);
    const [member] = readout.members;
    expect(member.name).toBe('only-a');
    expect(member.weights[0]).toBeCloseTo(2, 1);
    expect(member.intercept).toBeCloseTo(5, 1);
    expect(member.looRmseMs).toBeLessThan(0.05);
    expect(readoutColumns(readout)).toEqual(['a']);
  });

  it('averages the predictions of the `top` best candidates', () => {
    const candidates = [
      { name: 'only-a', columns: ['a'] },
      { name: 'both', columns: ['a', 'b'] },
      { name: 'only-b', columns: ['b'] },
    ];
    const two = selectReadout(candidates, basis, latencyMs, 2);
    expect(two.members.map((m) => m.name).sort()).toEqual(['both', 'only-a']);
    const predicted = applyReadout(two, basis, n);
    const byMember = two.members.map((m) => applyReadout({ members: [m] }, basis, n));
    for (let i = 0; i < n; i++) expect(predicted[i]).toBeCloseTo((byMember[0][i] + byMember[1][i]) / 2, 10);
    // Ranked by leave-one-out error, the unrelated column comes last.
    expect(selectReadout(candidates, basis, latencyMs, 3).members.at(-1)!.name).toBe('only-b');
  });

  it('fits only the first candidate, strongly regularised, when fewer than three measurements leave nothing out', () => {
    const small: BasisColumns = new Map([['a', Float64Array.from([0, 1])]]);
    const readout = selectReadout([{ name: 'only-a', columns: ['a'] }, { name: 'b', columns: ['b'] }], small, [1, 3], 3);
    expect(readout.members.map((m) => m.name)).toEqual(['only-a']);
    expect(Number.isNaN(readout.members[0].looRmseMs)).toBe(true);
    const predicted = applyReadout(readout, small, 2);
    // The mean is kept, the slope shrunk towards zero but still increasing.
    expect((predicted[0] + predicted[1]) / 2).toBeCloseTo(2, 10);
    expect(predicted[1]).toBeGreaterThan(predicted[0]);
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
    expect(names).toEqual(['flops', 'params', 'disconnected', 'count:none', 'count:skip_connect', 'count:nor_conv_1x1', 'count:nor_conv_3x3', 'count:avg_pool_3x3']);
    const row = costRow(nb201, '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
    expect(row).toHaveLength(names.length);
    expect(Array.from(row.slice(2))).toEqual([0, 0, 2, 0, 3, 1]);
    expect(row[0]).toBeGreaterThan(1);
    expect(row[1]).toBeGreaterThan(0.1);
  });
});
