// @ts-check
// Benchmarks' on-disk caches (pretrained predictors, measured tables): each lives in a folder named by a fingerprint
// of what produced it — the settings, the contents of the data files it read, the hwnas code it ran — so a cache made
// with other settings, data or code is never reused silently: the run says whether it reused or rebuilt it, and why.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SMOKE } from './stamp.mjs';

/** Where caches live; `npm run bench:smoke` points it at a temporary folder. */
const CACHE_DIR = process.env.BENCH_CACHE ?? (SMOKE ? 'results/bench-smoke/cache' : 'results/cache');
const MANIFEST = 'fingerprint.json';

/**
 * @typedef {{ name: string, settings: unknown, files?: string[], code: string[] }} CacheKey
 *   `files`: data files read (by content); `code`: dist modules (e.g. 'predictors/registry.js') whose import closure
 *   produced the artefact.
 * @typedef {{ name: string, dir: string, fingerprint: string, reused: boolean }} CacheInfo
 * @typedef {{ bytes: number, sha256: string }} FileDigest
 * @typedef {{ settings: unknown, files: Record<string, FileDigest>, code: { sha256: string, modules: number } }} Inputs
 */

/** @param {string | Buffer} data */
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

/** @type {Map<string, FileDigest>} */
const fileHashes = new Map();
/** @param {string} file */
function fileDigest(file) {
  const abs = path.resolve(file);
  let digest = fileHashes.get(abs);
  if (digest === undefined) {
    const data = fs.readFileSync(abs);
    digest = { bytes: data.length, sha256: sha256(data) };
    fileHashes.set(abs, digest);
  }
  return digest;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * Fingerprint of the built modules `entries` (relative to dist/) and every module they import, directly or not:
 * any change to the code that made an artefact changes it, and nothing else does.
 * @param {string[]} entries
 */
export function codeFingerprint(entries) {
  const dist = path.join(ROOT, 'dist');
  const seen = new Set(entries.map((e) => path.join(dist, e)));
  const queue = [...seen];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const next = path.resolve(path.dirname(file), spec);
      if (!seen.has(next) && fs.existsSync(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  const hash = crypto.createHash('sha256');
  for (const file of [...seen].sort()) hash.update(`${path.relative(dist, file)}\0${fs.readFileSync(file, 'utf8')}\0`);
  return { sha256: hash.digest('hex'), modules: seen.size };
}

/** @param {CacheKey} key @returns {Inputs} */
function inputsOf(key) {
  return {
    settings: key.settings,
    files: Object.fromEntries((key.files ?? []).map((f) => [path.basename(f), fileDigest(f)])),
    code: codeFingerprint(key.code),
  };
}

/**
 * Which inputs of an old cache differ from `inputs` (for the message when a cache is rebuilt).
 * @param {Inputs} inputs
 * @param {Inputs} old
 */
function differences(inputs, old) {
  const out = [];
  if (JSON.stringify(old.settings) !== JSON.stringify(inputs.settings)) out.push('settings');
  if (JSON.stringify(old.files) !== JSON.stringify(inputs.files)) out.push('data files');
  if (old.code?.sha256 !== inputs.code.sha256) out.push('hwnas code');
  return out;
}

/**
 * The folder of the cache `key` names, and whether a complete one is there (its manifest is written last).
 * Says on stderr which older caches of the same name it leaves alone and why they do not match.
 * @param {string} bench
 * @param {CacheKey} key
 */
export function cacheFolder(bench, key) {
  const inputs = inputsOf(key);
  const fingerprint = sha256(JSON.stringify(inputs)).slice(0, 16);
  const parent = path.join(CACHE_DIR, bench);
  const dir = path.join(parent, `${key.name}-${fingerprint}`);
  const complete = fs.existsSync(path.join(dir, MANIFEST));
  if (!complete && fs.existsSync(parent)) {
    for (const other of fs.readdirSync(parent).filter((d) => d.startsWith(`${key.name}-`) && d !== path.basename(dir))) {
      const manifest = path.join(parent, other, MANIFEST);
      if (!fs.existsSync(manifest)) continue;
      const why = differences(inputs, JSON.parse(fs.readFileSync(manifest, 'utf8')).inputs).join(', ') || 'fingerprint';
      console.error(`cache: ${path.join(parent, other)} is stale (its ${why} differ), not reused`);
    }
  }
  /** Mark the folder complete: its manifest records what went into the fingerprint. */
  const seal = () => fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify({ name: key.name, fingerprint, inputs }, null, 1) + '\n');
  return { dir, fingerprint, complete, seal };
}

/**
 * An artefact from its cache folder when a complete one matches `key`, else built into a fresh folder.
 * @template T
 * @param {string} bench
 * @param {CacheKey} key
 * @param {(dir: string) => Promise<T>} build  makes the artefact in `dir` (and returns it)
 * @param {(dir: string) => Promise<T>} load  reads it back
 * @returns {Promise<{ value: T, info: CacheInfo }>}
 */
export async function cached(bench, key, build, load) {
  const { dir, fingerprint, complete, seal } = cacheFolder(bench, key);
  if (complete) {
    try {
      const value = await load(dir);
      console.error(`cache: reusing ${key.name} from ${dir}`);
      return { value, info: { name: key.name, dir, fingerprint, reused: true } };
    } catch (err) {
      console.error(`cache: ${dir} unreadable (${/** @type {Error} */ (err).message.split('\n')[0]}), rebuilding`);
    }
  }
  console.error(`cache: building ${key.name} into ${dir}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const value = await build(dir);
  seal();
  return { value, info: { name: key.name, dir, fingerprint, reused: false } };
}
