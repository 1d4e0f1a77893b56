// Every top-level `hwnas` command, in the order `hwnas --help` lists them.
import { configCommand } from './config.js';
import { spacesCommand } from './spaces.js';
import { devicesCommand } from './devices.js';
import { profileCommand } from './profile.js';
import { predictorCommand } from './predictor.js';
import { transferCommand } from './transfer.js';

export const commands = [configCommand, spacesCommand, devicesCommand, profileCommand, predictorCommand, transferCommand];
