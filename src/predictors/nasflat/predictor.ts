// The NASFLAT latency predictor: pretraining on source devices with a pairwise ranking loss, few-shot transfer to a
// target initialised from the best-correlated source, calibration of scores to ln ms (so predictions are positive),
// the fit quality trust.ts reads, and save/load.
import * as tf from '@tensorflow/tfjs';
import { HwnasError, UnknownNameError, UsageError } from '../../core/errors.js';
import { loadZcpTable, type ZcpTable } from '../../data/zcp.js';
import { startProgress } from '../../core/log.js';
import { spearman } from '../../core/metrics.js';
import { Rng } from '../../core/rng.js';
import { getSpace } from '../../spaces/registry.js';
import type { SearchSpace } from '../../spaces/types.js';
import { fitIncreasingLine } from '../baselines/linalg.js';
import { checkMeasurements } from '../measurements.js';
import { loadTensors, saveTensors, type NamedTensor } from '../persistence.js';
import { logBounds, msFromLog, qualityOf, splitDistrusted, type FitQuality, type LogBounds } from '../trust.js';
import type { AdaptReport, DeviceLatencies, FitOptions, Measurements, TransferablePredictor } from '../types.js';
import { resolveNasflatConfig, type NasflatConfig } from './config.js';
import {
  builtinSupplementary,
  columnStats,
  costColumnNames,
  costRow,
  IDLE_OPS,
  NON_SKIP_COLUMN,
  encodeGraphs,
  makeBatch,
  standardise,
  type EncodedGraphs,
} from './inputs.js';
import { AdamW, cosineRate, forward, hingeRankLoss, initParams, paramShapes, type Params } from './model.js';
import {
  applyReadout,
  readoutColumns,
  readoutSpread,
  selectReadout,
  type BasisColumns,
  type Readout,
  type ReadoutCandidate,
} from './readout.js';

export const NASFLAT_FORMAT = 'hwnas-nasflat';
/** 3: calibrations and readouts in ln ms, with log bounds and fit quality (1 and 2 calibrated in ms; no longer read). */
export const NASFLAT_FORMAT_VERSION = 3;
const READABLE_VERSIONS = [3];
/** The zero-shot proxies a readout may be centred on (ln FLOPs, ln params, ops that are not `none` or a skip). */
const PRIOR_COLUMNS = ['flops', 'params', NON_SKIP_COLUMN];
/** Basis column of the fine-tuned target score in a readout. */
const TARGET_COLUMN = 'nasflat';
/** Archs per inference batch: large enough to amortise per-op overhead, small enough for memory. */
const PREDICT_BATCH = 4096;
/** The saved source-device scores of every arch of an enumerable space (rows in `space.enumerate()` order). */
const SOURCE_SCORE_TENSOR = 'cache/sourceScores';

/** Score → ln ms line of one device, and the ln-ms range its predictions are kept in. */
interface Calibration {
  slope: number;
  intercept: number;
  bounds: LogBounds;
}

/** Robust increasing score → ln ms line through measured latencies. */
function calibrate(scores: ArrayLike<number>, latencyMs: readonly number[]): Calibration {
  return { ...fitIncreasingLine(scores, latencyMs.map(Math.log)), bounds: logBounds(latencyMs) };
}

function calibrated(calibration: Calibration, score: number): number {
  return msFromLog(calibration.slope * score + calibration.intercept, calibration.bounds);
}

/** A fine-tuned copy of the network for one target device (its device tables have one row). */
interface TargetState {
  params: Params;
  /** Score → ln ms line through the few measurements (what predictions use without a readout). */
  calibration: Calibration;
  /** The selected few-shot readout (config `readout: select`); predictions use it when present. */
  readout?: Readout;
  quality: FitQuality;
  initialisedFrom?: string;
  initialisationRho?: number;
}

/** Supplementary encodings of archs beyond the built-ins, e.g. an encodings/ Encoder's matrix (row-major). */
export type SupplementaryProvider = (archs: readonly string[]) => { width: number; values: Float32Array };

/** Construction options besides the NASFLAT config. */
export interface NasflatOptions {
  seed: number;
  /** Extra supplementary columns; must be passed again when loading a predictor saved with them. */
  extraSupplementary?: SupplementaryProvider;
  /** Show a progress bar while pretraining (CLI use). */
  progress?: boolean;
}

