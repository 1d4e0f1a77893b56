// The onnxruntime device: real latency of the exported ONNX model under ONNX Runtime (CPU execution provider) on
// this machine, with the session settings of the profile.
import fs from 'node:fs';
import type * as Ort from 'onnxruntime-node';
import { initBackend } from '../core/backend.js';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { archToOnnx, ONNX_INPUT, readOnnxSummary } from '../formats/onnx.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { OnnxRuntimeProfile } from './schema.js';
import {
  machineConditions,
  timeRepeats,
  type MeasureOptions,
  type MeasuringDevice,
  type RuntimeMeasurement,
  type TimingOptions,
} from './timing.js';
import type { LatencyRecord } from './types.js';

type OrtModule = typeof Ort;
let ortModule: OrtModule | undefined;

/** ONNX Runtime, loaded on first use. @throws UsageError when onnxruntime-node is not installed */
export async function loadOrt(): Promise<OrtModule> {
  if (ortModule === undefined) {
    try {
      ortModule = (await import('onnxruntime-node')) as OrtModule;
    } catch (err) {
      throw new UsageError(
        `ONNX Runtime is not available: onnxruntime-node is not installed or does not load here (${(err as Error).message.split('\n')[0]})`,
      );
    }
  }
  return ortModule;
}

/** Session settings and timing of an onnxruntime profile. */
export type OrtSettings = OnnxRuntimeProfile['onnxruntime'];

/** Deterministic N(0, 1) input for a shape. */
function randomInput(shape: number[], seed: number): Float32Array {
  const rng = Rng.derive(seed, 'ort-input');
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

async function createSession(ort: OrtModule, model: Uint8Array, settings: OrtSettings, what: string): Promise<Ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      intraOpNumThreads: settings.intraOpThreads,
      interOpNumThreads: settings.interOpThreads,
      graphOptimizationLevel: settings.graphOptimization,
      executionMode: settings.executionMode,
    });
  } catch (err) {
    throw new UsageError(`ONNX Runtime cannot load ${what}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Time one ONNX model (bytes) on `shape` input ([N, C, H, W]). */
async function timeModel(
  ort: OrtModule,
  model: Uint8Array,
  shape: number[],
  settings: OrtSettings & Partial<TimingOptions>,
  seed: number,
  what: string,
) {
  const session = await createSession(ort, model, settings, what);
  try {
    const feeds = { [session.inputNames[0] ?? ONNX_INPUT]: new ort.Tensor('float32', randomInput(shape, seed), shape) };
    const once = async (): Promise<number> => {
      const start = performance.now();
      await session.run(feeds);
      return performance.now() - start;
    };
    return await timeRepeats(once, settings);
  } finally {
    await session.release();
  }
}

function conditions(ort: OrtModule, settings: OrtSettings) {
  return {
    runtime: 'onnxruntime',
    runtimeVersion: ort.env.versions.node ?? ort.env.versions.common,
    threads: settings.intraOpThreads,
    ...machineConditions(),
  };
}

/**
 * Export each arch to ONNX (the weights of the TF.js model of `seed`) and time it with ONNX Runtime.
 * @throws UsageError when ONNX Runtime is missing or cannot load a model
 */
export async function measureOnnxRuntime(
  space: SearchSpace,
  archs: readonly string[],
  input: InputShape,
  settings: OrtSettings & Partial<TimingOptions>,
  options: MeasureOptions = {},
): Promise<RuntimeMeasurement[]> {
  const ort = await loadOrt();
  await initBackend();
  const seed = options.seed ?? 0;
  const shape = [input.batchSize, input.channels, input.resolution, input.resolution];
  const results: RuntimeMeasurement[] = [];
  for (const arch of archs) {
    const model = archToOnnx(space, arch, input, seed);
    const timed = await timeModel(ort, model, shape, settings, seed, `the ONNX model of ${arch}`);
    const result: RuntimeMeasurement = {
      arch,
      ...timed,
      batchSize: input.batchSize,
      resolution: input.resolution,
      ...conditions(ort, settings),
    };
    results.push(result);
    options.onArch?.(results.length, result);
  }
  return results;
}

/**
 * Time an ONNX file a user brings. Its input shape comes from hwnas metadata, else from the graph's input with
 * `batchSize` for a symbolic batch dimension.
 * @throws UsageError naming the file when it is missing, not ONNX, or not loadable by ONNX Runtime
 */
export async function measureOnnxFile(
  file: string,
  settings: OrtSettings & Partial<TimingOptions>,
  options: { batchSize?: number; seed?: number } = {},
): Promise<RuntimeMeasurement> {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const summary = readOnnxSummary(bytes, file);
  const fromMeta = summary.metadata['hwnas.input_shape'];
  let shape =
    fromMeta === undefined
      ? summary.inputShape.map((d) => (typeof d === 'number' && d > 0 ? d : (options.batchSize ?? 1)))
      : (JSON.parse(fromMeta) as number[]);
  if (options.batchSize !== undefined) shape = [options.batchSize, ...shape.slice(1)];
  if (shape.length === 0) throw new UsageError(`${file}: the model's input has no shape`);
  const ort = await loadOrt();
  const timed = await timeModel(ort, bytes, shape, settings, options.seed ?? 0, file);
  return {
    arch: summary.metadata['hwnas.arch'] ?? file,
    ...timed,
    batchSize: shape[0],
    resolution: shape[shape.length - 1],
    ...conditions(ort, settings),
  };
}

/** Provenance of an ONNX Runtime measurement: `onnxruntime:<version>/<threads>t/<graph optimisation>`. */
export const onnxruntimeSource = (m: RuntimeMeasurement, settings: Pick<OrtSettings, 'graphOptimization'>): string =>
  `onnxruntime:${m.runtimeVersion}/${m.threads}t/${settings.graphOptimization}`;

/** The `onnxruntime` device kind. Provenance `onnxruntime:<version>/<threads>t/<graph optimisation>`. */
export class OnnxRuntimeDevice implements MeasuringDevice {
  constructor(readonly profile: OnnxRuntimeProfile) {}

  measure(
    space: SearchSpace,
    archs: readonly string[],
    input: InputShape,
    options: MeasureOptions & Partial<TimingOptions> = {},
  ): Promise<RuntimeMeasurement[]> {
    const { seed, onArch, ...timing } = options;
    return measureOnnxRuntime(space, archs, input, { ...this.profile.onnxruntime, ...timing }, { seed, onArch });
  }

  async latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]> {
    const measured = await this.measure(space, archs, input);
    return measured.map((m) => ({ arch: m.arch, latencyMs: m.latencyMs, source: onnxruntimeSource(m, this.profile.onnxruntime) }));
  }
}
