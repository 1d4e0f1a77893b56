// The `predictor` (pretraining) and `transfer` (few-shot transfer experiment) config sections.
// Method-specific options stay an open record here and are validated by the predictor registry, which knows them.
import { z } from 'zod';

const optionsRecord = z.record(z.string(), z.unknown()).default({});

/** Where the source-device latencies come from and which devices to pretrain on. */
export const predictorSection = z
  .object({
    /** Predictor method, by its registry name. */
    kind: z.string().min(1).default('nasflat'),
    /** Wide latency table (`arch_str`/`op_indices` + `<device>_ms` columns), e.g. ../shared/data/help/nb201_latency.csv. */
    latencies: z.string().min(1),
    /** Source devices (columns of `latencies` without `_ms`); default: the task's train devices when `task` is set. */
    devices: z.array(z.string().min(1)).min(1).optional(),
    /** Take the source devices from this task of `splits` (e.g. "0"). */
    task: z.string().optional(),
    /** Device task splits file (NASFLAT `device_task_splits.json`), needed with `task`. */
    splits: z.string().optional(),
    /** HELP metadata (`help_meta.json`) with the reference archs of `help-style`; default: beside `latencies`. */
    helpMeta: z.string().optional(),
    /** Training epochs (overrides the method's default). */
    epochs: z.number().int().positive().optional(),
    /** Method options, validated by the chosen predictor (e.g. NASFLAT widths, learning rates, ablation switches). */
    options: optionsRecord,
  })
  .strict();

export type PredictorConfig = z.output<typeof predictorSection>;

/** The few-shot transfer experiment (the paper's table): targets × sample counts × methods × seeds. */
export const transferSection = z
  .object({
    /** Wide latency table holding the source and target devices. */
    latencies: z.string().min(1),
    /** Device task splits file; `task` picks one of its tasks for this config's space. */
    splits: z.string().optional(),
    /** Task of `splits` whose train devices are the sources and test devices the targets (e.g. "0"). */
    task: z.string().optional(),
    /** Explicit source devices (instead of a task's train list). */
    sources: z.array(z.string().min(1)).min(1).optional(),
    /** Explicit target devices (instead of a task's test list). */
    targets: z.array(z.string().min(1)).min(1).optional(),
    /** How many target-device measurements each method may use. */
    samples: z.array(z.number().int().min(2)).min(1).default([5, 10, 20]),
    /** Seeds; each seed draws its own samples and trains its own models. */
    seeds: z.array(z.number().int().min(0)).min(1).default([0, 1, 2]),
    /** Sampler (from the encodings sampler registry) that picks the archs to measure on the target. */
    sampler: z.string().min(1).optional(),
    /** Methods (predictor registry names) compared in the table. */
    methods: z
      .array(z.string().min(1))
      .min(1)
      .default(['nasflat', 'flops', 'lookup-table', 'mlp', 'best-source', 'ridge-sources', 'help-style']),
    /** Per-method options, keyed by method name (e.g. `{ "nasflat": { "epochs": 150 } }`). */
    methodOptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** Evaluate on at most this many remaining archs (a seeded random subset); default: all remaining archs. */
    maxEvalArchs: z.number().int().positive().optional(),
    /** HELP metadata (`help_meta.json`) with the reference archs of `help-style`; default: beside `latencies`. */
    helpMeta: z.string().optional(),
    /** Pretrain each method once (first seed) rather than once per seed: faster, less seed variance captured. */
    sharedPretrain: z.boolean().default(false),
    /** Where the table files go (CSV, JSON, Markdown); default `<output.dir>/transfer/<name>`. */
    outDir: z.string().optional(),
  })
  .strict();

export type TransferConfig = z.output<typeof transferSection>;
