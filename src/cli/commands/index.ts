// Every top-level `hwnas` command, in the order `hwnas --help` lists them.
import { configCommand } from './config.js';
import { spacesCommand } from './spaces.js';

export const commands = [configCommand, spacesCommand];
