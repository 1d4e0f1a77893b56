// What every baseline predictor shares: input checks, fitting in ln ms (so predictions are always positive),
// out-of-sample predictions of the measurements (for trust.ts), per-device fitted state, and save/load as one
// versioned JSON manifest plus the networks' weights (the nn tensor file format) and the source latencies (no pickles).
import fs from 'node:fs';
import path from 'node:path';
import { DataFileError, UnknownNameError } from '../../core/errors.js';
import { Parameters } from '../../nn/parameters.js';
import { readTensorFile, writeTensorFile, type NamedTensor, type TensorFile } from '../../nn/tensor-file.js';
import type { SearchSpace } from '../../spaces/types.js';
import { PREDICTOR_MANIFEST } from '../persistence.js';
import { checkMeasurements } from '../measurements.js';
import { logBounds, msFromLog, qualityOf, splitDistrusted, type FitQuality, type LogBounds } from '../trust.js';
import type { FitOptions, LatencyPredictor, Measurements } from '../types.js';
import type { ArchFeatures } from './features.js';
import { SourceIndex, decodeSources, encodeSources, type SourceLatencies } from './sources.js';

export const MANIFEST_FILE = PREDICTOR_MANIFEST;
const WEIGHTS_FILE = 'weights.bin';
const SOURCES_FILE = 'sources.bin';
export const BASELINE_FORMAT = 'hwnas-baseline-predictor';
/**
 * 3: network weights as named tensors of the nn tensor file format (2 kept them as untyped float arrays; 1 fitted
 * ms; neither is read any more).
 */
export const BASELINE_FORMAT_VERSION = 3;

/** The weights of a baseline's networks: collected while it is saved, read back (shape-checked) when it is loaded. */
export class TensorStore {
  private readonly added: NamedTensor[] = [];
  private count = 0;

  constructor(private readonly file?: TensorFile) {}

  /** Add `params` under a new key, which the manifest keeps to read them back. */
  add(params: Parameters): string {
    const key = `net${this.count++}`;
    this.added.push(...params.toTensors(key));
    return key;
  }

  /** The parameters added under `key`. @throws DataFileError for a missing tensor or another shape */
  read(key: string, shapes: Iterable<[string, readonly number[]]>): Parameters {
    if (this.file === undefined) throw new Error('TensorStore.read on a store that was not loaded from a file');
    return Parameters.read(this.file, shapes, key);
  }

