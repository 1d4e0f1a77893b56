// `hwnas runs list|show|trials|resume|unlock`: inspect stored runs (also while a search writes them) and resume killed ones.
import path from 'node:path';
import { toCsv } from '../../core/csv.js';
import { UsageError } from '../../core/errors.js';
import { formatTable } from '../../core/table.js';
import { listRunDirs, resolveRunDir, RunStore, withRunReader as withReader } from '../../search/store.js';
import { formatFront, formatHypervolume, summariseRun } from '../../search/summary.js';
import { backendFor, defineCommand, loggerFor, out, outJson } from '../command.js';
import type { Verification } from '../../search/run.js';
import type { Trial } from '../../search/types.js';
import { formatAdaptation, formatVerification, printOutcome, searchOptions } from './search.js';

const resultsOption = { type: 'string', default: 'results', describe: 'Folder holding the run directories' } as const;

const list = defineCommand({
  command: 'list',
  describe: 'List the runs under the results folder with state, counts and front size',
  builder: (y) => y.option('results', resultsOption).option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: (args) => {
    // One broken run (corrupt database, unreadable folder) is listed with its reason; the others still show.
    const rows = listRunDirs(args.results).map((dir) => {
      try {
        return withReader(dir, (store) => {
          const s = summariseRun(store);
          return {
            runId: s.runId,
            state: s.state as string,
            space: s.space,
            evaluated: s.counts.evaluated,
            failed: s.counts.failed,
            budget: s.counts.budget,
            front: s.front.length,
            hypervolume: s.hypervolume,
            createdAt: s.createdAt,
          };
        });
      } catch (err) {
        const db = path.join(dir, 'hwnas.db');
        const message = (err as Error).message;
        return { runId: path.basename(dir), state: 'broken', error: message.includes(db) ? message : `${db}: ${message}` };
      }
    });
    if (args.json) return outJson(rows);
    if (rows.length === 0) return out(`no runs in ${args.results}`);
    out(
      formatTable(
        ['run', 'state', 'space', 'evaluated', 'failed', 'budget', 'front', 'hypervolume', 'created'],
        rows.map((r) =>
          'error' in r
            ? [r.runId, r.state, '', '', '', '', '', '', '']
            : [r.runId, r.state, r.space, r.evaluated, r.failed, r.budget, r.front, r.hypervolume, r.createdAt],
        ),
      ),
    );
    for (const r of rows) if ('error' in r) loggerFor(args).warn(`run ${r.runId} cannot be read: ${r.error}`);
  },
});

/** Failed trials `runs show` lists in text (every one is in --json). */
const FAILED_SHOWN = 10;

const show = defineCommand({
  command: 'show <run>',
  describe: 'Show a run: resolved config, backend, versions, counts, adaptation, verification and the Pareto front',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'Run id (directory name under --results) or a run directory' })
      .option('results', resultsOption)
      .option('json', {
        type: 'boolean',
        default: false,
        describe:
          'Print JSON (a `front` array of {rank, arch, accuracy, latencyMs, flopsM, paramsM, sources}, `failed` trials with their reasons)',
      }),
  handler: (args) => {
    const summary = withReader(resolveRunDir(args.run, args.results), (store) => summariseRun(store));
    if (args.json) return outJson(summary);
    const c = summary.counts;
    out(`run ${summary.runId} (${summary.state}), space ${summary.space}, created ${summary.createdAt}`);
    out(
      `config ${summary.configFile} (hash ${summary.configHash}); backend ${summary.backend}; versions ${Object.entries(summary.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    out(
      `trials: ${c.evaluated} evaluated, ${c.failed} failed, ${c.running} proposed and not evaluated, budget ${c.budget}; sessions ${summary.sessions}`,
    );
    if (summary.accuracyIsProxy)
      out(`accuracy: a zero-cost PROXY score (${summary.front[0]?.sources.accuracy ?? 'zcp'}), not a trained accuracy`);
    if (summary.adaptation !== undefined) out(formatAdaptation(summary.adaptation));
    out('');
    out(formatFront(summary.front));
    out('');
    out(formatHypervolume(summary));
    if (summary.verification !== undefined) out(formatVerification(summary.verification as unknown as Verification));
    if (summary.failed.length > 0) {
      out('');
      out(
        `failed trials (${summary.failed.length}${summary.failed.length > FAILED_SHOWN ? `, the first ${FAILED_SHOWN}; all in --json` : ''}):`,
      );
      for (const f of summary.failed.slice(0, FAILED_SHOWN)) out(`  #${f.index} ${f.arch}: ${f.error}`);
    }
  },
});

/** The columns of `runs trials` (CSV header, JSON keys), one row per trial as in optuna's trials_dataframe. */
const TRIAL_COLUMNS = [
  'index',
  'batch',
  'state',
  'arch',
  'accuracy',
  'latencyMs',
  'latencyLowerMs',
  'latencyUpperMs',
  'flopsM',
  'paramsM',
  'accuracySource',
  'latencySource',
  'flopsSource',
  'paramsSource',
  'error',
] as const;
type TrialRow = Record<(typeof TRIAL_COLUMNS)[number], string | number | null>;

