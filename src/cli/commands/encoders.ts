// `hwnas encoders list|train`: the registered encoders with dimension, training need and cache state.
import { formatTable } from '../../core/table.js';
import { EncodingCache } from '../../encodings/cache.js';
import { encoderRegistry } from '../../encodings/registry.js';
import { getSpace, spaceRegistry } from '../../spaces/registry.js';
import { defineCommand, out, outJson } from '../command.js';
import { encodersTrainCommand } from './encoders-train.js';

const listCommand = defineCommand({
  command: 'list',
  describe: 'List encoders: dimension, whether they need training, availability and cached archs for a space',
  builder: (y) =>
    y
      .option('space', {
        type: 'string',
        choices: spaceRegistry.names(),
        default: 'nb201',
        describe: 'Search space the dimensions and cache counts refer to',
      })
      .option('cache', {
        type: 'string',
        describe: 'Encoding cache file (default $HWNAS_CACHE_DIR/encodings.sqlite or results/cache/encodings.sqlite)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' }),
  handler: (args) => {
    const space = getSpace(args.space);
    const cache = new EncodingCache(args.cache);
    try {
      const rows = encoderRegistry.values().map((e) => {
        const available = e.isAvailableFor?.(space) ?? true;
        return {
          name: e.name,
          dimension: available ? e.dimension(space) : null,
          needsTraining: e.needsTraining,
          available,
          cached: available ? cache.count(e, space) : 0,
          description: e.description,
        };
      });
      if (args.json) return outJson({ space: space.name, encoders: rows });
      out(
        formatTable(
          ['encoder', 'dim', 'training', 'available', 'cached', 'description'],
          rows.map((r) => [
            r.name,
            r.dimension ?? '-',
            r.needsTraining ? 'yes' : 'no',
            r.available ? 'yes' : 'no',
            r.cached,
            r.description,
          ]),
        ),
      );
    } finally {
      cache.close();
    }
  },
});

export const encodersCommand = defineCommand({
  command: 'encoders <command>',
  describe: 'Architecture encoders: list them, train the learned ones',
  builder: (y) =>
    y
      .command(listCommand as never)
      .command(encodersTrainCommand as never)
      .demandCommand(1),
  handler: () => {},
});