/** NASFLAT (Akhauri & Abdelfattah, MLSys 2024) for one search space. */
export class NasflatPredictor implements TransferablePredictor {
  readonly kind = 'nasflat';
  private sources: string[] = [];
  private pretrained?: Params;
  private sourceCalibration = new Map<string, Calibration>();
  private readonly targets = new Map<string, TargetState>();
  private supplementaryStats?: { mean: number[]; std: number[] };
  // Canonicalising and computing layer costs take longer than the network on wasm, and the transfer harness and the
  // search predict the same archs again and again: both are memoised per arch.
  private readonly canonicalCache = new Map<string, string>();
  private readonly builtinCache = new Map<string, Float32Array>();
  private readonly costCache = new Map<string, Float64Array>();
  private readonly sourceScoreCache = new Map<string, Float64Array>();
  private zcpTable?: ZcpTable;

  constructor(
    readonly space: SearchSpace,
    readonly config: NasflatConfig,
    private readonly options: NasflatOptions,
  ) {}

  devices(): string[] {
    return [...new Set([...this.sources, ...this.targets.keys()])];
  }

  sourceDevices(): string[] {
    return [...this.sources];
  }

  /** Pretrain on all `sources`: per-device min–max scaled latency, pairwise hinge loss, AdamW with cosine decay. */
  async pretrain(sources: readonly DeviceLatencies[], options: { seed?: number } = {}): Promise<void> {
    if (sources.length === 0) throw new HwnasError('nasflat: pretraining needs at least one source device');
    const seed = options.seed ?? this.options.seed;
    const archs: string[] = [];
    const deviceRows: number[] = [];
    const targets: number[] = [];
    const perDevice: { rows: number[]; latencyMs: number[] }[] = [];
    sources.forEach((source, d) => {
      checkMeasurements('nasflat', source.device, source);
      const picked = Rng.derive(seed, 'nasflat-pretrain-archs', source.device).sample(
        Array.from({ length: source.archs.length }, (_, i) => i),
        Math.min(this.config.archsPerDevice, source.archs.length),
      );
      const latencyMs = picked.map((i) => source.latencyMs[i]);
      const scaled = minMaxScale(latencyMs);
      const rows: number[] = [];
      picked.forEach((i, k) => {
        rows.push(archs.length);
        archs.push(this.space.canonical(source.archs[i]));
        deviceRows.push(d);
        targets.push(scaled[k]);
      });
      perDevice.push({ rows, latencyMs });
    });
    const graphs = encodeGraphs(this.space, archs);
    const rawSupplementary = this.rawSupplementary(archs);
    this.supplementaryStats = columnStats(rawSupplementary.values, rawSupplementary.width);
    const supplementary = { width: rawSupplementary.width, values: standardise(rawSupplementary.values, this.supplementaryStats) };

    this.disposeAll();
    this.sources = sources.map((s) => s.device);
    const rng = Rng.derive(seed, 'nasflat-pretrain');
    this.pretrained = initParams(
      paramShapes(this.config, this.space.opVocabulary.length, sources.length, supplementary.width),
      rng.child('init'),
    );
    const progress = startProgress('pretrain', this.config.epochs, { enabled: this.options.progress === true, fields: ['loss'] });
    train(this.pretrained, this.config, graphs, supplementary, deviceRows, targets, {
      epochs: this.config.epochs,
      batchSize: this.config.batchSize,
      learningRate: this.config.learningRate,
      rng: rng.child('shuffle'),
      onEpoch: (loss) => progress.tick(1, { loss: loss.toFixed(4) }),
    });
    progress.stop();
    const scores = runNetwork(this.pretrained, this.config, graphs, supplementary, deviceRows);
    perDevice.forEach(({ rows, latencyMs }, d) => {
      this.sourceCalibration.set(
        this.sources[d],
        calibrate(
          rows.map((r) => scores[r]),
          latencyMs,
        ),
      );
    });
    const tabled = this.tabledArchs();
    if (tabled !== undefined) this.cacheSourceScores(tabled);
  }

  /** Few-shot transfer (what `fit` does). */
  async fit(device: string, measurements: Measurements, options: FitOptions = {}): Promise<void> {
    await this.adapt(device, measurements, options);
  }

