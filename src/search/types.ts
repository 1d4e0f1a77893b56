// The search contracts: trials and their metrics, objectives, the strategy interface and the run store.
import type { Rng } from '../core/rng.js';
import type { Constraint, MetricName } from '../core/config/search.js';
import type { SearchSpace } from '../spaces/types.js';

export type { Constraint, MetricName } from '../core/config/search.js';

/** What one evaluation measured: every metric, each with where its value came from. */
export interface TrialMetrics {
  accuracy: number;
  latencyMs: number;
  /** The nominal 90 % interval of a predicted latency (conformal, from the fit's leave-one-out residuals). */
  latencyLowerMs?: number;
  latencyUpperMs?: number;
  flopsM: number;
  paramsM: number;
}

/** Provenance per metric (`zcp:synflow (proxy)`, `predictor:nasflat→simulated:mobile-npu@1`, `analytic`, …). */
export type MetricSources = Record<MetricName, string>;

/** A trial as derived from the event log. */
export interface Trial {
  /** 0-based candidate index: the order of proposal. */
  index: number;
  /** Commit batch the trial belongs to. */
  batch: number;
  arch: string;
  state: 'proposed' | 'evaluated' | 'failed';
  metrics?: TrialMetrics;
  sources?: MetricSources;
  error?: string;
}

/** An evaluated trial. */
export type EvaluatedTrial = Trial & { state: 'evaluated'; metrics: TrialMetrics; sources: MetricSources };

/** One objective with its direction resolved. */
export interface Objective {
  metric: MetricName;
  maximise: boolean;
  /** Hypervolume reference value in the metric's own units, when the config fixes it. */
  reference?: number;
}

/** What a strategy sees when it proposes candidate `index`. */
export interface ProposeContext {
  index: number;
  /** Stream derived from (run seed, 'strategy', index): the only randomness a strategy may use. */
  rng: Rng;
  space: SearchSpace;
  /** Trials of the batches committed before this candidate's batch, in index order (evaluated and failed). */
  history: readonly Trial[];
  /** Candidates already proposed in this batch (before `index`). */
  pending: readonly string[];
  objectives: readonly Objective[];
  constraints: readonly Constraint[];
}

/**
 * A search strategy. `propose` must be a pure function of its context, so a resumed run proposes exactly what
 * the uninterrupted one would have; it returns a canonical arch of `space`.
 */
export interface SearchStrategy {
  readonly name: string;
  propose(context: ProposeContext): string;
}

/** A registered strategy: description and a factory validating its parameters. */
export interface StrategyFactory {
  description: string;
  /** Parameter defaults, shown by `hwnas search --help` and the README. */
  defaults: Record<string, unknown>;
  /** @throws ConfigError naming `strategy.params.<field>` */
  create(params: Record<string, unknown>, file: string): SearchStrategy;
}
