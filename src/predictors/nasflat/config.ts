// NASFLAT settings and validation of the options a config or the transfer harness passes in. Defaults follow the
// paper's reference settings except width 128 → 32, and 2,048 archs per source for 30 epochs instead of 512 for 150
// (more archs fit the source devices better at the same cost: held-out ρ on pixel3 0.940 → 0.971), to fit
// pretraining on nine NB201 sources in 5 minutes and prediction of all 15,625 archs in 1 s on a 2-core machine.
import { z } from 'zod';
import { validate } from '../../core/config/validate.js';

const nasflatSchema = z
  .object({
    /** Shared op embedding width. */
    opEmbeddingDim: z.number().int().positive().default(40),
    /** Hardware-specific (device, op) embedding width. */
    hwOpEmbeddingDim: z.number().int().positive().default(8),
    /** Hardware embedding width. */
    hwEmbeddingDim: z.number().int().positive().default(16),
    /** Node state width of the graph layers. */
    width: z.number().int().positive().default(32),
    /** Node-wise op-update layers before message passing. */
    opUpdateLayers: z.number().int().nonnegative().default(2),
    /** Message-passing layers. */
    graphLayers: z.number().int().positive().default(3),
    /** `ensemble` averages DGF and GAT in every layer (the paper's choice); `dgf` or `gat` use one. */
    graphLayer: z.enum(['ensemble', 'dgf', 'gat']).default('ensemble'),
    /** Use hardware-specific op embeddings (gating message passing); off = `--no-hw-op-emb`. */
    hwOpEmbedding: z.boolean().default(true),
    /** Initialise a target from the best-correlated source device; off = `--no-hw-init` (mean of the sources). */
    hwInit: z.boolean().default(true),
    /** Supplementary encodings joined to the pooled graph vector (built-in: `flops`, `params`, `op-counts`, `disconnected`). */
    supplementary: z.array(z.string()).default(['flops', 'params', 'op-counts', 'disconnected']),
    /**
     * Precomputed zero-cost proxies joined to the supplementary encodings (signed-log), e.g. NASFLAT's
     * `nasflat/fbnet_zcp.csv`: every arch the predictor sees must be in the table.
     */
    zcpTable: z
      .object({ file: z.string().min(1), dataset: z.string().optional(), proxies: z.array(z.string()).min(1).optional() })
      .strict()
      .optional(),
    /** Width of the supplementary-encoding MLP. */
    supplementaryDim: z.number().int().positive().default(48),
    /** Pairwise hinge ranking margin (on min–max scaled latency). */
    margin: z.number().positive().default(0.1),
    /** Pretraining epochs over all sources. */
    epochs: z.number().int().positive().default(30),
    batchSize: z.number().int().positive().default(128),
    learningRate: z.number().positive().default(1e-3),
    weightDecay: z.number().nonnegative().default(1e-4),
    /** Archs drawn per source device for pretraining (512 NB201 / 800 FBNet in the paper). */
    archsPerDevice: z.number().int().positive().default(2048),
    /** Few-shot fine-tuning of all weights on the target. */
    transferEpochs: z.number().int().positive().default(40),
    transferBatchSize: z.number().int().positive().default(16),
    transferLearningRate: z.number().positive().default(3e-3),
    /**
     * How an adapted target's scores become ms: `select` combines ridge readouts of the fine-tuned score, the
     * network's source-device scores and analytic cost features by their leave-one-out predictions on the few
     * measurements (readout.ts); `line` is the paper's score alone through an increasing line (`--no-readout`).
     */
    readout: z.enum(['select', 'line']).default('select'),
    /**
     * Bases `select` may use: `nasflat` (the fine-tuned score), `cost` (FLOPs, params, op counts, disconnected output)
     * and `sources` (the pretrained network's score on each source device).
     */
    readoutBases: z
      .array(z.enum(['nasflat', 'cost', 'sources']))
      .min(1)
      .default(['nasflat', 'cost', 'sources']),
    /**
     * `stack`: non-negative weights on the readouts' leave-one-out predictions; `best`: the readout with the lowest
     * leave-one-out error. Chosen by leave-one-source-out on the source devices of NB201 task 0 and FBNet tasks 0–5.
     */
    readoutRule: z.enum(['stack', 'best']).default('stack'),
    /**
     * The zero-shot proxy (ln FLOPs, ln params or the non-skip op count) that ranks the measurements best is always a
     * robust (Theil–Sen) candidate of the readout; `readoutPrior` also centres the readout on it: every member models
     * what the measurements say beyond it, and strong shrinkage falls back to it (off by default: bench:robustness
     * with `BENCH_NASFLAT='{"readoutPrior":true}'` ranks clean measurements worse with it).
     */
    readoutPrior: z.boolean().default(false),
    /**
     * When the chosen readout's leave-one-out predictions say the measurements disagree with each other (the warning
     * of `predictor fit`: ρ < 0.5 or median error > 30 % with at least 5 rows), choose the readout again among the
     * one-column zero-shot candidates only (each source device's pretrained score, FLOPs, the best proxy's line):
     * such measurements cannot support the fine-tuned score or a many-column fit. Off = keep the first choice.
     */
    zeroShotWhenWarned: z.boolean().default(true),
    /** Leave out of the fit the measurements a robust trend contradicts (trust.ts `findOutliers`); off = fit them all. */
    distrust: z.boolean().default(true),
    /** Folds over which the fine-tuned score is cross-fitted for the readout's leave-one-out choice (≥ 2). */
    readoutFolds: z.number().int().min(2).default(5),
    /**
     * A space of at most this many archs (NB201's 15,625) gets every arch's source-device scores computed at the end
     * of pretraining and saved with the predictor, so that predicting the whole space for a new device costs one
     * network pass instead of one per source (0 = off; only with the `sources` readout basis and without a
     * `zcpTable` or extra supplementary inputs, which need not cover the whole space).
     */
    sourceScoreTable: z.number().int().nonnegative().default(20_000),
  })
  .strict();

/** Resolved NASFLAT settings. */
export type NasflatConfig = z.infer<typeof nasflatSchema>;

/** Defaults with `options` applied. @throws ConfigError naming the bad field */
export function resolveNasflatConfig(options: Record<string, unknown> = {}, file = '<nasflat options>'): NasflatConfig {
  return validate(nasflatSchema, options, file);
}
