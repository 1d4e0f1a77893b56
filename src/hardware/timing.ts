// Timing one model on this machine: warm-up, timed repeats within a budget, median and p10/p90, and the
// conditions (runtime, threads, CPU, frequency governor) that a latency is meaningless without.
import fs from 'node:fs';
import os from 'node:os';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Device } from './types.js';

/** How long to time one model. */
export interface TimingOptions {
  warmup: number;
  minRepeats: number;
  maxRepeats: number;
  /** Stop repeating after this much timed work per model (once `minRepeats` ran). */
  budgetMs: number;
}

/** One arch timed on this machine, with the conditions it was timed under. */
export interface RuntimeMeasurement {
  arch: string;
  /** Median of the timed runs. */
  latencyMs: number;
  p10Ms: number;
  p90Ms: number;
  repeats: number;
  /** Coefficient of variation (standard deviation / mean) of the timed runs. */
  cv: number;
  batchSize: number;
  resolution: number;
  /** `tfjs-wasm`, `tfjs-cpu`, `tfjs-tensorflow`, `onnxruntime`. */
  runtime: string;
  runtimeVersion: string;
  threads: number;
  cpu: string;
  /** Linux cpufreq governor of CPU 0, or `unknown`. */
  governor: string;
  /** 1-minute load average when the arch was timed: a busy machine slows and scatters timings. */
  loadAvg: number;
}

/** What a measuring device's `measure` takes besides the archs. */
export interface MeasureOptions {
  /** Seed of the models' initial weights and of the input. */
  seed?: number;
  /** Called after each arch (progress bars, incremental writes). */
  onArch?: (done: number, result: RuntimeMeasurement) => void;
}

/** A device that times models on a runtime (host TF.js, ONNX Runtime) and reports how. */
export interface MeasuringDevice extends Device {
  measure(space: SearchSpace, archs: readonly string[], input: InputShape, options?: MeasureOptions): Promise<RuntimeMeasurement[]>;
}

/** The q-quantile (0..1) of sorted values, linear between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Run `once` `warmup` times untimed, then time it until the budget or `maxRepeats`; median and p10/p90 in ms. */
export async function timeRepeats(
  once: () => Promise<number>,
  options: TimingOptions,
): Promise<{ latencyMs: number; p10Ms: number; p90Ms: number; repeats: number; cv: number }> {
  for (let i = 0; i < options.warmup; i++) await once();
  const times: number[] = [];
  let spent = 0;
  while (times.length < options.maxRepeats && (times.length < options.minRepeats || spent < options.budgetMs)) {
    const ms = await once();
    times.push(ms);
    spent += ms;
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const sd = Math.sqrt(times.reduce((a, t) => a + (t - mean) ** 2, 0) / Math.max(times.length - 1, 1));
  return {
    latencyMs: quantile(times, 0.5),
    p10Ms: quantile(times, 0.1),
    p90Ms: quantile(times, 0.9),
    repeats: times.length,
    cv: sd / mean,
  };
}

let machine: { cpu: string; governor: string } | undefined;

/** CPU model and frequency governor of this machine (read once), and the current 1-minute load average. */
export function machineConditions(): { cpu: string; governor: string; loadAvg: number } {
  if (machine === undefined) {
    let governor = 'unknown';
    try {
      governor = fs.readFileSync('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor', 'utf8').trim() || 'unknown';
    } catch {
      // Not Linux, or no cpufreq (VMs, containers): the governor is not readable.
    }
    machine = { cpu: os.cpus()[0]?.model.trim() ?? 'unknown', governor };
  }
  return { ...machine, loadAvg: +os.loadavg()[0].toFixed(2) };
}
