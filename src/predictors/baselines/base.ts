// What every baseline predictor shares: input checks, per-device fitted state, and save/load as one versioned JSON
// manifest plus a binary file of float arrays (no pickles).
import fs from 'node:fs';
import path from 'node:path';
import { DataFileError, HwnasError, UnknownNameError } from '../../core/errors.js';
import type { SearchSpace } from '../../spaces/types.js';
import { checkMeasurements } from '../measurements.js';
import type { LatencyPredictor, Measurements } from '../types.js';
import type { ArchFeatures } from './features.js';
import { SourceIndex, decodeSources, encodeSources, type SourceLatencies } from './sources.js';

export const MANIFEST_FILE = 'predictor.json';
const ARRAYS_FILE = 'arrays.bin';
const SOURCES_FILE = 'sources.bin';
export const BASELINE_FORMAT = 'hwnas-baseline-predictor';
export const BASELINE_FORMAT_VERSION = 1;


/** A float array stored in the binary file: where it starts (in floats) and its length. */
export interface ArrayRef {
  offset: number;
  length: number;
}

/** Collects float arrays into one buffer while a predictor is saved, and hands them back when it is loaded. */
export class ArrayStore {
  private readonly chunks: Float32Array[] = [];
  private size = 0;

  constructor(private readonly loaded?: Float32Array) {}

  /** Remember `values` and return its reference for the manifest. */
  put(values: ArrayLike<number>): ArrayRef {
    const chunk = Float32Array.from(values);
    this.chunks.push(chunk);
    const ref = { offset: this.size, length: chunk.length };
    this.size += chunk.length;
    return ref;
  }

  /** The array a reference points to (only on a store created from a loaded file). */
  get(ref: ArrayRef): Float32Array {
    if (this.loaded === undefined || ref.offset + ref.length > this.loaded.length) throw new HwnasError(`array reference ${ref.offset}+${ref.length} out of range`);
    return this.loaded.slice(ref.offset, ref.offset + ref.length);
  }

  toBuffer(): Buffer {
    const all = new Float32Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    return Buffer.from(all.buffer);
  }
}

/** Everything a baseline needs to be built: the space, shared feature cache, source latencies, options. */
export interface BaselineContext {
  space: SearchSpace;
  features: ArchFeatures;
  /** Source-device latencies; required by the source-based baselines. */
  sources?: SourceLatencies;
  /** Archs every device must be measured on (HELP's reference archs for its hardware embedding). */
  referenceArchs?: string[];
  /** Seed of pretraining (the source-based learned baselines). */
  seed: number;
}

/** Per-device state a baseline keeps after `fit`, JSON-serialisable (large arrays go through an ArrayStore). */
export type DeviceState = Record<string, unknown>;

/**
 * Base of the baselines: validates inputs, keeps one fitted state per device, and persists them. Subclasses
 * implement `fitDevice` and `predictDevice` on canonical archs.
 */
export abstract class BaselinePredictor implements LatencyPredictor {
  /** Registry name of the method. */
  abstract readonly kind: string;
  protected readonly targets = new Map<string, DeviceState>();
  protected readonly sourceIndex?: SourceIndex;

  constructor(protected readonly context: BaselineContext) {
    if (context.sources !== undefined) this.sourceIndex = new SourceIndex(context.sources, context.space.name);
  }

  get space(): SearchSpace {
    return this.context.space;
  }

  /** Devices this predictor can predict for (the fitted targets). */
  devices(): string[] {
    return [...this.targets.keys()];
  }

  /** Source devices it was pretrained on (empty for baselines that use none). */
  sourceDevices(): string[] {
    return this.context.sources?.devices ?? [];
  }

  /**
   * Adapt to `device` from a few measurements (replacing an earlier fit of the same device).
   * @throws UnknownArchError for an arch of another space; HwnasError for mismatched lengths or bad latencies
   */
  async fit(device: string, measurements: Measurements, options: { seed?: number } = {}): Promise<void> {
    checkMeasurements(this.kind, device, measurements);
    const canonical = measurements.archs.map((a) => this.space.canonical(a));
    this.targets.set(device, await this.fitDevice(device, canonical, Float64Array.from(measurements.latencyMs), options.seed ?? this.context.seed));
  }

