// A simulated device: latency from its profile and the arch's per-layer costs, synchronously.
import type { InputShape, SearchSpace } from '../spaces/types.js';
import { simulateArch } from './simulator.js';
import type { LatencyRecord, SimulatedProfile, SyncDevice } from './types.js';

/** Provenance string of a simulated profile: `simulated:<name>@<version>`. */
export function simulatedSource(profile: SimulatedProfile): string {
  return `simulated:${profile.name}@${profile.version}`;
}

/** A device whose latencies come from the per-layer simulator; deterministic and cheap. */
export class SimulatedDevice implements SyncDevice {
  readonly source: string;

  constructor(readonly profile: SimulatedProfile) {
    this.source = simulatedSource(profile);
  }

  latencyMs(space: SearchSpace, arch: string, input: InputShape): number {
    return simulateArch(this.profile.simulated, space.layers(arch, input));
  }

  async latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]> {
    return archs.map((arch) => ({ arch, latencyMs: this.latencyMs(space, arch, input), source: this.source }));
  }
}
