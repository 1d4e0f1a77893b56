// Writing files the safe way: never through a symbolic link, never half-written (temporary name, then rename).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';

/**
 * Create `dir` (and its parents) as a real folder. @throws UsageError when it, or the path to it, is a file or
 * when `dir` is a symbolic link (a write there would land wherever the link points)
 */
export function ensureDir(dir: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(dir);
  } catch {
    // Does not exist yet.
  }
  if (stat?.isSymbolicLink()) throw new UsageError(`${dir} is a symbolic link; hwnas does not write through links (give a real folder)`);
  if (stat !== undefined && !stat.isDirectory()) throw new UsageError(`${dir} exists and is not a folder`);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** @throws UsageError when `file` is a symbolic link: a write there would land wherever the link points */
export function refuseLink(file: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(file, { throwIfNoEntry: false });
  } catch (err) {
    // A file where a folder should be (ENOTDIR): nothing is at `file`; the write that follows says why it fails.
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  if (stat?.isSymbolicLink()) throw new UsageError(`${file} is a symbolic link; hwnas does not write through links`);
}

/**
 * Write `file` through a temporary sibling and a rename: a failure never leaves a half-written file, and an existing
 * symbolic link at `file` is refused rather than followed.
 * @throws UsageError naming the file when it cannot be written
 */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  ensureDir(dir);
  refuseLink(file);
  const tmp = `${file}.partial-${process.pid}`;
  try {
    fs.writeFileSync(tmp, bytes, { flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Nothing was created.
    }
    throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
