// Candidate pools for samplers and arch lists for `hwnas encode`: a CSV's arch column, or the whole (sampled) space.
import { readCsv } from '../core/csv.js';
import { DataFileError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { isDisconnected } from '../spaces/graph.js';
import type { SearchSpace } from '../spaces/types.js';

/** Arch key columns a pool CSV may have, in preference order. */
export const POOL_COLUMNS = ['arch', 'arch_str', 'op_indices'] as const;

/** Archs a space offers when no pool is given for a non-enumerable space (FBNet): seeded uniform samples. */
export const DEFAULT_SAMPLED_POOL = 5000;

/**
 * Distinct canonical archs of a CSV's `arch`, `arch_str` or `op_indices` column (first occurrence kept).
 * @throws DataFileError for a missing file, no key column, or an arch foreign to `space` (with its line)
 */
export function readArchPool(file: string, space: SearchSpace): string[] {
  const table = readCsv(file);
  const column = POOL_COLUMNS.find((c) => table.header.includes(c));
  if (column === undefined)
    throw new DataFileError(file, 1, `no arch column (expected one of ${POOL_COLUMNS.join(', ')}; columns: ${table.header.join(', ')})`);
  const col = table.header.indexOf(column);
  const seen = new Set<string>();
  table.rows.forEach((row, r) => {
    try {
      seen.add(space.canonical(row[col]));
    } catch (err) {
      throw new DataFileError(file, table.lines[r], err instanceof Error ? err.message : String(err), column);
    }
  });
  return [...seen];
}

/**
 * Every arch of an enumerable space, else `size` distinct seeded samples (deterministic for the seed). The one
 * candidate pool of `hwnas sample`, `hwnas encode` and a search's adaptation measurements: same seed, same pool.
 */
export function spacePool(space: SearchSpace, seed: number, size = DEFAULT_SAMPLED_POOL): string[] {
  if (space.enumerate !== undefined) return space.enumerate();
  const rng = Rng.derive(seed, 'pool', space.name);
  const seen = new Set<string>();
  while (seen.size < size) seen.add(space.sample(rng));
  return [...seen];
}

/**
 * The archs of `pool` worth timing on a device: all but those whose output no input reaches (341 of NB201's 15,625
 * cells, cut by `none` edges; none in FBNet). Such a network is no candidate for deployment, and a runtime that folds
 * its constant output runs it in microseconds (0.012 ms on HELP's raspi4, against 12–37 ms for the other archs of the
 * same five random samples), a regime no trend through the other measurements covers. A pool of nothing else is
 * returned whole.
 */
export function measurablePool(space: SearchSpace, pool: readonly string[]): string[] {
  const kept = pool.filter((arch) => isMeasurable(space, arch));
  return kept.length > 0 ? kept : [...pool];
}

/** Whether an arch is worth timing on a device (see `measurablePool`). */
export function isMeasurable(space: SearchSpace, arch: string): boolean {
  return !isDisconnected(space.opGraph(arch));
}
