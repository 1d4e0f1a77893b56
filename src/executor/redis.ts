// Redis plumbing shared by the BullMQ executor, `hwnas worker` and `hwnas workers list`: a connectivity probe and the
// key names of queues and worker heartbeats (URLs with their password masked are in redis-url.ts).
import { Redis } from 'ioredis';
import { ExecutorError } from '../core/errors.js';
import { maskRedisUrl } from './redis-url.js';

/** The BullMQ queue that holds the measurement jobs of a device. */
export const queueName = (device: string): string => `measure-${device}`;

/** Heartbeat keys of live workers: `<prefix>:workers:<device>:<worker id>`, each a JSON record with a short TTL. */
export const workerKey = (prefix: string, device: string, worker: string): string => `${prefix}:workers:${device}:${worker}`;
export const workerPattern = (prefix: string, device = '*'): string => `${prefix}:workers:${device}:*`;

/** How long a heartbeat lives, and how often a worker renews it. */
export const HEARTBEAT_TTL_MS = 15_000;
export const HEARTBEAT_EVERY_MS = 5_000;

/** Connection options for BullMQ from a URL (`rediss://` gives TLS); reconnects back off up to 5 s. */
export function connectionOptions(url: string) {
  return { url, retryStrategy: (times: number) => Math.min(200 * 2 ** Math.min(times, 5), 5_000) };
}

/**
 * A plain client after checking that Redis answers. With `reconnect`, the client then reconnects with back-off when
 * the connection drops (commands wait meanwhile).
 * @throws ExecutorError naming the URL (password masked) when Redis cannot be reached
 */
export async function connectRedis(url: string, options: { reconnect?: boolean } = {}): Promise<Redis> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  let lastError: NodeJS.ErrnoException | undefined;
  probe.on('error', (err: NodeJS.ErrnoException) => {
    // Kept for the message below; ioredis would otherwise print every failed attempt.
    lastError = err;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    probe.disconnect();
    const e = lastError ?? (err as NodeJS.ErrnoException);
    throw new ExecutorError(`cannot reach Redis at ${maskRedisUrl(url)}: ${e.code ?? e.message.split('\n')[0]}`);
  }
  if (!options.reconnect) return probe;
  probe.disconnect();
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: connectionOptions(url).retryStrategy });
  client.on('error', () => {
    // Reconnects with back-off; the executor's watchdog decides when Redis has been gone too long.
  });
  return client;
}

/** Every key matching a pattern (SCAN, so a large Redis is not blocked). */
export async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}
