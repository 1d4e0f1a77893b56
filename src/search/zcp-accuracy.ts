// Accuracy from a zero-cost proxy computed in TF.js by the encodings' `zcp` encoder: a proxy, labelled as one.
import { UsageError } from '../core/errors.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';

/** A batch scorer of one proxy of the `zcp` encoder. @throws UsageError when the encoder is not available */
export async function zcpAccuracyScorer(
  _space: SearchSpace,
  _input: InputShape,
  proxy: string,
  _seed: number,
): Promise<{ source: string; score(archs: readonly string[]): Promise<{ values: number[]; sources: string[]; errors: (string | undefined)[] }> }> {
  throw new UsageError(`accuracy source 'zcp' (${proxy}) needs the TF.js zcp encoder of src/encodings, which this build does not have yet; use an accuracy table`);
}
