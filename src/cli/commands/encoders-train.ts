// `hwnas encoders train <encoder>`: unsupervised training of the learned encoders (Arch2Vec, CATE) over a space,
// saved with config, version, seed and held-out quality so the same seed reproduces the same weights.
import { UsageError } from '../../core/errors.js';
import { formatTable } from '../../core/table.js';
import { startProgress } from '../../core/log.js';
import { getSpace } from '../../spaces/registry.js';
import { defaultArtefactPath, type EpochCallback } from '../../encodings/arch2vec-cate-weights.js';
import { backendFor, defineCommand, loggerFor, out, outJson, positiveInt } from '../command.js';

const LEARNED = ['arch2vec', 'cate'] as const;

export const encodersTrainCommand = defineCommand({
  command: 'train <encoder>',
  describe: 'Train a learned encoder (arch2vec, cate) unsupervised over a search space and save its weights',
  builder: (y) =>
    y
      .positional('encoder', { choices: LEARNED, demandOption: true, describe: 'Learned encoder to train' })
      .option('space', {
        type: 'string',
        default: 'nb201',
        describe: 'Search space (nb201: all 15,625 archs; fbnet: --sample-size seeded samples)',
      })
      .option('seed', {
        type: 'number',
        default: 1,
        describe: 'Seed of initial weights, data split, shuffling, masking and sampling noise',
      })
      .option('epochs', { type: 'number', describe: 'Training epochs (default: arch2vec 10, cate 3)' })
      .option('latent-dim', { type: 'number', describe: 'Arch2Vec latent (and arch vector) dimension (default 16)' })
      .option('embedding-dim', { type: 'number', describe: 'CATE transformer width and embedding dimension (default 32; a multiple of 4)' })
      .option('sample-size', { type: 'number', describe: 'Archs sampled to train on when the space is not enumerable (default 10000)' })
      .option('max-archs', { type: 'number', describe: 'Train on at most this many archs (a seeded subset; default all) for quick runs' })
      .option('out', {
        type: 'string',
        describe: 'Output JSON file; the weights go beside it as .bin (default models/encoders/<space>-<encoder>.json)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the saved metrics as JSON' }),
  handler: async (args) => {
    const space = getSpace(args.space);
    const file = args.out ?? defaultArtefactPath(args.encoder, space.name);
    const epochs = positiveInt('epochs', args.epochs);
    const sampleSize = positiveInt('sample-size', args.sampleSize);
    const maxArchs = positiveInt('max-archs', args.maxArchs);
    const latentDim = positiveInt('latent-dim', args.latentDim);
    const embeddingDim = positiveInt('embedding-dim', args.embeddingDim);
    const seed = args.seed;
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${seed}`);
    const backend = await backendFor(args);
    const log = loggerFor(args);
    const overrides = { ...(epochs && { epochs }), ...(sampleSize && { sampleSize }), ...(maxArchs && { maxArchs }) };
    let train: (onEpoch: EpochCallback) => { metrics: Record<string, number>; save(file: string, backend: string): void; dispose(): void };
    let totalEpochs: number;
    if (args.encoder === 'arch2vec') {
      const { Arch2VecModel, ARCH2VEC_DEFAULTS } = await import('../../encodings/arch2vec-model.js');
      const config = { ...ARCH2VEC_DEFAULTS, ...overrides, ...(latentDim && { latentDim }) };
      totalEpochs = config.epochs;
      train = (onEpoch) => Arch2VecModel.train(space, config, seed, onEpoch);
    } else {
      const { CateModel, CATE_DEFAULTS } = await import('../../encodings/cate-model.js');
      const config = { ...CATE_DEFAULTS, ...overrides, ...(embeddingDim && { embeddingDim }) };
      if (config.embeddingDim % config.heads !== 0)
        throw new UsageError(`--embedding-dim must be a multiple of ${config.heads} (attention heads), got ${config.embeddingDim}`);
      totalEpochs = config.epochs;
      train = (onEpoch) => CateModel.train(space, config, seed, onEpoch);
    }
    const progress = startProgress(`${args.encoder} ${space.name}`, totalEpochs, { enabled: !args.quiet, fields: ['loss'] });
    const model = train((_, loss) => progress.tick(1, { loss: loss.toFixed(4) }));
    progress.stop();
    model.save(file, backend.name);
    const metrics = model.metrics;
    model.dispose();
    log.info(`saved ${args.encoder} (${space.name}, seed ${seed}) to ${file}`);
    if (args.json) return outJson({ encoder: args.encoder, space: space.name, seed, file, metrics });
    out(
      formatTable(
        ['metric', 'value'],
        Object.entries(metrics).map(([k, v]) => [k, Number.isInteger(v) ? v : v.toFixed(4)]),
      ),
    );
  },
});
