// `hwnas sample`: the n archs to measure on a new device, chosen by a sampler (optionally in an encoding space).
import { toCsv } from '../../core/csv.js';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import { EncodingCache } from '../../encodings/cache.js';
import { measurablePool, readArchPool, spacePool } from '../../encodings/pool.js';
import { resolveEncoder } from '../../encodings/registry.js';
import { samplerRegistry } from '../../encodings/samplers.js';
import { getSpace, spaceRegistry } from '../../spaces/registry.js';
import type { SearchSpace } from '../../spaces/types.js';
import { loadPredictor } from '../../predictors/registry.js';
import { nextMeasurements } from '../../search/adaptive.js';
import { withEncodingOptions, backendFor, defineCommand, loggerFor, out, outJson, zcpTableOf, type GlobalOptions } from '../command.js';

/**
 * Default sampler of `hwnas sample`: farthest-point was best or tied-best on every encoding in the probe of
 * `npm run bench:encodings` (kNN latency ρ from 20 measured archs, 6 HELP devices, 5 seeds).
 */
export const DEFAULT_SAMPLER = 'farthest';

/** The sampler that needs a fitted predictor rather than an encoding: the next batch to measure on its device. */
const UNCERTAINTY = 'uncertainty';

/**
 * `--sampler uncertainty`: the archs of the pool the fitted predictor is least sure about on its device (spread along
 * the predicted latency range when it has no per-arch uncertainty), leaving out the archs it was fitted on.
 */
async function sampleUncertain(
  args: { predictor?: string; device?: string; n: number; seed: number; pool?: string; out?: string; json: boolean } & GlobalOptions,
): Promise<void> {
  if (args.predictor === undefined || args.device === undefined)
    throw new UsageError(`--sampler ${UNCERTAINTY} needs --predictor (a fitted predictor folder) and --device (its fitted device)`);
  await backendFor(args);
  const predictor = await loadPredictor(args.predictor);
  const quality = predictor.fitQuality(args.device);
  if (quality === undefined)
    throw new UsageError(
      `device '${args.device}' of ${args.predictor} was not fitted on measurements (fitted: ${predictor.devices().join(', ')})`,
    );
  const space = predictor.space;
  const chosen = await nextMeasurements(predictor, args.device, candidatePool(space, args), undefined, new Set(quality.archs), args.n);
  if (args.out === undefined) return printArchs(chosen, args.json);
  writeMeasurementTemplate(args.out, chosen);
  loggerFor(args).info(
    `wrote the ${chosen.length} archs ${predictor.kind} is least sure of on '${args.device}' to ${args.out}; fill in latency_ms, append them to the earlier measurements and fit again`,
  );
}

/** A measurements CSV template `arch,latency_ms` with the latencies left for the user to fill in. */
function writeMeasurementTemplate(file: string, archs: readonly string[]): void {
  writeFileAtomic(
    file,
    toCsv(
      ['arch', 'latency_ms'],
      archs.map((a) => [a, '']),
    ),
  );
}

/** What either sampler chooses from: `--pool`'s archs or the space's, without those not worth timing (`measurablePool`). */
function candidatePool(space: SearchSpace, args: { pool?: string; seed: number }): string[] {
  return measurablePool(space, args.pool !== undefined ? readArchPool(args.pool, space) : spacePool(space, args.seed));
}

/** The chosen archs on stdout: one per line (what `hwnas encode --archs` and `predictor predict --archs` read) or a JSON array. */
function printArchs(archs: readonly string[], json: boolean): void {
  if (json) outJson(archs);
  else out(archs.join('\n'));
}

export const sampleCommand = defineCommand({
  command: 'sample',
  describe: 'Choose n archs to measure on a new device (never one whose output no input reaches); prints one canonical arch per line',
  builder: (y) =>
    withEncodingOptions(y)
      .option('space', { type: 'string', choices: spaceRegistry.names(), default: 'nb201', describe: 'Search space' })
      .option('n', { type: 'number', demandOption: true, describe: 'Number of distinct archs to choose' })
      .option('sampler', {
        type: 'string',
        default: DEFAULT_SAMPLER,
        describe: `Sampler: random, kmeans, farthest, nasflat, or ${UNCERTAINTY} (the next batch for a fitted device: needs --predictor and --device)`,
      })
      .option('predictor', {
        type: 'string',
        describe: `With --sampler ${UNCERTAINTY}: the predictor folder fitted to --device (\`hwnas predictor fit --out\`)`,
      })
      .option('device', { type: 'string', describe: `With --sampler ${UNCERTAINTY}: the fitted device` })
      .option('encoder', {
        type: 'string',
        describe:
          "Encoding the sampler works in (default: the sampler's own — flops-params for kmeans/farthest, caz for nasflat; ignored by random)",
      })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of the sampler (and of the sampled pool for FBNet without --pool)' })
      .option('pool', {
        type: 'string',
        describe: 'CSV restricting the candidates to its arch, arch_str or op_indices column (e.g. a latency table)',
      })
      .option('out', {
        type: 'string',
        describe: 'Write a measurements CSV template file `arch,latency_ms` (empty latency) instead of printing',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array of the arch strings instead of one per line' }),
  handler: async (args) => {
    if (!Number.isInteger(args.seed)) throw new UsageError(`--seed must be an integer, got ${args.seed}`);
    if (args.sampler === UNCERTAINTY) return sampleUncertain(args);
    if (args.predictor !== undefined || args.device !== undefined)
      throw new UsageError(`--predictor and --device go with --sampler ${UNCERTAINTY}`);
    const space = getSpace(args.space);
    const sampler = samplerRegistry.get(args.sampler);
    const pool = candidatePool(space, args);
    const encoderName = sampler.defaultEncoder === undefined ? undefined : (args.encoder ?? sampler.defaultEncoder);
    const cache = encoderName === undefined ? undefined : new EncodingCache(args.cache);
    try {
      let encode;
      if (encoderName !== undefined && cache !== undefined) {
        const encoder = resolveEncoder(encoderName, { zcpTable: zcpTableOf(args) });
        await backendFor(args);
        encode = (archs: readonly string[]) => cache.encode(encoder, space, archs);
      }
      const chosen = await sampler.select({ space, n: args.n, seed: args.seed, pool, encode });
      if (args.out === undefined) return printArchs(chosen, args.json);
      writeMeasurementTemplate(args.out, chosen);
      loggerFor(args).info(
        `wrote ${chosen.length} archs (${sampler.name}${encoderName ? ` on ${encoderName}` : ''}) to ${args.out}; fill in latency_ms`,
      );
    } finally {
      cache?.close();
    }
  },
});
