// @ts-check
// Device workers: what the BullMQ/Redis queue costs per measurement job, against the inline executor, with one and
// two local `hwnas worker` processes on this 2-core machine; trivial jobs (the simulator) and real ONNX Runtime
// measurements; and how long a job of a SIGKILLed worker waits before another worker takes it over.
// Starts its own redis-server on a free loopback port. Writes results/bench/workers.json.
// Environment: BENCH_TRIVIAL=300 (simulated jobs)  BENCH_ORT=40 (ORT jobs)  BENCH_RECOVERY=3 (kills with the short
// lock; the defaults are killed once, since each takes about a minute and a half)  BENCH_SMOKE=1 (10 simulated jobs,
// 2 ORT jobs, one kill with the short lock only)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../dist/core/rng.js';
import { BullmqExecutor } from '../dist/executor/bullmq.js';
import { QueuedDevice } from '../dist/executor/devices.js';
import { InlineExecutor } from '../dist/executor/inline.js';
import { BUILTIN_PROFILES } from '../dist/hardware/registry.js';
import { getSpace } from '../dist/spaces/registry.js';
import { envNumber, SMOKE, startBench } from './stamp.mjs';

/** @typedef {import('../dist/hardware/schema.js').DeviceProfile} DeviceProfile */
/** @typedef {Extract<DeviceProfile, { kind: 'onnxruntime' }>} OrtProfile */

const trivialN = envNumber('BENCH_TRIVIAL', 300, 10);
const ortN = envNumber('BENCH_ORT', 40, 2);
const kills = envNumber('BENCH_RECOVERY', 3, 1);
// A takeover with the default lock settings takes about a minute and a half: not in smoke runs.
const defaultsKills = SMOKE ? 0 : 1;
const bench = startBench('workers', { trivialJobs: trivialN, ortJobs: ortN, shortLockKills: kills, defaultLockKills: defaultsKills });
const space = getSpace('nb201');
const input = space.defaultInput();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-bench-workers-'));
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
/** @param {string} name */
const profile = (name) => /** @type {DeviceProfile} */ (BUILTIN_PROFILES.find((p) => p.name === name));
const hostOrt = /** @type {OrtProfile} */ (profile('host-ort'));

/** @type {number} */
const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = /** @type {net.AddressInfo} */ (s.address()).port;
    s.close(() => resolve(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp], {
  stdio: 'ignore',
});
const url = `redis://127.0.0.1:${port}`;
for (let ok = false; !ok; await sleep(50))
  ok = await new Promise((r) => {
    const socket = net
      .connect(port, '127.0.0.1')
      .on('connect', () => {
        socket.end();
        r(true);
      })
      .on('error', () => r(false));
  });

/**
 * A worker subprocess with its log in a file; resolves once it has announced itself.
 * @param {string} name
 * @param {string} device
 * @param {string} prefix
 * @param {string[]} [extra]
 */