  /**
   * Copy the pretrained network for `target`, with its hardware embedding and hardware-specific op embeddings taken
   * from the source whose predicted latencies rank the few archs best, fine-tune every weight on the few
   * measurements, and calibrate scores to ln ms by an increasing line through them (and, with `readout: select`,
   * choose the readout).
   */
  async adapt(target: string, few: Measurements, options: FitOptions = {}): Promise<AdaptReport> {
    const started = performance.now();
    const pretrained = this.requirePretrained();
    checkMeasurements('nasflat', target, few);
    const seed = options.seed ?? this.options.seed;
    const measuredArchs = this.canonical(few.archs);
    const measuredMs = Array.from(few.latencyMs);
    // Measurements a robust trend contradicts (on ln FLOPs or the pretrained network's score on a source device) are
    // left out of the fine-tuning and the readout, and reported.
    const proxyColumns = ['flops', ...this.sources.map((d) => `source:${d}`)];
    const proxies = this.readoutBasis(undefined, measuredArchs, new Set(proxyColumns));
    const confirmed = new Set(this.canonical(options.confirmed ?? []));
    const split = this.config.distrust
      ? splitDistrusted(
          this.space,
          measuredArchs,
          measuredMs,
          proxyColumns.map((c) => proxies.get(c)!),
          confirmed,
        )
      : { kept: measuredArchs.map((_, i) => i), distrusted: [] };
    const archs = split.kept.map((i) => measuredArchs[i]);
    const latencyMs = split.kept.map((i) => measuredMs[i]);
    const graphs = encodeGraphs(this.space, archs);
    const supplementary = this.supplementary(archs);

    let initialisedFrom: string | undefined;
    let initialisationRho: number | undefined;
    let sourceRows: number[];
    if (this.config.hwInit) {
      const rhos = this.sources.map((_, d) =>
        spearman(
          runNetwork(
            pretrained,
            this.config,
            graphs,
            supplementary,
            archs.map(() => d),
          ),
          latencyMs,
        ),
      );
      const best = rhos.reduce((bestSoFar, rho, d) => (rho > rhos[bestSoFar] ? d : bestSoFar), 0);
      initialisedFrom = this.sources[best];
      initialisationRho = rhos[best];
      sourceRows = [best];
    } else {
      sourceRows = this.sources.map((_, d) => d);
    }
    const fineTune = (
      rows: readonly number[],
      rng: Rng,
    ): { params: Params; graphs: EncodedGraphs; supplementary: { width: number; values: Float32Array } } => {
      const subset = rows.map((r) => archs[r]);
      const subGraphs = rows.length === archs.length ? graphs : encodeGraphs(this.space, subset);
      const subSupplementary = rows.length === archs.length ? supplementary : this.supplementary(subset);
      const tuned = cloneForDevice(pretrained, sourceRows);
      train(
        tuned,
        this.config,
        subGraphs,
        subSupplementary,
        subset.map(() => 0),
        minMaxScale(rows.map((r) => latencyMs[r])),
        {
          epochs: this.config.transferEpochs,
          batchSize: this.config.transferBatchSize,
          learningRate: this.config.transferLearningRate,
          rng,
        },
      );
      return { params: tuned, graphs: subGraphs, supplementary: subSupplementary };
    };
    const all = archs.map((_, i) => i);
    const { params } = fineTune(all, Rng.derive(seed, 'nasflat-adapt', target));
    const scores = runNetwork(
      params,
      this.config,
      graphs,
      supplementary,
      archs.map(() => 0),
    );
    let readout: Readout | undefined;
    if (this.config.readout === 'select') {
      const candidates = this.readoutCandidates();
      const columns = new Set([...candidates.flatMap((c) => c.columns), ...PRIOR_COLUMNS]);
      // The readout is chosen by leave-one-out error, so the fine-tuned score must be an out-of-sample prediction
      // for every measurement: cross-fitted over folds, each fine-tuned without its fold (the network fine-tuned on
      // all of them fits them far better than it predicts new archs).
      // Below 3 measurements nothing is left out and the readout is the score through a regularised line.
      const targetColumn =
        columns.has(TARGET_COLUMN) && archs.length >= 3
          ? this.crossFittedScores(archs, all, fineTune, Rng.derive(seed, 'nasflat-adapt-folds', target))
          : scores;
      const basis = this.readoutBasis(targetColumn, archs, columns);
      // The zero-shot proxies are cost bases: an ablation without `cost` has none.
      const proxyColumns = this.config.readoutBases.includes('cost') ? PRIOR_COLUMNS : [];
      readout = selectReadout(candidates, basis, latencyMs.map(Math.log), this.config.readoutRule, {
        columns: proxyColumns,
        centre: this.config.readoutPrior,
      });
    }
    const calibration = calibrate(scores, latencyMs);
    // Out-of-sample predictions of the measurements: the readout's leave-one-out ones; without a readout, the
    // calibration line refitted without each row (on in-sample scores, so somewhat optimistic).
    const looMs =
      readout !== undefined
        ? readout.looLog.map((v) => msFromLog(v, calibration.bounds))
        : archs.map((_, i) => {
            const keep = all.filter((k) => k !== i);
            return archs.length < 3
              ? latencyMs[archs.length - 1 - i]
              : calibrated(
                  {
                    ...calibrate(
                      keep.map((k) => scores[k]),
                      keep.map((k) => latencyMs[k]),
                    ),
                    bounds: calibration.bounds,
                  },
                  scores[i],
                );
          });
    this.targets.get(target)?.params.forEach((v) => v.dispose());
    const state: TargetState = {
      params,
      calibration,
      readout,
      initialisedFrom,
      initialisationRho,
      quality: qualityOf(measuredArchs, measuredMs, { kept: split.kept, distrusted: [] }, looMs, []),
    };
    this.targets.set(target, state);
    // What the other rows imply for a distrusted row is the adapted target's own prediction of it.
    const implied =
      split.distrusted.length === 0
        ? []
        : await this.predict(
            target,
            split.distrusted.map((i) => measuredArchs[i]),
          );
    state.quality = qualityOf(measuredArchs, measuredMs, split, looMs, implied);
    return {
      initialisedFrom,
      initialisationRho,
      readout: readout?.members.map((m) => ({ name: m.name, share: m.share })),
      elapsedMs: performance.now() - started,
    };
  }

