// `hwnas encode`: encodings of archs (a file's or the whole space's) as a CSV keyed by canonical arch, via the cache.
import { toCsv } from '../../core/csv.js';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import { startProgress } from '../../core/log.js';
import { EncodingCache } from '../../encodings/cache.js';
import { readArchPool, spacePool } from '../../encodings/pool.js';
import { resolveEncoder } from '../../encodings/registry.js';
import { getSpace } from '../../spaces/registry.js';
import { backendFor, defineCommand, loggerFor, out, zcpTableOf } from '../command.js';

export const encodeCommand = defineCommand({
  command: 'encode',
  describe: 'Encode archs with an encoder; writes a CSV `arch,e0,e1,…` keyed by canonical arch',
  builder: (y) =>
    y
      .option('space', { type: 'string', default: 'nb201', describe: 'Search space' })
      .option('encoder', { type: 'string', demandOption: true, describe: 'Encoder name (see `hwnas encoders list`)' })
      .option('archs', { type: 'string', describe: 'CSV whose arch, arch_str or op_indices column lists the archs to encode' })
      .option('all', { type: 'boolean', default: false, describe: 'Encode every arch of the space (FBNet: 5,000 seeded samples)' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of the sampled pool for a non-enumerable space with --all' })
      .option('batch-size', { type: 'number', default: 256, describe: 'Archs per encoder call and cache transaction' })
      .option('zcp-table', { type: 'string', describe: 'Read the zcp encoder (and the ZCP part of caz) from this precomputed CSV instead of computing it, e.g. nasflat/fbnet_zcp.csv' })
      .option('zcp-dataset', { type: 'string', describe: "Dataset rows of a --zcp-table with a dataset column (NASLib's: cifar10, cifar100, ImageNet16-120)" })
      .option('cache', { type: 'string', describe: 'Encoding cache file (default $HWNAS_CACHE_DIR/encodings.sqlite or results/cache/encodings.sqlite)' })
      .option('out', { type: 'string', describe: 'Output CSV (default: stdout)' }),
  handler: async (args) => {
    if ((args.archs === undefined) === !args.all) throw new UsageError('give exactly one of --archs <file> and --all');
    if (!Number.isInteger(args.batchSize) || args.batchSize < 1) throw new UsageError(`--batch-size must be a positive integer, got ${args.batchSize}`);
    const space = getSpace(args.space);
    const encoder = resolveEncoder(args.encoder, { zcpTable: zcpTableOf(args) });
    await backendFor(args);
    const archs = args.archs !== undefined ? readArchPool(args.archs, space) : spacePool(space, args.seed);
    const cache = new EncodingCache(args.cache);
    const progress = startProgress(`encode ${encoder.name}`, archs.length, { enabled: !args.quiet });
    let reported = 0;
    try {
      const vectors = await cache.encode(encoder, space, archs, {
        batchSize: args.batchSize,
        onProgress: (done) => {
          progress.tick(done - reported);
          reported = done;
        },
      });
      progress.stop();
      const dim = vectors[0]?.length ?? 0;
      const csv = toCsv(['arch', ...Array.from({ length: dim }, (_, j) => `e${j}`)], archs.map((a, i) => [a, ...Array.from(vectors[i])]));
      if (args.out === undefined) out(csv);
      else {
        writeFileAtomic(args.out, csv);
        loggerFor(args).info(`wrote ${archs.length} ${encoder.name} encodings (dim ${dim}) to ${args.out}`);
      }
    } finally {
      cache.close();
    }
  },
});
