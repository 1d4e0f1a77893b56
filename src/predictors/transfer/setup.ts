// Builds a runnable transfer experiment from a validated config plus command-line overrides (shared by
// `hwnas transfer` and `npm run bench:transfer`, so both run exactly the same thing).
import path from 'node:path';
import type { ExperimentConfig } from '../../core/config/schema.js';
import { ConfigError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { configSpace } from '../../spaces/registry.js';
import type { TransferSetup } from './harness.js';
import { NASFLAT_ABLATIONS, applyAblations, type Ablation } from './ablation.js';
import { resolveSampler } from './sampler.js';
import { resolveDeviceData } from './task.js';

/** What a user may override on top of the config's `transfer` section. */
export interface TransferOverrides {
  methods?: string[];
  samples?: number[];
  seeds?: number[];
  targets?: string[];
  sampler?: string;
  maxEvalArchs?: number;
  epochs?: number;
  sharedPretrain?: boolean;
  /** Per-method options merged over `transfer.methodOptions` (e.g. shorter NASFLAT training for a benchmark). */
  methodOptions?: Record<string, Record<string, unknown>>;
  /** NASFLAT ideas switched off (`--no-hw-op-emb`, …). */
  ablations?: Ablation['flag'][];
  outDir?: string;
}

/** A setup with where its report goes and the resolved config to store beside it. */
export interface ResolvedTransfer {
  setup: TransferSetup;
  outDir: string;
  /** Name including ablation / sampler suffixes. */
  title: string;
  resolvedConfig: unknown;
  ablations: string[];
  taskComment?: string;
}

/**
 * Resolve devices, data, sampler and method options of a config's transfer experiment.
 * @throws ConfigError when the config has no `transfer` section or names unavailable devices/tasks
 */
export async function buildTransferSetup(
  config: ExperimentConfig,
  file: string,
  overrides: TransferOverrides = {},
  logger?: Logger,
  progress = true,
): Promise<ResolvedTransfer> {
  const section = config.transfer;
  if (section === undefined) throw new ConfigError(file, 'transfer', 'missing: this command needs a `transfer` section');
  const { space } = configSpace(config.space, file);
  const data = resolveDeviceData(space, { ...section, targets: overrides.targets ?? section.targets }, file, 'transfer');
  const samplerName = overrides.sampler ?? section.sampler ?? 'random';
  const ablations = NASFLAT_ABLATIONS.filter((a) => overrides.ablations?.includes(a.flag));
  const merged = { ...section.methodOptions };
  for (const [method, options] of Object.entries(overrides.methodOptions ?? {})) merged[method] = { ...(merged[method] ?? {}), ...options };
  const methodOptions = applyAblations(merged, ablations, overrides.epochs);
  const suffix = ablations.map((a) => `-no-${a.flag}`).join('') + (overrides.sampler !== undefined ? `-sampler-${overrides.sampler}` : '');
  const setup: TransferSetup = {
    name: config.name,
    space,
    table: data.table,
    sources: data.sources,
    targets: data.targets,
    samples: overrides.samples ?? section.samples,
    seeds: overrides.seeds ?? section.seeds,
    methods: overrides.methods ?? section.methods,
    methodOptions,
    referenceArchs: data.referenceArchs,
    sampler: { name: samplerName, choose: await resolveSampler(samplerName, space) },
    maxEvalArchs: overrides.maxEvalArchs ?? section.maxEvalArchs,
    sharedPretrain: overrides.sharedPretrain ?? section.sharedPretrain,
    logger,
    progress,
  };
  const resolvedConfig = {
    ...config,
    transfer: {
      ...section,
      sources: setup.sources,
      targets: setup.targets,
      samples: setup.samples,
      seeds: setup.seeds,
      methods: setup.methods,
      sampler: samplerName,
      methodOptions,
      maxEvalArchs: setup.maxEvalArchs,
      sharedPretrain: setup.sharedPretrain,
    },
  };
  return {
    setup,
    outDir: overrides.outDir ?? section.outDir ?? path.join(config.output.dir, 'transfer', config.name + suffix),
    title: config.name + suffix,
    resolvedConfig,
    ablations: ablations.map((a) => a.flag),
    taskComment: data.taskComment,
  };
}