  /** Every tensor added, in order. */
  tensors(): readonly NamedTensor[] {
    return this.added;
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

/** Per-device state a baseline keeps after `fit`, JSON-serialisable (network weights go through a TensorStore). */
export type DeviceState = Record<string, unknown>;

/** What the base keeps per fitted device besides the subclass's state. */
interface FitRecord {
  bounds: LogBounds;
  quality: FitQuality;
}

/**
 * Base of the baselines: validates inputs, keeps one fitted state per device, and persists them. Subclasses
 * implement `fitDevice` and `predictDevice` on canonical archs, both in ln ms; the base turns predictions back into
 * ms. Out-of-sample predictions of the measurements come from refitting without each row (or each of
 * `outOfSampleFolds` folds, for the trained baselines).
 */
export abstract class BaselinePredictor implements LatencyPredictor {
  /** Registry name of the method. */
  abstract readonly kind: string;
  protected readonly targets = new Map<string, DeviceState>();
  private readonly fits = new Map<string, FitRecord>();
  /** Folds of the out-of-sample refits: every row alone by default; fewer for baselines that train a network. */
  protected readonly outOfSampleFolds: number = Infinity;
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
  async fit(device: string, measurements: Measurements, options: FitOptions = {}): Promise<void> {
    checkMeasurements(this.kind, device, measurements);
    const canonical = measurements.archs.map((a) => this.space.canonical(a));
    const latencyMs = Float64Array.from(measurements.latencyMs);
    const logMs = latencyMs.map(Math.log);
    const seed = options.seed ?? this.context.seed;
    const bounds = logBounds(latencyMs);
    // Rows a robust trend on ln FLOPs (and on the source devices' latencies, where they cover the archs) contradicts
    // are left out of the fit.
    const sources = this.sourceIndex?.covers(canonical) ? this.sourceIndex : undefined;
    const proxies = [
      canonical.map((a) => Math.log(this.context.features.flops(a))),
      ...(sources?.data.devices.map((_, d) => sources.column(d, canonical).map(Math.log)) ?? []),
    ];
    const confirmed = new Set((options.confirmed ?? []).map((a) => this.space.canonical(a)));
    const split = splitDistrusted(this.space, canonical, Array.from(latencyMs), proxies, confirmed, (a) => this.canHoldOut(a));
    const keptArchs = split.kept.map((i) => canonical[i]);
    const keptLogMs = Float64Array.from(split.kept, (i) => logMs[i]);
    const state = await this.fitDevice(device, keptArchs, keptLogMs, seed);
    const keptLoo = await this.outOfSample(device, state, keptArchs, keptLogMs, bounds, seed);
    // Networks cannot run an empty batch: the distrusted rows are predicted only when there are some.
    const implied =
      split.distrusted.length === 0
        ? []
        : await this.predictDevice(
            state,
            split.distrusted.map((i) => canonical[i]),
          );
    this.targets.set(device, state);
    const impliedMs = Array.from(implied, (v) => msFromLog(v, bounds));
    this.fits.set(device, { bounds, quality: qualityOf(canonical, Array.from(latencyMs), split, keptLoo, impliedMs) });
  }

  /**
   * Each measurement predicted by a refit on the other folds (one row per fold unless `outOfSampleFolds` is set).
   * Rows the method cannot do without (`canHoldOut` false, e.g. HELP's reference archs) are predicted by `full`.
   */
  private async outOfSample(
    device: string,
    full: DeviceState,
    archs: string[],
    logMs: Float64Array,
    bounds: LogBounds,
    seed: number,
  ): Promise<number[]> {
    const n = archs.length;
    const holdable = archs.map((_, i) => i).filter((i) => this.canHoldOut(archs[i]));
    const inSample = await this.predictDevice(full, archs);
    const looMs = archs.map((_, i) => msFromLog(inSample[i], bounds));
    if (n < 3) return holdable.length === n ? looMs.map((_, i) => Math.exp(logMs[n - 1 - i])) : looMs;
    const folds = Math.min(holdable.length, this.outOfSampleFolds);
    for (let k = 0; k < folds; k++) {
      const held = holdable.filter((_, j) => j % folds === k);
      const heldSet = new Set(held);
      const kept = archs.map((_, i) => i).filter((i) => !heldSet.has(i));
      // A device name of its own, so a subclass that replaces the device's earlier state leaves the real one alone.
      const state = await this.fitDevice(
        `${device}\u0000fold${k}`,
        kept.map((i) => archs[i]),
        Float64Array.from(kept, (i) => logMs[i]),
        seed,
      );
      const predicted = await this.predictDevice(
        state,
        held.map((i) => archs[i]),
      );
      held.forEach((i, j) => (looMs[i] = msFromLog(predicted[j], bounds)));
      this.disposeDevice(state);
    }
    return looMs;
  }

  /** Whether a fit without this measured arch is possible (every arch by default). */
  protected canHoldOut(_arch: string): boolean {
    return true;
  }

  /**
   * Predicted latency in ms of each arch on a fitted device: always finite and > 0.
   * @throws UnknownNameError for a device that was never fitted; UnknownArchError for an arch of another space
   */
  async predict(device: string, archs: readonly string[]): Promise<Float64Array> {
    const state = this.targets.get(device);
    const fitted = this.fits.get(device);
    if (state === undefined || fitted === undefined) throw new UnknownNameError('device', device, this.devices());
    const logMs = await this.predictDevice(
      state,
      archs.map((a) => this.space.canonical(a)),
    );
    return Float64Array.from(logMs, (v) => msFromLog(v, fitted.bounds));
  }

  fitQuality(device: string): FitQuality | undefined {
    return this.fits.get(device)?.quality;
  }

  /** Fit ln ms of `archs` on one device; the returned state is what `predictDevice` reads. */
  protected abstract fitDevice(device: string, archs: string[], logMs: Float64Array, seed: number): Promise<DeviceState> | DeviceState;
  /** Predicted ln ms of each arch (any real number: the base keeps it in range and exponentiates). */
  protected abstract predictDevice(state: DeviceState, archs: string[]): Promise<Float64Array> | Float64Array;

  /** Free what a state holds (tensors); nothing by default. */
  protected disposeDevice(_state: DeviceState): void {}

  /** Model-level state saved once (e.g. pretrained weights); none by default. */
  protected saveModel(_store: TensorStore): Record<string, unknown> {
    return {};
  }

  /** Per-device state with its networks moved to the store; identity by default. */
  protected saveDevice(state: DeviceState, _store: TensorStore): DeviceState {
    return state;
  }

  /** Inverse of `saveDevice`. */
  protected loadDevice(state: DeviceState, _store: TensorStore): DeviceState {
    return state;
  }

  /** Inverse of `saveModel`, called once before devices are loaded. */
  protected loadModel(_model: Record<string, unknown>, _store: TensorStore): Promise<void> | void {}

  /** Write the predictor to `dir` (created if needed): `predictor.json`, `weights.bin`, and `sources.bin` if any. */
  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    const store = new TensorStore();
    const sources = this.context.sources;
    const header = {
      format: BASELINE_FORMAT,
      version: BASELINE_FORMAT_VERSION,
      kind: this.kind,
      space: this.space.name,
      seed: this.context.seed,
      sources: sources === undefined ? null : { devices: sources.devices, archs: sources.archs, file: SOURCES_FILE },
      model: this.saveModel(store),
      devices: Object.fromEntries([...this.targets].map(([d, s]) => [d, this.saveDevice(s, store)])),
      fits: Object.fromEntries(this.fits),
    };
    if (sources !== undefined) fs.writeFileSync(path.join(dir, SOURCES_FILE), encodeSources(sources));
    writeTensorFile(path.join(dir, MANIFEST_FILE), header, store.tensors(), WEIGHTS_FILE);
  }

  /** Restore the state written by `save` into this (freshly constructed) predictor. */
  async restore(dir: string, manifest: BaselineManifest): Promise<void> {
    const store = new TensorStore(readTensorFile(path.join(dir, MANIFEST_FILE), BASELINE_FORMAT, BASELINE_FORMAT_VERSION));
    await this.loadModel(manifest.model, store);
    for (const [device, state] of Object.entries(manifest.devices)) this.targets.set(device, this.loadDevice(state, store));
    for (const [device, fitted] of Object.entries(manifest.fits)) this.fits.set(device, fitted);
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
  fits: Record<string, FitRecord>;
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
  if (manifest.format !== BASELINE_FORMAT)
    throw new DataFileError(file, 0, `not a baseline predictor (format '${String(manifest.format)}')`, 'format');
  if (manifest.version !== BASELINE_FORMAT_VERSION)
    throw new DataFileError(
      file,
      0,
      `unsupported version ${manifest.version} (this hwnas reads ${BASELINE_FORMAT_VERSION}; fit the predictor again)`,
      'version',
    );
  const sources =
    manifest.sources === null
      ? undefined
      : decodeSources(manifest.sources.devices, manifest.sources.archs, readFile(path.join(dir, manifest.sources.file)));
  return { manifest, sources };
}
