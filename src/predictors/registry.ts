// The latency predictors users can name in configs (`predictor.kind`, `transfer.methods`): how each is built
// (and pretrained on source devices), which archs it must be measured on, and how a saved one is loaded.
import fs from 'node:fs';
import path from 'node:path';
import { DataFileError, HwnasError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import type { Logger } from '../core/log.js';
import { getSpace } from '../spaces/registry.js';
import type { SearchSpace } from '../spaces/types.js';
import { BASELINE_FORMAT, MANIFEST_FILE, readBaselineManifest, type BaselineContext, type BaselinePredictor } from './baselines/base.js';
import { BestSourcePredictor } from './baselines/best-source.js';
import { ArchFeatures } from './baselines/features.js';
import { FlopsPredictor } from './baselines/flops.js';
import { HELP_STYLE_DEFAULTS, HelpStylePredictor, type HelpStyleOptions } from './baselines/help-style.js';
import { LookupTablePredictor } from './baselines/lookup-table.js';
import { MLP_DEFAULTS, MlpPredictor, type MlpOptions } from './baselines/mlp.js';
import { RidgeSourcesPredictor } from './baselines/ridge-sources.js';
import type { SourceLatencies } from './baselines/sources.js';
import { resolveNasflatConfig } from './nasflat/config.js';
import { NasflatPredictor } from './nasflat/predictor.js';
import type { DeviceLatencies, LatencyPredictor } from './types.js';

/** Everything needed to build (and pretrain) a predictor. */
export interface BuildContext {
  space: SearchSpace;
  /** Shared feature cache (one per space per process). */
  features: ArchFeatures;
  /** Source-device latencies (pretraining data). */
  sources?: SourceLatencies;
  /** HELP's reference archs of this space, when known. */
  referenceArchs?: string[];
  seed: number;
  /** Method options from the config (`predictor.options`, `transfer.methodOptions[name]`). */
  options: Record<string, unknown>;
  /** Overrides the method's default number of training epochs. */
  epochs?: number;
  /** Where `options` came from, for error messages (e.g. `experiments/pretrain-nb201.json (predictor.options)`). */
  optionsSource?: string;
  /** Show a progress bar while pretraining. */
  progress?: boolean;
  logger?: Logger;
}

/** A predictor method as registered. */
export interface PredictorMethod {
  description: string;
  /** Whether it learns from source devices (the harness then gives it `sources`). */
  usesSources: boolean;
  /** Archs the method itself requires among the target measurements (e.g. HELP's reference archs). */
  requiredArchs?(context: BuildContext): string[];
  /** Build, and pretrain where the method has a pretraining step. */
  create(context: BuildContext): Promise<LatencyPredictor>;
  /** Load a predictor this method saved. */
  load(dir: string, manifest: Record<string, unknown>): Promise<LatencyPredictor>;
}

function baselineContext(context: BuildContext): BaselineContext {
  return {
    space: context.space,
    features: context.features,
    sources: context.sources,
    referenceArchs: context.referenceArchs,
    seed: context.seed,
  };
}

/** A baseline whose construction needs nothing but the context (and its saved options on load). */
function simpleBaseline(
  description: string,
  usesSources: boolean,
  make: (c: BaselineContext, options?: Record<string, unknown>) => BaselinePredictor,
): PredictorMethod {
  return {
    description,
    usesSources,
    create: async (context) => make(baselineContext(context), context.options),
    load: async (dir) => {
      const { manifest, sources } = readBaselineManifest(dir);
      const space = getSpace(manifest.space);
      const options = (manifest.model.options ?? {}) as Record<string, unknown>;
      const predictor = make(
        {
          space,
          features: new ArchFeatures(space),
          sources,
          referenceArchs: manifest.model.referenceArchs as string[] | undefined,
          seed: manifest.seed,
        },
        options,
      );
      await predictor.restore(dir, manifest);
      return predictor;
    },
  };
}

/** Source latencies as the `DeviceLatencies` list transferable predictors pretrain on. */
function deviceLatencies(sources: SourceLatencies | undefined, kind: string): DeviceLatencies[] {
  if (sources === undefined) throw new HwnasError(`${kind}: needs source-device latencies to pretrain on`);
  return sources.devices.map((device, d) => ({ device, archs: sources.archs, latencyMs: sources.latencyMs[d] }));
}

export const predictorRegistry = new Registry<PredictorMethod>('predictor')
  .register('nasflat', {
    description:
      'NASFLAT GNN: shared + hardware-specific op embeddings, hardware embedding, DGF/GAT ensemble; target initialised from the best-correlated source',
    usesSources: true,
    create: async (context) => {
      const options = context.epochs === undefined ? context.options : { ...context.options, epochs: context.epochs };
      const predictor = new NasflatPredictor(context.space, resolveNasflatConfig(options, context.optionsSource), {
        seed: context.seed,
        progress: context.progress,
      });
      await predictor.pretrain(deviceLatencies(context.sources, 'nasflat'), { seed: context.seed });
      return predictor;
    },
    load: (dir) => NasflatPredictor.load(dir),
  })
  .register(
    'flops',
    simpleBaseline(
      'FLOPs rank (multiply–accumulates), calibrated to ms by a line through the samples',
      false,
      (c) => new FlopsPredictor(c),
    ),
  )
  .register(
    'lookup-table',
    simpleBaseline(
      'per-op lookup table: overhead + Σ op count × op cost, least squares on the samples',
      false,
      (c) => new LookupTablePredictor(c),
    ),
  )
  .register(
    'mlp',
    simpleBaseline(
      'MLP on the one-hot op-graph encoding, trained from scratch on the samples only',
      false,
      (c, o) => new MlpPredictor(c, { ...MLP_DEFAULTS, ...(o as Partial<MlpOptions>) }),
    ),
  )
  .register(
    'best-source',
    simpleBaseline(
      'latencies of the source device that rank the samples best (Spearman), calibrated by a line',
      true,
      (c) => new BestSourcePredictor(c),
    ),
  )
  .register(
    'ridge-sources',
    simpleBaseline("ridge regression of the target latency on the source devices' latencies", true, (c) => new RidgeSourcesPredictor(c)),
  )
  .register('help-style', {
    ...simpleBaseline(
      'HELP-style: hardware embedding = latencies on the 10 HELP reference archs; MLP pretrained on sources, fine-tuned (no meta-learning)',
      true,
      (c, o) => new HelpStylePredictor(c, { ...HELP_STYLE_DEFAULTS, ...(o as Partial<HelpStyleOptions>) }),
    ),
    requiredArchs: (context) => context.referenceArchs ?? [],
    create: async (context) => {
      const options = { ...HELP_STYLE_DEFAULTS, ...(context.options as Partial<HelpStyleOptions>) };
      if (context.epochs !== undefined) options.pretrain = { ...options.pretrain, epochs: context.epochs };
      const predictor = new HelpStylePredictor(baselineContext(context), options);
      predictor.pretrain();
      return predictor;
    },
  });

/** A predictor method by name. @throws UnknownNameError listing the registered ones */
export function getPredictorMethod(name: string): PredictorMethod {
  return predictorRegistry.get(name);
}

/**
 * Load any saved predictor: reads `<dir>/predictor.json` and hands over to the method named by its `kind`.
 * @throws DataFileError for a missing or unreadable manifest; UnknownNameError for an unknown kind
 */
export async function loadPredictor(dir: string): Promise<LatencyPredictor> {
  const file = path.join(dir, MANIFEST_FILE);
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      0,
      code !== undefined
        ? `cannot read saved predictor (${code}); is '${dir}' a predictor folder?`
        : `invalid JSON: ${(err as Error).message}`,
    );
  }
  if (typeof manifest.kind !== 'string')
    throw new DataFileError(file, 0, `no 'kind' field (format '${String(manifest.format ?? BASELINE_FORMAT)}')`, 'kind');
  return getPredictorMethod(manifest.kind).load(dir, manifest);
}
