// What `runs show`, `search` and `report` display about a run, derived from its store: state, counts, the front
// with provenance, hypervolume, adaptation and verification.
import { experimentSchema } from '../core/config/schema.js';
import { withSearchDefaults } from '../core/config/search.js';
import { validate } from '../core/config/validate.js';
import { formatTable } from '../core/table.js';
import { frontHypervolume, paretoTrials, referencePoint, resolveObjectives } from './objectives.js';
import { runWriter, type RunMeta, type RunStore } from './store.js';
import type { Constraint, EvaluatedTrial, MetricSources, Objective, Trial, TrialMetrics } from './types.js';

/** One row of the front as shown and exported. */
export interface FrontRow extends TrialMetrics {
  rank: number;
  arch: string;
  sources: MetricSources;
}

/** Everything a reader derives from a run. */
export interface RunSummary {
  runId: string;
  dir: string;
  /** `paused`: waiting for measurements a user takes by hand (see `paused`). */
  state: 'complete' | 'running' | 'interrupted' | 'paused';
  createdAt: string;
  configFile: string;
  configHash: string;
  backend: string;
  versions: Record<string, string>;
  config: Record<string, unknown>;
  space: string;
  counts: { proposed: number; evaluated: number; failed: number; running: number; budget: number };
  objectives: Objective[];
  constraints: Constraint[];
  reference?: number[];
  hypervolume: number;
  accuracyIsProxy: boolean;
  front: FrontRow[];
  /** The adaptive round waiting for hand measurements: the archs and the CSV to fill. */
  paused?: { round: number; rounds: number; device: string; archs: string[]; file: string };
  /** Trials whose evaluation failed, with the reason (e.g. no accuracy in the table for that arch). */
  failed: { index: number; arch: string; error: string }[];
  adaptation?: Record<string, unknown>;
  verification?: Record<string, unknown>;
  sessions: number;
}

/** Rows of a front, ranked in the order given. */
export function frontRows(front: readonly EvaluatedTrial[]): FrontRow[] {
  return front.map((t, i) => ({ rank: i + 1, arch: t.arch, ...t.metrics, sources: t.sources }));
}

/** True when an accuracy provenance string names a proxy. */
export function isProxySource(source: string): boolean {
  return source.startsWith('zcp:');
}

/** The front as a text table (rank, arch, accuracy, latency ms with its source, FLOPs). */
export function formatFront(rows: readonly FrontRow[]): string {
  if (rows.length === 0) return '(empty front: no feasible evaluated architecture)';
  const proxy = rows.some((r) => isProxySource(r.sources.accuracy));
  const accuracyHeader = proxy ? 'accuracy (PROXY)' : 'accuracy';
  const intervals = rows.some((r) => r.latencyLowerMs !== undefined);
  const interval = (r: FrontRow) =>
    r.latencyLowerMs === undefined || r.latencyUpperMs === undefined
      ? '-'
      : `${r.latencyLowerMs.toPrecision(3)}–${r.latencyUpperMs.toPrecision(3)}`;
  return formatTable(
    ['rank', 'arch', accuracyHeader, 'latency ms', ...(intervals ? ['90 % interval'] : []), 'latency source', 'FLOPs M'],
    rows.map((r) => [r.rank, r.arch, r.accuracy, r.latencyMs, ...(intervals ? [interval(r)] : []), r.sources.latencyMs, r.flopsM]),
  );
}

/** The run's resolved experiment (objectives, constraints) from its stored config. */
function storedExperiment(meta: RunMeta) {
  const input = (meta.config as { input: Record<string, unknown> }).input;
  return withSearchDefaults(validate(experimentSchema, input, `${meta.runId} (stored config)`));
}

/** Summarise a run from its store (read-only use is enough). */
export function summariseRun(store: RunStore, trials: Trial[] = store.trials()): RunSummary {
  const meta = store.meta();
  const config = storedExperiment(meta);
  const objectives = resolveObjectives(config.objectives);
  const front = paretoTrials(trials, objectives, config.constraints);
  const reference = referencePoint(trials, objectives);
  const counts = store.counts();
  // Another host's writer cannot be checked from here: shown as running until `runs unlock`.
  const writer = runWriter(store.dir);
  const running = writer !== undefined && writer.alive !== false;
  const completed = store.notes('completed').length > 0;
  const last = (kind: string) => store.notes(kind).at(-1)?.data;
  // Paused until the adaptation that the last paused round was waiting for exists.
  const paused = last('adaptation') === undefined ? (last('paused') as RunSummary['paused']) : undefined;
  return {
    runId: store.runId,
    dir: store.dir,
    state: completed ? 'complete' : running ? 'running' : paused !== undefined ? 'paused' : 'interrupted',
    ...(paused !== undefined && { paused }),
    createdAt: meta.createdAt,
    configFile: meta.configFile,
    configHash: meta.configHash,
    backend: meta.backend,
    versions: meta.versions,
    config: meta.config,
    space: config.space.name,
    counts: { ...counts, running: trials.filter((t) => t.state === 'proposed').length, budget: config.budget.evaluations },
    objectives,
    constraints: config.constraints,
    reference,
    hypervolume: reference === undefined ? 0 : frontHypervolume(front, objectives, reference),
    accuracyIsProxy: front.some((t) => isProxySource(t.sources.accuracy)) || config.accuracy?.source === 'zcp',
    front: frontRows(front),
    failed: trials.filter((t) => t.state === 'failed').map((t) => ({ index: t.index, arch: t.arch, error: t.error ?? '' })),
    adaptation: last('adaptation'),
    verification: last('verification'),
    sessions: store.notes('session').length,
  };
}

/** The reference point and hypervolume as one line. */
export function formatHypervolume(summary: Pick<RunSummary, 'objectives' | 'reference' | 'hypervolume'>): string {
  if (summary.reference === undefined) return 'hypervolume: - (no evaluated trials)';
  const ref = summary.objectives.map((o, k) => `${o.metric}=${summary.reference?.[k].toPrecision(4)}`).join(', ');
  return `hypervolume ${summary.hypervolume.toPrecision(6)} (reference point ${ref}; ${summary.objectives.map((o) => `${o.maximise ? 'max' : 'min'} ${o.metric}`).join(', ')})`;
}
