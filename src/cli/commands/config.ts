// `hwnas config check <file>`: validate a config and print it with defaults filled in.
import { loadExperimentConfig } from '../../core/config/schema.js';
import { defineCommand, outJson } from '../command.js';

const check = defineCommand({
  command: 'check <file>',
  describe: 'Validate an experiment config (JSON or YAML) and print the resolved config with defaults',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'Config file (.json, .yaml, .yml)' }),
  handler: (args) => {
    outJson(loadExperimentConfig(args.file));
  },
});

export const configCommand = defineCommand({
  command: 'config <command>',
  describe: 'Check experiment config files',
  builder: (y) => y.command(check as never).demandCommand(1),
  handler: () => {},
});
