// The measurements CSV (`arch,latency_ms[,batch_size,resolution,device]`): what users measure on their own board.
import { MAX_BATCH_SIZE, MAX_RESOLUTION, MIN_RESOLUTION } from '../core/config/space.js';
import { columnIndex, numberCell, readCsv } from '../core/csv.js';
import { DataFileError } from '../core/errors.js';
import type { SearchSpace } from '../spaces/types.js';

/** One measured latency (averaged over duplicate rows). */
export interface Measurement {
  /** Canonical arch string. */
  arch: string;
  latencyMs: number;
  batchSize?: number;
  resolution?: number;
  device?: string;
  /** How many rows were averaged into this one. */
  rows: number;
  /** 1-based file line of the first row. */
  line: number;
}

/** Above this a value is not one inference's latency in ms (a unit or typing error). */
export const MAX_LATENCY_MS = 1e7;

/** What `--help` texts say about the format, in one place. */
export const MEASUREMENTS_FORMAT =
  'CSV with header arch,latency_ms and optional batch_size,resolution,device; arch is a canonical arch string (an NB201 index is accepted); other columns (e.g. backend, threads written by devices measure) are kept for the record and ignored; rows repeating the same arch, batch_size, resolution and device are averaged';

/** A positive integer cell within [min, max]: a batch size or resolution the models can be built at. */
function intIn(table: ReturnType<typeof readCsv>, row: number, col: number, min: number, max: number): number {
  const value = numberCell(table, row, col);
  const cell = table.rows[row][col].trim();
  if (!Number.isInteger(value) || value <= 0)
    throw new DataFileError(table.file, table.lines[row], `expected a positive integer, got '${cell}'`, table.header[col]);
  if (value < min || value > max)
    throw new DataFileError(table.file, table.lines[row], `must be from ${min} to ${max}, got ${cell}`, table.header[col]);
  return value;
}

/**
 * Read a measurements CSV and canonicalise its archs with `space`. Duplicate rows (same arch, batch size,
 * resolution and device) are averaged, keeping the first row's position.
 * @throws DataFileError naming the file and line of a bad row (invalid arch, non-positive latency, bad integer)
 */
export function readMeasurements(file: string, space: SearchSpace): Measurement[] {
  const table = readCsv(file);
  const archCol = columnIndex(table, 'arch');
  const latencyCol = columnIndex(table, 'latency_ms');
  const batchCol = table.header.indexOf('batch_size');
  const resolutionCol = table.header.indexOf('resolution');
  const deviceCol = table.header.indexOf('device');
  if (table.rows.length === 0) throw new DataFileError(file, 0, 'no measurement rows');

  const byKey = new Map<string, Measurement>();
  for (let r = 0; r < table.rows.length; r++) {
    const cell = table.rows[r][archCol].trim();
    let arch: string;
    try {
      arch = space.canonical(/^\d+$/.test(cell) ? Number(cell) : cell);
    } catch (err) {
      throw new DataFileError(file, table.lines[r], (err as Error).message, 'arch');
    }
    const latencyMs = numberCell(table, r, latencyCol);
    if (latencyMs <= 0) throw new DataFileError(file, table.lines[r], `latency must be positive, got ${latencyMs}`, 'latency_ms');
    if (latencyMs > MAX_LATENCY_MS)
      throw new DataFileError(
        file,
        table.lines[r],
        `latency ${latencyMs} ms is over ${MAX_LATENCY_MS} ms (about 3 hours): not a latency in milliseconds`,
        'latency_ms',
      );
    const batchSize = batchCol >= 0 && table.rows[r][batchCol].trim() !== '' ? intIn(table, r, batchCol, 1, MAX_BATCH_SIZE) : undefined;
    const resolution =
      resolutionCol >= 0 && table.rows[r][resolutionCol].trim() !== ''
        ? intIn(table, r, resolutionCol, MIN_RESOLUTION, MAX_RESOLUTION)
        : undefined;
    const device = deviceCol >= 0 && table.rows[r][deviceCol].trim() !== '' ? table.rows[r][deviceCol].trim() : undefined;
    const key = `${arch}\u0000${batchSize ?? ''}\u0000${resolution ?? ''}\u0000${device ?? ''}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { arch, latencyMs, batchSize, resolution, device, rows: 1, line: table.lines[r] });
    else {
      seen.latencyMs = (seen.latencyMs * seen.rows + latencyMs) / (seen.rows + 1);
      seen.rows += 1;
    }
  }
  return [...byKey.values()];
}

/**
 * The measurements of one device. A file whose `device` column names several devices would have their latencies
 * merged into one device's, so it is refused unless `only` picks one.
 * @param howToChoose what the message tells the user to do about several devices
 * @throws DataFileError naming the file and the devices it holds
 */
export function oneDevice(
  file: string,
  rows: readonly Measurement[],
  only?: string,
  howToChoose = "keep only one device's rows",
): Measurement[] {
  const devices = [...new Set(rows.map((m) => m.device ?? ''))];
  const named = devices.map((d) => (d === '' ? '(no device)' : d)).join(', ');
  if (only !== undefined) {
    const picked = rows.filter((m) => m.device === only);
    if (picked.length === 0)
      throw new DataFileError(file, 0, `no rows for device '${only}' in its device column (devices: ${named})`, 'device');
    return picked;
  }
  if (devices.length > 1)
    throw new DataFileError(file, 0, `holds measurements of several devices (${named}) in its device column; ${howToChoose}`, 'device');
  return [...rows];
}
