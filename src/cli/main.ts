// The `hwnas` command: parses arguments, runs one command, prints errors as one line.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BACKEND_NAMES } from '../core/backend.js';
import { HwnasError } from '../core/errors.js';
import type { GlobalOptions } from './command.js';
import { commands } from './commands/index.js';

function printError(err: unknown, verbose: boolean): void {
  const message = err instanceof Error ? err.message : String(err);
  const oneLine = message.split('\n')[0];
  const prefix = err instanceof HwnasError || !(err instanceof Error) ? '' : `${err.name}: `;
  process.stderr.write(`hwnas: error: ${prefix}${oneLine}${verbose || err instanceof HwnasError ? '' : ' (run with --verbose for details)'}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let usageError: string | undefined;
  const cli = yargs(argv)
    .scriptName('hwnas')
    .usage('$0 <command> [options]\n\nHardware-aware neural architecture search with few-shot latency predictors.')
    .option('verbose', { type: 'boolean', default: false, describe: 'More logging; print stack traces on errors' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Only command output and errors' })
    .option('backend', { choices: BACKEND_NAMES, describe: 'Force a TF.js backend (default: tensorflow > wasm > cpu, first that loads)' })
    .command(commands as never)
    .demandCommand(1, 'give a command (hwnas --help lists them)')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) throw err;
      usageError = msg;
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    printError(err, verbose);
    return 1;
  }
  if (usageError !== undefined) {
    process.stderr.write(`hwnas: error: ${usageError.split('\n')[0]} (see --help)\n`);
    return 2;
  }
  return 0;
}

const code = await main(hideBin(process.argv) as string[]);
// Let stdout drain, then exit explicitly so background handles (tfjs, workers) do not keep the process alive.
process.exitCode = code;
process.stdout.write('', () => process.exit(code));

export type { GlobalOptions };
