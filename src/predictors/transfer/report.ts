// Turns transfer records into the paper's table (rows = target devices + mean, columns = method × samples) and
// writes it as CSV, JSON and Markdown.
import path from 'node:path';
import { toCsv } from '../../core/csv.js';
import { ensureDir, writeFileAtomic } from '../../core/files.js';
import type { TransferRecord, TransferResult } from './harness.js';

/** Mean and standard deviation over seeds of one (target, method, samples) cell; NaN when the cell is empty. */
export interface SummaryCell {
  mean: number;
  std: number;
  seeds: number;
}

/** Per-cell statistics of a transfer run. `cells[target][method@samples]`; target `mean` averages the targets. */
export interface TransferSummary {
  targets: string[];
  methods: string[];
  samples: number[];
  spearman: Record<string, Record<string, SummaryCell>>;
  kendall: Record<string, Record<string, SummaryCell>>;
  /** Coverage of the nominal 90 % prediction intervals (NaN cells for the zero-shot proxies). */
  coverage90: Record<string, Record<string, SummaryCell>>;
}

/** Column key of a method at a sample count. */
export const columnKey = (method: string, samples: number): string => `${method}@${samples}`;

function stats(values: number[]): SummaryCell {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { mean: NaN, std: NaN, seeds: 0 };
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  const std = Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length);
  return { mean, std, seeds: finite.length };
}

/** Aggregate records over seeds; the `mean` row averages each column's per-target means. */
export function summariseTransfer(records: readonly TransferRecord[]): TransferSummary {
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  const targets = uniq(records.map((r) => r.target));
  const methods = uniq(records.map((r) => r.method));
  const samples = uniq(records.map((r) => r.samples)).sort((a, b) => a - b);
  const build = (metric: 'spearman' | 'kendall' | 'coverage90') => {
    const table: Record<string, Record<string, SummaryCell>> = {};
    for (const target of targets) {
      table[target] = {};
      for (const method of methods) {
        for (const n of samples) {
          const values = records.filter((r) => r.target === target && r.method === method && r.samples === n).map((r) => r[metric] ?? NaN);
          table[target][columnKey(method, n)] = stats(values);
        }
      }
    }
    table.mean = {};
    for (const method of methods) {
      for (const n of samples) {
        const key = columnKey(method, n);
        const cell = stats(targets.map((t) => table[t][key].mean));
        table.mean[key] = { ...cell, seeds: Math.min(...targets.map((t) => table[t][key].seeds)) };
      }
    }
    return table;
  };
  return { targets, methods, samples, spearman: build('spearman'), kendall: build('kendall'), coverage90: build('coverage90') };
}

/** Header and rows of the table for one metric: first column the target, then one column per method × samples. */
export function transferTable(
  summary: TransferSummary,
  metric: 'spearman' | 'kendall' = 'spearman',
): { header: string[]; rows: (string | number)[][] } {
  const keys = summary.methods.flatMap((m) => summary.samples.map((n) => columnKey(m, n)));
  const rows = [...summary.targets, 'mean'].map((t) => [t, ...keys.map((k) => round3(summary[metric][t][k].mean))]);
  return { header: ['target', ...keys], rows };
}

function round3(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : NaN;
}

/** A Markdown table (NaN shown as "n/a"). */
export function markdownTable(header: readonly string[], rows: readonly (string | number)[][]): string {
  const cell = (c: string | number) => (typeof c === 'number' ? (Number.isFinite(c) ? c.toFixed(3) : 'n/a') : c);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Paths of the files `writeTransferReport` wrote. */
export interface TransferFiles {
  json: string;
  csv: string;
  recordsCsv: string;
  markdown: string;
}

/**
 * Write `transfer.json` (resolved config, every record, summary, timings), `table.csv` (Spearman table),
 * `records.csv` (one row per method × target × samples × seed) and `table.md` (ρ and τ tables) into `dir`.
 */
export function writeTransferReport(
  dir: string,
  title: string,
  config: unknown,
  result: TransferResult,
  meta: Record<string, unknown> = {},
): TransferFiles {
  // Never through a symbolic link; each file complete or absent (temporary name, then rename).
  ensureDir(dir);
  const summary = summariseTransfer(result.records);
  const files: TransferFiles = {
    json: path.join(dir, 'transfer.json'),
    csv: path.join(dir, 'table.csv'),
    recordsCsv: path.join(dir, 'records.csv'),
    markdown: path.join(dir, 'table.md'),
  };
  writeFileAtomic(
    files.json,
    JSON.stringify(
      {
        title,
        ...meta,
        config,
        summary,
        records: result.records,
        pretrainSeconds: result.pretrainSeconds,
        totalSeconds: result.totalSeconds,
      },
      numberOrNull,
      1,
    ) + '\n',
  );
  const rho = transferTable(summary, 'spearman');
  writeFileAtomic(
    files.csv,
    toCsv(
      rho.header,
      rho.rows.map((r) => r.map((c) => (typeof c === 'number' && !Number.isFinite(c) ? '' : c))),
    ),
  );
  const recordHeader = [
    'method',
    'target',
    'samples',
    'seed',
    'spearman',
    'kendall',
    'n_eval',
    'fit_predict_seconds',
    'coverage90',
    'note',
    'adaptation',
  ];
  writeFileAtomic(
    files.recordsCsv,
    toCsv(
      recordHeader,
      result.records.map((r) => [
        r.method,
        r.target,
        r.samples,
        r.seed,
        fin(r.spearman),
        fin(r.kendall),
        r.nEval,
        Number(r.fitPredictSeconds.toFixed(4)),
        r.coverage90 === undefined ? '' : fin(r.coverage90),
        r.note ?? '',
        r.adaptation ?? '',
      ]),
    ),
  );
  const tau = transferTable(summary, 'kendall');
  const seeds = [...new Set(result.records.map((r) => r.seed))].length;
  writeFileAtomic(
    files.markdown,
    `# ${title}\n\nSpearman ρ on all remaining archs, mean over ${seeds} seed(s); columns are method@samples.\n\n${markdownTable(rho.header, rho.rows)}\n\nKendall τ:\n\n${markdownTable(tau.header, tau.rows)}\n`,
  );
  return files;
}

function fin(x: number): number | string {
  return Number.isFinite(x) ? x : '';
}

/** JSON.stringify replacer writing NaN/Infinity as null (JSON has no NaN). */
export function numberOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