function trialRow(t: Trial): TrialRow {
  const m = t.metrics;
  return {
    index: t.index,
    batch: t.batch,
    state: t.state,
    arch: t.arch,
    accuracy: m?.accuracy ?? null,
    latencyMs: m?.latencyMs ?? null,
    latencyLowerMs: m?.latencyLowerMs ?? null,
    latencyUpperMs: m?.latencyUpperMs ?? null,
    flopsM: m?.flopsM ?? null,
    paramsM: m?.paramsM ?? null,
    accuracySource: t.sources?.accuracy ?? null,
    latencySource: t.sources?.latencyMs ?? null,
    flopsSource: t.sources?.flopsM ?? null,
    paramsSource: t.sources?.paramsM ?? null,
    error: t.error ?? null,
  };
}

/**
 * The text table fits 100 columns: arch strings and errors are cut to these lengths (whole, with FLOPs and params, in --wide, --json,
 * --csv).
 */
const ARCH_SHOWN = 30;
const ERROR_SHOWN = 24;

const trials = defineCommand({
  command: 'trials <run>',
  describe:
    'Every trial of a run: index, batch, state, arch, metrics with their 90 % interval, the source of each metric and the error of a failed one',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'Run id (directory name under --results) or a run directory' })
      .option('results', resultsOption)
      .option('json', {
        type: 'boolean',
        default: false,
        describe: `Print a JSON array of {${TRIAL_COLUMNS.join(', ')}} (null where a trial has no value)`,
      })
      .option('csv', { type: 'boolean', default: false, describe: 'Print CSV with the --json columns (empty where a trial has no value)' })
      .option('wide', {
        type: 'boolean',
        default: false,
        describe: 'Text table with whole arch strings and errors, and FLOPs and params columns (wider than 100 columns)',
      }),
  handler: (args) => {
    if (args.json && args.csv) throw new UsageError('give --json or --csv, not both');
    const rows = withReader(resolveRunDir(args.run, args.results), (store) => store.trials()).map(trialRow);
    if (args.json) return outJson(rows);
    if (args.csv) {
      process.stdout.write(
        toCsv(
          [...TRIAL_COLUMNS],
          rows.map((r) => TRIAL_COLUMNS.map((c) => r[c] ?? '')),
        ),
      );
      return;
    }
    if (rows.length === 0) return out(`run ${args.run} has no trials yet`);
    const cut = (text: string, width: number) => (args.wide || text.length <= width ? text : `${text.slice(0, width - 1)}…`);
    const num = (x: string | number | null) => (x === null ? '' : x);
    const header = ['#', 'batch', 'state', 'arch', 'accuracy', 'latency ms', ...(args.wide ? ['FLOPs M', 'params M'] : []), 'error'];
    const cells = rows.map((r) => [
      r.index as number,
      r.batch as number,
      String(r.state),
      cut(String(r.arch), ARCH_SHOWN),
      num(r.accuracy),
      num(r.latencyMs),
      ...(args.wide ? [num(r.flopsM), num(r.paramsM)] : []),
      r.error === null ? '' : cut(String(r.error), ERROR_SHOWN),
    ]);
    out(formatTable(header, cells));
  },
});

const resume = defineCommand({
  command: 'resume <run>',
  describe: 'Continue a killed or interrupted run from its committed events; ends with the front an uninterrupted run gives',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'Run id (directory name under --results) or a run directory' })
      .option('results', resultsOption)
      .option('json', { type: 'boolean', default: false, describe: 'Print the run summary as JSON' })
      .option('progress', { type: 'boolean', default: true, describe: 'Show a progress bar (--no-progress to hide)' }),
  handler: async (args) => {
    const dir = resolveRunDir(args.run, args.results);
    const backend = await backendFor(args);
    const { resumeSearch } = await import('../../search/run.js');
    const { closeExecutors } = await import('../../executor/devices.js');
    try {
      printOutcome(await resumeSearch(dir, { ...searchOptions(args), backend }), args.json);
    } finally {
      await closeExecutors();
    }
  },
});

const unlock = defineCommand({
  command: 'unlock <run>',
  describe: "Remove a run's writer lock left by a crash on another host or a hung process (refused while its writer runs here)",
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'Run id (directory name under --results) or a run directory' })
      .option('results', resultsOption),
  handler: (args) => {
    const dir = resolveRunDir(args.run, args.results);
    const owner = RunStore.unlock(dir);
    out(
      owner === undefined
        ? `run ${path.basename(dir)} has no writer lock`
        : `removed the writer lock of run ${path.basename(dir)} (process ${owner.pid} on ${owner.host}); resume it with: hwnas runs resume ${path.basename(dir)}`,
    );
  },
});

export const runsCommand = defineCommand({
  command: 'runs <command>',
  describe: 'List, show, list the trials of, resume and unlock search runs',
  builder: (y) => y.command([list, show, trials, resume, unlock] as never).demandCommand(1),
  handler: () => {},
});
