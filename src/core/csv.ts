// Small CSV reader/writer. Our tables have no embedded newlines; quoted fields with commas are supported.
import fs from 'node:fs';
import { DataFileError } from './errors.js';

export interface CsvTable {
  file: string;
  header: string[];
  /** Rows as string cells; `lines[i]` is the 1-based file line of `rows[i]`. */
  rows: string[][];
  lines: number[];
}

function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Read a CSV file with a header row. Every row must have as many cells as the header.
 * @throws DataFileError naming the file and line for a missing file, empty file or ragged row
 */
export function readCsv(file: string): CsvTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataFileError(file, 0, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const raw = text.split(/\r?\n/);
  const header = splitLine(raw[0] ?? '').map((h) => h.trim());
  if (header.length === 0 || header[0] === '') throw new DataFileError(file, 1, 'missing header row');
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 1; i < raw.length; i++) {
    if (raw[i].trim() === '') continue;
    const cells = splitLine(raw[i]);
    if (cells.length !== header.length) {
      throw new DataFileError(file, i + 1, `expected ${header.length} fields (${header.join(',')}), got ${cells.length}`);
    }
    rows.push(cells);
    lines.push(i + 1);
  }
  return { file, header, rows, lines };
}

/** Index of a required column. @throws DataFileError listing the columns that exist */
export function columnIndex(table: CsvTable, name: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new DataFileError(table.file, 1, `missing column '${name}' (columns: ${table.header.join(', ')})`, name);
  return i;
}

/** Whether a data file error is about the header's columns (a missing column: line 1, a column named), not a row. */
export function isHeaderError(err: DataFileError): boolean {
  return err.line === 1 && err.column !== undefined;
}

/** Parse a numeric cell. @throws DataFileError naming file, line and column */
export function numberCell(table: CsvTable, row: number, col: number): number {
  const cell = table.rows[row][col].trim();
  const value = Number(cell);
  // Decimal numbers only: Number() would also read '0x10', '0b1' and '' .
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) || !Number.isFinite(value)) {
    throw new DataFileError(table.file, table.lines[row], `expected a number, got '${cell}'`, table.header[col]);
  }
  return value;
}

function quote(cell: string | number): string {
  const s = String(cell);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text for a header and rows. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n';
}
