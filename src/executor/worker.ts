// `hwnas worker`: takes the measurement jobs of one device from its queue, measures each with this machine's
// runtime, and returns the result with the conditions it was measured under. It announces itself with a heartbeat.
import os from 'node:os';
import { tf } from '../core/tf.js';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from '../core/log.js';
import { HWNAS_VERSION } from '../core/version.js';
import { loadOrt } from '../hardware/onnxruntime.js';
import { machineConditions } from '../hardware/timing.js';
import { runMeasureJob, type JobResult, type MeasureJob } from './job.js';
import { connectionOptions, connectRedis, HEARTBEAT_EVERY_MS, HEARTBEAT_TTL_MS, queueName, workerKey } from './redis.js';
import { maskRedisUrl } from './redis-url.js';

export interface WorkerOptions {
  redis: string;
  device: string;
  /** Only take jobs for this runtime (others fail at once with the reason); default: both. */
  runtime?: 'onnxruntime' | 'tfjs' | 'simulated';
  concurrency: number;
  prefix: string;
  /** A job's lock lives this long and is renewed at half of it; a dead worker's job is taken over after it expires. */
  lockMs: number;
  /** How often workers look for jobs whose worker died. */
  stalledMs: number;
  logger: Logger;
}

/** What a worker announces (`hwnas workers list`). */
export interface WorkerInfo {
  id: string;
  device: string;
  runtime: string;
  runtimeVersions: Record<string, string>;
  threads: number;
  cpu: string;
  host: string;
  pid: number;
  hwnasVersion: string;
  startedAt: string;
  seenAt: string;
  done: number;
  failed: number;
}

export interface RunningWorker {
  info: WorkerInfo;
  close(): Promise<void>;
}

/** Start a worker; resolves once it is connected and announced. @throws ExecutorError when Redis is unreachable */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const client = await connectRedis(options.redis, { reconnect: true });
  const id = `${os.hostname()}-${process.pid}`;
  const versions: Record<string, string> = { tfjs: tf.version.tfjs };
  if (options.runtime === undefined || options.runtime === 'onnxruntime') {
    try {
      const ort = await loadOrt();
      versions.onnxruntime = ort.env.versions.node ?? ort.env.versions.common;
    } catch (err) {
      if (options.runtime === 'onnxruntime') throw err;
    }
  }
  const info: WorkerInfo = {
    id,
    device: options.device,
    runtime: options.runtime ?? 'any',
    runtimeVersions: versions,
    threads: os.cpus().length,
    cpu: machineConditions().cpu,
    host: os.hostname(),
    pid: process.pid,
    hwnasVersion: HWNAS_VERSION,
    startedAt: new Date().toISOString(),
    seenAt: new Date().toISOString(),
    done: 0,
    failed: 0,
  };
  const key = workerKey(options.prefix, options.device, id);
  const beat = async () => {
    info.seenAt = new Date().toISOString();
    await client.set(key, JSON.stringify(info), 'PX', HEARTBEAT_TTL_MS).catch(() => undefined);
  };
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_EVERY_MS);

  const worker = new Worker<MeasureJob, JobResult>(
    queueName(options.device),
    async (job) => {
      if (options.runtime !== undefined && job.data.runtime !== options.runtime) {
        throw new UnrecoverableError(`worker ${id} runs ${options.runtime}; this job needs ${job.data.runtime}`);
      }
      options.logger.info(
        `measuring ${job.data.space} ${job.data.arch} (${job.data.runtime}, job ${job.id}, attempt ${job.attemptsStarted})`,
      );
      const result = await runMeasureJob(job.data);
      return { result, worker: id };
    },
    {
      connection: connectionOptions(options.redis),
      prefix: options.prefix,
      name: id,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.stalledMs,
      maxStalledCount: 1,
    },
  );
  worker.on('completed', (job, value) => {
    info.done += 1;
    void beat();
    options.logger.info(
      `measured ${job.data.space} ${job.data.arch}: ${value.result.latencyMs.toFixed(3)} ms (${value.result.runtime}, job ${job.id})`,
    );
  });
  worker.on('failed', (job, err) => {
    info.failed += 1;
    void beat();
    options.logger.warn(`job ${job?.id ?? '?'} failed (attempt ${job?.attemptsStarted ?? '?'}): ${err.message}`);
  });
  worker.on('error', (err) => options.logger.warn(`worker: ${err.message}`));
  await worker.waitUntilReady();
  options.logger.info(
    `worker ${id} for device '${options.device}' on ${maskRedisUrl(options.redis)} (prefix ${options.prefix}), runtime ${info.runtime}, concurrency ${options.concurrency}`,
  );
  return {
    info,
    close: async () => {
      clearInterval(heartbeat);
      await worker.close();
      await client.del(key).catch(() => undefined);
      client.disconnect();
    },
  };
}
