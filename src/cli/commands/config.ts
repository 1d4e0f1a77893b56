// `hwnas config check <file>`: validate a config and print it with defaults filled in.
import { loadExperimentConfig } from '../../core/config/schema.js';
import { defineCommand, outJson } from '../command.js';

const check = defineCommand({
  command: 'check <file>',
  describe: 'Validate an experiment config (JSON or YAML): schema, names (space, strategy, device, sampler, proxy) and files; print it with defaults',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'Config file (.json, .yaml, .yml)' }),
  handler: async (args) => {
    const config = loadExperimentConfig(args.file);
    const { checkReferences } = await import('../../search/check.js');
    checkReferences(config, args.file);
    outJson(config);
  },
});

export const configCommand = defineCommand({
  command: 'config <command>',
  describe: 'Check experiment config files',
  builder: (y) => y.command(check as never).demandCommand(1),
  handler: () => {},
});
