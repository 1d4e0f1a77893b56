// The hardware contract: a device profile and the one latency interface predictors and search call.
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { DeviceProfile } from './schema.js';

export type {
  DeviceProfile,
  DeviceKind,
  SimulatedProfile,
  TableProfile,
  HostProfile,
  OnnxRuntimeProfile,
  SimulatedParams,
  Precision,
  OpClass,
} from './schema.js';

/** One latency with where it came from. */
export interface LatencyRecord {
  /** Canonical arch string. */
  arch: string;
  latencyMs: number;
  /**
   * Provenance: `simulated:<device>@<version>`, `table:<file>#<column>`, `host:<backend>`,
   * `onnxruntime:<version>/<threads>t/<graph optimisation>` — stored beside every
   * latency so a run says what produced it.
   */
  source: string;
  /** Why there is no latency (a measurement job that failed); `latencyMs` is then NaN. */
  error?: string;
}

/** A latency source. Every device kind implements it; predictors and search use nothing else. */
export interface Device {
  readonly profile: DeviceProfile;
  /**
   * Latencies of `archs` (canonical strings) for `input`, in the order given.
   * @throws UsageError when the device cannot serve this input (e.g. a table measured at another batch size)
   */
  latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]>;
}

/** A device that answers synchronously and cheaply (simulated): the fast path for scoring thousands of archs. */
export interface SyncDevice extends Device {
  /** Latency in ms of one arch. */
  latencyMs(space: SearchSpace, arch: string, input: InputShape): number;
  /** The provenance string of every latency it returns. */
  readonly source: string;
}

/** True when `device` has the synchronous fast path. */
export function isSyncDevice(device: Device): device is SyncDevice {
  return typeof (device as SyncDevice).latencyMs === 'function';
}
