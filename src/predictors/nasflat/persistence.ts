// A saved NASFLAT predictor: `predictor.json` (config, devices, supplementary statistics, calibrations, readouts,
// fit quality) beside `weights.bin` (the pretrained network, one network per adapted target, and optionally the
// source-device scores of every arch), in the nn tensor file format.
import path from 'node:path';
import { DataFileError, HwnasError } from '../../core/errors.js';
import { Parameters } from '../../nn/parameters.js';
import { readTensorFile, writeTensorFile, type NamedTensor } from '../../nn/tensor-file.js';
import { getSpace } from '../../spaces/registry.js';
import type { SearchSpace } from '../../spaces/types.js';
import { PREDICTOR_MANIFEST } from '../persistence.js';
import type { FitQuality } from '../trust.js';
import { resolveNasflatConfig, type NasflatConfig } from './config.js';
import { paramShapes } from './model.js';
import type { Readout } from './readout.js';
import type { Calibration } from './training.js';

export const NASFLAT_FORMAT = 'hwnas-nasflat';
/** 3: calibrations and readouts in ln ms, with log bounds and fit quality (1 and 2 calibrated in ms; no longer read). */
export const NASFLAT_FORMAT_VERSION = 3;
const READABLE_VERSIONS = [3];
/** The saved source-device scores of every arch of an enumerable space (rows in `space.enumerate()` order). */
export const SOURCE_SCORE_TENSOR = 'cache/sourceScores';
const WEIGHTS_FILE = 'weights.bin';

/** A fine-tuned copy of the network for one target device (its device tables have one row). */
export interface TargetState {
  params: Parameters;
  /** Score → ln ms line through the few measurements (what predictions use without a readout). */
  calibration: Calibration;
  /** The selected few-shot readout (config `readout: select`); predictions use it when present. */
  readout?: Readout;
  quality: FitQuality;
  initialisedFrom?: string;
  initialisationRho?: number;
}

/** What a pretrained (and possibly adapted) predictor learned. */
export interface LearnedState {
  sources: string[];
  pretrained: Parameters;
  sourceCalibration: Map<string, Calibration>;
  supplementaryStats: { mean: number[]; std: number[] };
  targets: Map<string, TargetState>;
}

/** What `readNasflat` restores: the predictor's settings and its learned state. */
export interface SavedNasflat {
  space: SearchSpace;
  config: NasflatConfig;
  seed: number;
  state: LearnedState;
  /** The source-score table when one was saved ([archs of the space, sources]). */
  sourceScores?: NamedTensor;
}

type SavedTarget = Omit<TargetState, 'params' | 'readout' | 'initialisedFrom' | 'initialisationRho'> & {
  readout: Readout | null;
  initialisedFrom: string | null;
  initialisationRho: number | null;
};

/** Write `<dir>/predictor.json` and `<dir>/weights.bin`. */
export function writeNasflat(
  dir: string,
  settings: { space: SearchSpace; config: NasflatConfig; seed: number; extraSupplementary: boolean },
  state: LearnedState,
  sourceScores?: NamedTensor,
): void {
  const tensors = [...state.pretrained.toTensors('pretrained')];
  for (const [device, target] of state.targets) tensors.push(...target.params.toTensors(`target:${device}`));
  if (sourceScores !== undefined) tensors.push(sourceScores);
  const targets = [...state.targets].map(([device, s]): [string, SavedTarget] => [
    device,
    {
      calibration: s.calibration,
      readout: s.readout ?? null,
      initialisedFrom: s.initialisedFrom ?? null,
      initialisationRho: s.initialisationRho ?? null,
      quality: s.quality,
    },
  ]);
  const header = {
    format: NASFLAT_FORMAT,
    version: NASFLAT_FORMAT_VERSION,
    kind: 'nasflat',
    space: settings.space.name,
    opVocabulary: [...settings.space.opVocabulary],
    seed: settings.seed,
    config: settings.config,
    sources: state.sources,
    sourceCalibration: Object.fromEntries(state.sourceCalibration),
    supplementary: { builtin: settings.config.supplementary, extra: settings.extraSupplementary, ...state.supplementaryStats },
    targets: Object.fromEntries(targets),
  };
  writeTensorFile(path.join(dir, PREDICTOR_MANIFEST), header, tensors, WEIGHTS_FILE);
}

/**
 * Read what `writeNasflat` wrote, every network checked against the shapes its config implies.
 * @throws DataFileError for another format/version, a different op vocabulary, a missing or misshapen tensor, or a
 *   predictor saved with extra supplementary columns when `hasExtraProvider` is false
 */
export function readNasflat(dir: string, hasExtraProvider: boolean): SavedNasflat {
  const file = readTensorFile(path.join(dir, PREDICTOR_MANIFEST), NASFLAT_FORMAT, READABLE_VERSIONS);
  const header = file.header;
  const space = getSpace(String(header.space));
  if (JSON.stringify(header.opVocabulary) !== JSON.stringify(space.opVocabulary))
    throw new DataFileError(file.file, 0, `op vocabulary differs from space '${space.name}' (saved by another hwnas version?)`);
  const supplementary = header.supplementary as { extra: boolean; mean: number[]; std: number[] };
  if (supplementary.extra && !hasExtraProvider)
    throw new HwnasError(`${file.file}: saved with extra supplementary encodings; pass the same provider to load it`);
  const config = resolveNasflatConfig(header.config as Record<string, unknown>, file.file);
  const sources = header.sources as string[];
  const vocabulary = space.opVocabulary.length;
  const width = supplementary.mean.length;
  const pretrained = Parameters.read(file, paramShapes(config, vocabulary, sources.length, width), 'pretrained');
  const targets = new Map<string, TargetState>();
  for (const [device, saved] of Object.entries(header.targets as Record<string, SavedTarget>)) {
    targets.set(device, {
      params: Parameters.read(file, paramShapes(config, vocabulary, 1, width), `target:${device}`),
      calibration: saved.calibration,
      readout: saved.readout ?? undefined,
      initialisedFrom: saved.initialisedFrom ?? undefined,
      initialisationRho: saved.initialisationRho ?? undefined,
      quality: saved.quality,
    });
  }
  return {
    space,
    config,
    seed: Number(header.seed),
    state: {
      sources,
      pretrained,
      sourceCalibration: new Map(Object.entries(header.sourceCalibration as Record<string, Calibration>)),
      supplementaryStats: { mean: supplementary.mean, std: supplementary.std },
      targets,
    },
    sourceScores: file.has(SOURCE_SCORE_TENSOR) ? file.get(SOURCE_SCORE_TENSOR) : undefined,
  };
}