  /**
   * Predicted latency in ms of each arch on a fitted device.
   * @throws UnknownNameError for a device that was never fitted; UnknownArchError for an arch of another space
   */
  async predict(device: string, archs: readonly string[]): Promise<Float64Array> {
    const state = this.targets.get(device);
    if (state === undefined) throw new UnknownNameError('device', device, this.devices());
    return this.predictDevice(state, archs.map((a) => this.space.canonical(a)));
  }

  protected abstract fitDevice(device: string, archs: string[], latencyMs: Float64Array, seed: number): Promise<DeviceState> | DeviceState;
  protected abstract predictDevice(state: DeviceState, archs: string[]): Promise<Float64Array> | Float64Array;

  /** Model-level state saved once (e.g. pretrained weights); none by default. */
  protected saveModel(_store: ArrayStore): Record<string, unknown> {
    return {};
  }

  /** Per-device state with its arrays moved to the store; identity by default. */
  protected saveDevice(state: DeviceState, _store: ArrayStore): DeviceState {
    return state;
  }

  /** Inverse of `saveDevice`. */
  protected loadDevice(state: DeviceState, _store: ArrayStore): DeviceState {
    return state;
  }

  /** Inverse of `saveModel`, called once before devices are loaded. */
  protected loadModel(_model: Record<string, unknown>, _store: ArrayStore): Promise<void> | void {}

  /** Write the predictor to `dir` (created if needed): `predictor.json`, `arrays.bin`, and `sources.bin` if any. */
  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    const store = new ArrayStore();
    const sources = this.context.sources;
    const manifest = {
      format: BASELINE_FORMAT,
      version: BASELINE_FORMAT_VERSION,
      kind: this.kind,
      space: this.space.name,
      seed: this.context.seed,
      sources: sources === undefined ? null : { devices: sources.devices, archs: sources.archs, file: SOURCES_FILE },
      model: this.saveModel(store),
      devices: Object.fromEntries([...this.targets].map(([d, s]) => [d, this.saveDevice(s, store)])),
      arrays: ARRAYS_FILE,
    };
    fs.writeFileSync(path.join(dir, ARRAYS_FILE), store.toBuffer());
    if (sources !== undefined) fs.writeFileSync(path.join(dir, SOURCES_FILE), encodeSources(sources));
    fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1) + '\n');
  }

  /** Restore the state written by `save` into this (freshly constructed) predictor. */
  async restore(dir: string, manifest: BaselineManifest): Promise<void> {
    const bytes = readFile(path.join(dir, manifest.arrays));
    const store = new ArrayStore(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    await this.loadModel(manifest.model, store);
    for (const [device, state] of Object.entries(manifest.devices)) this.targets.set(device, this.loadDevice(state, store));
  }
}

/** The manifest of a saved baseline (see `BaselinePredictor.save`). */
export interface BaselineManifest {
  format: string;
  version: number;
  kind: string;
  space: string;
  seed: number;
  sources: { devices: string[]; archs: string[]; file: string } | null;
  model: Record<string, unknown>;
  devices: Record<string, DeviceState>;
  arrays: string;
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new DataFileError(file, 0, `cannot read predictor file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Read a saved baseline's manifest and its source latencies. @throws DataFileError for a missing/foreign file */
export function readBaselineManifest(dir: string): { manifest: BaselineManifest; sources?: SourceLatencies } {
  const file = path.join(dir, MANIFEST_FILE);
  let manifest: BaselineManifest;
  try {
    manifest = JSON.parse(readFile(file).toString('utf8')) as BaselineManifest;
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    throw new DataFileError(file, 0, `invalid JSON: ${(err as Error).message}`);
  }
  if (manifest.format !== BASELINE_FORMAT) throw new DataFileError(file, 0, `not a baseline predictor (format '${String(manifest.format)}')`, 'format');
  if (manifest.version !== BASELINE_FORMAT_VERSION) throw new DataFileError(file, 0, `unsupported version ${manifest.version} (this hwnas reads ${BASELINE_FORMAT_VERSION})`, 'version');
  const sources = manifest.sources === null ? undefined : decodeSources(manifest.sources.devices, manifest.sources.archs, readFile(path.join(dir, manifest.sources.file)));
  return { manifest, sources };
}
