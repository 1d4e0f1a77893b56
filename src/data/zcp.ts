// Zero-cost-proxy tables (NASFLAT FBNet, NASLib NB201): proxy scores per canonical arch, one dataset at a time.
import { DataFileError } from '../core/errors.js';
import { coverageOf, type Coverage } from './accuracy.js';
import { keyRows, parseCell, readKeyedCsv, type Canonicaliser } from './keys.js';

/** Proxy names of NAS-Bench-Suite-Zero / NASFLAT, in their usual order; a table has some of them. */
export const ZCP_NAMES = [
  'epe_nas',
  'fisher',
  'flops',
  'grad_norm',
  'grasp',
  'jacov',
  'l2_norm',
  'nwot',
  'params',
  'plain',
  'snip',
  'synflow',
  'zen',
] as const;

/** Proxy scores of one dataset; missing cells (empty, nan, ±inf) are NaN. */
export interface ZcpTable {
  file: string;
  /** The dataset rows were selected for, when the file has a `dataset` column. */
  dataset?: string;
  /** Proxies present in the file, in file order. */
  proxies: string[];
  /** Canonical archs in file order; `values.get(p)[i]` belongs to `archs[i]`. */
  archs: string[];
  values: Map<string, Float64Array>;
  /** Number of NaN cells per proxy. */
  missing: Map<string, number>;
  /** The proxy vector of an arch in `proxies` order (NaN where missing); undefined when the arch is absent. */
  get(arch: string): Float64Array | undefined;
  coverage(archs: readonly string[]): Coverage;
}

/**
 * Load a ZCP table. Files with a `dataset` column (NASLib) hold several datasets: `dataset` chooses one.
 * @throws DataFileError for a missing file, a missing/unknown dataset (listing those present), a bad arch or number
 */
export function loadZcpTable(file: string, options: { dataset?: string; canonical?: Canonicaliser } = {}): ZcpTable {
  const keyed = readKeyedCsv(file, options.canonical);
  const { table } = keyed;
  const proxies = table.header.filter((h) => (ZCP_NAMES as readonly string[]).includes(h));
  if (proxies.length === 0) throw new DataFileError(file, 1, `no zero-cost-proxy columns (expected some of ${ZCP_NAMES.join(', ')})`);

  let rows = Array.from({ length: table.rows.length }, (_, i) => i);
  const datasetCol = table.header.indexOf('dataset');
  if (datasetCol >= 0) {
    const present = [...new Set(table.rows.map((r) => r[datasetCol]))];
    if (options.dataset === undefined || !present.includes(options.dataset)) {
      const got = options.dataset === undefined ? 'none was given' : `got '${options.dataset}'`;
      throw new DataFileError(file, 0, `choose a dataset: one of ${present.join(', ')} (${got})`, 'dataset');
    }
    rows = rows.filter((r) => table.rows[r][datasetCol] === options.dataset);
  } else if (options.dataset !== undefined) {
    throw new DataFileError(file, 1, `has no 'dataset' column, so dataset '${options.dataset}' cannot be selected`, 'dataset');
  }

  const { archs, position } = keyRows(keyed, rows);
  const values = new Map<string, Float64Array>();
  const missing = new Map<string, number>();
  for (const p of proxies) {
    const col = table.header.indexOf(p);
    const column = new Float64Array(rows.length);
    let nMissing = 0;
    for (let i = 0; i < rows.length; i++) {
      column[i] = parseCell(table, rows[i], col, true);
      if (Number.isNaN(column[i])) nMissing++;
    }
    values.set(p, column);
    missing.set(p, nMissing);
  }
  const columns = proxies.map((p) => values.get(p) as Float64Array);
  return {
    file,
    dataset: datasetCol >= 0 ? options.dataset : undefined,
    proxies,
    archs,
    values,
    missing,
    get: (arch) => {
      const i = position.get(arch);
      return i === undefined ? undefined : Float64Array.from(columns, (c) => c[i]);
    },
    coverage: (wanted) => coverageOf(wanted, (a) => position.has(a)),
  };
}
