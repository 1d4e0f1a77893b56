import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { crowdingDistance, dominates, hypervolume, nondominatedRanks, paretoFront, type Point } from '../../src/search/pareto.js';

function randomPoints(rng: Rng, n: number, dims: number, grid: number): number[][] {
  // Integer coordinates on a small grid so ties and duplicates happen often.
  return Array.from({ length: n }, () => Array.from({ length: dims }, () => rng.int(grid)));
}

function bruteFront(points: Point[]): number[] {
  return points
    .map((_, i) => i)
    .filter((i) => !points.some((q, j) => j !== i && q.every((v, k) => v <= points[i][k]) && q.some((v, k) => v < points[i][k])));
}

/** Exact hypervolume by counting unit cells of the integer grid that some point dominates. */
function bruteHypervolume(points: Point[], reference: number[]): number {
  let count = 0;
  const dims = reference.length;
  const cell = new Array<number>(dims).fill(0);
  const visit = (k: number): void => {
    if (k === dims) {
      if (points.some((p) => p.every((v, d) => v <= cell[d]))) count++;
      return;
    }
    for (let c = 0; c < reference[k]; c++) {
      cell[k] = c;
      visit(k + 1);
    }
  };
  visit(0);
  return count;
}

describe('pareto front', () => {
  it('matches brute force on random 2-, 3- and 4-objective point sets with ties', () => {
    for (let trial = 0; trial < 60; trial++) {
      const dims = 2 + (trial % 3);
      const points = randomPoints(Rng.derive(trial, 'front'), 1 + (trial % 25), dims, 6);
      expect(paretoFront(points)).toEqual(bruteFront(points));
    }
  });

  it('dominance is strict: equal points do not dominate each other', () => {
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([0, 3], [1, 2])).toBe(false);
  });

  it('non-dominated ranks peel fronts in order', () => {
    for (let trial = 0; trial < 20; trial++) {
      const points = randomPoints(Rng.derive(trial, 'ranks'), 30, 2 + (trial % 2), 8);
      const ranks = nondominatedRanks(points);
      let remaining = points.map((_, i) => i);
      for (let r = 0; remaining.length > 0; r++) {
        const front = bruteFront(remaining.map((i) => points[i])).map((f) => remaining[f]);
        expect(front.every((i) => ranks[i] === r)).toBe(true);
        remaining = remaining.filter((i) => !front.includes(i));
      }
    }
  });

  it('crowding distance is infinite at the boundary and sums normalised gaps inside', () => {
    const d = crowdingDistance([
      [0, 4],
      [1, 2],
      [4, 0],
    ]);
    expect(d[0]).toBe(Infinity);
    expect(d[2]).toBe(Infinity);
    expect(d[1]).toBeCloseTo(4 / 4 + 4 / 4);
  });
});

describe('hypervolume', () => {
  it('equals the brute-force cell count on random 2-, 3- and 4-objective sets', () => {
    for (let trial = 0; trial < 60; trial++) {
      const dims = 2 + (trial % 3);
      const reference = new Array<number>(dims).fill(dims === 4 ? 5 : 7);
      const points = randomPoints(Rng.derive(trial, 'hv'), 1 + (trial % 12), dims, reference[0] + 1);
      expect(hypervolume(points, reference)).toBe(bruteHypervolume(points, reference));
    }
  });

  it('ignores points outside the reference box and is 0 for none', () => {
    expect(hypervolume([], [1, 1])).toBe(0);
    expect(hypervolume([[2, 0]], [1, 1])).toBe(0);
    expect(
      hypervolume(
        [
          [0.5, 0.5],
          [2, 0],
        ],
        [1, 1],
      ),
    ).toBeCloseTo(0.25);
  });
});
