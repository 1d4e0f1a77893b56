// The inline executor: the same job code as a worker runs, in this process, one job at a time.
import { runMeasureJob } from './job.js';
import type { Executor, JobOutcome, JobRequest } from './types.js';

export class InlineExecutor implements Executor {
  readonly describe = 'inline';

  async run(_device: string, jobs: readonly JobRequest[], onDone?: (index: number, outcome: JobOutcome) => void): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (const [i, { job }] of jobs.entries()) {
      let outcome: JobOutcome;
      try {
        outcome = { ok: true, result: await runMeasureJob(job), worker: 'inline' };
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
      }
      outcomes.push(outcome);
      onDone?.(i, outcome);
    }
    return outcomes;
  }

  async close(): Promise<void> {}
}
