// Measuring devices (host, onnxruntime, remote) measure through an executor: inline in this process, or as jobs on a
// BullMQ queue that `hwnas worker` processes take. Search, adaptation, verification and `devices measure` all use
// this one path, so a remote board needs no other change to a config than its device name.
import type { ExecutorConfig } from '../core/config/executor.js';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { DeviceProfile } from '../hardware/schema.js';
import type { MeasureOptions, MeasuringDevice, RuntimeMeasurement, TimingOptions } from '../hardware/timing.js';
import type { LatencyRecord } from '../hardware/types.js';
import { hostSource } from '../hardware/host.js';
import { onnxruntimeSource } from '../hardware/onnxruntime.js';
import { simulatedSource } from '../hardware/simulated.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import { BullmqExecutor } from './bullmq.js';
import { InlineExecutor } from './inline.js';
import { jobId, type MeasureJob } from './job.js';
import type { Executor } from './types.js';

/** The `executor` section of a config, resolved. */
export type ExecutorSpec = ExecutorConfig;

/** Kinds whose latencies are measured (and so go through an executor). */
export const MEASURING_KINDS = ['host', 'onnxruntime', 'remote'] as const;
export const isMeasuringProfile = (profile: DeviceProfile): boolean => (MEASURING_KINDS as readonly string[]).includes(profile.kind);

/**
 * Whether a profile's latencies go through `executor`: measuring kinds always; simulated devices only onto a job
 * queue (a farm of simulator workers), since inline they have a faster path of their own.
 */
export const runsOnExecutor = (profile: DeviceProfile, executor: ExecutorConfig = { kind: 'inline' }): boolean =>
  isMeasuringProfile(profile) || (profile.kind === 'simulated' && executor.kind === 'bullmq');

const executors = new Map<string, Executor>();

/** One executor per Redis URL and prefix, shared by every device that uses it; closed by `closeExecutors`. */
function sharedExecutor(key: string, make: () => Executor): Executor {
  let e = executors.get(key);
  if (e === undefined) {
    e = make();
    executors.set(key, e);
  }
  return e;
}

/** Close every executor opened in this process (Redis connections). */
export async function closeExecutors(): Promise<void> {
  const all = [...executors.values()];
  executors.clear();
  await Promise.allSettled(all.map((e) => e.close()));
}

/**
 * The executor a measuring profile uses: a `remote` profile its own queue settings (Redis URL from the profile,
 * else the config's `executor.redis`, else $HWNAS_REDIS_URL); `host` / `onnxruntime` the config's executor (inline
 * by default).
 * @throws UsageError for a remote device with no Redis URL anywhere
 */
export function executorFor(profile: DeviceProfile, spec: ExecutorSpec = { kind: 'inline' }, logger?: Logger): Executor {
  if (profile.kind === 'remote') {
    const { redis, prefix, jobTimeoutMs, attempts, noWorkerTimeoutMs, redisDownTimeoutMs } = profile.remote;
    const url = redis ?? (spec.kind === 'bullmq' ? spec.redis : undefined) ?? process.env.HWNAS_REDIS_URL;
    if (url === undefined)
      throw new UsageError(
        `device '${profile.name}' is remote: give its Redis URL in the profile (remote.redis), the config's executor.redis or $HWNAS_REDIS_URL`,
      );
    return sharedExecutor(
      `${url}\u0000${prefix}`,
      () => new BullmqExecutor({ redis: url, prefix, jobTimeoutMs, attempts, noWorkerTimeoutMs, redisDownTimeoutMs }, logger),
    );
  }
  if (spec.kind === 'inline') return sharedExecutor('inline', () => new InlineExecutor());
  const url = spec.redis ?? process.env.HWNAS_REDIS_URL;
  if (url === undefined) throw new UsageError('executor.kind is bullmq but no Redis URL is given (executor.redis or $HWNAS_REDIS_URL)');
  return sharedExecutor(`${url}\u0000${spec.prefix}`, () => new BullmqExecutor({ ...spec, redis: url }, logger));
}

/** A measuring profile whose measurements run as jobs on an executor. */
export class QueuedDevice implements MeasuringDevice {
  /** Job ids are `<scope>|<hash of the job>`: a run's id makes them deterministic for resume. */
  scope: string;

  constructor(
    readonly profile: DeviceProfile,
    readonly executor: Executor,
    scope?: string,
  ) {
    this.scope = scope ?? `adhoc-${process.pid}-${Date.now()}`;
  }

