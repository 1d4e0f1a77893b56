// A simulated device: latency from its profile and the arch's per-layer costs, synchronously.
import type { InputShape, SearchSpace } from '../spaces/types.js';
import { createLatencyScorer } from './fast.js';
import type { LatencyRecord, SimulatedProfile, SyncDevice } from './types.js';

/** Provenance string of a simulated profile: `simulated:<name>@<version>`. */
export function simulatedSource(profile: SimulatedProfile): string {
  return `simulated:${profile.name}@${profile.version}`;
}

/** A device whose latencies come from the per-layer simulator; deterministic and cheap. */
export class SimulatedDevice implements SyncDevice {
  readonly source: string;
  /** One scorer per (space, input): building it costs a few dozen simulations, using it a table lookup per choice. */
  private readonly scorers = new Map<string, (arch: string) => number>();

  constructor(readonly profile: SimulatedProfile) {
    this.source = simulatedSource(profile);
  }

  /** arch → latency in ms for one space and input (the fast path for scoring thousands of archs). */
  scorer(space: SearchSpace, input: InputShape): (arch: string) => number {
    const key = `${space.name}|${input.batchSize}|${input.resolution}|${input.channels}|${input.classes}`;
    let scorer = this.scorers.get(key);
    if (scorer === undefined) {
      scorer = createLatencyScorer(this.profile.simulated, space, input);
      this.scorers.set(key, scorer);
    }
    return scorer;
  }

  latencyMs(space: SearchSpace, arch: string, input: InputShape): number {
    return this.scorer(space, input)(arch);
  }

  async latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]> {
    const score = this.scorer(space, input);
    return archs.map((arch) => ({ arch, latencyMs: score(arch), source: this.source }));
  }
}
