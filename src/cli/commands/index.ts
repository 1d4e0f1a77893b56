// Every top-level `hwnas` command, in the order `hwnas --help` lists them. Each is imported only when it runs
// (or for the top-level help), so a command does not pay for the others' heavy imports (tfjs, vega, SQLite).
// To add a command: one line `name: async () => (await import('./file.js')).exportedCommand`.
import type { CommandModule } from 'yargs';

type Loader = () => Promise<CommandModule<never, never>>;

export const commandLoaders: Record<string, Loader> = {
  config: async () => (await import('./config.js')).configCommand as never,
  spaces: async () => (await import('./spaces.js')).spacesCommand as never,
  devices: async () => (await import('./devices.js')).devicesCommand as never,
  profile: async () => (await import('./profile.js')).profileCommand as never,
  encoders: async () => (await import('./encoders.js')).encodersCommand as never,
  encode: async () => (await import('./encode.js')).encodeCommand as never,
  sample: async () => (await import('./sample.js')).sampleCommand as never,
  predictor: async () => (await import('./predictor.js')).predictorCommand as never,
  transfer: async () => (await import('./transfer.js')).transferCommand as never,
  search: async () => (await import('./search.js')).searchCommand as never,
  runs: async () => (await import('./runs.js')).runsCommand as never,
  export: async () => (await import('./export.js')).exportCommand as never,
  report: async () => (await import('./report.js')).reportCommand as never,
  dashboard: async () => (await import('./dashboard.js')).dashboardCommand as never,
  worker: async () => (await import('./worker.js')).workerCommand as never,
  workers: async () => (await import('./worker.js')).workersCommand as never,
};

/** The command modules needed to parse `argv`: only the invoked one when it is known, else all (help, typos). */
export async function loadCommands(argv: readonly string[]): Promise<CommandModule<never, never>[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first !== undefined && first in commandLoaders) return [await commandLoaders[first]()];
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}
