// The SQLite run store: one database per run (results/<run>/hwnas.db, WAL) holding the resolved config and an
// append-only log of trial events; trials and the front are derived from the log, never stored twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DataFileError, HwnasError, UsageError } from '../core/errors.js';
import type { MetricSources, Trial, TrialMetrics } from './types.js';

export const DB_FILE = 'hwnas.db';
const LOCK_FILE = 'writer.lock';
const STORE_VERSION = 1;

/** What a run records once, when it is created. */
export interface RunMeta {
  runId: string;
  createdAt: string;
  /** The resolved (validated, defaulted) config. */
  config: Record<string, unknown>;
  /** sha256 of the resolved config (hex, first 16 characters). */
  configHash: string;
  configFile: string;
  backend: string;
  versions: Record<string, string>;
}

/** One evaluation result to append. */
export type TrialResult =
  { index: number; arch: string; metrics: TrialMetrics; sources: MetricSources } | { index: number; arch: string; error: string };

/** A free-form run annotation (session start, predictor adaptation, front verification, completion). */
export interface RunNote {
  kind: string;
  at: string;
  data: Record<string, unknown>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  trial INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('proposed', 'evaluated', 'failed')),
  arch TEXT NOT NULL,
  metrics TEXT,
  sources TEXT,
  error TEXT,
  at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_trial_kind ON events (trial, kind);
CREATE TABLE IF NOT EXISTS notes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL);
`;

/**
 * A copy of a run database (and its WAL) in a temporary folder, removed when the process exits: how a run in a
 * read-only folder is read when SQLite cannot create the WAL's shared-memory file beside it.
 */
function readOnlySnapshot(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-readonly-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const copy = path.join(dir, path.basename(file));
  fs.copyFileSync(file, copy);
  if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
  return copy;
}

/**
 * Why a SQLite file is shorter than its own header says (undefined when it is not). SQLite reads the missing part of
 * a page cut mid-way as zeros and can return wrong rows without any error, so this is checked before it opens the file.
 */
function truncation(file: string, size: number): string | undefined {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  // Not SQLite at all: SQLite's own "file is not a database" says so.
  if (header.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') return undefined;
  if (read < header.length) return `${size} bytes, less than SQLite's ${header.length}-byte header`;
  const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
  if (size % pageSize !== 0) return `${size} bytes is not a whole number of ${pageSize}-byte pages`;
  // The header's page count is exact when valid (its "valid-for" number equals the change counter) and no WAL holds
  // pages still to be copied in: a checkpoint under way may have written the new count before the pages.
  const pages = header.readUInt32BE(28);
  const wal = `${file}-wal`;
  const walEmpty = !fs.existsSync(wal) || fs.statSync(wal).size === 0;
  if (walEmpty && header.readUInt32BE(92) === header.readUInt32BE(24) && size < pages * pageSize) {
    return `${size} bytes, but its header counts ${pages} pages of ${pageSize} bytes`;
  }
  return undefined;
}

/** Start time of a process in clock ticks since boot (Linux /proc), to tell a reused PID from the lock's owner. */
function startTicks(pid: number | 'self'): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'; starttime is field 22.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/** Who holds a run's writer lock: PID, host, and the process start time (PIDs are reused). */
export interface LockOwner {
  pid: number;
  host: string;
  startTicks?: number;
}

