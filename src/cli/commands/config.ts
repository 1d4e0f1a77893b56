// `hwnas config check <file>`: validate a config and print it with defaults filled in.
import { loadExperimentConfig } from '../../core/config/schema.js';
import { withSearchDefaults } from '../../core/config/search.js';
import { defineCommand, outJson } from '../command.js';

const check = defineCommand({
  command: 'check <file>',
  describe:
    "Validate an experiment config (JSON or YAML): schema, names (space, strategy, device, sampler, proxy) and files; print it as JSON with every default filled in (a search config's objectives, constraints, strategy.params, budget too)",
  builder: (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'Config file (.json, .yaml, .yml)' }),
  handler: async (args) => {
    const config = loadExperimentConfig(args.file);
    const { checkReferences } = await import('../../search/check.js');
    checkReferences(config, args.file);
    // A search config (one with a device) is printed as `search` runs it: objectives, constraints, strategy and its params, budget.
    outJson(config.device === undefined ? config : withSearchDefaults(config));
  },
});

export const configCommand = defineCommand({
  command: 'config <command>',
  describe: 'Check experiment config files',
  builder: (y) => y.command(check as never).demandCommand(1),
  handler: () => {},
});
