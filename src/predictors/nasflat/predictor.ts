// The NASFLAT latency predictor: pretraining on source devices with a pairwise ranking loss, few-shot transfer to a
// target initialised from the best-correlated source, calibration of scores to ln ms (so predictions are positive),
// the few-shot readout and the fit quality trust.ts reads. The network is model.ts, its training training.ts, its
// inputs inputs.ts, and save/load persistence.ts.
import { HwnasError, UnknownNameError } from '../../core/errors.js';
import { startProgress } from '../../core/log.js';
import { spearman } from '../../core/metrics.js';
import { Rng } from '../../core/rng.js';
import type { Parameters } from '../../nn/parameters.js';
import type { NamedTensor } from '../../nn/tensor-file.js';
import type { SearchSpace } from '../../spaces/types.js';
import { checkMeasurements } from '../measurements.js';
import { diagnose, msFromLog, qualityOf, splitDistrusted, type FitQuality } from '../trust.js';
import type { AdaptReport, DeviceLatencies, FitOptions, Measurements, TransferablePredictor } from '../types.js';
import type { NasflatConfig } from './config.js';
import {
  columnStats,
  CostColumns,
  NON_SKIP_COLUMN,
  encodeGraphs,
  standardise,
  SupplementaryInputs,
  type EncodedGraphs,
  type SupplementaryMatrix,
  type SupplementaryProvider,
} from './inputs.js';
import { initParams, paramShapes } from './model.js';
import { readNasflat, SOURCE_SCORE_TENSOR, writeNasflat, type TargetState } from './persistence.js';
import {
  applyReadout,
  readoutColumns,
  readoutSpread,
  selectReadout,
  type BasisColumns,
  type Readout,
  type ReadoutCandidate,
} from './readout.js';
import { calibrate, calibrated, cloneForDevice, minMaxScale, runNetwork, train, type Calibration } from './training.js';

export { NASFLAT_FORMAT, NASFLAT_FORMAT_VERSION } from './persistence.js';
export type { SupplementaryProvider } from './inputs.js';

