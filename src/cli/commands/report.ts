// `hwnas report --run <id>`: a self-contained HTML report with inline SVG charts (Vega-Lite specs saved beside it).
import path from 'node:path';
import { resolveRunDir } from '../../search/store.js';
import { defineCommand, out } from '../command.js';

export const reportCommand = defineCommand({
  command: 'report',
  describe: 'Write report.html for a run (no scripts, no network): Pareto scatter, hypervolume vs evaluations, predicted vs true latency, per-layer breakdown',
  builder: (y) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'Run id (directory name under --results) or a run directory' })
      .option('results', { type: 'string', default: 'results', describe: 'Folder holding the run directories' })
      .option('out', { type: 'string', describe: 'Folder for report.html and the <view>.vl.json specs (default <run dir>/report)' }),
  handler: async (args) => {
    const runDir = resolveRunDir(args.run, args.results);
    const { writeReport } = await import('../../search/report.js');
    const { html, views } = await writeReport(runDir, args.out ?? path.join(runDir, 'report'));
    out(`wrote ${html} (${views.map((v) => v.id).join(', ')})`);
  },
});
