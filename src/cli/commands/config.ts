// `hwnas config check <file..>`: validate configs; one file is printed with defaults filled in, several get a line each.
import { loadExperimentConfig, type ExperimentConfig } from '../../core/config/schema.js';
import { withSearchDefaults } from '../../core/config/search.js';
import { HwnasError } from '../../core/errors.js';
import { defineCommand, out, outJson } from '../command.js';

const check = defineCommand({
  command: 'check <files..>',
  describe:
    "Validate experiment configs (JSON or YAML): schema, names (space, strategy, device, sampler, proxy) and files. One file is printed as JSON with every default filled in (a search config's objectives, constraints, strategy.params, budget too); several get one line each (`<file>: ok`, or the error), and the exit code is 1 when any is refused",
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Config files (.json, .yaml, .yml)' })
      .example('$0 config check experiments/quickstart.json', 'print the config as search runs it')
      .example('$0 config check experiments/*.json', 'check every config, one line each'),
  handler: async (args) => {
    const { checkReferences } = await import('../../search/check.js');
    const checked = (file: string): ExperimentConfig => {
      const config = loadExperimentConfig(file);
      checkReferences(config, file);
      return config;
    };
    const files = args.files as string[];
    if (files.length === 1) {
      const config = checked(files[0]);
      // A search config (one with a device) is printed as `search` runs it: objectives, constraints, strategy and its params, budget.
      outJson(config.device === undefined ? config : withSearchDefaults(config));
      return;
    }
    let refused = 0;
    for (const file of files) {
      try {
        checked(file);
        out(`${file}: ok`);
      } catch (err) {
        if (!(err instanceof HwnasError)) throw err;
        // A ConfigError names the file already ("<file>: <field>: <reason>"); other errors get it in front.
        const line = err.message.split('\n')[0];
        process.stderr.write(`hwnas: error: ${line.startsWith(`${file}: `) ? line : `${file}: ${line}`}\n`);
        refused++;
      }
    }
    if (refused > 0) throw new HwnasError(`${refused} of ${files.length} configs refused`);
  },
});

export const configCommand = defineCommand({
  command: 'config <command>',
  describe: 'Check experiment config files',
  builder: (y) => y.command(check as never).demandCommand(1),
  handler: () => {},
});
