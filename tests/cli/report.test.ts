// `hwnas report` as a subprocess: one inline SVG per view, specs saved beside, nothing external.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { checkReport, searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

let dir: string;
let results: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cli-report-'));
  results = path.join(dir, 'results');
  const config = writeConfig(dir, 'c.json', searchConfig(writeAccuracyFixture(dir), { budget: { evaluations: 40, batchSize: 10 } }));
  expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'r', '--no-progress']).code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hwnas report (subprocess)', () => {
  it('writes report.html with the Pareto, hypervolume and breakdown views of a device-latency run', () => {
    const r = runCli(['report', 'r', '--results', results]);
    expect(r.code).toBe(0);
    const reportDir = path.join(results, 'r', 'report');
    expect(r.stdout).toContain(path.join(reportDir, 'report.html'));
    const html = checkReport(reportDir, ['pareto', 'hypervolume', 'breakdown']);
    // The front table lists what runs show lists.
    const front = JSON.parse(runCli(['runs', 'show', 'r', '--results', results, '--json']).stdout).front as { arch: string }[];
    for (const row of front) expect(html).toContain(row.arch);
    expect(html).toContain('latencyMs &lt;= 4');
  });

  it('--png also writes one PNG per chart, rasterised at --png-scale', () => {
    const outDir = path.join(dir, 'png-report');
    const r = runCli(['report', 'r', '--results', results, '--out', outDir, '--png', '--png-scale', '1.5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('and 3 PNGs');
    const html = fs.readFileSync(path.join(outDir, 'report.html'), 'utf8');
    for (const id of ['pareto', 'hypervolume', 'breakdown']) {
      const png = fs.readFileSync(path.join(outDir, `${id}.png`));
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      // IHDR width = the SVG's width × scale.
      const svgWidth = Number(new RegExp(`<figure id="${id}">[\\s\\S]*?<svg[^>]*\\bwidth="([\\d.]+)"`).exec(html)?.[1]);
      expect(png.readUInt32BE(16)).toBe(Math.round(svgWidth * 1.5));
    }
    expect(runCli(['report', 'r', '--results', results, '--out', outDir, '--png', '--png-scale', '0']).stderr).toMatch(
      /^hwnas: error: --png-scale must be a positive number/,
    );
  });

  it("the Pareto view's legend and caption name only the kinds of point the run has", () => {
    const legend = (reportDir: string) => {
      const spec = JSON.parse(fs.readFileSync(path.join(reportDir, 'pareto.vl.json'), 'utf8')) as {
        layer: { data: { values: { status?: string }[] }; encoding: { color?: { scale: { domain: string[] } } } }[];
      };
      const points = spec.layer.find((l) => l.encoding.color !== undefined)!;
      return { domain: points.encoding.color!.scale.domain, statuses: new Set(points.data.values.map((v) => v.status)) };
    };
    expect(runCli(['report', 'r', '--results', results]).code).toBe(0);
    const constrained = legend(path.join(results, 'r', 'report'));
    expect(constrained.domain).toContain('violates constraint');
    expect(new Set(constrained.domain)).toEqual(constrained.statuses);
    const config = writeConfig(
      dir,
      'free.json',
      searchConfig(writeAccuracyFixture(dir), { constraints: [], budget: { evaluations: 20, batchSize: 10 } }),
    );
    expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'free', '--no-progress']).code).toBe(0);
    expect(runCli(['report', 'free', '--results', results]).code).toBe(0);
    expect(legend(path.join(results, 'free', 'report')).domain).toEqual(['Pareto front', 'dominated']);
    // The caption says what the chart draws: crosses only where some point violates a constraint.
    expect(fs.readFileSync(path.join(results, 'r', 'report', 'report.html'), 'utf8')).toContain('constraint-violating points as crosses');
    expect(fs.readFileSync(path.join(results, 'free', 'report', 'report.html'), 'utf8')).not.toContain('as crosses');
  });

  it('an unknown run or an unwritable folder is one line and exit ≠ 0', () => {
    const unknown = runCli(['report', 'nope', '--results', results]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/^hwnas: error: unknown run 'nope'/);
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, '');
    const unwritable = runCli(['report', 'r', '--results', results, '--out', path.join(blocker, 'rep')]);
    expect(unwritable.code).not.toBe(0);
    expect(unwritable.stderr).toMatch(/^hwnas: error: (cannot write report to|cannot create folder) .*blocker\/rep: (ENOTDIR|EEXIST)/);
  });
});