/** The owner recorded in a lock file (plain PIDs of older runs included); undefined when unreadable. */
function readLockOwner(file: string): LockOwner | undefined {
  const text = fs.readFileSync(file, 'utf8').trim();
  if (/^\d+$/.test(text)) return { pid: Number(text), host: os.hostname() };
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's owner still runs: on this host, the same PID with the same start time. Unknown for other hosts. */
function lockOwnerAlive(owner: LockOwner): boolean | 'other-host' {
  if (owner.host !== os.hostname()) return 'other-host';
  if (!isAlive(owner.pid)) return false;
  const ticks = startTicks(owner.pid);
  return owner.startTicks === undefined || ticks === undefined || ticks === owner.startTicks;
}

/** Whether a process with this PID exists on this host (EPERM: it exists but belongs to another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The writer of a run folder: the owner its lock records (undefined when unreadable) and whether that process still
 * runs (`'other-host'`: cannot be checked from here). Undefined when no lock is held. The one live-writer check of
 * the run store, `runs show`/`list` and `runs unlock`.
 */
export function runWriter(dir: string): { owner?: LockOwner; alive: boolean | 'other-host' } | undefined {
  const file = path.join(dir, LOCK_FILE);
  if (!fs.existsSync(file)) return undefined;
  const owner = readLockOwner(file);
  return { owner, alive: owner === undefined ? false : lockOwnerAlive(owner) };
}

/** A run's database. Writers hold `writer.lock` (one writer per run); readers may open it at any time. */
export class RunStore {
  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
    private readonly lockFile?: string,
  ) {}

  /** Run id = the name of its directory. */
  get runId(): string {
    return path.basename(this.dir);
  }

  /**
   * Create a new run directory and database with its metadata in one transaction.
   * @throws UsageError when the directory exists, or cannot be created
   */
  static create(dir: string, meta: RunMeta): RunStore {
    if (fs.existsSync(dir))
      throw new UsageError(`run directory ${dir} already exists (resume it with 'hwnas runs resume ${path.basename(dir)}')`);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new UsageError(`cannot create run directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const lockFile = RunStore.lock(dir);
      // Build the database under a temporary name and rename it, so a reader never sees a run without its schema.
      const staging = path.join(dir, `${DB_FILE}.creating`);
      const setup = new Database(staging);
      setup.exec(SCHEMA);
      const put = setup.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      setup.transaction(() => {
        put.run('storeVersion', String(STORE_VERSION));
        for (const [key, value] of Object.entries(meta)) put.run(key, JSON.stringify(value));
      })();
      setup.close();
      fs.renameSync(staging, path.join(dir, DB_FILE));
      const db = new Database(path.join(dir, DB_FILE));
      db.pragma('journal_mode = WAL');
      return new RunStore(dir, db, lockFile);
    } catch (err) {
      // Never leave a half-created run behind.
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Open an existing run for writing (resume). A database that is not a run of this format is refused before
   * anything is written, and the lock is released again.
   * @throws UsageError when another live process writes it; DataFileError for a broken or foreign database
   */
  static openWriter(dir: string): RunStore {
    const file = RunStore.dbFile(dir);
    const lockFile = RunStore.lock(dir);
    try {
      // Checked through a read-only connection: closing a writable one checkpoints, which would write into a broken file.
      RunStore.openChecked(file).close();
      const db = new Database(file, { fileMustExist: true });
      db.pragma('journal_mode = WAL');
      return new RunStore(dir, db, lockFile);
    } catch (err) {
      fs.rmSync(lockFile, { force: true });
      throw err;
    }
  }

  /** Open a run read-only; works while a search is writing it. @throws DataFileError for a broken or foreign database */
  static openReader(dir: string): RunStore {
    return new RunStore(dir, RunStore.openChecked(RunStore.dbFile(dir)));
  }

  /** Open the database read-only and check it is a whole run database this version reads. */
  private static openChecked(file: string): Database.Database {
    let db: Database.Database | undefined;
    try {
      const size = fs.statSync(file).size;
      if (size === 0) throw new DataFileError(file, 0, 'the run database is empty (0 bytes); the run cannot be read or resumed');
      const truncated = truncation(file, size);
      if (truncated !== undefined)
        throw new DataFileError(file, 0, `the run database is truncated (${truncated}); the run cannot be read or resumed`);
      db = new Database(file, { readonly: true, fileMustExist: true });
      let row: { value: string } | undefined;
      try {
        row = db.prepare("SELECT value FROM meta WHERE key = 'storeVersion'").get() as { value: string } | undefined;
      } catch (err) {
        // A read-only folder without the WAL's -shm file, which SQLite cannot create there: read a snapshot copy.
        if (!/unable to open/.test((err as Error).message)) throw err;
        db.close();
        db = new Database(readOnlySnapshot(file), { fileMustExist: true });
        row = db.prepare("SELECT value FROM meta WHERE key = 'storeVersion'").get() as { value: string } | undefined;
      }
      const version = row === undefined ? undefined : Number(row.value);
      if (version !== STORE_VERSION) {
        const writer = db.prepare("SELECT value FROM meta WHERE key = 'versions'").get() as { value: string } | undefined;
        const by = writer === undefined ? '' : ` (written by hwnas ${(JSON.parse(writer.value) as { hwnas?: string }).hwnas ?? '?'})`;
        throw new DataFileError(file, 0, `run database format ${version ?? 'unknown'}${by}; this hwnas reads format ${STORE_VERSION}`);
      }
      return db;
    } catch (err) {
      db?.close();
      if (err instanceof DataFileError) throw err;
      // SQLite's own words ("file is not a database", "no such table: meta"), with the file named.
      throw new DataFileError(file, 0, `not a readable run database: ${(err as Error).message}`);
    }
  }

  private static dbFile(dir: string): string {
    const file = path.join(dir, DB_FILE);
    if (!fs.existsSync(file)) throw new DataFileError(file, 0, `no run database; is '${dir}' a run directory?`);
    return file;
  }

  /**
   * Take the single-writer lock, replacing one left by a dead process (kill -9) or by a PID that now belongs to
   * another process. A lock from another host is never taken over (`runs unlock` removes it).
   */
  private static lock(dir: string): string {
    const file = path.join(dir, LOCK_FILE);
    const me: LockOwner = { pid: process.pid, host: os.hostname(), startTicks: startTicks('self') };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
        return file;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST')
          throw new UsageError(
            `cannot lock run ${dir} (writing ${file}): ${code === 'EACCES' || code === 'EROFS' ? `${code}, the run folder is read-only` : code}`,
          );
        const writer = runWriter(dir);
        const id = path.basename(dir);
        if (writer?.alive === true) throw new UsageError(`run ${id} is being written by process ${writer.owner!.pid}`);
        if (writer?.alive === 'other-host')
          throw new UsageError(
            `run ${id} is locked by process ${writer.owner!.pid} on host ${writer.owner!.host}; if nothing writes it any more: hwnas runs unlock ${id}`,
          );
        try {
          fs.rmSync(file, { force: true });
        } catch (e) {
          throw new UsageError(`cannot take over the stale lock ${file}: ${(e as NodeJS.ErrnoException).code}`);
        }
      }
    }
    throw new UsageError(`cannot lock run ${dir}`);
  }

  /**
   * Remove a run's writer lock after a crash on another host or a hung process. Refused while the owner runs on
   * this host. @returns the owner that held it, or undefined when there was no lock
   */
  static unlock(dir: string): LockOwner | undefined {
    const writer = runWriter(dir);
    if (writer === undefined) return undefined;
    if (writer.alive === true)
      throw new UsageError(`run ${path.basename(dir)} is being written by process ${writer.owner!.pid} on this host; stop it first`);
    fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
    return writer.owner ?? { pid: 0, host: 'unknown' };
  }

  /**
   * `use` on the database, with a failure of SQLite or of a stored JSON value (a damaged page the opening checks
   * cannot see, a full disk) reported as one line naming this run's database file.
   */
  private guard<T>(access: 'read' | 'write', use: () => T): T {
    try {
      return use();
    } catch (err) {
      if (err instanceof HwnasError) throw err;
      const what = access === 'read' ? 'not a readable run database' : 'cannot write the run database';
      throw new DataFileError(path.join(this.dir, DB_FILE), 0, `${what}: ${(err as Error).message}`);
    }
  }

  meta(): RunMeta {
    return this.guard('read', () => {
      const rows = this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
      const meta: Record<string, unknown> = {};
      for (const r of rows) if (r.key !== 'storeVersion') meta[r.key] = JSON.parse(r.value);
      return meta as unknown as RunMeta;
    });
  }

  /** Trials derived from the event log, in index order; the last event of a trial decides its state. */
  trials(): Trial[] {
    return this.guard('read', () => {
      const rows = this.db.prepare('SELECT trial, batch, kind, arch, metrics, sources, error FROM events ORDER BY seq').all() as {
        trial: number;
        batch: number;
        kind: Trial['state'];
        arch: string;
        metrics: string | null;
        sources: string | null;
        error: string | null;
      }[];
      const byIndex = new Map<number, Trial>();
      for (const r of rows) {
        const trial: Trial = { index: r.trial, batch: r.batch, arch: r.arch, state: r.kind };
        if (r.metrics !== null) trial.metrics = JSON.parse(r.metrics) as TrialMetrics;
        if (r.sources !== null) trial.sources = JSON.parse(r.sources) as MetricSources;
        if (r.error !== null) trial.error = r.error;
        byIndex.set(r.trial, trial);
      }
      return [...byIndex.values()].sort((a, b) => a.index - b.index);
    });
  }

  /** Number of events of each kind. */
  counts(): Record<Trial['state'], number> {
    return this.guard('read', () => {
      const counts = { proposed: 0, evaluated: 0, failed: 0 };
      for (const r of this.db.prepare('SELECT kind, COUNT(*) AS n FROM events GROUP BY kind').all() as {
        kind: Trial['state'];
        n: number;
      }[])
        counts[r.kind] = r.n;
      return counts;
    });
  }

  /** Append `proposed` events of one batch in one transaction. */
  appendProposed(batch: number, candidates: readonly { index: number; arch: string }[]): void {
    this.guard('write', () => {
      const insert = this.db.prepare("INSERT INTO events (trial, batch, kind, arch, at) VALUES (?, ?, 'proposed', ?, ?)");
      const at = new Date().toISOString();
      this.db.transaction(() => {
        for (const c of candidates) insert.run(c.index, batch, c.arch, at);
      })();
    });
  }

  /** Append `evaluated` / `failed` events of one batch in one transaction. */
  appendResults(batch: number, results: readonly TrialResult[]): void {
    this.guard('write', () => {
      const insert = this.db.prepare(
        'INSERT INTO events (trial, batch, kind, arch, metrics, sources, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const at = new Date().toISOString();
      this.db.transaction(() => {
        for (const r of results) {
          if ('error' in r) insert.run(r.index, batch, 'failed', r.arch, null, null, r.error, at);
          else insert.run(r.index, batch, 'evaluated', r.arch, JSON.stringify(r.metrics), JSON.stringify(r.sources), null, at);
        }
      })();
    });
  }

  addNote(kind: string, data: Record<string, unknown>): void {
    this.guard('write', () => {
      this.db.prepare('INSERT INTO notes (kind, at, data) VALUES (?, ?, ?)').run(kind, new Date().toISOString(), JSON.stringify(data));
    });
  }

  /** Notes in order, optionally of one kind. */
  notes(kind?: string): RunNote[] {
    return this.guard('read', () => {
      const rows = (
        kind === undefined
          ? this.db.prepare('SELECT kind, at, data FROM notes ORDER BY seq').all()
          : this.db.prepare('SELECT kind, at, data FROM notes WHERE kind = ? ORDER BY seq').all(kind)
      ) as {
        kind: string;
        at: string;
        data: string;
      }[];
      return rows.map((r) => ({ kind: r.kind, at: r.at, data: JSON.parse(r.data) as Record<string, unknown> }));
    });
  }

  close(): void {
    this.db.close();
    if (this.lockFile !== undefined) fs.rmSync(this.lockFile, { force: true });
  }
}

/** Open the run in `dir` read-only, use it, close it. */
export function withRunReader<T>(dir: string, use: (store: RunStore) => T): T {
  const store = RunStore.openReader(dir);
  try {
    return use(store);
  } finally {
    store.close();
  }
}

/**
 * Run directories (those holding a run database) under `resultsDir`, sorted by name. @throws UsageError when it cannot be read as a folder
 */
export function listRunDirs(resultsDir: string): string[] {
  if (!fs.existsSync(resultsDir)) return [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(resultsDir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `results folder ${resultsDir} ${code === 'ENOTDIR' ? 'is a file, not a folder' : `cannot be read (${code ?? (err as Error).message})`} (--results)`,
    );
  }
  return entries
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(resultsDir, e.name, DB_FILE)))
    .map((e) => path.join(resultsDir, e.name))
    .sort();
}

/** The directory of run `id`: a path to a run directory, or a name under `resultsDir`. @throws UsageError */
export function resolveRunDir(id: string, resultsDir: string): string {
  const candidates = [id, path.join(resultsDir, id)];
  for (const c of candidates) if (fs.existsSync(path.join(c, DB_FILE))) return path.resolve(c);
  const known = listRunDirs(resultsDir).map((d) => path.basename(d));
  throw new UsageError(`unknown run '${id}' in ${resultsDir} (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
}
