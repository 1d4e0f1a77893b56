// Accuracy tables: one chosen accuracy column keyed by canonical arch; partial coverage is normal.
import { columnIndex } from '../core/csv.js';
import { keyRows, parseCell, readKeyedCsv, type Canonicaliser } from './keys.js';

/** How many of a list of archs a table covers. */
export interface Coverage {
  covered: number;
  total: number;
  /** covered / total (1 for an empty list). */
  fraction: number;
  /** Up to 5 archs that are not covered, to show in messages. */
  missingExamples: string[];
}

/** One accuracy column (in the file's units, usually %) for the archs that have a value. */
export interface AccuracyTable {
  file: string;
  column: string;
  /** Canonical archs that have a value, in file order; `values[i]` belongs to `archs[i]`. */
  archs: string[];
  values: Float64Array;
  /** Accuracy of a canonical arch, undefined when the table has none for it. */
  get(arch: string): number | undefined;
  /** How many of `archs` have a value. */
  coverage(archs: readonly string[]): Coverage;
}

/**
 * Load one accuracy column, e.g. `cifar100_test_acc_nb201` of `hw-nas-bench-360/nb201_task_accuracy.csv`.
 * Rows whose cell is empty are treated as absent.
 * @throws DataFileError naming file, line and column for a missing file or column, bad arch or bad number
 */
export function loadAccuracyTable(file: string, column: string, options: { canonical?: Canonicaliser } = {}): AccuracyTable {
  const keyed = readKeyedCsv(file, options.canonical);
  const { table } = keyed;
  const col = columnIndex(table, column);
  // Key every row (so a bad arch is reported even where the accuracy is empty), then keep rows with a value.
  const all = keyRows(keyed).archs;
  const archs: string[] = [];
  const kept: number[] = [];
  const position = new Map<string, number>();
  for (let r = 0; r < table.rows.length; r++) {
    const value = parseCell(table, r, col, true);
    if (Number.isNaN(value)) continue;
    position.set(all[r], archs.length);
    archs.push(all[r]);
    kept.push(value);
  }
  const values = Float64Array.from(kept);
  return {
    file,
    column,
    archs,
    values,
    get: (arch) => {
      const i = position.get(arch);
      return i === undefined ? undefined : values[i];
    },
    coverage: (wanted) => coverageOf(wanted, (a) => position.has(a)),
  };
}

/** Coverage of `archs` by a predicate; shared by every partial table. */
export function coverageOf(archs: readonly string[], has: (arch: string) => boolean): Coverage {
  let covered = 0;
  const missingExamples: string[] = [];
  for (const a of archs) {
    if (has(a)) covered++;
    else if (missingExamples.length < 5) missingExamples.push(a);
  }
  return { covered, total: archs.length, fraction: archs.length === 0 ? 1 : covered / archs.length, missingExamples };
}
