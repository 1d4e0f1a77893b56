// `hwnas encoders train <encoder>`: unsupervised training of the learned encoders (Arch2Vec, CATE) over a space,
// saved with config, version, seed and held-out quality so the same seed reproduces the same weights.
import { UsageError } from '../../core/errors.js';
import { formatTable } from '../../core/table.js';
import { startProgress } from '../../core/log.js';
import { getSpace } from '../../spaces/registry.js';
import { defaultArtefactPath } from '../../encodings/arch2vec-cate-weights.js';
import { backendFor, defineCommand, loggerFor, out, outJson } from '../command.js';

const LEARNED = ['arch2vec', 'cate'] as const;

/** A flag that must be a positive integer when given. @throws UsageError */
function positiveInt(flag: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new UsageError(`--${flag} must be a positive integer, got ${value}`);
  return value;
}

export const encodersTrainCommand = defineCommand({
  command: 'train <encoder>',
  describe: 'Train a learned encoder (arch2vec, cate) unsupervised over a search space and save its weights',
  builder: (y) =>
    y
      .positional('encoder', { choices: LEARNED, demandOption: true, describe: 'Learned encoder to train' })
      .option('space', { type: 'string', default: 'nb201', describe: 'Search space (nb201: all 15,625 archs; fbnet: --sample-size seeded samples)' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of initial weights, data split, shuffling, masking and sampling noise' })
      .option('epochs', { type: 'number', describe: 'Training epochs (default: arch2vec 10, cate 3)' })
      .option('latent-dim', { type: 'number', describe: 'Arch2Vec latent (and arch vector) dimension (default 16)' })
      .option('embedding-dim', { type: 'number', describe: 'CATE transformer width and embedding dimension (default 32; a multiple of 4)' })
      .option('sample-size', { type: 'number', describe: 'Archs sampled to train on when the space is not enumerable (default 10000)' })
      .option('max-archs', { type: 'number', describe: 'Train on at most this many archs (a seeded subset; default all) for quick runs' })
      .option('out', { type: 'string', describe: 'Output JSON path; the weights go beside it as .bin (default models/encoders/<space>-<encoder>.json)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the saved metrics as JSON' }),
  handler: async (args) => {
    const space = getSpace(args.space);
    const backend = await backendFor(args);
    const log = loggerFor(args);
    const file = args.out ?? defaultArtefactPath(args.encoder, space.name);
    const epochs = positiveInt('epochs', args.epochs);
    const sampleSize = positiveInt('sample-size', args.sampleSize);
    const maxArchs = positiveInt('max-archs', args.maxArchs);
    const seed = args.seed;
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
    let metrics: Record<string, number>;
    if (args.encoder === 'arch2vec') {
      const { Arch2VecModel, ARCH2VEC_DEFAULTS } = await import('../../encodings/arch2vec-model.js');
      const config = { ...ARCH2VEC_DEFAULTS, ...(epochs && { epochs }), ...(sampleSize && { sampleSize }), ...(maxArchs && { maxArchs }) };
      config.latentDim = positiveInt('latent-dim', args.latentDim) ?? config.latentDim;
      const progress = startProgress(`arch2vec ${space.name}`, config.epochs, { enabled: !args.quiet, fields: ['loss'] });
      const model = Arch2VecModel.train(space, config, seed, (_, loss) => progress.tick(1, { loss: loss.toFixed(4) }));
      progress.stop();
      model.save(file, backend.name);
      metrics = model.metrics;
      model.dispose();
    } else {
      const { CateModel, CATE_DEFAULTS } = await import('../../encodings/cate-model.js');
      const config = { ...CATE_DEFAULTS, ...(epochs && { epochs }), ...(sampleSize && { sampleSize }), ...(maxArchs && { maxArchs }) };
      config.embeddingDim = positiveInt('embedding-dim', args.embeddingDim) ?? config.embeddingDim;
      if (config.embeddingDim % config.heads !== 0) throw new UsageError(`--embedding-dim must be a multiple of ${config.heads} (attention heads), got ${config.embeddingDim}`);
      const progress = startProgress(`cate ${space.name}`, config.epochs, { enabled: !args.quiet, fields: ['loss'] });
      const model = CateModel.train(space, config, seed, (_, loss) => progress.tick(1, { loss: loss.toFixed(4) }));
      progress.stop();
      model.save(file, backend.name);
      metrics = model.metrics;
      model.dispose();
    }
    log.info(`saved ${args.encoder} (${space.name}, seed ${seed}) to ${file}`);
    if (args.json) return outJson({ encoder: args.encoder, space: space.name, seed, file, metrics });
    out(formatTable(['metric', 'value'], Object.entries(metrics).map(([k, v]) => [k, Number.isInteger(v) ? v : v.toFixed(4)])));
  },
});