  async score(device: string, archs: readonly string[]): Promise<Float64Array> {
    return this.scoreAndCalibration(device, archs).scores;
  }

  fitQuality(device: string): FitQuality | undefined {
    return this.targets.get(device)?.quality;
  }

  /**
   * Predicted latency in ms (always finite and > 0): an adapted target's readout, else the score through the device's
   * calibration line (then in the order of `score`).
   */
  async predict(device: string, archs: readonly string[]): Promise<Float64Array> {
    const target = this.targets.get(device);
    if (target?.readout !== undefined) {
      const logMs = applyReadout(target.readout, this.targetBasis(target, archs), archs.length);
      return logMs.map((v) => msFromLog(v, target.calibration.bounds));
    }
    const { scores, calibration } = this.scoreAndCalibration(device, archs);
    return scores.map((s) => calibrated(calibration, s));
  }

  /** How much the readout's members disagree about each arch (ln ms); undefined without a readout. */
  async uncertainty(device: string, archs: readonly string[]): Promise<Float64Array | undefined> {
    const target = this.targets.get(device);
    if (target?.readout === undefined) return undefined;
    return readoutSpread(target.readout, this.targetBasis(target, archs), archs.length);
  }

  /** The basis columns an adapted target's readout reads, for `archs`. */
  private targetBasis(target: TargetState, archs: readonly string[]): BasisColumns {
    const canonical = this.canonical(archs);
    const columns = new Set(readoutColumns(target.readout!));
    // Computed even when the readout reads no network score, so an arch the predictor cannot encode (e.g. one
    // missing from its zcpTable) is rejected whatever the readout.
    const supplementary = this.supplementary(canonical);
    const scores = columns.has(TARGET_COLUMN)
      ? runNetwork(
          target.params,
          this.config,
          encodeGraphs(this.space, canonical),
          supplementary,
          canonical.map(() => 0),
        )
      : undefined;
    return this.readoutBasis(scores, canonical, columns);
  }

  /** Scores of each few arch by a copy fine-tuned on the other folds (`readoutFolds` folds, at most one per arch). */
  private crossFittedScores(
    archs: readonly string[],
    all: readonly number[],
    fineTune: (rows: readonly number[], rng: Rng) => { params: Params },
    rng: Rng,
  ): Float64Array {
    const folds = Math.min(this.config.readoutFolds, archs.length);
    const order = rng.shuffle(all);
    const scores = new Float64Array(archs.length);
    for (let k = 0; k < folds; k++) {
      const held = order.filter((_, i) => i % folds === k);
      const heldSet = new Set(held);
      const { params } = fineTune(
        all.filter((r) => !heldSet.has(r)),
        rng.child('fold', k),
      );
      const heldArchs = held.map((r) => archs[r]);
      const predicted = runNetwork(
        params,
        this.config,
        encodeGraphs(this.space, heldArchs),
        this.supplementary(heldArchs),
        held.map(() => 0),
      );
      held.forEach((r, i) => (scores[r] = predicted[i]));
      params.forEach((v) => v.dispose());
    }
    return scores;
  }

  /** How the target `device` was initialised and read out (undefined for a source or unknown device). */
  adaptation(device: string): { initialisedFrom?: string; initialisationRho?: number; readout?: Readout } | undefined {
    const state = this.targets.get(device);
    return state === undefined
      ? undefined
      : { initialisedFrom: state.initialisedFrom, initialisationRho: state.initialisationRho, readout: state.readout };
  }