/** The zero-shot proxies a readout may be centred on (ln FLOPs, ln params, ops that are not `none` or a skip). */
const PRIOR_COLUMNS = ['flops', 'params', NON_SKIP_COLUMN];
/** Basis column of the fine-tuned target score in a readout. */
const TARGET_COLUMN = 'nasflat';
/** Cost columns that are latency predictions of their own (more FLOPs or weights: slower), unlike the op counts. */
const LATENCY_COST = new Set(['flops', 'params']);

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
  private pretrained?: Parameters;
  private sourceCalibration = new Map<string, Calibration>();
  private readonly targets = new Map<string, TargetState>();
  private supplementaryStats?: { mean: number[]; std: number[] };
  private readonly supplementaryInputs: SupplementaryInputs;
  private readonly costColumns: CostColumns;
  // Canonicalising takes longer than the network on wasm, and the transfer harness and the search predict the same
  // archs again and again: memoised per arch.
  private readonly canonicalCache = new Map<string, string>();
  private readonly sourceScoreCache = new Map<string, Float64Array>();

  constructor(
    readonly space: SearchSpace,
    readonly config: NasflatConfig,
    private readonly options: NasflatOptions,
  ) {
    this.supplementaryInputs = new SupplementaryInputs(space, config, options.extraSupplementary);
    this.costColumns = new CostColumns(space);
  }

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
    const rawSupplementary = this.supplementaryInputs.raw(archs);
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
    ): { params: Parameters; graphs: EncodedGraphs; supplementary: SupplementaryMatrix } => {
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
      readout = this.zeroShotIfWarned(readout, candidates, basis, archs, latencyMs, proxyColumns);
    }
    const calibration = calibrate(scores, latencyMs);
    const intervalLooMs = readout?.nestedLooLog?.map((v) => msFromLog(v, calibration.bounds));
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
    this.targets.get(target)?.params.dispose();
    const state: TargetState = {
      params,
      calibration,
      readout,
      initialisedFrom,
      initialisationRho,
      quality: qualityOf(measuredArchs, measuredMs, { kept: split.kept, distrusted: [] }, looMs, [], intervalLooMs),
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
    state.quality = qualityOf(measuredArchs, measuredMs, split, looMs, implied, intervalLooMs);
    return {
      initialisedFrom,
      initialisationRho,
      readout: readout?.members.map((m) => ({ name: m.name, share: m.share })),
      ...(readout?.zeroShot === true ? { zeroShotReadout: true } : {}),
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

  /**
   * `readout`, or (config `zeroShotWhenWarned`) when its leave-one-out predictions make `diagnose` warn that the
   * measurements disagree with each other, the readout chosen again among the one-column zero-shot candidates: each
   * source device's pretrained score and FLOPs, beside the best proxy's robust line. The fine-tuned score and the
   * many-column candidates are left out: measurements that contradict each other cannot support them, and their
   * leave-one-out error on such rows picks one by chance (bench:robustness, 30 % noise and one row ×3). Not when the
   * measurements fall with every zero-shot candidate (each fits upside down).
   */
  private zeroShotIfWarned(
    readout: Readout,
    candidates: readonly ReadoutCandidate[],
    basis: BasisColumns,
    archs: readonly string[],
    latencyMs: readonly number[],
    proxyColumns: readonly string[],
  ): Readout {
    if (!this.config.zeroShotWhenWarned) return readout;
    const all = archs.map((_, i) => i);
    const quality = qualityOf([...archs], [...latencyMs], { kept: all, distrusted: [] }, readout.looLog.map(Math.exp), []);
    if (diagnose(quality).warning === undefined) return readout;
    const zeroShot = candidates.filter((c) => c.columns.length === 1 && c.columns[0] !== TARGET_COLUMN);
    if (zeroShot.length === 0) return readout;
    const chosen = selectReadout(zeroShot, basis, latencyMs.map(Math.log), this.config.readoutRule, {
      columns: proxyColumns,
      centre: this.config.readoutPrior,
    });
    // When the measurements fall with every zero-shot candidate, `selectReadout` can only return one fitted upside
    // down, which would rank the space backwards: the first choice stays.
    return chosen.upsideDown === true ? readout : { ...chosen, zeroShot: true };
  }

  /** Scores of each few arch by a copy fine-tuned on the other folds (`readoutFolds` folds, at most one per arch). */
  private crossFittedScores(
    archs: readonly string[],
    all: readonly number[],
    fineTune: (rows: readonly number[], rng: Rng) => { params: Parameters },
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
      params.dispose();
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
    const cost = bases.has('cost') ? this.costColumns.names : [];
    const target = bases.has('nasflat') ? [TARGET_COLUMN] : [];
    // Every column that is itself a latency prediction (the fine-tuned score, a source score, ln FLOPs, ln params)
    // may only enter increasingly, alone or beside others: on 5–20 measurements a negative weight on one of them is
    // noise fitted, and it turns part of the ranking upside down (bench:readout-rule and bench:robustness measure it).
    const increasing = (columns: string[]) => columns.filter((c) => c === TARGET_COLUMN || c.startsWith('source:') || LATENCY_COST.has(c));
    const candidate = (name: string, columns: string[]): ReadoutCandidate => ({ name, columns, increasing: increasing(columns) });
    const candidates: ReadoutCandidate[] = [
      candidate(TARGET_COLUMN, target),
      candidate(`${TARGET_COLUMN}+flops`, target.length > 0 && cost.length > 0 ? [...target, 'flops'] : []),
      candidate(`${TARGET_COLUMN}+cost`, target.length > 0 && cost.length > 0 ? [...target, ...cost] : []),
      candidate(`${TARGET_COLUMN}+sources`, target.length > 0 && sources.length > 0 ? [...target, ...sources] : []),
      candidate('cost', cost),
      candidate('flops', cost.length > 0 ? ['flops'] : []),
      candidate('sources', sources),
      ...sources.map((column) => candidate(column, [column])),
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
    if (this.costColumns.covers(columns)) for (const [name, column] of this.costColumns.of(archs)) basis.set(name, column);
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
    const tabled = this.tabledArchs();
    let sourceScores: NamedTensor | undefined;
    if (tabled !== undefined && tabled.every((a) => this.sourceScoreCache.has(a))) {
      const values = new Float32Array(tabled.length * this.sources.length);
      tabled.forEach((arch, i) => values.set(this.sourceScoreCache.get(arch)!, i * this.sources.length));
      sourceScores = { name: SOURCE_SCORE_TENSOR, shape: [tabled.length, this.sources.length], values };
    }
    writeNasflat(
      dir,
      {
        space: this.space,
        config: this.config,
        seed: this.options.seed,
        extraSupplementary: this.options.extraSupplementary !== undefined,
      },
      {
        sources: this.sources,
        pretrained,
        sourceCalibration: this.sourceCalibration,
        supplementaryStats: this.supplementaryStats!,
        targets: this.targets,
      },
      sourceScores,
    );
  }

  /**
   * Restore a predictor written by `save`.
   * @throws DataFileError for another format/version, a different op vocabulary, a missing or misshapen tensor;
   *   HwnasError for a missing extra supplementary provider
   */
  static async load(dir: string, options: Omit<NasflatOptions, 'seed'> = {}): Promise<NasflatPredictor> {
    const saved = readNasflat(dir, options.extraSupplementary !== undefined);
    const predictor = new NasflatPredictor(saved.space, saved.config, { ...options, seed: saved.seed });
    const { state } = saved;
    predictor.sources = state.sources;
    predictor.supplementaryStats = state.supplementaryStats;
    predictor.pretrained = state.pretrained;
    predictor.sourceCalibration = state.sourceCalibration;
    for (const [device, target] of state.targets) predictor.targets.set(device, target);
    const table = saved.sourceScores;
    const tabled = table === undefined ? undefined : predictor.tabledArchs();
    if (table !== undefined && tabled !== undefined) {
      const width = predictor.sources.length;
      if (table.shape[0] !== tabled.length || table.shape[1] !== width) {
        throw new HwnasError(`${dir}/predictor.json: source-score table is ${table.shape.join('×')}, expected ${tabled.length}×${width}`);
      }
      tabled.forEach((arch, i) =>
        predictor.sourceScoreCache.set(arch, Float64Array.from(table.values.subarray(i * width, (i + 1) * width))),
      );
    }
    return predictor;
  }

  /** Free every weight tensor (the predictor is unusable afterwards). */
  dispose(): void {
    this.disposeAll();
  }

  private disposeAll(): void {
    this.pretrained?.dispose();
    for (const state of this.targets.values()) state.params.dispose();
    this.pretrained = undefined;
    this.targets.clear();
    this.sourceScoreCache.clear();
    this.sourceCalibration.clear();
  }

  private requirePretrained(): Parameters {
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

  private supplementary(archs: readonly string[]): SupplementaryMatrix {
    const raw = this.supplementaryInputs.raw(archs);
    return { width: raw.width, values: standardise(raw.values, this.supplementaryStats!) };
  }
}
