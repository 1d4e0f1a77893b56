import { describe, expect, it } from 'vitest';
import { kendall, latencyMetrics, mape, rankWithTies, spearman, topKSlowdown, withinPct } from '../../src/core/metrics.js';
import { Rng } from '../../src/core/rng.js';

// O(n²) definition of Kendall τ-b, the reference for the O(n log n) implementation.
function kendallBrute(a: number[], b: number[]): number {
  let c = 0,
    d = 0,
    ta = 0,
    tb = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + 1; j < a.length; j++) {
      const s = Math.sign(a[i] - a[j]) * Math.sign(b[i] - b[j]);
      if (s > 0) c++;
      else if (s < 0) d++;
      else {
        if (a[i] === a[j] && b[i] !== b[j]) ta++;
        if (b[i] === b[j] && a[i] !== a[j]) tb++;
      }
    }
  return (c - d) / Math.sqrt((c + d + ta) * (c + d + tb));
}

describe('ranking metrics', () => {
  it('averages tied ranks', () => {
    expect([...rankWithTies([10, 20, 20, 5])]).toEqual([2, 3.5, 3.5, 1]);
  });

  it('matches hand-computed Spearman and Kendall values with ties', () => {
    // Hand computation: ranks a = [1,2,3,4,5], b = [1,3,2,4.5,4.5]: Σdadb = 8.5, Σda² = 10, Σdb² = 9.5 → ρ = 8.5/√95;
    // 8 concordant, 1 discordant, 1 pair tied in b only → τ-b = (8-1)/√(10·9).
    const a = [1, 2, 3, 4, 5];
    const b = [1, 3, 2, 5, 5];
    expect(spearman(a, b)).toBeCloseTo(8.5 / Math.sqrt(95), 12);
    expect(kendall(a, b)).toBeCloseTo(7 / Math.sqrt(90), 12);
    expect(spearman(a, [5, 4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('Kendall τ-b agrees with the O(n²) definition on random data with many ties', () => {
    const rng = new Rng('kendall');
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + rng.int(60);
      const a = Array.from({ length: n }, () => rng.int(8));
      const b = Array.from({ length: n }, () => rng.int(8));
      expect(kendall(a, b)).toBeCloseTo(kendallBrute(a, b), 10);
    }
  });

  it('computes MAPE, within-10%, and top-k slowdown by hand', () => {
    expect(mape([10, 20], [11, 18])).toBeCloseTo(0.1, 12);
    expect(withinPct([10, 20, 30], [10.5, 25, 27])).toBeCloseTo(2 / 3, 12);
    // Predicted top-2 = archs 1 and 2 (pred 1, 2) with true 3 and 2; true best is 1 → slowdown 2/1 - 1 = 1.
    expect(topKSlowdown([1, 3, 2, 4], [9, 1, 2, 3], 2)).toBeCloseTo(1, 12);
    const m = latencyMetrics([1, 2, 3], [1, 2, 3]);
    expect(m).toMatchObject({ n: 3, spearman: 1, kendall: 1, mape: 0, rmse: 0, within10pct: 1, topkSlowdown: 0 });
  });
});
