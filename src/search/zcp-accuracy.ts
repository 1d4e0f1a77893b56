// Accuracy stand-in from a zero-cost proxy computed in TF.js by the encodings layer (`computeZcp`), on a seeded
// synthetic batch: a proxy, labelled as one everywhere it appears.
import { computeZcp } from '../encodings/zcp.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';

/** A batch scorer of one zero-cost proxy. @throws UsageError for an unknown proxy (listing the computed ones) */
export async function zcpAccuracyScorer(
  space: SearchSpace,
  input: InputShape,
  proxy: string,
  options: { seed: number; batchSize?: number },
): Promise<{
  source: string;
  score(archs: readonly string[]): Promise<{ values: number[]; sources: string[]; errors: (string | undefined)[] }>;
}> {
  // Validate the proxy name now (before a run exists) on an empty batch.
  await computeZcp(space, [], input, { proxies: [proxy], seed: options.seed, batchSize: options.batchSize });
  const source = `zcp:${proxy} (zero-cost proxy, seed ${options.seed}${options.batchSize === undefined ? '' : `, batch ${options.batchSize}`}, ${input.resolution}×${input.resolution})`;
  return {
    source,
    async score(archs) {
      const values = Array.from(
        (await computeZcp(space, archs, input, { proxies: [proxy], seed: options.seed, batchSize: options.batchSize }))[proxy],
      );
      return {
        values,
        sources: archs.map(() => source),
        errors: values.map((v) =>
          Number.isFinite(v)
            ? undefined
            : v === -Infinity
              ? `zero-cost proxy ${proxy} is −∞: the network's output does not depend on its input`
              : `zero-cost proxy ${proxy} is not finite`,
        ),
      };
    },
  };
}
