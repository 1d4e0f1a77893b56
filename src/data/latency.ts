// Wide latency tables (HELP, HW-NAS-Bench): one row per arch, one `<device>_ms` column per device, keyed by canonical arch.
import { DataFileError } from '../core/errors.js';
import { keyRows, parseCell, readKeyedCsv, type Canonicaliser } from './keys.js';

/** `<device>_ms` (HELP) or `<device>_latency_ms` (HW-NAS-Bench); other columns (energy, FLOPs, accuracy) are not latencies. */
const LATENCY_COLUMN = /^(.+?)(_latency)?_ms$/;

/** Measured latencies of many archs on many devices. */
export interface LatencyTable {
  file: string;
  /** Device names in file order (column names without `_ms` / `_latency_ms`). */
  devices: string[];
  /** Canonical archs in file order; `latencyMs.get(d)[i]` belongs to `archs[i]`. */
  archs: string[];
  /** The file's `arch_index` per row where it has that column (HELP / NB201 index), else undefined. */
  archIndex?: Int32Array;
  /** Latency in ms per device, aligned with `archs` (NaN for a cell left empty, with `allowMissing`). */
  latencyMs: Map<string, Float64Array>;
  /** Row of a canonical arch, undefined when absent. */
  rowOf(arch: string): number | undefined;
  /** Latency of `arch` on `device` in ms; undefined when the arch or its value is absent. @throws DataFileError for an unknown device */
  latency(device: string, arch: string): number | undefined;
  /** The latency column of a device. @throws DataFileError listing the devices */
  column(device: string): Float64Array;
  /** The arch whose `arch_index` is `index`, undefined when absent (e.g. HELP reference-arch indices). */
  archAtIndex(index: number): string | undefined;
}

export interface LatencyLoadOptions {
  /** Load only these devices, in this order; default every latency column. */
  devices?: readonly string[];
  /** Read empty or non-finite cells as NaN (HW-NAS-Bench leaves unmeasured edgetpu cells empty); default: an error. */
  allowMissing?: boolean;
  /** Overrides the canonicaliser picked from the key column. */
  canonical?: Canonicaliser;
}

/**
 * Load a wide latency table such as `help/nb201_latency.csv` or `help/fbnet_latency.csv`.
 * @throws DataFileError naming file, line and column for a missing file, unknown device, bad arch or bad number
 */
export function loadLatencyTable(file: string, options: LatencyLoadOptions = {}): LatencyTable {
  const keyed = readKeyedCsv(file, options.canonical);
  const { table } = keyed;
  const columnOf = new Map<string, number>();
  table.header.forEach((h, col) => {
    const m = LATENCY_COLUMN.exec(h);
    if (m !== null) columnOf.set(m[1], col);
  });
  const available = [...columnOf.keys()];
  if (available.length === 0) throw new DataFileError(file, 1, `no '<device>_ms' latency columns (columns: ${table.header.join(', ')})`);
  const devices = options.devices === undefined ? available : [...options.devices];
  for (const d of devices) {
    if (!columnOf.has(d))
      throw new DataFileError(file, 1, `no latency column for device '${d}' (devices: ${available.join(', ')})`, `${d}_ms`);
  }

  const n = table.rows.length;
  const { archs, position } = keyRows(keyed);
  const latencyMs = new Map<string, Float64Array>();
  for (const d of devices) {
    const col = columnOf.get(d) as number;
    const values = new Float64Array(n);
    for (let r = 0; r < n; r++) values[r] = parseCell(table, r, col, options.allowMissing ?? false);
    latencyMs.set(d, values);
  }

  let archIndex: Int32Array | undefined;
  const byIndex = new Map<number, number>();
  const indexCol = table.header.indexOf('arch_index');
  if (indexCol >= 0) {
    archIndex = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const value = parseCell(table, r, indexCol, false);
      if (!Number.isInteger(value))
        throw new DataFileError(file, table.lines[r], `expected an integer, got '${table.rows[r][indexCol]}'`, 'arch_index');
      archIndex[r] = value;
      byIndex.set(value, r);
    }
  }

  return tableOf(file, devices, archs, latencyMs, position, archIndex, byIndex);
}

function tableOf(
  file: string,
  devices: string[],
  archs: string[],
  latencyMs: Map<string, Float64Array>,
  position: Map<string, number>,
  archIndex?: Int32Array,
  byIndex = new Map<number, number>(),
): LatencyTable {
  const column = (device: string): Float64Array => {
    const values = latencyMs.get(device);
    if (values === undefined)
      throw new DataFileError(file, 0, `device '${device}' not loaded (loaded: ${devices.join(', ')})`, `${device}_ms`);
    return values;
  };
  return {
    file,
    devices,
    archs,
    archIndex,
    latencyMs,
    rowOf: (arch) => position.get(arch),
    latency: (device, arch) => {
      const values = column(device);
      const row = position.get(arch);
      return row === undefined || Number.isNaN(values[row]) ? undefined : values[row];
    },
    column,
    archAtIndex: (index) => {
      const row = byIndex.get(index);
      return row === undefined ? undefined : archs[row];
    },
  };
}

/**
 * The rows of `archs` (canonical, all present in every table) from several tables, as one table: e.g. HELP's
 * source devices beside a device measured here on a subset of the space. `file` names the combination.
 * @throws DataFileError for an arch a table lacks or a device name given twice
 */
export function joinLatencyTables(
  file: string,
  archs: readonly string[],
  parts: readonly { table: LatencyTable; devices: readonly string[]; /** New names of `devices`, in order. */ as?: readonly string[] }[],
): LatencyTable {
  const devices: string[] = [];
  const latencyMs = new Map<string, Float64Array>();
  for (const { table, devices: wanted, as } of parts) {
    const rows = archs.map((a) => {
      const row = table.rowOf(a);
      if (row === undefined) throw new DataFileError(table.file, 0, `no row for arch ${a}`);
      return row;
    });
    wanted.forEach((source, k) => {
      const d = as?.[k] ?? source;
      if (latencyMs.has(d)) throw new DataFileError(table.file, 0, `device '${d}' is given by two tables`);
      const column = table.column(source);
      latencyMs.set(
        d,
        Float64Array.from(rows, (r) => column[r]),
      );
      devices.push(d);
    });
  }
  return tableOf(file, devices, [...archs], latencyMs, new Map(archs.map((a, i) => [a, i])));
}