  /**
   * The readouts `select` chooses among: the fine-tuned score alone and joined with the source-device scores or the
   * cost features; the cost features, FLOPs, all source scores, and each source's score alone, without it.
   */
  private readoutCandidates(): ReadoutCandidate[] {
    const bases = new Set(this.config.readoutBases);
    const sources = bases.has('sources') ? this.sources.map((d) => `source:${d}`) : [];
    const cost = bases.has('cost') ? costColumnNames(this.space) : [];
    const target = bases.has('nasflat') ? [TARGET_COLUMN] : [];
    // The fine-tuned score, every source score and FLOPs are latency predictions: alone, or the score beside other
    // columns, they may only enter increasingly.
    const candidates: ReadoutCandidate[] = [
      { name: TARGET_COLUMN, columns: target, increasing: target },
      {
        name: `${TARGET_COLUMN}+flops`,
        columns: target.length > 0 && cost.length > 0 ? [...target, 'flops'] : [],
        increasing: [TARGET_COLUMN, 'flops'],
      },
      { name: `${TARGET_COLUMN}+cost`, columns: target.length > 0 && cost.length > 0 ? [...target, ...cost] : [], increasing: target },
      {
        name: `${TARGET_COLUMN}+sources`,
        columns: target.length > 0 && sources.length > 0 ? [...target, ...sources] : [],
        increasing: target,
      },
      { name: 'cost', columns: cost },
      { name: 'flops', columns: cost.length > 0 ? ['flops'] : [], increasing: ['flops'] },
      { name: 'sources', columns: sources },
      ...sources.map((column) => ({ name: column, columns: [column], increasing: [column] })),
    ];
    return candidates.filter((c) => c.columns.length > 0);
  }

  /** Compute (once per arch, for every source at once) the pretrained network's source-device scores of `archs`. */
  private cacheSourceScores(archs: readonly string[]): void {
    const missing = [...new Set(archs.filter((a) => !this.sourceScoreCache.has(a)))];
    if (missing.length === 0) return;
    const pretrained = this.requirePretrained();
    const missingGraphs = encodeGraphs(this.space, missing);
    const missingSupplementary = this.supplementary(missing);
    const perSource = this.sources.map((_, row) =>
      runNetwork(
        pretrained,
        this.config,
        missingGraphs,
        missingSupplementary,
        missing.map(() => row),
      ),
    );
    missing.forEach((arch, i) =>
      this.sourceScoreCache.set(
        arch,
        Float64Array.from(perSource, (scores) => scores[i]),
      ),
    );
  }

  /**
   * Every arch of the space, when its source-score table is kept (see `sourceScoreTable`); else undefined. Not with
   * a ZCP table or extra supplementary inputs, which need not cover every arch of the space.
   */
  private tabledArchs(): string[] | undefined {
    const usesSources = this.config.readout === 'select' && this.config.readoutBases.includes('sources');
    const ownInputsOnly = this.config.zcpTable === undefined && this.options.extraSupplementary === undefined;
    if (!usesSources || !ownInputsOnly || this.space.enumerate === undefined || this.space.size > this.config.sourceScoreTable)
      return undefined;
    return this.space.enumerate();
  }

  /** The basis columns named in `columns` for encoded archs (`targetScores` = the fine-tuned network's scores). */
  private readoutBasis(targetScores: Float64Array | undefined, archs: readonly string[], columns: ReadonlySet<string>): BasisColumns {
    const basis: BasisColumns = new Map();
    if (targetScores !== undefined) basis.set(TARGET_COLUMN, targetScores);
    const wanted = this.sources.map((device, row) => ({ column: `source:${device}`, row })).filter((s) => columns.has(s.column));
    if (wanted.length > 0) {
      // A source's score of an arch never changes after pretraining, and the transfer harness and the search ask
      // for the same archs for every target: computed once per arch, for every source at once.
      this.cacheSourceScores(archs);
      for (const { column, row } of wanted)
        basis.set(
          column,
          Float64Array.from(archs, (a) => this.sourceScoreCache.get(a)![row]),
        );
    }
    const names = costColumnNames(this.space);
    if (columns.has(NON_SKIP_COLUMN) || names.some((c) => columns.has(c))) {
      const rows = archs.map((arch) => {
        let row = this.costCache.get(arch);
        if (row === undefined) {
          row = costRow(this.space, arch);
          this.costCache.set(arch, row);
        }
        return row;
      });
      // The readout fits ln ms: FLOPs and params enter as logs (a power law), counts and flags as they are.
      const logged = new Set(['flops', 'params']);
      names.forEach((name, j) =>
        basis.set(
          name,
          Float64Array.from(rows, (row) => (logged.has(name) ? Math.log(row[j]) : row[j])),
        ),
      );
      // The ops that do work, from the memoised op counts (`nonSkipOps` without rebuilding each op graph).
      const working = names.flatMap((name, j) => (name.startsWith('count:') && !IDLE_OPS.includes(name.slice('count:'.length)) ? [j] : []));
      basis.set(
        NON_SKIP_COLUMN,
        Float64Array.from(rows, (row) => working.reduce((sum, j) => sum + row[j], 0)),
      );
    }
    return basis;
  }