  /** The job that measures `arch`, with the profile's settings and any timing overrides. */
  job(space: SearchSpace, arch: string, input: InputShape, seed: number, timing: Partial<TimingOptions> = {}): MeasureJob {
    const p = this.profile;
    const common = {
      space: space.name,
      arch,
      input: { batchSize: input.batchSize, resolution: input.resolution, channels: input.channels, classes: input.classes },
      seed,
    };
    if (p.kind === 'onnxruntime') return { ...common, runtime: 'onnxruntime', settings: { ...p.onnxruntime, ...timing } };
    if (p.kind === 'host') return { ...common, runtime: 'tfjs', settings: { ...p.host, ...timing } };
    if (p.kind === 'simulated') return { ...common, runtime: 'simulated', settings: p };
    if (p.kind === 'remote') {
      return p.remote.runtime === 'onnxruntime'
        ? { ...common, runtime: 'onnxruntime', settings: { ...p.remote.onnxruntime, ...timing } }
        : { ...common, runtime: 'tfjs', settings: { ...p.remote.host, ...timing } };
    }
    throw new UsageError(`device '${p.name}' is ${p.kind}: it is not measured`);
  }

  /** Provenance of a measurement, as the local device kinds write it; `remote:<device>/…` for remote devices. */
  source(m: RuntimeMeasurement): string {
    const p = this.profile;
    if (p.kind === 'simulated') return simulatedSource(p);
    const settings =
      p.kind === 'onnxruntime' ? p.onnxruntime : p.kind === 'remote' ? p.remote.onnxruntime : { graphOptimization: 'all' as const };
    const local = m.runtime === 'onnxruntime' ? onnxruntimeSource(m, settings) : hostSource(m);
    return p.kind === 'remote' ? `remote:${p.name}/${local}` : local;
  }

  /**
   * Measure archs (canonical) through the executor, in the order given. Failed archs are reported to `onError`
   * and left out; without `onError` the first failure throws.
   * @throws UsageError naming the arch and the worker's reason; ExecutorError when the queue cannot go on
   */
  async measure(
    space: SearchSpace,
    archs: readonly string[],
    input: InputShape,
    options: MeasureOptions & Partial<TimingOptions> & { onError?: (arch: string, reason: string) => void } = {},
  ): Promise<RuntimeMeasurement[]> {
    const { seed = 0, onArch, onError, ...timing } = options;
    const jobs = archs.map((arch) => {
      const job = this.job(space, arch, input, seed, timing);
      return { id: jobId(this.scope, job), job };
    });
    const results: RuntimeMeasurement[] = [];
    const outcomes = await this.executor.run(this.profile.name, jobs, (i, outcome) => {
      if (outcome.ok) {
        results.push(outcome.result);
        onArch?.(results.length, outcome.result);
      } else onError?.(archs[i], outcome.error);
    });
    const failed = outcomes.findIndex((o) => !o.ok);
    if (failed >= 0 && onError === undefined) {
      const o = outcomes[failed] as { error: string };
      throw new UsageError(`measuring ${archs[failed]} on ${this.profile.name} failed: ${o.error}`);
    }
    // In the order asked (a queue finishes jobs in any order).
    const byArch = new Map(results.map((r) => [r.arch, r]));
    return archs.flatMap((a) => byArch.get(space.canonical(a)) ?? []);
  }

  /** Latencies with provenance; an arch whose job failed has `latencyMs` NaN and the reason in `error`. */
  async latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]> {
    const errors = new Map<string, string>();
    const measured = await this.measure(space, archs, input, { onError: (arch, reason) => errors.set(arch, reason) });
    const byArch = new Map(measured.map((m) => [m.arch, m]));
    return archs.map((arch) => {
      const m = byArch.get(arch);
      return m === undefined
        ? { arch, latencyMs: Number.NaN, source: `${this.profile.kind}:${this.profile.name}`, error: errors.get(arch) ?? 'no result' }
        : { arch, latencyMs: m.latencyMs, source: this.source(m) };
    });
  }
}

/** Latencies that must all be there (adaptation samples, verification). @throws UsageError listing the failures */
export function requireLatencies(records: readonly LatencyRecord[], device: string, purpose: string): LatencyRecord[] {
  const failed = records.filter((r) => r.error !== undefined || !Number.isFinite(r.latencyMs));
  if (failed.length > 0)
    throw new UsageError(
      `${purpose}: ${failed.length} measurement(s) on ${device} failed, e.g. ${failed[0].arch}: ${failed[0].error ?? 'no latency'}`,
    );
  return [...records];
}
