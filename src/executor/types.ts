// Where measurement jobs run: in this process (inline) or on worker processes through a BullMQ queue on Redis.
import type { MeasureJob, JobResult } from './job.js';

/** One job to run, with its deterministic id. */
export interface JobRequest {
  id: string;
  job: MeasureJob;
}

/** The outcome of one job: its result, or the reason it failed (after the configured attempts). */
export type JobOutcome = ({ ok: true } & JobResult) | { ok: false; error: string };

/** Runs measurement jobs for a device; one code path (`runMeasureJob`) wherever they run. */
export interface Executor {
  /** `inline`, or `bullmq <masked url> (prefix …)`. */
  readonly describe: string;
  /**
   * Run the jobs of `device` (its queue) and wait for all outcomes, in the order given. A job that fails is its
   * outcome; an executor that cannot go on (Redis down too long, no worker) throws.
   */
  run(device: string, jobs: readonly JobRequest[], onDone?: (index: number, outcome: JobOutcome) => void): Promise<JobOutcome[]>;
  close(): Promise<void>;
}