  private scoreAndCalibration(device: string, archs: readonly string[]): { scores: Float64Array; calibration: Calibration } {
    const target = this.targets.get(device);
    const sourceRow = this.sources.indexOf(device);
    if (target === undefined && sourceRow < 0) throw new UnknownNameError('device', device, this.devices());
    const canonical = this.canonical(archs);
    const graphs = encodeGraphs(this.space, canonical);
    const supplementary = this.supplementary(canonical);
    if (target !== undefined)
      return {
        scores: runNetwork(
          target.params,
          this.config,
          graphs,
          supplementary,
          canonical.map(() => 0),
        ),
        calibration: target.calibration,
      };
    const params = this.requirePretrained();
    return {
      scores: runNetwork(
        params,
        this.config,
        graphs,
        supplementary,
        canonical.map(() => sourceRow),
      ),
      calibration: this.sourceCalibration.get(device)!,
    };
  }

  /** Write `predictor.json` (config, devices, normalisation, op vocabulary, calibration) and `weights.bin`. */
  async save(dir: string): Promise<void> {
    const pretrained = this.requirePretrained();
    const tensors: NamedTensor[] = [...paramTensors('pretrained', pretrained)];
    for (const [device, state] of this.targets) tensors.push(...paramTensors(`target:${device}`, state.params));
    const tabled = this.tabledArchs();
    if (tabled !== undefined && tabled.every((a) => this.sourceScoreCache.has(a))) {
      const values = new Float32Array(tabled.length * this.sources.length);
      tabled.forEach((arch, i) => values.set(this.sourceScoreCache.get(arch)!, i * this.sources.length));
      tensors.push({ name: SOURCE_SCORE_TENSOR, shape: [tabled.length, this.sources.length], values });
    }
    saveTensors(
      dir,
      {
        format: NASFLAT_FORMAT,
        version: NASFLAT_FORMAT_VERSION,
        kind: this.kind,
        space: this.space.name,
        opVocabulary: [...this.space.opVocabulary],
        seed: this.options.seed,
        config: this.config,
        sources: this.sources,
        sourceCalibration: Object.fromEntries(this.sourceCalibration),
        supplementary: {
          builtin: this.config.supplementary,
          extra: this.options.extraSupplementary !== undefined,
          ...this.supplementaryStats,
        },
        targets: Object.fromEntries(
          [...this.targets].map(([d, s]) => [
            d,
            {
              calibration: s.calibration,
              readout: s.readout ?? null,
              initialisedFrom: s.initialisedFrom ?? null,
              initialisationRho: s.initialisationRho ?? null,
              quality: s.quality,
            },
          ]),
        ),
      },
      tensors,
    );
  }

