// The search loop: propose a batch (a pure function of seed, index and committed history), record the proposals,
// evaluate, record the results; each step one transaction, so a crash loses at most the batch in flight.
import { HwnasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SearchSpace } from '../spaces/types.js';
import type { Evaluator } from './evaluate.js';
import type { RunStore, TrialResult } from './store.js';
import type { Constraint, Objective, SearchStrategy, Trial } from './types.js';

/** Everything that decides which archs a run proposes. */
export interface SearchPlan {
  space: SearchSpace;
  strategy: SearchStrategy;
  objectives: Objective[];
  constraints: Constraint[];
  evaluations: number;
  batchSize: number;
  seed: number;
}

/**
 * The candidates of batch `batch` given the trials of all earlier batches. Candidate i uses only
 * Rng.derive(seed, 'strategy', i), that history and the batch's earlier candidates.
 */
export function proposeBatch(plan: SearchPlan, batch: number, history: readonly Trial[]): { index: number; arch: string }[] {
  const start = batch * plan.batchSize;
  const end = Math.min(start + plan.batchSize, plan.evaluations);
  const pending: string[] = [];
  const out: { index: number; arch: string }[] = [];
  for (let index = start; index < end; index++) {
    const arch = plan.strategy.propose({
      index,
      rng: Rng.derive(plan.seed, 'strategy', index),
      space: plan.space,
      history,
      pending,
      objectives: plan.objectives,
      constraints: plan.constraints,
    });
    if (plan.space.canonical(arch) !== arch) throw new HwnasError(`strategy ${plan.strategy.name} proposed a non-canonical arch '${arch}'`);
    pending.push(arch);
    out.push({ index, arch });
  }
  return out;
}

async function evaluateBatch(
  store: RunStore,
  evaluator: Evaluator,
  batch: number,
  candidates: readonly { index: number; arch: string }[],
): Promise<TrialResult[]> {
  const evaluations = await evaluator.evaluate(candidates.map((c) => c.arch));
  const results = candidates.map((c, i): TrialResult => ({ index: c.index, arch: c.arch, ...evaluations[i] }));
  store.appendResults(batch, results);
  return results;
}

function asTrial(batch: number, r: TrialResult): Trial {
  return 'error' in r
    ? { index: r.index, batch, arch: r.arch, state: 'failed', error: r.error }
    : { index: r.index, batch, arch: r.arch, state: 'evaluated', metrics: r.metrics, sources: r.sources };
}

/**
 * Run (or continue) the loop until `plan.evaluations` trials are done. A batch left proposed by a killed process
 * is checked against a fresh proposal (it must be identical) and evaluated first.
 * @param onBatch called after each committed batch with all trials so far
 */
export async function runLoop(
  store: RunStore,
  plan: SearchPlan,
  evaluator: Evaluator,
  onBatch?: (trials: readonly Trial[], batchSize: number) => void,
): Promise<Trial[]> {
  const trials = store.trials();
  const pending = trials.filter((t) => t.state === 'proposed');
  if (pending.length > 0) {
    const batch = pending[0].batch;
    const history = trials.filter((t) => t.batch < batch);
    const expected = proposeBatch(plan, batch, history);
    const same = expected.length === pending.length && expected.every((c, i) => c.index === pending[i].index && c.arch === pending[i].arch);
    if (!same)
      throw new HwnasError(
        `run ${store.runId}: the proposals of batch ${batch} differ from the recorded ones; the config or code changed since the run started`,
      );
    const results = await evaluateBatch(store, evaluator, batch, pending);
    for (const r of results) trials[r.index] = asTrial(batch, r);
    onBatch?.(trials, results.length);
  }
  while (trials.length < plan.evaluations) {
    const batch = Math.floor(trials.length / plan.batchSize);
    const candidates = proposeBatch(plan, batch, trials);
    store.appendProposed(batch, candidates);
    const results = await evaluateBatch(store, evaluator, batch, candidates);
    for (const r of results) trials.push(asTrial(batch, r));
    onBatch?.(trials, results.length);
    // A device that answers synchronously (simulator, table) leaves only microtasks between batches: yield to the
    // event loop once per committed batch, so Ctrl-C and SIGTERM are handled mid-run.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return trials;
}
