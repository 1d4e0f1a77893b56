// The host device: real latency of the built TF.js model on this machine (warm-up, timed repeats, median).
import type * as Tf from '@tensorflow/tfjs';
import { currentBackend, initBackend, type BackendName } from '../core/backend.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import {
  machineConditions,
  timeRepeats,
  type MeasureOptions,
  type MeasuringDevice,
  type RuntimeMeasurement,
  type TimingOptions,
} from './timing.js';
import type { HostProfile, LatencyRecord } from './types.js';

/** How to time archs on the host: timing plus the weights seed and a per-arch callback. */
export type HostMeasureOptions = TimingOptions & MeasureOptions;

/**
 * Build each arch's TF.js model and time `predict` on a fixed random input with the current tfjs backend
 * (call `initBackend` first). Each timed run waits for the output data, so asynchronous backends are timed fully.
 */
export async function measureHost(
  space: SearchSpace,
  archs: readonly string[],
  input: InputShape,
  options: HostMeasureOptions,
): Promise<RuntimeMeasurement[]> {
  // Loaded here, not with the device registry: commands that never time on the host skip TF.js' start-up.
  const { tf } = await import('../core/tf.js');
  const backend = tf.getBackend();
  const threads = (currentBackend() ?? (await initBackend())).threads;
  const results: RuntimeMeasurement[] = [];
  const x = tf.randomNormal([input.batchSize, input.resolution, input.resolution, input.channels], 0, 1, 'float32', options.seed ?? 0);
  try {
    for (const arch of archs) {
      const model = space.buildModel(arch, input, { seed: options.seed ?? 0 });
      const once = async (): Promise<number> => {
        const start = performance.now();
        const y = model.predict(x) as Tf.Tensor;
        await y.data();
        const ms = performance.now() - start;
        y.dispose();
        return ms;
      };
      try {
        const timed = await timeRepeats(once, options);
        const result: RuntimeMeasurement = {
          arch,
          ...timed,
          batchSize: input.batchSize,
          resolution: input.resolution,
          runtime: `tfjs-${backend}`,
          runtimeVersion: tf.version.tfjs,
          threads,
          ...machineConditions(),
        };
        results.push(result);
        options.onArch?.(results.length, result);
      } finally {
        model.dispose();
      }
    }
  } finally {
    x.dispose();
  }
  return results;
}

/** Provenance of a host (TF.js) measurement: `host:<backend>`. */
export const hostSource = (m: RuntimeMeasurement): string => `host:${m.runtime.replace(/^tfjs-/, '')}`;

/** The `host` device kind: measures instead of predicting. Provenance `host:<backend>`. */
export class HostDevice implements MeasuringDevice {
  constructor(readonly profile: HostProfile) {}

  async measure(
    space: SearchSpace,
    archs: readonly string[],
    input: InputShape,
    options: MeasureOptions & Partial<TimingOptions> = {},
  ): Promise<RuntimeMeasurement[]> {
    const { backend, ...timing } = this.profile.host;
    await initBackend(backend === 'auto' ? undefined : (backend as BackendName));
    return measureHost(space, archs, input, { ...timing, ...options });
  }

  async latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]> {
    const measured = await this.measure(space, archs, input);
    return measured.map((m) => ({ arch: m.arch, latencyMs: m.latencyMs, source: hostSource(m) }));
  }
}