  /**
   * Restore a predictor written by `save`.
   * @throws DataFileError for another format/version, a different op vocabulary, or a missing extra supplementary provider
   */
  static async load(dir: string, options: Omit<NasflatOptions, 'seed'> = {}): Promise<NasflatPredictor> {
    const { header, tensors } = loadTensors(dir, NASFLAT_FORMAT, READABLE_VERSIONS);
    const space = getSpace(String(header.space));
    const file = `${dir}/predictor.json`;
    if (JSON.stringify(header.opVocabulary) !== JSON.stringify(space.opVocabulary)) {
      throw new HwnasError(`${file}: op vocabulary differs from space '${space.name}' (saved by another hwnas version?)`);
    }
    const supplementary = header.supplementary as { extra: boolean; mean: number[]; std: number[] };
    if (supplementary.extra && options.extraSupplementary === undefined)
      throw new HwnasError(`${file}: saved with extra supplementary encodings; pass the same provider to load it`);
    const predictor = new NasflatPredictor(space, resolveNasflatConfig(header.config as Record<string, unknown>, file), {
      ...options,
      seed: Number(header.seed),
    });
    predictor.sources = header.sources as string[];
    predictor.supplementaryStats = { mean: supplementary.mean, std: supplementary.std };
    predictor.pretrained = paramsFrom(tensors, 'pretrained');
    predictor.sourceCalibration = new Map(Object.entries(header.sourceCalibration as Record<string, Calibration>));
    const table = tensors.get(SOURCE_SCORE_TENSOR);
    const tabled = table === undefined ? undefined : predictor.tabledArchs();
    if (table !== undefined && tabled !== undefined) {
      const width = predictor.sources.length;
      if (table.shape[0] !== tabled.length || table.shape[1] !== width) {
        throw new HwnasError(`${file}: source-score table is ${table.shape.join('×')}, expected ${tabled.length}×${width}`);
      }
      tabled.forEach((arch, i) =>
        predictor.sourceScoreCache.set(arch, Float64Array.from(table.values.subarray(i * width, (i + 1) * width))),
      );
    }
    type SavedTarget = {
      calibration: Calibration;
      readout?: Readout | null;
      initialisedFrom: string | null;
      initialisationRho: number | null;
      quality: FitQuality;
    };
    for (const [device, saved] of Object.entries(header.targets as Record<string, SavedTarget>)) {
      predictor.targets.set(device, {
        params: paramsFrom(tensors, `target:${device}`),
        calibration: saved.calibration,
        readout: saved.readout ?? undefined,
        initialisedFrom: saved.initialisedFrom ?? undefined,
        initialisationRho: saved.initialisationRho ?? undefined,
        quality: saved.quality,
      });
    }
    return predictor;
  }

  /** Free every weight tensor (the predictor is unusable afterwards). */
  dispose(): void {
    this.disposeAll();
  }

  private disposeAll(): void {
    this.pretrained?.forEach((v) => v.dispose());
    for (const state of this.targets.values()) state.params.forEach((v) => v.dispose());
    this.pretrained = undefined;
    this.targets.clear();
    this.sourceScoreCache.clear();
    this.sourceCalibration.clear();
  }

  private requirePretrained(): Params {
    if (this.pretrained === undefined) throw new HwnasError('nasflat: the predictor has not been pretrained on any source device');
    return this.pretrained;
  }

  private canonical(archs: readonly string[]): string[] {
    return archs.map((arch) => {
      let canonical = this.canonicalCache.get(arch);
      if (canonical === undefined) {
        canonical = this.space.canonical(arch);
        this.canonicalCache.set(arch, canonical);
      }
      return canonical;
    });
  }

  private rawSupplementary(archs: readonly string[]): { width: number; values: Float32Array } {
    const missing = [...new Set(archs.filter((a) => !this.builtinCache.has(a)))];
    const computed = builtinSupplementary(this.space, this.config.supplementary, missing);
    missing.forEach((arch, i) => {
      const own = computed.values.slice(i * computed.width, (i + 1) * computed.width);
      const zcp = this.zcpRow(arch);
      this.builtinCache.set(arch, zcp === undefined ? own : Float32Array.from([...own, ...zcp]));
    });
    const builtinWidth = archs.length === 0 ? 0 : this.builtinCache.get(archs[0])!.length;
    const builtin = { width: builtinWidth, values: new Float32Array(archs.length * builtinWidth) };
    archs.forEach((arch, i) => builtin.values.set(this.builtinCache.get(arch)!, i * builtinWidth));
    const extra = this.options.extraSupplementary?.(archs);
    if (extra === undefined || extra.width === 0) return builtin;
    const width = builtin.width + extra.width;
    const values = new Float32Array(archs.length * width);
    for (let r = 0; r < archs.length; r++) {
      values.set(builtin.values.subarray(r * builtin.width, (r + 1) * builtin.width), r * width);
      values.set(extra.values.subarray(r * extra.width, (r + 1) * extra.width), r * width + builtin.width);
    }
    return { width, values };
  }

  /** The signed-log ZCP row of `config.zcpTable` for an arch (missing cells 0); undefined without a table. */
  private zcpRow(arch: string): Float32Array | undefined {
    const source = this.config.zcpTable;
    if (source === undefined) return undefined;
    this.zcpTable ??= loadZcpTable(source.file, { dataset: source.dataset, canonical: (a) => this.space.canonical(a) });
    const table = this.zcpTable;
    const proxies = source.proxies ?? table.proxies;
    const absent = proxies.filter((p) => !table.proxies.includes(p));
    if (absent.length > 0)
      throw new UsageError(`nasflat zcpTable ${source.file} has no ${absent.join(', ')} column (it has ${table.proxies.join(', ')})`);
    const row = table.get(arch);
    if (row === undefined)
      throw new UsageError(`nasflat zcpTable ${source.file} has no row for arch ${arch}: it must cover every arch the predictor sees`);
    return Float32Array.from(proxies, (p) => {
      const v = row[table.proxies.indexOf(p)];
      return Number.isFinite(v) ? Math.sign(v) * Math.log1p(Math.abs(v)) : 0;
    });
  }

