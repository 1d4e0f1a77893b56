// `hwnas dashboard`: serve the interactive dashboard (runs, Pareto fronts, per-layer costs with what-ifs).
import { UsageError } from '../../core/errors.js';
import { startDashboard } from '../../dashboard/server.js';
import { defineCommand, loggerFor, out } from '../command.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const dashboardCommand = defineCommand({
  command: 'dashboard',
  describe: 'Serve a local web dashboard: runs (live), Pareto fronts, trials, per-layer costs with what-ifs, your own ONNX/TF.js models',
  builder: (y) =>
    y
      .option('results', { type: 'string', default: 'results', describe: 'Folder holding the run directories (read-only)' })
      .option('devices-dir', {
        type: 'string',
        describe: 'Directory of user device profiles (default: $HWNAS_DEVICES_DIR, else ./hwnas-devices)',
      })
      .option('port', { type: 'number', default: 8787, describe: 'Port to listen on (0: any free port)' })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'Address to bind; anything but loopback exposes the dashboard, which has no authentication',
      }),
  handler: async (args) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
      throw new UsageError(`--port must be an integer 0..65535, got ${args.port}`);
    const log = loggerFor(args);
    if (!LOOPBACK.has(args.host))
      log.warn(`dashboard bound to ${args.host}: it has no authentication, anyone who can reach this address can read your runs`);
    const dashboard = await startDashboard({ results: args.results, devicesDir: args.devicesDir, port: args.port, host: args.host, log });
    out(`hwnas dashboard: ${dashboard.url} (results: ${args.results}; Ctrl-C stops it)`);
    await new Promise<void>((resolve) => {
      const stop = () => void dashboard.close().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
});
