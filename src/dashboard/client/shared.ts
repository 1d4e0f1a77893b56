// Types the dashboard's server sends and its page reads, defined once for both sides (no DOM, no Node).

/** Trials column by column (a 20,000-trial run stays a few MB). */
export interface TrialColumns {
  index: number[];
  arch: string[];
  /** `front`, `dominated`, `infeasible` (violates a constraint), `repeat` (arch evaluated earlier), `failed`, `running`. */
  status: string[];
  accuracy: (number | null)[];
  latencyMs: (number | null)[];
  latencyLowerMs: (number | null)[];
  latencyUpperMs: (number | null)[];
  flopsM: (number | null)[];
  paramsM: (number | null)[];
  accuracySource: (string | null)[];
  latencySource: (string | null)[];
  error: (string | null)[];
}

/** One row of the runs page: a readable run, or a broken one with the reason (its file named). */
export type RunListRow =
  | {
      runId: string;
      state: 'complete' | 'running' | 'interrupted' | 'paused';
      space: string;
      device: string;
      strategy: string;
      evaluated: number;
      failed: number;
      budget: number;
      front: number;
      hypervolume: number;
      createdAt: string;
    }
  | { runId: string; state: 'broken'; error: string };
