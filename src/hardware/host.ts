// The host device: real latency of the built TF.js model on this machine (warm-up, timed repeats, median).
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend, type BackendName } from '../core/backend.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { HostProfile, LatencyRecord, Device } from './types.js';

/** How to time one arch. */
export interface HostMeasureOptions {
  warmup: number;
  minRepeats: number;
  maxRepeats: number;
  /** Stop repeating after this much timed work per arch (once `minRepeats` ran). */
  budgetMs: number;
  /** Seed of the model's random initial weights. */
  seed?: number;
  /** Called after each arch (progress bars). */
  onArch?: (done: number, result: HostMeasurement) => void;
}

/** One arch timed on the host, with the conditions it was timed under. */
export interface HostMeasurement {
  arch: string;
  /** Median of the timed runs. */
  latencyMs: number;
  minMs: number;
  maxMs: number;
  repeats: number;
  backend: string;
  threads: number;
  batchSize: number;
  resolution: number;
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/**
 * Build each arch's TF.js model and time `predict` on a fixed random input with the current tfjs backend
 * (call `initBackend` first). Each timed run waits for the output data, so asynchronous backends are timed fully.
 */
export async function measureHost(space: SearchSpace, archs: readonly string[], input: InputShape, options: HostMeasureOptions): Promise<HostMeasurement[]> {
  const backend = tf.getBackend();
  const threads = (currentBackend() ?? (await initBackend())).threads;
  const results: HostMeasurement[] = [];
  const x = tf.randomNormal([input.batchSize, input.resolution, input.resolution, input.channels], 0, 1, 'float32', options.seed ?? 0);
  try {
    for (const arch of archs) {
      const model = space.buildModel(arch, input, { seed: options.seed ?? 0 });
      const run = async (): Promise<number> => {
        const start = performance.now();
        const y = model.predict(x) as tf.Tensor;
        await y.data();
        const ms = performance.now() - start;
        y.dispose();
        return ms;
      };
      try {
        for (let i = 0; i < options.warmup; i++) await run();
        const times: number[] = [];
        let spent = 0;
        while (times.length < options.maxRepeats && (times.length < options.minRepeats || spent < options.budgetMs)) {
          const ms = await run();
          times.push(ms);
          spent += ms;
        }
        times.sort((a, b) => a - b);
        const result: HostMeasurement = {
          arch,
          latencyMs: median(times),
          minMs: times[0],
          maxMs: times[times.length - 1],
          repeats: times.length,
          backend,
          threads,
          batchSize: input.batchSize,
          resolution: input.resolution,
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

/** The `host` device kind: measures instead of predicting. Provenance `host:<backend>`. */
export class HostDevice implements Device {
  constructor(readonly profile: HostProfile) {}

  async latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]> {
    const { backend, ...timing } = this.profile.host;
    const info = await initBackend(backend === 'auto' ? undefined : (backend as BackendName));
    const measured = await measureHost(space, archs, input, timing);
    return measured.map((m) => ({ arch: m.arch, latencyMs: m.latencyMs, source: `host:${info.name}` }));
  }
}
