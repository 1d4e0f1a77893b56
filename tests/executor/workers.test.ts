// Device workers through a real Redis and real `hwnas worker` subprocesses: the queue gives the inline executor's
// results, survives a killed worker and a killed search, fails bad jobs after their attempts, and says clearly when
// Redis or a worker is missing. Each test uses its own queue prefix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/core/csv.js';
import { closeExecutors, executorFor, QueuedDevice } from '../../src/executor/devices.js';
import { runMeasureJob } from '../../src/executor/job.js';
import { getProfile } from '../../src/hardware/registry.js';
import { getSpace } from '../../src/spaces/registry.js';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { haveRedis, startRedis, startWorker, type RedisServer, type WorkerProcess } from '../helpers/redis.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

const PASSWORD = 's3cret-pw';
const required = process.env.HWNAS_REQUIRE_REDIS === '1';
if (!haveRedis && required) throw new Error('redis-server is not installed but HWNAS_REQUIRE_REDIS=1 (CI installs it in .ci/run)');
if (!haveRedis) console.warn('skipping device-worker tests: redis-server is not installed (apt-get install redis-server)');

let redis: RedisServer;
let dir: string;
let accuracy: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  if (!haveRedis) return;
  redis = await startRedis({ password: PASSWORD });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-workers-'));
  accuracy = writeAccuracyFixture(dir);
});
afterAll(async () => {
  if (!haveRedis) return;
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await redis.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function worker(name: string, device: string, prefix: string, extra: string[] = []): Promise<WorkerProcess> {
  const w = await startWorker(dir, name, ['--redis', redis.url, '--device', device, '--prefix', prefix, ...extra]);
  workers.push(w);
  return w;
}

/** A remote profile in its own devices folder. */
function remoteDevice(name: string, remote: Record<string, unknown>): string {
  const devicesDir = path.join(dir, `devices-${name}`);
  fs.mkdirSync(devicesDir, { recursive: true });
  fs.writeFileSync(
    path.join(devicesDir, `${name}.json`),
    JSON.stringify({
      schemaVersion: 1,
      name,
      kind: 'remote',
      description: 'a test board',
      provenance: { source: 'test' },
      remote: { redis: redis.url, ...remote },
    }),
  );
  return devicesDir;
}

const frontOf = (results: string, run: string) => {
  const show = JSON.parse(runCli(['runs', 'show', run, '--results', results, '--json']).stdout);
  return (show.front as { arch: string; accuracy: number; latencyMs: number; sources: unknown }[]).map(
    ({ arch, accuracy: a, latencyMs, sources }) => ({ arch, a, latencyMs, sources }),
  );
};

const jobsMeasured = (...logs: string[]) => logs.flatMap((l) => [...l.matchAll(/^.*measured .* \(\S+, job (\S+)\)$/gm)].map((m) => m[1]));

describe.skipIf(!haveRedis)('device workers on BullMQ/Redis (subprocesses)', () => {
  it("a search on a simulated device through two workers gives the inline executor's front; the password is never stored or printed", async () => {
    const [a, b] = [await worker('sim-a', 'mobile-cpu', 't1'), await worker('sim-b', 'mobile-cpu', 't1')];
    const results = path.join(dir, 'results');
    const budget = { evaluations: 24, batchSize: 8 };
    const queued = writeConfig(
      dir,
      'queued.json',
      searchConfig(accuracy, { budget, executor: { kind: 'bullmq', redis: redis.url, prefix: 't1' } }),
    );
    const inline = writeConfig(dir, 'inline.json', searchConfig(accuracy, { budget }));
    const r = runCli(['search', '--config', queued, '--out-dir', results, '--run-name', 'queued', '--no-progress']);
    expect(r.code).toBe(0);
    expect(runCli(['search', '--config', inline, '--out-dir', results, '--run-name', 'inline', '--no-progress']).code).toBe(0);
    expect(frontOf(results, 'queued')).toEqual(frontOf(results, 'inline'));
    // Both workers took jobs, and each job was measured once.
    const ids = jobsMeasured(a.log(), b.log());
    expect(jobsMeasured(a.log()).length).toBeGreaterThan(0);
    expect(jobsMeasured(b.log()).length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    // Credentials: masked in the stored config and in every output.
    const stored = fs.readFileSync(path.join(results, 'queued', 'hwnas.db'));
    expect(stored.includes(PASSWORD)).toBe(false);
    expect(stored.includes('redis://:***@127.0.0.1')).toBe(true);
    const list = runCli(['workers', 'list', '--redis', redis.url, '--prefix', 't1']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/mobile-cpu\s+2\s+0\s+0\s+\d+\s+0/);
    for (const text of [r.stdout, r.stderr, list.stdout, a.log()]) expect(text).not.toContain(PASSWORD);
    await Promise.all([a.stop(), b.stop()]);
  }, 120_000);

  it('a worker killed mid-job: another worker takes the job over and the result is recorded once', async () => {
    const devicesDir = remoteDevice('board-kill', {
      prefix: 't2',
      onnxruntime: { warmup: 1, minRepeats: 2000, maxRepeats: 2000, budgetMs: 1 },
    });
    const first = await worker('kill-a', 'board-kill', 't2');
    const out = path.join(dir, 'kill.csv');
    const measure = runCliAsync([
      'devices',
      'measure',
      '--device',
      'board-kill',
      '--devices-dir',
      devicesDir,
      '--archs',
      '123',
      '--out',
      out,
    ]);
    await first.waitFor(/measuring nb201/);
    const second = await worker('kill-b', 'board-kill', 't2');
    first.child.kill('SIGKILL');
    const r = await measure.done;
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(readCsv(out).rows).toHaveLength(1);
    expect(jobsMeasured(second.log())).toHaveLength(1);
    expect(jobsMeasured(first.log())).toHaveLength(0);
    const queue = new Queue('measure-board-kill', { connection: { url: redis.url }, prefix: 't2' });
    expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active')).toMatchObject({
      completed: 1,
      failed: 0,
      waiting: 0,
      active: 0,
    });
    await queue.close();
    await second.stop();
  }, 120_000);

  it("a job that cannot run fails with the worker's reason after the configured attempts, not forever", async () => {
    const devicesDir = remoteDevice('board-bad', { prefix: 't3', attempts: 2 });
    const w = await worker('bad', 'board-bad', 't3');
    // 30 px is no NB201 input (two stride-2 reductions need a multiple of 4). The CLI refuses it before queueing
    // anything; a client that queues it anyway gets the worker's reason for each job after its attempts.
    const r = runCli([
      'devices',
      'measure',
      '--device',
      'board-bad',
      '--devices-dir',
      devicesDir,
      '--archs',
      '5,6',
      '--resolution',
      '30',
      '--out',
      path.join(dir, 'bad.csv'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/resolution must be a multiple of 4/);
    expect(fs.existsSync(path.join(dir, 'bad.csv'))).toBe(false);
    const nb201 = getSpace('nb201');
    const profile = getProfile('board-bad', { devicesDir }).profile;
    const device = new QueuedDevice(profile, executorFor(profile, { kind: 'inline' }));
    try {
      const records = await device.latency(nb201, [nb201.fromIndex!(5), nb201.fromIndex!(6)], {
        ...nb201.defaultInput('cifar10'),
        resolution: 30,
      });
      expect(records.map((x) => x.error)).toEqual([expect.stringMatching(/multiple of 4/), expect.stringMatching(/multiple of 4/)]);
    } finally {
      await closeExecutors();
    }
    await w.waitFor(/attempt 2\)[^\n]*\n[\s\S]*attempt 2\)/);
    const attempts = [...w.log().matchAll(/measuring .*attempt (\d)\)/g)].map((m) => Number(m[1]));
    expect(Math.max(...attempts)).toBe(2);
    expect(attempts.filter((a) => a === 1)).toHaveLength(2);
    await w.stop();
  }, 60_000);

  it('the search killed with jobs in flight: runs resume collects what arrived, measures nothing twice, and ends on the uninterrupted front', async () => {
    const results = path.join(dir, 'results-kill');
    const budget = { evaluations: 24, batchSize: 8 };
    const config = writeConfig(
      dir,
      'kill.json',
      searchConfig(accuracy, { budget, executor: { kind: 'bullmq', redis: redis.url, prefix: 't4', noWorkerTimeoutMs: 60_000 } }),
    );
    // No worker yet: the first batch waits in the queue, and the search is killed there.
    const search = runCliAsync(['search', '--config', config, '--out-dir', results, '--run-name', 'k', '--no-progress']);
    const queue = new Queue('measure-mobile-cpu', { connection: { url: redis.url }, prefix: 't4' });
    for (let t = 0; (await queue.getJobCounts('waiting')).waiting < 8; t++) {
      if (t > 300) throw new Error('the search queued no jobs');
      await new Promise((r) => setTimeout(r, 100));
    }
    search.child.kill('SIGKILL');
    await search.done;
    const w = await worker('resume', 'mobile-cpu', 't4');
    for (let t = 0; (await queue.getJobCounts('completed')).completed < 8; t++) {
      if (t > 300) throw new Error('the worker did not measure the queued batch');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The run's stored config holds the Redis URL with its password masked: resuming needs the full URL.
    const refused = runCli(['runs', 'resume', 'k', '--results', results, '--no-progress']);
    expect(refused.stderr).toMatch(
      /hwnas: error: run k used Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+, whose password is not stored; set HWNAS_REDIS_URL/,
    );
    const resumed = runCli(['runs', 'resume', 'k', '--results', results, '--no-progress'], { env: { HWNAS_REDIS_URL: redis.url } });
    expect(resumed.code, resumed.stderr).toBe(0);
    const ids = jobsMeasured(w.log());
    expect(new Set(ids).size).toBe(ids.length);
    const show = JSON.parse(runCli(['runs', 'show', 'k', '--results', results, '--json']).stdout);
    expect(show.counts.evaluated).toBe(24);
    expect(ids.length).toBeLessThanOrEqual(24);
    expect((await queue.getJobCounts('completed')).completed).toBe(ids.length);
    await queue.close();
    const inline = writeConfig(dir, 'kill-inline.json', searchConfig(accuracy, { budget }));
    expect(runCli(['search', '--config', inline, '--out-dir', results, '--run-name', 'k-inline', '--no-progress']).code).toBe(0);
    expect(frontOf(results, 'k')).toEqual(frontOf(results, 'k-inline'));
    await w.stop();
  }, 120_000);

  it('Redis unreachable, no worker, Redis lost mid-run: one clear line each, the password masked; the stopped run resumes', async () => {
    const closed = await startRedis();
    await closed.stop();
    const unreachable = `redis://:${PASSWORD}@127.0.0.1:${closed.port}`;
    const devicesDir = remoteDevice('board-far', { redis: unreachable });
    for (const args of [
      ['devices', 'measure', '--device', 'board-far', '--devices-dir', devicesDir, '--n', '1', '--out', path.join(dir, 'far.csv')],
      ['worker', '--redis', unreachable, '--device', 'board-far'],
      ['workers', 'list', '--redis', unreachable],
    ]) {
      const r = runCli(args);
      expect(r.code).not.toBe(0);
      const errors = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('hwnas: error'));
      expect(errors).toEqual([
        expect.stringMatching(new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${closed.port}: ECONNREFUSED`)),
      ]);
      expect(r.stderr).not.toContain(PASSWORD);
    }
    const lonely = remoteDevice('board-lonely', { prefix: 't5', noWorkerTimeoutMs: 1500 });
    const r = runCli([
      'devices',
      'measure',
      '--device',
      'board-lonely',
      '--devices-dir',
      lonely,
      '--n',
      '1',
      '--out',
      path.join(dir, 'lonely.csv'),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /hwnas: error: no worker for device 'board-lonely' on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ after 2 s; start one on the device: hwnas worker/,
    );

    // Redis goes away during a run: the search stops within its redisDownTimeoutMs and resumes once Redis is back.
    const own = await startRedis();
    const results = path.join(dir, 'results-lost');
    const executor = { kind: 'bullmq', redis: own.url, prefix: 't6', redisDownTimeoutMs: 2000, jobTimeoutMs: 60_000 };
    const config = writeConfig(dir, 'lost.json', searchConfig(accuracy, { budget: { evaluations: 800, batchSize: 4 }, executor }));
    const w = await startWorker(dir, 'lost', ['--redis', own.url, '--device', 'mobile-cpu', '--prefix', 't6']);
    workers.push(w);
    const search = runCliAsync(['search', '--config', config, '--out-dir', results, '--run-name', 'lost', '--no-progress']);
    await w.waitFor(/measured nb201/);
    const stoppedAt = Date.now();
    await own.stop();
    const done = await search.done;
    expect(done.code, done.stderr).toBe(1);
    expect(done.stderr).toMatch(/hwnas: error: Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable for \d+ s; stopped/);
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    await w.stop('SIGKILL');
    const back = await startRedis({ port: own.port });
    const w2 = await startWorker(dir, 'lost-2', ['--redis', back.url, '--device', 'mobile-cpu', '--prefix', 't6']);
    workers.push(w2);
    const config2 = JSON.parse(fs.readFileSync(config, 'utf8'));
    expect(config2.budget.evaluations).toBe(800);
    const resumed = runCli(['runs', 'resume', 'lost', '--results', results, '--no-progress'], { timeoutMs: 240_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    await w2.stop();
    await back.stop();
  }, 300_000);

  it('a job is data only: unknown fields, code and unknown runtimes are refused before anything runs', async () => {
    const job = {
      space: 'nb201',
      arch: '0',
      input: { batchSize: 1, resolution: 32, channels: 3, classes: 10 },
      seed: 0,
      runtime: 'onnxruntime',
      settings: {},
    };
    await expect(runMeasureJob({ ...job, code: 'process.exit(1)' })).rejects.toThrow(/invalid measurement job: .*code/);
    await expect(runMeasureJob({ ...job, runtime: 'shell' })).rejects.toThrow(/invalid measurement job: runtime/);
    await expect(runMeasureJob({ ...job, settings: { budgetMs: 'eval()' } })).rejects.toThrow(
      /invalid measurement job: settings\.budgetMs/,
    );
    await expect(runMeasureJob({ ...job, input: { ...job.input, resolution: 1e9 } })).rejects.toThrow(
      /invalid measurement job: input\.resolution/,
    );
  });
});
