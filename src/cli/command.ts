// Shared CLI plumbing: global options, typed command definitions, output helpers.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { initBackend, type BackendInfo, type BackendName } from '../core/backend.js';
import { createLogger, type Logger } from '../core/log.js';
import { UsageError } from '../core/errors.js';

/** Options every command accepts. */
export interface GlobalOptions {
  verbose: boolean;
  quiet: boolean;
  backend?: BackendName;
}

/** Define a command whose argument types are inferred from its builder. */
export function defineCommand<A>(spec: {
  command: string | string[];
  describe: string;
  builder: (y: Argv<GlobalOptions>) => Argv<A>;
  handler: (args: ArgumentsCamelCase<A>) => Promise<void> | void;
}): CommandModule<GlobalOptions, A> {
  return spec as CommandModule<GlobalOptions, A>;
}

/** Logger honouring --quiet / --verbose. */
export function loggerFor(args: GlobalOptions): Logger {
  return createLogger(args.quiet ? 'quiet' : args.verbose ? 'verbose' : 'info');
}

/** Initialise tfjs for a command that needs it, logging the backend choice. */
export async function backendFor(args: GlobalOptions, configured?: BackendName): Promise<BackendInfo> {
  const info = await initBackend(args.backend ?? configured);
  const log = loggerFor(args);
  // Why faster backends were skipped (tfjs-node not installed, …) is expected on most machines: only with --verbose.
  const calm = info.reason === 'first preference' || info.reason === 'forced' ? `, ${info.reason}` : '';
  log.info(`backend: ${info.name} (tfjs ${info.tfjsVersion}${calm})`);
  if (calm === '') log.verbose(`backend: skipped ${info.reason}`);
  return info;
}

/** Write command output (stdout); logs and progress go to stderr. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** Pretty JSON on stdout. */
export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** The flags of commands that encode archs (`encode`, `sample`): a precomputed ZCP table and the encoding cache. */
export function withEncodingOptions<T>(y: Argv<T>) {
  return y
    .option('zcp-table', {
      type: 'string',
      describe:
        'Read the zcp encoder (and the ZCP part of caz) from this precomputed CSV instead of computing it, e.g. nasflat/fbnet_zcp.csv',
    })
    .option('zcp-dataset', {
      type: 'string',
      describe: "Dataset rows of a --zcp-table with a dataset column (NASLib's: cifar10, cifar100, ImageNet16-120)",
    })
    .option('cache', {
      type: 'string',
      describe: 'Encoding cache file (default $HWNAS_CACHE_DIR/encodings.sqlite or results/cache/encodings.sqlite)',
    });
}

/** The `--zcp-table`/`--zcp-dataset` pair of `encode` and `sample` as a table source (undefined without a table). */
export function zcpTableOf(args: { zcpTable?: string; zcpDataset?: string }): { file: string; dataset?: string } | undefined {
  if (args.zcpTable === undefined) {
    if (args.zcpDataset !== undefined) throw new UsageError('--zcp-dataset needs --zcp-table');
    return undefined;
  }
  return { file: args.zcpTable, dataset: args.zcpDataset };
}

/** A flag that must be a positive integer when given. @throws UsageError */
export function positiveInt<T extends number | undefined>(flag: string, value: T): T {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0))
    throw new UsageError(`--${flag} must be a positive integer, got ${value}`);
  return value;
}

/**
 * The value of a flag that kept its old name as a deprecated alias: warns once on stderr when the old name was
 * used, so scripts keep working while their authors learn the new name.
 */
export function deprecatedFlag<T>(args: GlobalOptions & Record<string, unknown>, old: string, current: string, value: T): T {
  if (args[old] !== undefined) loggerFor(args).warn(`--${old} is deprecated: use --${current}`);
  return value;
}

/**
 * The run of `export`/`report`, positional as in `runs show <run>`. Its old form `--run <run>` still works (yargs
 * gives a positional's name as a flag the same key) with a deprecation warning.
 * @throws UsageError without a run
 */
export function runArgument(args: GlobalOptions & { run?: string }): string {
  if (args.run === undefined) throw new UsageError('give the run: its id (directory name under --results) or a run directory');
  if (process.argv.some((a) => a === '--run' || a.startsWith('--run=')))
    loggerFor(args).warn('--run is deprecated: give the run as the first argument');
  return args.run;
}
