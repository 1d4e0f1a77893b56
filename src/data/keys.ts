// Shared by the table loaders: finds the arch key column and canonicalises every key, so tables join on one id.
import { columnIndex, readCsv, type CsvTable } from '../core/csv.js';
import { DataFileError } from '../core/errors.js';
import { canonicalFbnet } from '../spaces/fbnet/arch.js';
import { NB201_SIZE, codeToOps, formatNb201, parseNb201 } from '../spaces/nb201/arch.js';

/** Turns an arch as written in a file into the space's canonical string; throws for a foreign arch. */
export type Canonicaliser = (arch: string) => string;

/**
 * NB201 cells through the space's own parser, so tables join on exactly the strings the space produces. Strings
 * already canonical (nearly every row) are recognised by a set lookup, which halves the load time of the large tables.
 */
function nb201Canonicaliser(): Canonicaliser {
  const known = new Set(Array.from({ length: NB201_SIZE }, (_, code) => formatNb201(codeToOps(code))));
  return (arch) => (known.has(arch) ? arch : formatNb201(parseNb201(arch)));
}

/** Key columns the loaders recognise, in preference order, with the space whose canonical form they use. */
const KEY_COLUMNS: readonly { column: string; canonical: () => Canonicaliser }[] = [
  { column: 'arch_str', canonical: nb201Canonicaliser },
  { column: 'op_indices', canonical: () => canonicalFbnet },
  // The measurements CSV (`devices measure`): canonical strings of either space; NB201 cells contain '|'.
  {
    column: 'arch',
    canonical: () => {
      const nb201 = nb201Canonicaliser();
      return (arch) => (arch.includes('|') ? nb201(arch) : canonicalFbnet(arch));
    },
  },
];

/** A parsed CSV with its arch key column located and the canonicaliser for it. */
export interface KeyedCsv {
  table: CsvTable;
  keyColumn: string;
  keyIndex: number;
  canonical: Canonicaliser;
}

/**
 * Read a CSV whose rows are keyed by arch (`arch_str` for NB201, `op_indices` for FBNet, `arch` for measurements of either).
 * @param canonical overrides the canonicaliser chosen from the key column
 * @throws DataFileError when the file is missing/malformed or has no known key column
 */
export function readKeyedCsv(file: string, canonical?: Canonicaliser): KeyedCsv {
  const table = readCsv(file);
  const key = KEY_COLUMNS.find((k) => table.header.includes(k.column));
  if (key === undefined) {
    throw new DataFileError(
      file,
      1,
      `no arch key column (expected one of ${KEY_COLUMNS.map((k) => k.column).join(', ')}; columns: ${table.header.join(', ')})`,
    );
  }
  return { table, keyColumn: key.column, keyIndex: columnIndex(table, key.column), canonical: canonical ?? key.canonical() };
}

/**
 * Canonical arch of each of `rows` (indices into `keyed.table.rows`, default all) and a map arch → position in that list.
 * @throws DataFileError at the line of an invalid or duplicate arch
 */
export function keyRows(
  keyed: KeyedCsv,
  rows: readonly number[] = keyed.table.rows.map((_, r) => r),
): { archs: string[]; position: Map<string, number> } {
  const { table, keyIndex, keyColumn } = keyed;
  const archs: string[] = new Array(rows.length);
  const position = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let arch: string;
    try {
      arch = keyed.canonical(table.rows[r][keyIndex]);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new DataFileError(table.file, table.lines[r], reason, keyColumn);
    }
    const first = position.get(arch);
    if (first !== undefined) {
      throw new DataFileError(
        table.file,
        table.lines[r],
        `duplicate arch '${arch}' (first on line ${table.lines[rows[first]]})`,
        keyColumn,
      );
    }
    position.set(arch, i);
    archs[i] = arch;
  }
  return { archs, position };
}

/** Parse a numeric cell; empty and non-finite cells (`''`, `nan`, `-inf`) give NaN when `allowMissing`. */
export function parseCell(table: CsvTable, row: number, col: number, allowMissing: boolean): number {
  const cell = table.rows[row][col];
  const value = Number(cell);
  // Number('') and Number(' ') are 0: an empty cell must not read as a measurement of zero.
  if (Number.isFinite(value) && (value !== 0 || cell.trim() !== '')) return value;
  if (allowMissing && /^\s*(|nan|[+-]?inf(inity)?)\s*$/i.test(cell)) return Number.NaN;
  throw new DataFileError(
    table.file,
    table.lines[row],
    `expected a number${allowMissing ? ' or an empty cell' : ''}, got '${cell}'`,
    table.header[col],
  );
}
