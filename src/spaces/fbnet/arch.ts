// FBNet arch strings: 22 block-choice indices joined by `_`, exactly as HELP's `op_indices` column.
import { UnknownArchError } from '../../core/errors.js';

/** Block choices in index order (HELP `metainfo.pt` / HW-NAS-Bench primitives). */
export const FBNET_OPS = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'] as const;
export type FbnetOp = (typeof FBNET_OPS)[number];
/** Searchable blocks of the FBNet macro network. */
export const FBNET_BLOCKS = 22;

/**
 * Parse an FBNet arch: the `_`-joined index string, or the `-`-joined op names of HELP's `ops` column.
 * @throws UnknownArchError naming what is wrong
 */
export function parseFbnet(arch: string): number[] {
  const text = arch.trim();
  const byName = /[a-z]/.test(text);
  const parts = text.split(byName ? '-' : '_');
  if (parts.length !== FBNET_BLOCKS) {
    throw new UnknownArchError(
      'fbnet',
      arch,
      `expected ${FBNET_BLOCKS} block choices joined by '${byName ? '-' : '_'}', got ${parts.length}`,
    );
  }
  return parts.map((part, block) => {
    const choice = byName ? FBNET_OPS.indexOf(part as FbnetOp) : /^[0-8]$/.test(part) ? Number(part) : -1;
    if (choice < 0) {
      const allowed = byName ? FBNET_OPS.join(', ') : `0..${FBNET_OPS.length - 1}`;
      throw new UnknownArchError('fbnet', arch, `block ${block}: '${part}' is not a block choice (${allowed})`);
    }
    return choice;
  });
}

/** Canonical string of block-choice indices. */
export function formatFbnet(choices: readonly number[]): string {
  return choices.join('_');
}

/** Validate and normalise an FBNet arch to its canonical `_`-joined index string. @throws UnknownArchError */
export function canonicalFbnet(arch: string): string {
  return CANONICAL.test(arch) ? arch : formatFbnet(parseFbnet(arch));
}

const CANONICAL = new RegExp(`^[0-${FBNET_OPS.length - 1}](_[0-${FBNET_OPS.length - 1}]){${FBNET_BLOCKS - 1}}$`);
