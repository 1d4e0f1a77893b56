// The `executor` section (where measurements run) and the queue settings a `remote` device profile shares with it.
import { z } from 'zod';

const positive = z.number().positive();

/** Where and how long jobs of a queued measurement wait. */
export const queueSettings = {
  /** Redis URL (`redis://[:password@]host:port[/db]`, `rediss://` for TLS); never printed or stored unmasked. */
  redis: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Key prefix of the queues in Redis (several hwnas set-ups can share one Redis). */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" or "-"')
    .default('hwnas'),
  /** A job without a result after this long fails its trial. */
  jobTimeoutMs: positive.default(600_000),
  /** Tries per job: a worker error is retried, then the trial fails with the worker's reason. */
  attempts: z.number().int().min(1).max(10).default(2),
  /** With no live worker for the device after this long, the command stops and says so. */
  noWorkerTimeoutMs: positive.default(30_000),
  /** With Redis unreachable for this long during a run, the run stops (resumable). */
  redisDownTimeoutMs: positive.default(60_000),
};

/**
 * Where the measurements of measuring devices (host, onnxruntime) run: `inline` in the search process (default),
 * or `bullmq`: jobs on a per-device queue in Redis, taken by `hwnas worker` processes.
 */
export const executorSection = z.discriminatedUnion('kind', [
  z
    .object({
      /** Measure in the search process itself. */
      kind: z.literal('inline'),
    })
    .strict(),
  z
    .object({
      /** Queue each measurement in Redis for `hwnas worker` processes on the device. */
      kind: z.literal('bullmq'),
      ...queueSettings,
    })
    .strict(),
]);

export type ExecutorConfig = z.output<typeof executorSection>;