  private supplementary(archs: readonly string[]): { width: number; values: Float32Array } {
    const raw = this.rawSupplementary(archs);
    return { width: raw.width, values: standardise(raw.values, this.supplementaryStats!) };
  }
}

function minMaxScale(values: readonly number[]): number[] {
  const lo = Math.min(...values);
  const span = Math.max(...values) - lo || 1;
  return values.map((v) => (v - lo) / span);
}

interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  rng: Rng;
  onEpoch?: (meanLoss: number) => void;
}

/** Minimise the hinge ranking loss over rows (archs with their device rows and scaled targets) in shuffled batches. */
function train(
  params: Params,
  config: NasflatConfig,
  graphs: EncodedGraphs,
  supplementary: { width: number; values: Float32Array },
  deviceRows: readonly number[],
  targets: readonly number[],
  settings: TrainSettings,
): void {
  const n = targets.length;
  const batchesPerEpoch = Math.ceil(n / settings.batchSize);
  const totalSteps = settings.epochs * batchesPerEpoch;
  const optimizer = new AdamW(params, config.weightDecay);
  const order = Array.from({ length: n }, (_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const shuffled = settings.rng.child('epoch', epoch).shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < n; start += settings.batchSize) {
      const rows = shuffled.slice(start, start + settings.batchSize);
      const rate = cosineRate(settings.learningRate, step++, totalSteps);
      lossSum += tf.tidy(() => {
        const batch = makeBatch(
          graphs,
          supplementary,
          rows,
          rows.map((r) => deviceRows[r]),
          deviceCount(params),
        );
        const y = tf.tensor1d(rows.map((r) => targets[r]));
        return optimizer.minimize(() => hingeRankLoss(forward(params, config, batch), y, batch.device, config.margin), rate);
      });
    }
    settings.onEpoch?.(lossSum / batchesPerEpoch);
  }
  optimizer.dispose();
}

/** Scores of all encoded archs, each on its device row, in large batches. */
function runNetwork(
  params: Params,
  config: NasflatConfig,
  graphs: EncodedGraphs,
  supplementary: { width: number; values: Float32Array },
  deviceRows: readonly number[],
): Float64Array {
  const out = new Float64Array(graphs.n);
  for (let start = 0; start < graphs.n; start += PREDICT_BATCH) {
    const rows = Array.from({ length: Math.min(PREDICT_BATCH, graphs.n - start) }, (_, i) => start + i);
    const scores = tf.tidy(() =>
      forward(
        params,
        config,
        makeBatch(
          graphs,
          supplementary,
          rows,
          rows.map((r) => deviceRows[r]),
          deviceCount(params),
        ),
      ).dataSync(),
    );
    out.set(scores, start);
  }
  return out;
}

function deviceCount(params: Params): number {
  return params.get('hwEmb')!.shape[0];
}

/** A copy of `params` whose device tables hold one row: the mean of `sourceRows` of the originals. */
function cloneForDevice(params: Params, sourceRows: readonly number[]): Params {
  const copy: Params = new Map();
  for (const [name, value] of params) {
    const isDeviceTable = name === 'hwEmb' || name === 'hwOpEmb';
    copy.set(
      name,
      tf.tidy(() =>
        tf.variable(isDeviceTable ? tf.mean(tf.gather(value, tf.tensor1d([...sourceRows], 'int32')), 0, true) : tf.clone(value), true),
      ),
    );
  }
  return copy;
}

function paramTensors(prefix: string, params: Params): NamedTensor[] {
  return [...params].map(([name, value]) => ({ name: `${prefix}/${name}`, shape: value.shape, values: value.dataSync() as Float32Array }));
}

function paramsFrom(tensors: Map<string, NamedTensor>, prefix: string): Params {
  const params: Params = new Map();
  for (const [key, t] of tensors) {
    const cut = key.lastIndexOf('/');
    if (key.slice(0, cut) !== prefix) continue;
    params.set(
      key.slice(cut + 1),
      tf.tidy(() => tf.variable(tf.tensor(t.values, t.shape), true)),
    );
  }
  return params;
}
