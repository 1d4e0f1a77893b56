// `hwnas encode`: encodings of archs (a file's or the whole space's) as a CSV keyed by canonical arch, via the cache.
import fs from 'node:fs';
import { toCsv } from '../../core/csv.js';
import { DataFileError, UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import { startProgress } from '../../core/log.js';
import { EncodingCache } from '../../encodings/cache.js';
import { POOL_COLUMNS, readArchPool, spacePool } from '../../encodings/pool.js';
import { resolveEncoder } from '../../encodings/registry.js';
import { getSpace, spaceRegistry } from '../../spaces/registry.js';
import type { SearchSpace } from '../../spaces/types.js';
import { withEncodingOptions, backendFor, defineCommand, loggerFor, out, outJson, zcpTableOf } from '../command.js';

/**
 * The distinct canonical archs of `--archs`: what `hwnas sample` prints (one arch per line; blank lines and `#`
 * comments skipped) or a CSV with an arch, arch_str or op_indices column (told apart by its first line).
 * @throws DataFileError naming the line of an arch the space does not accept
 */
function readArchsFile(file: string, space: SearchSpace): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataFileError(file, 0, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const first = lines.find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) throw new DataFileError(file, 0, 'no archs in the file');
  if (first.includes(',') || (POOL_COLUMNS as readonly string[]).includes(first)) return readArchPool(file, space);
  const archs = new Set<string>();
  lines.forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    try {
      archs.add(space.canonical(line));
    } catch (err) {
      throw new DataFileError(file, i + 1, err instanceof Error ? err.message : String(err));
    }
  });
  return [...archs];
}

export const encodeCommand = defineCommand({
  command: 'encode',
  describe:
    "Encode archs with an encoder; writes a CSV keyed by canonical arch, one column per dimension (named where the encoder names them: zcp's synflow, nwot, …; else e0, e1, …)",
  builder: (y) =>
    withEncodingOptions(y)
      .option('space', { type: 'string', choices: spaceRegistry.names(), default: 'nb201', describe: 'Search space' })
      .option('encoder', { type: 'string', demandOption: true, describe: 'Encoder name (see `hwnas encoders list`)' })
      .option('archs', {
        type: 'string',
        describe:
          'Archs to encode: a file with one arch per line (as `hwnas sample` prints) or a CSV with an arch, arch_str or op_indices column',
      })
      .option('all', { type: 'boolean', default: false, describe: 'Encode every arch of the space (FBNet: 5,000 seeded samples)' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of the sampled pool for a non-enumerable space with --all' })
      .option('batch-size', { type: 'number', default: 256, describe: 'Archs per encoder call and cache transaction' })
      .option('out', { type: 'string', describe: 'Output CSV file (default: stdout)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array of {arch, <column>: value, …} instead of the CSV' }),
  handler: async (args) => {
    if ((args.archs === undefined) === !args.all) throw new UsageError('give exactly one of --archs <file> and --all');
    if (!Number.isInteger(args.batchSize) || args.batchSize < 1)
      throw new UsageError(`--batch-size must be a positive integer, got ${args.batchSize}`);
    const space = getSpace(args.space);
    const encoder = resolveEncoder(args.encoder, { zcpTable: zcpTableOf(args) });
    await backendFor(args);
    const archs = args.archs !== undefined ? readArchsFile(args.archs, space) : spacePool(space, args.seed);
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
      const dim = encoder.dimension(space);
      const columns = encoder.columns?.(space) ?? Array.from({ length: dim }, (_, j) => `e${j}`);
      if (args.json)
        return outJson(archs.map((arch, i) => Object.fromEntries([['arch', arch], ...columns.map((c, j) => [c, vectors[i][j]])])));
      const csv = toCsv(
        ['arch', ...columns],
        archs.map((a, i) => [a, ...Array.from(vectors[i])]),
      );
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
