// The BullMQ executor: measurement jobs go to a per-device queue on Redis, `hwnas worker` processes on the device
// take them, and this side waits for their results. Job ids are deterministic, so a resumed run collects results
// that arrived while it was down instead of measuring again.
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ExecutorError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { JobResult } from './job.js';
import { connectionOptions, connectRedis, queueName, scanKeys, workerPattern } from './redis.js';
import { maskRedisUrl } from './redis-url.js';
import type { Executor, JobOutcome, JobRequest } from './types.js';

/** Settings of a queued executor (a `remote` profile's queue fields, or the config's `executor` section). */
export interface QueueSettings {
  redis: string;
  prefix: string;
  jobTimeoutMs: number;
  attempts: number;
  noWorkerTimeoutMs: number;
  redisDownTimeoutMs: number;
}

/** How long finished jobs (and so their results, for resume) stay in Redis. */
const KEEP_SECONDS = 7 * 24 * 3600;

/** Live workers of a device (`hwnas worker` heartbeats). */
export async function liveWorkers(client: Redis, prefix: string, device: string): Promise<Record<string, unknown>[]> {
  const keys = await scanKeys(client, workerPattern(prefix, device));
  if (keys.length === 0) return [];
  const values = await client.mget(keys);
  return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as Record<string, unknown>]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class BullmqExecutor implements Executor {
  readonly describe: string;
  private client?: Redis;
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents }>();
  private lastOk = Date.now();
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly settings: QueueSettings,
    private readonly logger?: Logger,
  ) {
    this.describe = `bullmq ${maskRedisUrl(settings.redis)} (prefix ${settings.prefix})`;
  }

  /** Connect once (a clear error when Redis is unreachable), then watch the connection. */
  private async connect(): Promise<Redis> {
    if (this.client === undefined) {
      this.client = await connectRedis(this.settings.redis, { reconnect: true });
      this.lastOk = Date.now();
      this.watchdog = setInterval(() => {
        this.client
          ?.ping()
          .then(() => (this.lastOk = Date.now()))
          .catch(() => undefined);
      }, 1_000);
      this.watchdog.unref();
    }
    return this.client;
  }

  private async queueOf(device: string) {
    let entry = this.queues.get(device);
    if (entry === undefined) {
      const connection = connectionOptions(this.settings.redis);
      const queue = new Queue(queueName(device), { connection, prefix: this.settings.prefix });
      const events = new QueueEvents(queueName(device), { connection, prefix: this.settings.prefix });
      queue.on('error', () => undefined);
      // Each waiting job listens for the queue closing: a batch of jobs is more listeners than the default 10.
      queue.setMaxListeners(0);
      events.setMaxListeners(0);
      events.on('error', () => undefined);
      await events.waitUntilReady();
      entry = { queue, events };
      this.queues.set(device, entry);
    }
    return entry;
  }

  /** Wait until a worker for `device` is alive. @throws ExecutorError after `noWorkerTimeoutMs` */
  private async awaitWorker(client: Redis, device: string): Promise<void> {
    const deadline = Date.now() + this.settings.noWorkerTimeoutMs;
    let said = false;
    for (;;) {
      if ((await liveWorkers(client, this.settings.prefix, device)).length > 0) return;
      if (Date.now() >= deadline) {
        throw new ExecutorError(
          `no worker for device '${device}' on ${maskRedisUrl(this.settings.redis)} after ${Math.round(this.settings.noWorkerTimeoutMs / 1000)} s; start one on the device: hwnas worker --redis <url> --device ${device}`,
        );
      }
      if (!said) {
        this.logger?.info(
          `waiting up to ${Math.round(this.settings.noWorkerTimeoutMs / 1000)} s for a worker for '${device}' (hwnas worker --device ${device})`,
        );
        said = true;
      }
      await sleep(500);
    }
  }

  /** Reject when Redis has not answered for `redisDownTimeoutMs`. */
  private redisDown(): { promise: Promise<never>; stop: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        const down = Date.now() - this.lastOk;
        if (down > this.settings.redisDownTimeoutMs) {
          reject(
            new ExecutorError(
              `Redis at ${maskRedisUrl(this.settings.redis)} unreachable for ${Math.round(down / 1000)} s; stopped (a search run can be resumed with hwnas runs resume)`,
            ),
          );
        }
      }, 500);
    });
    promise.catch(() => undefined);
    return { promise, stop: () => clearInterval(timer) };
  }

  async run(device: string, jobs: readonly JobRequest[], onDone?: (index: number, outcome: JobOutcome) => void): Promise<JobOutcome[]> {
    if (jobs.length === 0) return [];
    const client = await this.connect();
    // Every step waits on Redis; none may outlive Redis being gone for longer than redisDownTimeoutMs.
    const watch = this.redisDown();
    try {
      return await Promise.race([this.runJobs(client, device, jobs, onDone), watch.promise]);
    } finally {
      watch.stop();
    }
  }

  private async runJobs(
    client: Redis,
    device: string,
    jobs: readonly JobRequest[],
    onDone?: (index: number, outcome: JobOutcome) => void,
  ): Promise<JobOutcome[]> {
    const { queue, events } = await this.queueOf(device);
    const added = await queue.addBulk(
      jobs.map(({ id, job }) => ({
        name: 'measure',
        data: job,
        opts: {
          jobId: id,
          attempts: this.settings.attempts,
          backoff: { type: 'fixed', delay: 1_000 },
          removeOnComplete: { age: KEEP_SECONDS },
          removeOnFail: { age: KEEP_SECONDS },
        },
      })),
    );
    // Results that are already there (a resumed run) need no worker.
    const states = await Promise.all(added.map((j) => queue.getJobState(j.id as string)));
    if (states.some((s) => s !== 'completed' && s !== 'failed')) await this.awaitWorker(client, device);
    const waits = added.map(async (job: Job, i): Promise<JobOutcome> => {
      let outcome: JobOutcome;
      try {
        const value = (await job.waitUntilFinished(events, this.settings.jobTimeoutMs)) as JobResult;
        outcome = { ok: true, ...value };
      } catch (err) {
        const message = (err as Error).message;
        outcome = {
          ok: false,
          error: /timed out/.test(message)
            ? `no result within ${Math.round(this.settings.jobTimeoutMs / 1000)} s (job ${job.id})`
            : message,
        };
      }
      onDone?.(i, outcome);
      return outcome;
    });
    return Promise.all(waits);
  }

  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    // Closing waits on Redis; with Redis gone it would wait forever.
    const closing = [...this.queues.values()].flatMap(({ queue, events }) => [events.close(), queue.close()]);
    await Promise.race([Promise.allSettled(closing), sleep(2_000)]);
    this.queues.clear();
    this.client?.disconnect();
    this.client = undefined;
  }
}
