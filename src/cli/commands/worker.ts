// `hwnas worker` (take a device's measurement jobs from Redis) and `hwnas workers list` (live workers and queues).
import { Queue } from 'bullmq';
import { UsageError } from '../../core/errors.js';
import { formatTable } from '../../core/table.js';
import { checkDeviceName } from '../../hardware/registry.js';
import { liveWorkers } from '../../executor/bullmq.js';
import { maskRedisUrl } from '../../executor/redis-url.js';
import { connectionOptions, connectRedis, queueName, scanKeys } from '../../executor/redis.js';
import { startWorker, type WorkerInfo } from '../../executor/worker.js';
import { defineCommand, loggerFor, out, outJson, positiveInt } from '../command.js';

const redisOption = {
  type: 'string',
  describe: 'Redis URL, redis://[:password@]host:port[/db] or rediss:// for TLS (default: $HWNAS_REDIS_URL); the password is never printed',
} as const;
const prefixOption = {
  type: 'string',
  default: 'hwnas',
  describe: 'Key prefix of the queues (the executor.prefix of the searches it serves)',
} as const;

function redisUrl(option: string | undefined): string {
  const url = option ?? process.env.HWNAS_REDIS_URL;
  if (url === undefined) throw new UsageError('give --redis <url> or set HWNAS_REDIS_URL');
  if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, got ${maskRedisUrl(url)}`);
  return url;
}

export const workerCommand = defineCommand({
  command: 'worker',
  describe: "Take a device's measurement jobs from Redis and measure them on this machine (run one per device; several share a queue)",
  builder: (y) =>
    y
      .option('redis', redisOption)
      .option('device', {
        type: 'string',
        demandOption: true,
        describe: 'Device name whose jobs this worker takes (the name searches use)',
      })
      .option('runtime', {
        choices: ['onnxruntime', 'tfjs', 'simulated'] as const,
        describe: 'Only take jobs for this runtime (default: any); jobs for another fail at once with the reason',
      })
      .option('concurrency', { type: 'number', default: 1, describe: 'Jobs measured at once (more than 1 disturbs the timings)' })
      .option('prefix', prefixOption)
      .option('lock-ms', { type: 'number', default: 30_000, describe: "A job's lock; a killed worker's job is taken over once it expires" })
      .option('stalled-ms', { type: 'number', default: 30_000, describe: 'How often to look for jobs of dead workers' }),
  handler: async (args) => {
    checkDeviceName(args.device, '--device');
    const log = loggerFor(args);
    const worker = await startWorker({
      redis: redisUrl(args.redis),
      device: args.device,
      runtime: args.runtime,
      concurrency: positiveInt('concurrency', args.concurrency),
      prefix: args.prefix,
      lockMs: positiveInt('lock-ms', args.lockMs),
      stalledMs: positiveInt('stalled-ms', args.stalledMs),
      logger: log,
    });
    // Runs until stopped; Ctrl-C or SIGTERM finish the job in hand first.
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info(`${signal}: finishing the job in hand, then stopping`);
        worker.close().then(resolve, resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    log.info(`worker ${worker.info.id} stopped: ${worker.info.done} measured, ${worker.info.failed} failed`);
  },
});

const list = defineCommand({
  command: 'list',
  describe: 'Live workers (device, runtime, CPU, jobs done) and each device queue (waiting, active, done, failed)',
  builder: (y) =>
    y
      .option('redis', redisOption)
      .option('prefix', prefixOption)
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
  handler: async (args) => {
    const url = redisUrl(args.redis);
    const client = await connectRedis(url);
    try {
      const workers = (await liveWorkers(client, args.prefix, '*')) as unknown as WorkerInfo[];
      // BullMQ keeps a `<prefix>:<queue>:meta` hash per queue: the device queues that exist, with or without workers.
      const queueKeys = new Set(
        (await scanKeys(client, `${args.prefix}:measure-*:meta`)).map((k) => k.slice(`${args.prefix}:measure-`.length, -':meta'.length)),
      );
      workers.forEach((w) => queueKeys.add(w.device));
      const queues = [];
      for (const device of [...queueKeys].sort()) {
        const queue = new Queue(queueName(device), { connection: connectionOptions(url), prefix: args.prefix });
        const c = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
        await queue.close();
        queues.push({
          device,
          waiting: (c.waiting ?? 0) + (c.delayed ?? 0),
          active: c.active ?? 0,
          done: c.completed ?? 0,
          failed: c.failed ?? 0,
          workers: workers.filter((w) => w.device === device).length,
        });
      }
      if (args.json) return outJson({ redis: maskRedisUrl(url), prefix: args.prefix, workers, queues });
      out(`Redis ${maskRedisUrl(url)}, prefix ${args.prefix}`);
      out(
        workers.length === 0
          ? '\nno live workers'
          : '\n' +
              formatTable(
                ['worker', 'device', 'runtime', 'versions', 'CPU', 'done', 'failed', 'up since'],
                workers.map((w) => [
                  w.id,
                  w.device,
                  w.runtime,
                  Object.entries(w.runtimeVersions)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(', '),
                  w.cpu,
                  w.done,
                  w.failed,
                  w.startedAt,
                ]),
              ),
      );
      if (queues.length > 0)
        out(
          '\n' +
            formatTable(
              ['queue (device)', 'workers', 'waiting', 'active', 'done', 'failed'],
              queues.map((q) => [q.device, q.workers, q.waiting, q.active, q.done, q.failed]),
            ),
        );
    } finally {
      client.disconnect();
    }
  },
});

export const workersCommand = defineCommand({
  command: 'workers <command>',
  describe: 'Inspect the device workers on a Redis: list',
  builder: (y) => y.command([list] as never).demandCommand(1),
  handler: () => {},
});
