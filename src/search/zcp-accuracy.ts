// Accuracy stand-ins from zero-cost proxies, labelled as proxies everywhere they appear. `params` and `flops`
// (two of NASLib's 13 proxies) are analytic; the data-dependent ones (synflow, nwot, snip, …) need the TF.js `zcp`
// encoder of src/encodings, which this build does not have yet — asking for them is a clear error, never a fake.
import { UsageError } from '../core/errors.js';
import { total } from '../spaces/layers.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';

/** Proxies this module computes itself (analytic, from the space's layer list). */
export const ANALYTIC_PROXIES = { params: 'params', flops: 'flops' } as const;

/** A batch scorer of one zero-cost proxy. @throws UsageError for a proxy that needs the missing TF.js encoder */
export async function zcpAccuracyScorer(
  space: SearchSpace,
  input: InputShape,
  proxy: string,
): Promise<{ source: string; score(archs: readonly string[]): Promise<{ values: number[]; sources: string[]; errors: (string | undefined)[] }> }> {
  if (!(proxy in ANALYTIC_PROXIES)) {
    throw new UsageError(
      `accuracy proxy '${proxy}' needs the TF.js zcp encoder (src/encodings), which this build does not have; available now: ${Object.keys(ANALYTIC_PROXIES).join(', ')} (analytic), or an accuracy table`,
    );
  }
  const field = ANALYTIC_PROXIES[proxy as keyof typeof ANALYTIC_PROXIES];
  const source = `zcp:${proxy} (analytic proxy, not an accuracy)`;
  return {
    source,
    async score(archs) {
      // NASLib's params/flops proxies are in millions.
      const values = archs.map((a) => total(space.layers(a, input), field) / 1e6);
      return { values, sources: archs.map(() => source), errors: archs.map(() => undefined) };
    },
  };
}
