// The `hwnas` command: parses arguments, runs one command, prints errors as one line.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BACKEND_NAMES } from '../core/backend.js';
import { HwnasError } from '../core/errors.js';
import type { GlobalOptions } from './command.js';
import { loadCommands } from './commands/index.js';

/** A command-line usage problem found by yargs (unknown command/flag, missing argument): exit code 2. */
class CliUsageError extends Error {}

function printError(err: unknown, verbose: boolean): void {
  const message = err instanceof Error ? err.message : String(err);
  const oneLine = message.split('\n')[0];
  const prefix = err instanceof HwnasError || !(err instanceof Error) ? '' : `${err.name}: `;
  process.stderr.write(
    `hwnas: error: ${prefix}${oneLine}${verbose || err instanceof HwnasError ? '' : ' (run with --verbose for details)'}\n`,
  );
  if (verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
}

/** Run the CLI on `argv` (without node and script); resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const cli = yargs(argv)
    .scriptName('hwnas')
    .usage('$0 <command> [options]\n\nHardware-aware neural architecture search with few-shot latency predictors.')
    .option('verbose', { type: 'boolean', default: false, describe: 'More logging; print stack traces on errors' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Only command output and errors' })
    .option('backend', { choices: BACKEND_NAMES, describe: 'Force a TF.js backend (default: tensorflow > wasm > cpu, first that loads)' })
    .command((await loadCommands(argv)) as never)
    .demandCommand(1, 'give a command (hwnas --help lists them)')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    // Throwing (rather than recording the message) stops yargs before any command handler runs.
    .fail((msg, err) => {
      throw err ?? new CliUsageError(msg);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof CliUsageError) {
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: …"): keep them whole, on one line.
      process.stderr.write(`hwnas: error: ${err.message.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`);
      return 2;
    }
    printError(err, verbose);
    return 1;
  }
  return 0;
}

const code = await main(hideBin(process.argv) as string[]);
// Let stdout drain, then exit explicitly so background handles (tfjs, workers) do not keep the process alive.
process.exitCode = code;
process.stdout.write('', () => process.exit(code));

export type { GlobalOptions };
