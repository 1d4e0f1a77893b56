import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { listRunDirs, resolveRunDir, RunStore, runWriter, type RunMeta } from '../../src/search/store.js';

const meta: RunMeta = {
  runId: 'r1',
  createdAt: '2026-01-01T00:00:00Z',
  config: { name: 'x' },
  configHash: 'abc',
  configFile: 'x.json',
  backend: 'cpu',
  versions: { hwnas: '0.1.0' },
};
const metrics = (acc: number, ms: number) => ({ accuracy: acc, latencyMs: ms, flopsM: 1, paramsM: 0.1 });
const sources = { accuracy: 'table:a', latencyMs: 'simulated:x@1', flopsM: 'analytic', paramsM: 'analytic' };

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-store-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('RunStore', () => {
  it('derives trials from append-only events and keeps the metadata', () => {
    const store = RunStore.create(path.join(root, 'r1'), meta);
    store.appendProposed(0, [
      { index: 0, arch: 'a' },
      { index: 1, arch: 'b' },
    ]);
    expect(store.trials().map((t) => t.state)).toEqual(['proposed', 'proposed']);
    store.appendResults(0, [
      { index: 0, arch: 'a', metrics: metrics(70, 2), sources },
      { index: 1, arch: 'b', error: 'no accuracy' },
    ]);
    const trials = store.trials();
    expect(trials[0]).toMatchObject({ index: 0, batch: 0, arch: 'a', state: 'evaluated', metrics: metrics(70, 2), sources });
    expect(trials[1]).toMatchObject({ index: 1, state: 'failed', error: 'no accuracy' });
    expect(store.counts()).toEqual({ proposed: 2, evaluated: 1, failed: 1 });
    expect(store.meta()).toEqual(meta);
    expect(store.runId).toBe('r1');
    store.close();
  });

  it('rejects a second event of the same kind for a trial (no duplicate trials)', () => {
    const store = RunStore.create(path.join(root, 'r1'), meta);
    store.appendProposed(0, [{ index: 0, arch: 'a' }]);
    expect(() => store.appendProposed(0, [{ index: 0, arch: 'a' }])).toThrow(/UNIQUE/);
    expect(store.counts().proposed).toBe(1);
    store.close();
  });

  it('lets a reader see committed batches while the writer is inside a transaction', () => {
    const dir = path.join(root, 'r1');
    const writer = RunStore.create(dir, meta);
    writer.appendProposed(0, [{ index: 0, arch: 'a' }]);
    const reader = RunStore.openReader(dir);
    expect(reader.trials()).toHaveLength(1);
    // A batch that fails half-way is rolled back as a whole: the reader never sees a partial batch.
    expect(() =>
      writer.appendProposed(1, [
        { index: 1, arch: 'b' },
        { index: 0, arch: 'dup' },
      ]),
    ).toThrow();
    expect(reader.trials()).toHaveLength(1);
    writer.appendProposed(1, [{ index: 1, arch: 'b' }]);
    expect(reader.trials().map((t) => t.arch)).toEqual(['a', 'b']);
    reader.close();
    writer.close();
  });

  it('allows one writer: a live writer blocks another, a dead one (kill -9) does not', () => {
    const dir = path.join(root, 'r1');
    const writer = RunStore.create(dir, meta);
    expect(() => RunStore.openWriter(dir)).toThrow(UsageError);
    expect(() => RunStore.openWriter(dir)).toThrow(/being written by process/);
    writer.close();
    // A lock left by a process that no longer exists.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(dir, 'writer.lock'), dead);
    const again = RunStore.openWriter(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'writer.lock'), 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    again.close();
    expect(fs.existsSync(path.join(dir, 'writer.lock'))).toBe(false);
  });

  it('takes over a lock whose PID now belongs to another process, never one of another host; unlock removes it', () => {
    const dir = path.join(root, 'r-lock');
    RunStore.create(dir, meta).close();
    // This test's own PID, but with a start time it never had: the PID was reused by another process.
    fs.writeFileSync(path.join(dir, 'writer.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startTicks: 1 }));
    const writer = RunStore.openWriter(dir);
    writer.close();
    fs.writeFileSync(path.join(dir, 'writer.lock'), JSON.stringify({ pid: 4242, host: 'board-7', startTicks: 99 }));
    expect(() => RunStore.openWriter(dir)).toThrow(
      /locked by process 4242 on host board-7; if nothing writes it any more: hwnas runs unlock r-lock/,
    );
    expect(RunStore.unlock(dir)).toMatchObject({ pid: 4242, host: 'board-7' });
    RunStore.openWriter(dir).close();
  });

  it('runWriter: no lock, a live writer (also one of another user: EPERM), a dead one, another host', () => {
    const dir = path.join(root, 'r-writer');
    const writer = RunStore.create(dir, meta);
    expect(runWriter(dir)).toMatchObject({ owner: { pid: process.pid }, alive: true });
    writer.close();
    expect(runWriter(dir)).toBeUndefined();
    const lock = path.join(dir, 'writer.lock');
    // PID 1 exists; signalling it from a non-root user fails with EPERM, which still means alive.
    fs.writeFileSync(lock, JSON.stringify({ pid: 1, host: os.hostname() }));
    expect(runWriter(dir)?.alive).toBe(true);
    expect(() => RunStore.openWriter(dir)).toThrow(/being written by process 1/);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(lock, dead);
    expect(runWriter(dir)?.alive).toBe(false);
    fs.writeFileSync(lock, JSON.stringify({ pid: 4242, host: 'board-7' }));
    expect(runWriter(dir)?.alive).toBe('other-host');
    fs.writeFileSync(lock, 'not a lock');
    expect(runWriter(dir)).toEqual({ owner: undefined, alive: false });
  });

  it('refuses to create over an existing run and leaves nothing when the folder cannot be made', () => {
    RunStore.create(path.join(root, 'r1'), meta).close();
    expect(() => RunStore.create(path.join(root, 'r1'), meta)).toThrow(/already exists/);
    fs.writeFileSync(path.join(root, 'file'), '');
    expect(() => RunStore.create(path.join(root, 'file', 'r2'), meta)).toThrow(/cannot create run directory/);
  });

  it('lists and resolves runs by directory name', () => {
    RunStore.create(path.join(root, 'b'), meta).close();
    RunStore.create(path.join(root, 'a'), meta).close();
    fs.mkdirSync(path.join(root, 'not-a-run'));
    expect(listRunDirs(root).map((d) => path.basename(d))).toEqual(['a', 'b']);
    expect(resolveRunDir('a', root)).toBe(path.join(root, 'a'));
    expect(() => resolveRunDir('zzz', root)).toThrow(/unknown run 'zzz' .*known: a, b/);
  });

  it('stores notes in order', () => {
    const store = RunStore.create(path.join(root, 'r1'), meta);
    store.addNote('session', { pid: 1 });
    store.addNote('completed', { evaluations: 3 });
    store.addNote('session', { pid: 2 });
    expect(store.notes('session').map((n) => n.data.pid)).toEqual([1, 2]);
    expect(store.notes().map((n) => n.kind)).toEqual(['session', 'completed', 'session']);
    store.close();
  });
});
