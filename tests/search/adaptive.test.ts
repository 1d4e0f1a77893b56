// Choosing the next measurements: front by front of predicted (accuracy, latency), most uncertain first, spread
// along the front when the predictor has no per-arch uncertainty, never an arch already measured.
import { describe, expect, it } from 'vitest';
import type { LatencyPredictor } from '../../src/predictors/types.js';
import { nextMeasurements } from '../../src/search/adaptive.js';
import { getSpace } from '../../src/spaces/registry.js';

const space = getSpace('nb201');
const candidates = ['a', 'b', 'c', 'd', 'e', 'f'];
const latency: Record<string, number> = { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 };

/** A stand-in predictor over fake arch names: fixed latencies, optional fixed uncertainties. */
function predictor(uncertainty?: Record<string, number>): LatencyPredictor {
  return {
    kind: 'fixed',
    space,
    devices: () => ['dev'],
    fit: async () => {},
    save: async () => {},
    fitQuality: () => undefined,
    predict: async (_device, archs) => Float64Array.from(archs, (a) => latency[a]),
    ...(uncertainty === undefined
      ? {}
      : { uncertainty: async (_device: string, archs: readonly string[]) => Float64Array.from(archs, (a) => uncertainty[a]) }),
  };
}

describe('nextMeasurements', () => {
  // Accuracy rises with latency for a..e (all on the front), f is slower and less accurate than e (dominated).
  const accuracy = [10, 20, 30, 40, 50, 45];

  it('takes the most uncertain archs of the predicted front, never a measured one', async () => {
    const uncertain = { a: 0.1, b: 0.5, c: 0.2, d: 0.9, e: 0.3, f: 5 };
    expect(await nextMeasurements(predictor(uncertain), 'dev', candidates, accuracy, new Set(['d']), 2)).toEqual(['b', 'e']);
  });

  it('goes to the next front when the first is used up, and never ranks a failed (NaN) accuracy on a front', async () => {
    const picks = await nextMeasurements(
      predictor({ a: 0, b: 0, c: 0, d: 0, e: 0, f: 1 }),
      'dev',
      candidates,
      [10, 20, 30, 40, NaN, 45],
      new Set(['a', 'b', 'c', 'd']),
      1,
    );
    expect(picks).toEqual(['f']);
  });

  it('spreads the picks along the front by predicted latency without a per-arch uncertainty', async () => {
    expect(await nextMeasurements(predictor(), 'dev', candidates, accuracy, new Set(), 3)).toEqual(['a', 'c', 'e']);
    // Without accuracy every candidate is on one front.
    expect(await nextMeasurements(predictor(), 'dev', candidates, undefined, new Set(), 2)).toEqual(['a', 'f']);
  });
});
