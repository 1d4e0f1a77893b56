// @ts-check
// The one way a benchmark reports: its tables are printed and kept, and results/bench/<name>.json (or $BENCH_OUT)
// holds them beside the raw figures and a stamp (commit and uncommitted files, date, Node and key package versions,
// TF.js backend, CPU, cores and load, the benchmark's settings and every BENCH_*/HWNAS_* variable), from which
// `npm run docs:results` writes docs/results.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNumber, formatTable } from '../dist/core/table.js';

/** The checkout the benchmarks run from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** `npm run bench:smoke`: tiny sizes so every path of a benchmark runs in seconds; its figures mean nothing. */
export const SMOKE = process.env.BENCH_SMOKE === '1';
/** Where benchmarks write their JSON and reports (smoke runs never into results/bench/, whose JSON is committed). */
export const OUT_DIR = process.env.BENCH_OUT ?? (SMOKE ? 'results/bench-smoke' : 'results/bench');
/** Packages whose version changes a benchmark's figures. */
const PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  'onnxruntime-node',
  'better-sqlite3',
  'bullmq',
  'ioredis',
  'playwright-core',
];
/** Paths whose uncommitted changes make a stamp's commit an approximation. */
const CODE_PATHS = ['src', 'bench', 'scripts', 'bin', 'experiments', 'models', 'package.json', 'package-lock.json'];

/**
 * @typedef {{ name: string, threads: number, tfjsVersion: string }} BackendLike
 * @typedef {{ commit: string | null, dirty: string[], date: string }} CodeStamp
 * @typedef {{ commit: string | null, dirtyFiles: number, date: string }} PartStamp
 * @typedef {CodeStamp & {
 *   bench: string, wallSeconds: number, hwnas: string, node: string, packages: Record<string, string | null>,
 *   backend: { name: string, threads: number } | null,
 *   machine: { cpu: string, cores: number, memoryGiB: number, os: string, loadAverage: { start: number, end: number } },
 *   config: Record<string, unknown>, env: Record<string, string>, smoke: boolean,
 *   parts?: Record<string, PartStamp>, caches?: import('./cache.mjs').CacheInfo[], versions?: Record<string, string>,
 * }} Stamp
 * @typedef {{ part?: string, title?: string, header?: string[], rows?: string[][], text?: string }} ReportItem
 */

/** @param {string[]} args */
function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return null;
  }
}

/** The commit checked out and the code files that differ from it (a stamp of a dirty tree says so). */
export function codeStamp() {
  const status = git(['status', '--porcelain', '--', ...CODE_PATHS]);
  /** @type {CodeStamp} */
  const stamp = {
    commit: git(['rev-parse', 'HEAD']),
    dirty: status ? status.split('\n').map((line) => line.slice(3)) : [], // porcelain: 'XY path'
    date: new Date().toISOString(),
  };
  return stamp;
}

/** @param {string} name */
function packageVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** A table cell as it is printed: numbers with formatTable's rounding. @param {unknown} value */
const cellText = (value) => (typeof value === 'number' ? formatNumber(value) : String(value ?? ''));

/**
 * Start a benchmark: the stamp's clock, load average and code state are taken now.
 * `parts` are for benchmarks that run a subset of their parts and keep the others from their previous JSON.
 * @param {string} name  the JSON is `<OUT_DIR>/<name>.json`
 * @param {Record<string, unknown>} config  the resolved settings (sizes, seeds, devices…), recorded as they ran
 * @param {{ parts?: { all: string[], run: string[] } }} [options]
 */
