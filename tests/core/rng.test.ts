import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { repoRoot } from '../helpers/cli.js';

const draws = (rng: Rng, n = 50): number[] => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('gives the same stream for the same (seed, purpose, index) and different streams otherwise', () => {
    const a = draws(Rng.derive(7, 'sample', 3));
    expect(draws(Rng.derive(7, 'sample', 3))).toEqual(a);
    expect(draws(new Rng('7/sample/3'))).toEqual(a);
    for (const other of [Rng.derive(8, 'sample', 3), Rng.derive(7, 'mutate', 3), Rng.derive(7, 'sample', 4), Rng.derive(7, 'sample')]) {
      expect(draws(other)).not.toEqual(a);
    }
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('derives children independently of how far the parent has advanced', () => {
    const parent = Rng.derive(1, 'search');
    const early = draws(parent.child('candidate', 5));
    draws(parent, 1000);
    expect(draws(parent.child('candidate', 5))).toEqual(early);
    expect(draws(parent.child('candidate', 6))).not.toEqual(early);
  });

  it('draws integers uniformly in [0, n)', () => {
    const rng = Rng.derive(2, 'int');
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
    // Each bucket expects 10,000 with standard deviation ~91: 5σ bounds.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(460);
  });

  it('shuffles into a permutation, samples distinct items, and rejects impossible requests', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = Rng.derive(3, 'shuffle').shuffle(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(items).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const picked = Rng.derive(3, 'sample').sample(items, 8);
    expect(new Set(picked).size).toBe(8);
    expect(picked.every((v) => items.includes(v))).toBe(true);
    expect(() => Rng.derive(3, 'sample').sample(items, 21)).toThrow(RangeError);
    expect(() => Rng.derive(3, 'pick').pick([])).toThrow(RangeError);
  });

  it('draws standard normals and 32-bit seeds', () => {
    const rng = Rng.derive(4, 'normal');
    const xs = Array.from({ length: 20_000 }, () => rng.normal());
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const seeds = Array.from({ length: 100 }, () => rng.seed32());
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32)).toBe(true);
    expect(new Set(seeds).size).toBe(100);
  });

  it('is the only randomness in src/: no Math.random() call anywhere', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.ts$/.test(entry.name) && /Math\.random\s*\(/.test(fs.readFileSync(full, 'utf8')))
          offenders.push(path.relative(repoRoot, full));
      }
    };
    walk(path.join(repoRoot, 'src'));
    expect(offenders).toEqual([]);
  });
});
