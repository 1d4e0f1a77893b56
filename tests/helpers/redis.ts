// A real redis-server for a test file: on a free 127.0.0.1 port, in a temporary folder, no persistence; and
// `hwnas worker` subprocesses with their logs in files (a blocked pipe would stall a worker).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './cli.js';

/** True when redis-server is on the PATH (CI installs it; see .ci/run). */
export const haveRedis = spawnSync('redis-server', ['--version']).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stop it (SHUTDOWN NOSAVE); the data is gone. */
  stop(): Promise<void>;
}

/** Start redis-server and wait until it answers. `password` sets requirepass (the URL then carries it). */
export async function startRedis(options: { port?: number; password?: string } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const auth = options.password ? `:${options.password}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  /** Resolves when the log matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `hwnas worker` with short lock and stalled-check intervals (a killed worker's job is taken over in ~2 s). */
export async function startWorker(dir: string, name: string, args: string[]): Promise<WorkerProcess> {
  const logFile = path.join(dir, `${name}.log`);
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/hwnas.js'), 'worker', '--lock-ms', '2000', '--stalled-ms', '1000', ...args],
    { stdio: ['ignore', fd, fd] },
  );
  fs.closeSync(fd);
  const log = () => fs.readFileSync(logFile, 'utf8');
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(log())) {
      if (child.exitCode !== null) throw new Error(`worker ${name} exited (${child.exitCode}): ${log()}`);
      if (Date.now() > deadline) throw new Error(`worker ${name}: no ${pattern} within ${timeoutMs} ms: ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitFor(/worker \S+ for device/);
  return {
    child,
    log,
    waitFor,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
