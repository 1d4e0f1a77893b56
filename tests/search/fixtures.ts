// Tiny generated inputs for search tests: an accuracy table over all NB201 archs (a smooth function of FLOPs plus
// seeded noise, so there is a real trade-off with latency) and config files pointing at it.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { toCsv } from '../../src/core/csv.js';
import { total } from '../../src/spaces/layers.js';
import { getSpace } from '../../src/spaces/registry.js';

/** Write `accuracy.csv` (arch_str, fixture_acc) for every NB201 arch into `dir`; returns its path. */
export function writeAccuracyFixture(dir: string): string {
  const space = getSpace('nb201');
  const input = space.defaultInput('cifar10');
  const rows = (space.enumerate?.() ?? []).map((arch) => {
    const flopsM = total(space.layers(arch, input), 'flops') / 1e6;
    const rng = Rng.derive(7, 'fixture-accuracy', arch);
    return [arch, (50 + 40 * (1 - Math.exp(-flopsM / 60)) + 3 * rng.normal()).toFixed(4)];
  });
  const file = path.join(dir, 'accuracy.csv');
  fs.writeFileSync(file, toCsv(['arch_str', 'fixture_acc'], rows));
  return file;
}

/** A search config over the fixture accuracy and a built-in simulated device; `extra` overrides top-level fields. */
export function searchConfig(accuracyFile: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'fixture',
    seed: 5,
    space: { name: 'nb201', dataset: 'cifar10' },
    device: 'mobile-cpu',
    latency: { source: 'device' },
    accuracy: { source: 'table', file: accuracyFile, column: 'fixture_acc' },
    constraints: ['latencyMs <= 4'],
    strategy: { name: 'regularized-evolution', params: { population: 10, sampleSize: 3 } },
    budget: { evaluations: 60, batchSize: 6 },
    ...extra,
  };
}

/** Write a config object as JSON into `dir`; returns the path. */
export function writeConfig(dir: string, name: string, config: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Checks shared with the quickstart test: one SVG per listed view, every spec saved, no scripts or external links. */
export function checkReport(reportDir: string, expectedViews: string[]): string {
  const html = fs.readFileSync(path.join(reportDir, 'report.html'), 'utf8');
  const figures = [...html.matchAll(/<figure id="([^"]+)">/g)].map((m) => m[1]);
  expect(figures).toEqual(expectedViews);
  expect(html.match(/<svg[\s>]/g)?.length).toBe(expectedViews.length);
  for (const id of expectedViews) {
    const spec = JSON.parse(fs.readFileSync(path.join(reportDir, `${id}.vl.json`), 'utf8'));
    expect(spec.$schema).toMatch(/vega-lite/);
  }
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\b(src|href|xlink:href)\s*=/i);
  // The only URLs are XML namespace names, which are never fetched.
  const urls = [...html.matchAll(/https?:\/\/[^"'\s)]+/g)].map((m) => m[0]);
  expect(urls.every((u) => u === 'http://www.w3.org/2000/svg' || u === 'http://www.w3.org/1999/xlink')).toBe(true);
  expect(html).not.toMatch(/url\(\s*['"]?(https?:|\/\/)/i);
  return html;
}
