// `hwnas report <run>`: a self-contained HTML report with inline SVG charts (Vega-Lite specs saved beside it).
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { resolveRunDir } from '../../search/store.js';
import { defineCommand, out, outJson, runArgument } from '../command.js';

export const reportCommand = defineCommand({
  command: 'report [run]',
  describe:
    'Write report.html for a run (no scripts, no network): Pareto scatter, hypervolume vs evaluations, predicted vs true latency, per-layer breakdown',
  builder: (y) =>
    y
      .positional('run', {
        type: 'string',
        describe: 'Run id (directory name under --results) or a run directory (`--run <run>` is its deprecated old form)',
      })
      .option('results', { type: 'string', default: 'results', describe: 'Folder holding the run directories' })
      .option('out', { type: 'string', describe: 'Folder for report.html and the <view>.vl.json specs (default <run dir>/report)' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print JSON: {html, views: [{id, title, spec}], pngs} (the files written)',
      })
      .option('png', { type: 'boolean', default: false, describe: 'Also write each chart as <view>.png beside report.html' })
      .option('png-scale', { type: 'number', default: 2, describe: 'Pixels per SVG unit of the PNGs (with --png)' }),
  handler: async (args) => {
    const runDir = resolveRunDir(runArgument(args), args.results);
    const { writeReport } = await import('../../search/report.js');
    if (!(args.pngScale > 0)) throw new UsageError(`--png-scale must be a positive number, got ${args.pngScale}`);
    const dir = args.out ?? path.join(runDir, 'report');
    const { html, views, pngs } = await writeReport(runDir, dir, { pngScale: args.png ? args.pngScale : undefined });
    if (args.json)
      return outJson({ html, views: views.map((v) => ({ id: v.id, title: v.title, spec: path.join(dir, `${v.id}.vl.json`) })), pngs });
    out(`wrote ${html} (${views.map((v) => v.id).join(', ')})${pngs.length > 0 ? ` and ${pngs.length} PNGs` : ''}`);
  },
});
