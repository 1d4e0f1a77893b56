// `hwnas search --config … [overrides]`: run a hardware-aware search and print its Pareto front and the next commands.
import path from 'node:path';
import { backendFor, defineCommand, deprecatedFlag, loggerFor, out, outJson } from '../command.js';
import { formatHypervolume, formatFront, summariseRun, type RunSummary } from '../../search/summary.js';
import type { SearchOutcome, Verification } from '../../search/run.js';
import { RunStore } from '../../search/store.js';
import { loadExperimentConfig } from '../../core/config/schema.js';
import { checkSearchFlags } from '../../core/config/search.js';
import type { GlobalOptions } from '../command.js';
import { describeOutlier, type FitDiagnostics } from '../../predictors/trust.js';
import { describeAdaptation, type AdaptReport } from '../../predictors/types.js';

/** The text a finished search (or resume) prints: run, sources, front, hypervolume, verification. */
export function printOutcome(outcome: SearchOutcome, json: boolean): void {
  if (outcome.paused !== undefined) {
    const p = outcome.paused;
    if (json) return outJson({ runId: outcome.runId, state: 'paused', paused: p });
    const results =
      path.resolve(path.dirname(outcome.runDir)) === path.resolve('results') ? '' : ` --results ${path.dirname(outcome.runDir)}`;
    out(
      `run ${outcome.runId} paused for adaptive round ${p.round}/${p.rounds}: measure these ${p.archs.length} archs on ${p.device} and write each latency (ms) into latency_ms of`,
    );
    out(`  ${p.file}`);
    for (const a of p.archs) out(`  ${a}`);
    out(`then continue with: hwnas runs resume ${outcome.runId}${results}`);
    return;
  }
  const store = RunStore.openReader(outcome.runDir);
  let summary: RunSummary;
  try {
    summary = summariseRun(store);
  } finally {
    store.close();
  }
  if (json) return outJson(summary);
  const { counts } = summary;
  out(
    `run ${summary.runId} (${outcome.runDir}/hwnas.db): ${counts.evaluated} evaluated, ${counts.failed} failed, front of ${summary.front.length} in ${outcome.seconds.toFixed(1)} s`,
  );
  if (summary.adaptation !== undefined) out(formatAdaptation(summary.adaptation));
  if (summary.accuracyIsProxy)
    out(`accuracy: a zero-cost PROXY score (${summary.front[0]?.sources.accuracy ?? 'zcp'}), not a trained accuracy`);
  if (summary.constraints.length > 0) out(`constraints: ${summary.constraints.map((c) => c.text).join(', ')}`);
  out('');
  out(formatFront(summary.front));
  out('');
  out(formatHypervolume(summary));
  if (outcome.verification !== undefined) out(formatVerification(outcome.verification));
  out('');
  out(nextCommands(summary.runId, path.dirname(outcome.runDir)));
}

/** What a user does with a finished run, with its id and results folder filled in. */
export function nextCommands(runId: string, resultsDir: string): string {
  const results = path.resolve(resultsDir) === path.resolve('results') ? '' : ` --results ${resultsDir}`;
  const lines: [string, string][] = [
    [`hwnas runs show ${runId}${results}`, 'config, provenance, front, failed trials'],
    [`hwnas runs trials ${runId}${results}`, 'every trial with metrics, sources and errors (--csv, --json)'],
    [`hwnas report ${runId}${results}`, 'HTML report: Pareto front, per-layer costs'],
    [`hwnas export ${runId}${results} --out ${runId}-models`, "the front's models"],
    [`hwnas runs resume ${runId}${results}`, 'continue the run if it was interrupted'],
  ];
  const width = Math.max(...lines.map(([command]) => command.length));
  return ['next:', ...lines.map(([command, what]) => `  ${command.padEnd(width)}  # ${what}`)].join('\n');
}

/**
 * How the run's latency predictor was adapted to its target (the `adaptation` note of a run): one line, then one on
 * its leave-one-out quality and one per distrusted measurement.
 */
