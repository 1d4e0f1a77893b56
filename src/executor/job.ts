// A measurement job: plain data naming what to build and how to time it. A worker validates it and runs hwnas' own
// measuring code; nothing in a job is ever executed as code.
import crypto from 'node:crypto';
import { z } from 'zod';
import { initBackend, type BackendName } from '../core/backend.js';
import { UsageError } from '../core/errors.js';
import { measureHost } from '../hardware/host.js';
import { measureOnnxRuntime } from '../hardware/onnxruntime.js';
import { deviceProfileSchema, hostSection, onnxruntimeSection } from '../hardware/schema.js';
import { SimulatedDevice } from '../hardware/simulated.js';
import { machineConditions } from '../hardware/timing.js';
import type { RuntimeMeasurement } from '../hardware/timing.js';
import { getSpace } from '../spaces/registry.js';

const dim = (max: number) => z.number().int().positive().max(max);
const common = {
  space: z.string().min(1),
  arch: z.string().min(1).max(1000),
  input: z.object({ batchSize: dim(4096), resolution: dim(4096), channels: dim(64), classes: dim(100_000) }).strict(),
  seed: z.number().int().min(0),
};

export const measureJobSchema = z.discriminatedUnion('runtime', [
  z.object({ ...common, runtime: z.literal('onnxruntime'), settings: onnxruntimeSection }).strict(),
  z.object({ ...common, runtime: z.literal('tfjs'), settings: hostSection }).strict(),
  // A simulated device through the queue (a device farm of simulators, and the queue's own tests): its profile.
  z.object({ ...common, runtime: z.literal('simulated'), settings: deviceProfileSchema }).strict(),
]);
export type MeasureJob = z.output<typeof measureJobSchema>;

/** What a job returns: the measurement and who took it. */
export interface JobResult {
  result: RuntimeMeasurement;
  /** `<host>-<pid>` of the worker, or `inline`. */
  worker: string;
}

/** A job id that depends only on the scope (a run, a measure command) and the job's content. */
export function jobId(scope: string, job: MeasureJob): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify(job)).digest('hex').slice(0, 20);
  // BullMQ ids may not contain ':'.
  return `${scope.replace(/:/g, '_')}|${hash}`;
}

/**
 * Validate a job and measure it with this process's runtime.
 * @throws UsageError for a malformed job or an arch the space cannot build; runtime errors as they come
 */
export async function runMeasureJob(data: unknown): Promise<RuntimeMeasurement> {
  const parsed = measureJobSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`invalid measurement job: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const job = parsed.data;
  const space = getSpace(job.space);
  const arch = space.canonical(job.arch);
  if (job.runtime === 'simulated') {
    const profile = job.settings;
    if (profile.kind !== 'simulated')
      throw new UsageError(`invalid measurement job: settings.kind: a simulated job needs a simulated profile, got ${profile.kind}`);
    const latencyMs = new SimulatedDevice(profile).latencyMs(space, arch, job.input);
    return {
      arch,
      latencyMs,
      p10Ms: latencyMs,
      p90Ms: latencyMs,
      repeats: 1,
      cv: 0,
      batchSize: job.input.batchSize,
      resolution: job.input.resolution,
      runtime: 'simulated',
      runtimeVersion: `${profile.name}@${profile.version}`,
      threads: 1,
      ...machineConditions(),
    };
  }
  if (job.runtime === 'onnxruntime') {
    const [result] = await measureOnnxRuntime(space, [arch], job.input, job.settings, { seed: job.seed });
    return result;
  }
  const { backend, ...timing } = job.settings;
  await initBackend(backend === 'auto' ? undefined : (backend as BackendName));
  const [result] = await measureHost(space, [arch], job.input, { ...timing, seed: job.seed });
  return result;
}