export function startBench(name, config, options = {}) {
  const started = performance.now();
  const loadStart = os.loadavg()[0];
  const code = codeStamp();
  const file = path.join(OUT_DIR, `${name}.json`);
  const parts = options.parts;
  /** The previous JSON of this benchmark when it runs only some parts (their figures are kept), else `{}`. */
  const previous =
    parts !== undefined && parts.all.some((p) => !parts.run.includes(p)) && fs.existsSync(file)
      ? JSON.parse(fs.readFileSync(file, 'utf8'))
      : {};
  /** @type {ReportItem[]} */
  const report = [];
  /** @type {import('./cache.mjs').CacheInfo[]} */
  const caches = [];
  if (SMOKE) console.error(`${name}: smoke run (BENCH_SMOKE=1): tiny sizes, figures not meaningful`);

  return {
    /**
     * Print a table and keep it for the JSON and docs/results.md (cells as printed).
     * @param {string} title
     * @param {string[]} header
     * @param {unknown[][]} rows
     * @param {string} [part]
     */
    table(title, header, rows, part) {
      const cells = rows.map((r) => r.map(cellText));
      console.log(`\n${title}\n${formatTable(header, cells)}`);
      report.push({ ...(part ? { part } : {}), title, header, rows: cells });
    },
    /** Print a line of findings and keep it beside the tables. @param {string} text @param {string} [part] */
    note(text, part) {
      console.log(text);
      report.push({ ...(part ? { part } : {}), text });
    },
    /** Record a cache this run used (pretrained predictors, measured tables). @param {import('./cache.mjs').CacheInfo} info */
    cache(info) {
      caches.push(info);
    },
    /**
     * Write `<OUT_DIR>/<name>.json`: `{ stamp, report, ...data }`, small enough to commit; bulky per-record detail
     * goes to `<OUT_DIR>/details/<name>.json` (not committed), named in the main file's `details`.
     * @param {Record<string, unknown>} data  the figures
     * @param {{ backend?: BackendLike | null, versions?: Record<string, string>, details?: Record<string, unknown> }} [extra]
     *   versions: tools outside node_modules
     */
    write(data, extra = {}) {
      const kept = parts ? parts.all.filter((p) => !parts.run.includes(p) && previous.stamp?.parts?.[p]) : [];
      /** @type {Stamp} */
      const stamp = {
        bench: name,
        ...code,
        wallSeconds: Math.round((performance.now() - started) / 100) / 10,
        hwnas: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
        node: process.version,
        packages: Object.fromEntries(PACKAGES.map((p) => [p, packageVersion(p)])),
        ...(extra.versions ? { versions: extra.versions } : {}),
        backend: extra.backend ? { name: extra.backend.name, threads: extra.backend.threads } : null,
        machine: {
          cpu: os.cpus()[0]?.model ?? 'unknown',
          cores: os.cpus().length,
          memoryGiB: Math.round(os.totalmem() / 2 ** 30),
          os: `${os.type()} ${os.release()} ${os.arch()}`,
          loadAverage: { start: loadStart, end: os.loadavg()[0] },
        },
        config,
        env: Object.fromEntries(
          Object.entries(process.env)
            .filter(([k]) => k.startsWith('BENCH_') || k.startsWith('HWNAS_'))
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, v ?? '']),
        ),
        smoke: SMOKE,
        ...(caches.length > 0 ? { caches } : {}),
      };
      if (parts) {
        const now = { commit: code.commit, dirtyFiles: code.dirty.length, date: code.date };
        stamp.parts = Object.fromEntries(
          parts.all
            .filter((p) => parts.run.includes(p) || kept.includes(p))
            .map((p) => [p, kept.includes(p) ? previous.stamp.parts[p] : now]),
        );
      }
      const keptReport = (previous.report ?? []).filter((/** @type {ReportItem} */ r) => r.part && kept.includes(r.part));
      const order = (/** @type {ReportItem} */ r) => (parts && r.part ? parts.all.indexOf(r.part) : -1);
      const merged = [...keptReport, ...report].sort((a, b) => order(a) - order(b));
      const { stamp: _s, report: _r, ...previousData } = previous;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (extra.details) {
        const detailsFile = path.join(OUT_DIR, 'details', `${name}.json`);
        const previousDetails = kept.length > 0 && fs.existsSync(detailsFile) ? JSON.parse(fs.readFileSync(detailsFile, 'utf8')) : {};
        fs.mkdirSync(path.dirname(detailsFile), { recursive: true });
        fs.writeFileSync(detailsFile, JSON.stringify({ ...previousDetails, ...extra.details }) + '\n');
        data = { ...data, details: path.relative(OUT_DIR, detailsFile) };
      }
      fs.writeFileSync(file, JSON.stringify({ stamp, report: merged, ...previousData, ...data }, null, 1) + '\n');
      console.log(`\nwrote ${file} (${stamp.wallSeconds} s)`);
      return file;
    },
  };
}

/**
 * A comma-separated list from the environment, or `fallback`.
 * @param {string} name
 * @param {string[]} fallback
 */
export function envList(name, fallback) {
  const value = (process.env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return value.length > 0 ? value : fallback;
}

/**
 * A number from the environment, else the smoke size under BENCH_SMOKE=1, else the default.
 * @param {string} name
 * @param {number} fallback
 * @param {number} [smoke]
 */
export function envNumber(name, fallback, smoke) {
  if (process.env[name]) return Number(process.env[name]);
  return SMOKE && smoke !== undefined ? smoke : fallback;
}