export function formatAdaptation(a: Record<string, unknown>): string {
  const report = a.report === undefined ? '' : `; ${describeAdaptation(a.report as AdaptReport)}`;
  const n = (a.archs as string[]).length;
  const chosen =
    typeof a.initialSamples === 'number'
      ? `${a.initialSamples} chosen by ${String(a.sampler)}, ${n - a.initialSamples} adaptively`
      : `chosen by ${String(a.sampler)}`;
  const lines = [
    `latency: ${String(a.kind)} predictor ${String(a.predictor)} adapted to ${String(a.device)} (${String(a.deviceSource)}) from ${n} measurements ${chosen}${report}`,
  ];
  const d = a.diagnostics as FitDiagnostics | undefined;
  if (d !== undefined) {
    const rho = d.looSpearman === null || Number.isNaN(d.looSpearman) ? '-' : d.looSpearman.toFixed(3);
    lines.push(
      `fit: leave-one-out MAPE ${d.looMapePct.toFixed(1)} %, Spearman ρ ${rho} on the measurements; 90 % intervals ÷/× ${d.interval90Factor.toFixed(2)}`,
    );
    for (const o of d.outliers) lines.push(`distrusted ${describeOutlier(o)}`);
    if (d.warning !== undefined) lines.push(`warning: ${d.warning}`);
  }
  return lines.join('\n');
}

/** Predicted-vs-true agreement of the front, one line. */
export function formatVerification(v: Verification): string {
  // A front of one arch has no rank correlation: NaN, stored as null.
  const fixed = (x: number | null, digits: number, scale = 1) => (x === null || !Number.isFinite(x) ? '-' : (scale * x).toFixed(digits));
  return `front re-checked on ${v.device} (${v.source}), ${v.archs.length} archs: predicted vs true latency Spearman ρ ${fixed(v.spearman, 3)}, Kendall τ ${fixed(v.kendall, 3)}, MAPE ${fixed(v.mape, 1, 100)} %${v.mapeOthers === undefined ? '' : ` (${fixed(v.mapeOthers, 1, 100)} % without the ${v.constantOutput} whose output no input reaches)`}${v.trueViolations > 0 ? `; ${v.trueViolations} violate the latency constraint at their true latency` : ''}`;
}

/** The options `search` and `runs resume` share. */
export function searchOptions(args: GlobalOptions & { progress: boolean }) {
  return { logger: loggerFor(args), progress: args.progress && !args.quiet };
}

export const searchCommand = defineCommand({
  command: 'search',
  describe:
    'Run a hardware-aware architecture search from a config; stores the run in <output.dir>/<run>/hwnas.db and prints the Pareto front',
  builder: (y) =>
    y
      .option('config', {
        type: 'string',
        demandOption: true,
        describe: 'Experiment config (JSON/YAML) with space, device, latency, accuracy, objectives, constraints, strategy, budget',
      })
      .option('results', { type: 'string', describe: 'Folder for the run directory, overriding output.dir (default results)' })
      .option('out-dir', { type: 'string', hidden: true, deprecated: 'use --results', describe: 'Old name of --results' })
      .option('run-name', { type: 'string', describe: 'Run id (directory name), overriding output.runName; must not exist yet' })
      .option('device', {
        type: 'string',
        describe: 'Target device, overriding the name of the config device (the column of a measured table)',
      })
      .option('seed', { type: 'number', describe: 'Seed, overriding the config seed' })
      .option('strategy', {
        type: 'string',
        describe: 'Search strategy, overriding strategy.name (its params are dropped when the name changes)',
      })
      .option('evaluations', { type: 'number', describe: 'Evaluation budget, overriding budget.evaluations' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the run summary (as `runs show --json`) instead of the table' })
      .option('progress', { type: 'boolean', default: true, describe: 'Show a progress bar (--no-progress to hide)' }),
  handler: async (args) => {
    // Validate the config and flags before paying for the backend start-up.
    const config = loadExperimentConfig(args.config);
    const results = deprecatedFlag(args, 'out-dir', 'results', args.results ?? args.outDir);
    checkSearchFlags({ evaluations: args.evaluations, runName: args.runName, seed: args.seed });
    const { startSearch } = await import('../../search/run.js');
    const backend = await backendFor(args, config.backend);
    const { closeExecutors } = await import('../../executor/devices.js');
    try {
      const outcome = await startSearch(args.config, {
        ...searchOptions(args),
        backend,
        outputDir: results,
        runName: args.runName,
        evaluations: args.evaluations,
        seed: args.seed,
        device: args.device,
        strategy: args.strategy,
      });
      printOutcome(outcome, args.json);
    } finally {
      await closeExecutors();
    }
  },
});
