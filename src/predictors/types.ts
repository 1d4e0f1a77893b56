// The latency-predictor contracts (NASLib spirit: fit / predict / what data it needs), plus the pretrain → adapt
// contract of predictors that transfer from source devices to a new device with a few measurements.
import type { SearchSpace } from '../spaces/types.js';
import type { FitQuality } from './trust.js';

/** Latencies measured on one device: `latencyMs[i]` belongs to `archs[i]` (canonical arch strings). */
export interface Measurements {
  archs: readonly string[];
  latencyMs: ArrayLike<number>;
}

/** Options of fitting a device. */
export interface FitOptions {
  seed?: number;
  /** Archs whose measurement was confirmed by measuring again: never distrusted (see `trust.ts` `findOutliers`). */
  confirmed?: readonly string[];
}

/** All measurements of one named device (a pretraining source or a few-shot target). */
export interface DeviceLatencies extends Measurements {
  /** Device name as in the latency table (`1080ti_1`, `pixel3`, …). */
  device: string;
}

/** A latency predictor of one search space that can serve several devices. */
export interface LatencyPredictor {
  /** Registry name of the method (`nasflat`, `flops`, …). */
  readonly kind: string;
  /** The space whose archs it accepts; archs of another space are rejected with UnknownArchError. */
  readonly space: SearchSpace;
  /** Devices it can predict for now (fitted or adapted targets, and for pretrained predictors their sources). */
  devices(): string[];
  /**
   * Fit (or re-fit) `device` from its measurements; for transferable predictors this is few-shot adaptation.
   * @throws HwnasError for mismatched lengths or non-positive latencies; UnknownArchError for a foreign arch
   */
  fit(device: string, measurements: Measurements, options?: FitOptions): Promise<void>;
  /**
   * Predicted latency of each arch on `device` in ms: finite and > 0 for every arch of the space whatever the device
   * was fitted on (every built-in predictor fits ln ms), so its order is also the predicted ranking.
   * @throws UnknownNameError for an unknown device; UnknownArchError for an arch of another space
   */
  predict(device: string, archs: readonly string[]): Promise<Float64Array>;
  /**
   * The measurements `device` was fitted on with the fit's out-of-sample prediction of each (what `trust.ts` turns
   * into leave-one-out errors, outlier rows and prediction intervals); undefined for a device that was not fitted
   * on measurements (a pretraining source).
   */
  fitQuality(device: string): FitQuality | undefined;
  /**
   * Optional: how unsure the fit of `device` is about each arch, in ln ms (larger = less sure), for choosing what to
   * measure next; undefined when the fit has no per-arch notion of it (the samplers then spread their picks).
   */
  uncertainty?(device: string, archs: readonly string[]): Promise<Float64Array | undefined>;
  /** Write a self-describing, versioned directory that `loadPredictor(dir)` restores to identical predictions. */
  save(dir: string): Promise<void>;
}

/** What a transferable predictor learned about a target in `adapt`. */
export interface AdaptReport {
  /** Source device whose hardware state initialised the target (undefined when that initialisation is off). */
  initialisedFrom?: string;
  /** Spearman ρ of that source's (predicted) latencies with the target's few measurements. */
  initialisationRho?: number;
  /** The few-shot readouts whose weighted sum the target's predictions are (NASFLAT with `readout: select`). */
  readout?: { name: string; share: number }[];
  /** The readout was chosen among zero-shot candidates only: the measurements disagreed with each other. */
  zeroShotReadout?: boolean;
  /** Wall time of the adaptation, ms. */
  elapsedMs: number;
}

/** A predictor pretrained on many source devices and adapted to a new device from a few measurements. */
export interface TransferablePredictor extends LatencyPredictor {
  /** Devices it was pretrained on. */
  sourceDevices(): string[];
  /** Train from scratch on every source device's latencies (replaces any earlier training). */
  pretrain(sources: readonly DeviceLatencies[], options?: { seed?: number }): Promise<void>;
  /** Few-shot transfer to `target` (what `fit` does for a device that is not a source). */
  adapt(target: string, few: Measurements, options?: FitOptions): Promise<AdaptReport>;
  /** Uncalibrated ranking score per arch (higher = slower); defined for source and adapted devices. */
  score(device: string, archs: readonly string[]): Promise<Float64Array>;
}

/** Whether a predictor transfers from source devices (has `adapt`, `sourceDevices`, `score`). */
export function isTransferable(predictor: LatencyPredictor): predictor is TransferablePredictor {
  const p = predictor as Partial<TransferablePredictor>;
  return typeof p.adapt === 'function' && typeof p.sourceDevices === 'function' && typeof p.score === 'function';
}

/**
 * Fit `device` from its measurements — few-shot adaptation for a transferable predictor, whose report is returned —
 * so callers can say how a target was initialised and read out.
 */
export async function fitDevice(
  predictor: LatencyPredictor,
  device: string,
  measurements: Measurements,
  seed: number,
  confirmed?: readonly string[],
): Promise<AdaptReport | undefined> {
  if (isTransferable(predictor)) return predictor.adapt(device, measurements, { seed, confirmed });
  await predictor.fit(device, measurements, { seed, confirmed });
  return undefined;
}

/** One line on an adaptation: the source that initialised it and the readout's members with their shares. */
export function describeAdaptation(report: AdaptReport): string {
  const parts: string[] = [];
  if (report.initialisedFrom !== undefined)
    parts.push(`initialised from ${report.initialisedFrom} (ρ ${report.initialisationRho?.toFixed(3) ?? '?'} on the measurements)`);
  if (report.readout !== undefined)
    parts.push(
      `readout ${report.readout.map((m) => `${m.name} ×${m.share.toFixed(2)}`).join(' + ')}` +
        (report.zeroShotReadout === true ? ' (zero-shot candidates only: the measurements disagree with each other)' : ''),
    );
  return parts.join('; ');
}
