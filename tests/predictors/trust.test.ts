// The shared trust rules: which rows a robust trend distrusts, the conformal interval factor, and when the
// measurements are said to disagree.
import { describe, expect, it } from 'vitest';
import { diagnose, findOutliers, intervalFactor, msFromLog, theilSen, type FitQuality } from '../../src/predictors/trust.js';

const proxy = Array.from({ length: 12 }, (_, i) => Math.log(10 + 7 * i));
// ms ∝ FLOPs^0.8 with a little deterministic wobble.
const clean = proxy.map((x, i) => Math.exp(0.8 * x + 0.03 * Math.sin(3 * i)));

describe('findOutliers', () => {
  it('names a row 3× slower than the trend, not one 1.5× slower, and needs 5× to distrust a fast row', () => {
    expect(
      findOutliers(
        clean.map((v, i) => (i === 4 ? 3 * v : v)),
        [proxy],
      ),
    ).toEqual([4]);
    expect(
      findOutliers(
        clean.map((v, i) => (i === 4 ? 1.5 * v : v)),
        [proxy],
      ),
    ).toEqual([]);
    expect(
      findOutliers(
        clean.map((v, i) => (i === 4 ? v / 3 : v)),
        [proxy],
      ),
    ).toEqual([]);
    expect(
      findOutliers(
        clean.map((v, i) => (i === 4 ? v / 6 : v)),
        [proxy],
      ),
    ).toEqual([4]);
  });

  it('never distrusts an exempt row, nothing below 5 rows, and nothing when no proxy ranks the rows', () => {
    const spoiled = clean.map((v, i) => (i === 4 ? 3 * v : v));
    expect(
      findOutliers(
        spoiled,
        [proxy],
        spoiled.map((_, i) => i === 4),
      ),
    ).toEqual([]);
    expect(findOutliers(spoiled.slice(2, 6), [proxy.slice(2, 6)])).toEqual([]);
    expect(findOutliers(spoiled, [proxy.map((x) => -x)])).toEqual([]);
  });

  it('fits the trend by Theil–Sen, which one bad point cannot tilt', () => {
    const line = theilSen([1, 2, 3, 4, 5], [2, 4, 6, 8, 100]);
    expect(line.slope).toBeCloseTo(2, 10);
    expect(line.intercept).toBeCloseTo(0, 10);
  });
});

describe('diagnose and intervals', () => {
  const quality = (looMs: number[], distrusted: number[] = []): FitQuality => ({
    archs: clean.map((_, i) => `a${i}`),
    latencyMs: [...clean],
    looMs,
    distrusted,
  });

  it('gives the conformal factor from the trusted rows only, and warns when the rows disagree', () => {
    const good = quality(clean.map((v, i) => v * (1 + 0.05 * Math.cos(i))));
    expect(intervalFactor(good)).toBeGreaterThan(1);
    expect(intervalFactor(good)).toBeLessThan(1.06);
    expect(diagnose(good).warning).toBeUndefined();
    // One row predicted 10× off but distrusted: it widens nothing.
    expect(
      intervalFactor(
        quality(
          good.looMs.map((v, i) => (i === 2 ? v * 10 : v)),
          [2],
        ),
      ),
    ).toBeCloseTo(intervalFactor(good), 10);
    // Reversed predictions: ρ = −1, a warning.
    expect(diagnose(quality([...clean].reverse())).warning).toMatch(/disagree with each other: leave-one-out ρ -1\.00/);
  });

  it('builds the interval from the nested out-of-sample predictions when the fit has them', () => {
    const good = quality(clean.map((v, i) => v * (1 + 0.05 * Math.cos(i))));
    const nested = { ...good, intervalLooMs: clean.map((v, i) => v * (1 + 0.2 * Math.cos(i))) };
    // 12 rows: the ⌈13 · 0.9⌉ = 12th smallest residual, the largest.
    const expected = Math.exp(Math.max(...clean.map((_, i) => Math.abs(Math.log(1 + 0.2 * Math.cos(i))))));
    expect(intervalFactor(nested)).toBeCloseTo(expected, 10);
    // Wider than the interval from the plain leave-one-out predictions of the same fit.
    expect(intervalFactor(nested)).toBeGreaterThan(intervalFactor(good) * 1.1);
    expect(diagnose(nested).interval90Factor).toBeCloseTo(expected, 10);
    // The warning and the leave-one-out figures still come from `looMs`.
    expect(diagnose(nested).looSpearman).toBe(diagnose(good).looSpearman);
    expect(diagnose(nested).looMedianErrorPct).toBe(diagnose(good).looMedianErrorPct);
  });

  it('keeps one tiny-latency row from raising a warning through the MAPE', () => {
    const latencyMs = [...clean];
    latencyMs[0] = 0.01; // a network folded to a constant
    const looMs = clean.map((v) => v * 1.05);
    const d = diagnose({ archs: clean.map((_, i) => `a${i}`), latencyMs, looMs, distrusted: [] });
    expect(d.looMapePct).toBeGreaterThan(100);
    expect(d.looMedianErrorPct).toBeLessThan(10);
    expect(d.warning).toBeUndefined();
  });

  it('turns any ln-ms prediction into a finite positive latency inside the bounds', () => {
    const bounds = { lo: Math.log(0.01), hi: Math.log(1e4) };
    for (const v of [-1e300, -5, 0, 3, 1e300, NaN]) {
      const ms = msFromLog(v, bounds);
      expect(Number.isFinite(ms) && ms > 0).toBe(true);
    }
  });
});