async function worker(name, device, prefix, extra = []) {
  const log = path.join(tmp, `${name}.log`);
  const fd = fs.openSync(log, 'w');
  const child = spawn(process.execPath, ['bin/hwnas.js', 'worker', '--redis', url, '--device', device, '--prefix', prefix, ...extra], {
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const read = () => fs.readFileSync(log, 'utf8');
  while (!/worker \S+ for device/.test(read())) await sleep(50);
  const stop = () =>
    /** @type {Promise<void>} */ (
      new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM'))))
    );
  return { child, read, stop };
}

/** @param {number} n @param {number} seed */
function archs(n, seed) {
  const set = new Set();
  for (let i = 0; set.size < n; i++) set.add(space.sample(Rng.derive(seed, 'bench-workers', i)));
  return [...set];
}

/**
 * @param {DeviceProfile} profile
 * @param {import('../dist/executor/types.js').Executor} executor
 * @param {string[]} list
 * @param {string} scope
 */
async function timed(profile, executor, list, scope) {
  const device = new QueuedDevice(profile, executor, scope);
  const t0 = performance.now();
  const results = await device.measure(space, list, input, { seed: 0 });
  const seconds = (performance.now() - t0) / 1000;
  return {
    n: results.length,
    seconds: +seconds.toFixed(2),
    msPerJob: +((seconds * 1000) / results.length).toFixed(2),
    jobsPerSecond: +(results.length / seconds).toFixed(1),
  };
}

const settings = { redis: url, jobTimeoutMs: 600_000, attempts: 1, noWorkerTimeoutMs: 30_000, redisDownTimeoutMs: 60_000 };
/**
 * @type {{ jobs: string, executor: string, n: number, seconds: number, msPerJob: number, jobsPerSecond: number,
 *   overheadMsPerJob?: number }[]}
 */
const rows = [];
const cases = [
  { what: 'simulator (trivial jobs)', profile: profile('mobile-cpu'), n: trivialN },
  {
    what: 'ONNX Runtime (host-ort, budget 100 ms)',
    profile: { ...hostOrt, onnxruntime: { ...hostOrt.onnxruntime, budgetMs: 100 } },
    n: ortN,
  },
];
for (const [c, kase] of cases.entries()) {
  const list = archs(kase.n, c);
  rows.push({ jobs: kase.what, executor: 'inline', ...(await timed(kase.profile, new InlineExecutor(), list, `inline-${c}`)) });
  for (const count of [1, 2]) {
    const prefix = `b${c}w${count}`;
    const ws = [];
    for (let i = 0; i < count; i++) ws.push(await worker(`${prefix}-${i}`, kase.profile.name, prefix));
    const executor = new BullmqExecutor({ ...settings, prefix });
    rows.push({
      jobs: kase.what,
      executor: `bullmq, ${count} worker${count > 1 ? 's' : ''}`,
      ...(await timed(kase.profile, executor, list, `${prefix}-run`)),
    });
    await executor.close();
    await Promise.all(ws.map((w) => w.stop()));
  }
}
for (const r of rows) {
  const inline = rows.find((x) => x.jobs === r.jobs && x.executor === 'inline');
  r.overheadMsPerJob = inline ? +(r.msPerJob - inline.msPerJob).toFixed(2) : NaN;
}
bench.table(
  'Measurement jobs through the queue against the inline executor',
  ['jobs', 'executor', 'n', 'seconds', 'ms / job', 'jobs / s', 'overhead ms / job vs inline'],
  rows.map((r) => [r.jobs, r.executor, r.n, r.seconds, r.msPerJob, r.jobsPerSecond, r.overheadMsPerJob ?? '']),
);

// Recovery: a job that takes ~3 s; worker A takes it and is SIGKILLed; worker B is waiting. Time from the kill until
// B starts the job, with the lock/stalled-check settings of the tests and with the defaults.
/** @type {{ settings: string, secondsFromKillToTakeover: number[], median: number }[]} */
const recovery = [];
const slow = { ...hostOrt, onnxruntime: { ...hostOrt.onnxruntime, warmup: 1, minRepeats: 2000, maxRepeats: 2000, budgetMs: 1 } };
/** @type {[string, string[], number][]} */
const recoveryCases = [
  ['lock 2 s, stalled check 1 s', ['--lock-ms', '2000', '--stalled-ms', '1000'], kills],
  ['defaults (lock 30 s, stalled check 30 s)', [], defaultsKills],
];
for (const [label, flags, repeat] of recoveryCases.filter(([, , n]) => n > 0)) {
  const times = [];
  for (let k = 0; k < repeat; k++) {
    const prefix = `rec${recovery.length}k${k}`;
    const a = await worker(`${prefix}-a`, 'host-ort', prefix, flags);
    const executor = new BullmqExecutor({ ...settings, prefix });
    const pending = new QueuedDevice(slow, executor, prefix).measure(space, archs(1, 100 + k), input, { seed: 0 });
    while (!/measuring nb201/.test(a.read())) await sleep(20);
    const b = await worker(`${prefix}-b`, 'host-ort', prefix, flags);
    const killedAt = performance.now();
    a.child.kill('SIGKILL');
    while (!/measuring nb201/.test(b.read())) await sleep(20);
    times.push(+((performance.now() - killedAt) / 1000).toFixed(2));
    await pending;
    await executor.close();
    await b.stop();
  }
  recovery.push({ settings: label, secondsFromKillToTakeover: times, median: [...times].sort((x, y) => x - y)[times.length >> 1] });
}
bench.table(
  'A SIGKILLed worker: time until another worker takes its job over',
  ['worker settings', 'kill → another worker takes the job (s)', 'median s'],
  recovery.map((r) => [r.settings, r.secondsFromKillToTakeover.join(', '), r.median]),
);

redis.kill('SIGTERM');
fs.rmSync(tmp, { recursive: true, force: true });
const redisVersion = /v=(\S+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 'unknown';
bench.write({ trivialJobs: trivialN, ortJobs: ortN, throughput: rows, recovery }, { versions: { 'redis-server': redisVersion } });
process.exit(0);
