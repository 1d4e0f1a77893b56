// Per-arch features the baselines share (FLOPs, params, op counts, one-hot op graph), memoised per instance because the
// transfer harness asks for the same 5,000–15,625 archs once per method, target, sample count and seed.
import { costTotals } from '../../spaces/sums.js';
import type { SearchSpace } from '../../spaces/types.js';

/** Memoised features of one search space's archs (canonical strings in, plain number arrays out). */
export class ArchFeatures {
  private readonly costCache = new Map<string, { flops: number; params: number }>();
  private readonly oneHotCache = new Map<string, Float32Array>();

  constructor(readonly space: SearchSpace) {}

  /** Multiply–accumulates at the space's default input (batch 1). */
  flops(arch: string): number {
    return this.costs(arch).flops;
  }

  /** Parameters at the space's default input. */
  params(arch: string): number {
    return this.costs(arch).params;
  }

  private costs(arch: string): { flops: number; params: number } {
    let value = this.costCache.get(arch);
    if (value === undefined) {
      value = costTotals(this.space)(arch);
      this.costCache.set(arch, value);
    }
    return value;
  }

  /**
   * One-hot op of every op-graph node, concatenated (graphNodes × vocabulary). Both spaces have a fixed graph
   * wiring per node position, so the node ops identify the arch; the adjacency would add only constants.
   */
  oneHot(arch: string): Float32Array {
    let value = this.oneHotCache.get(arch);
    if (value === undefined) {
      const vocabulary = this.space.opVocabulary.length;
      const { opIds } = this.space.opGraph(arch);
      value = new Float32Array(opIds.length * vocabulary);
      opIds.forEach((id, node) => (value![node * vocabulary + id] = 1));
      this.oneHotCache.set(arch, value);
    }
    return value;
  }

  /** How often each op of the vocabulary occurs in the arch's op graph (the features of a per-op lookup table). */
  opCounts(arch: string): Float64Array {
    const counts = new Float64Array(this.space.opVocabulary.length);
    for (const id of this.space.opGraph(arch).opIds) counts[id]++;
    return counts;
  }

  /** Width of `oneHot` vectors. */
  get oneHotSize(): number {
    return this.space.graphNodes * this.space.opVocabulary.length;
  }
}
