// Source-device latencies as the source-based baselines keep them: a dense arch × device matrix they can save.
import { UnknownArchError } from '../../core/errors.js';

/** Latencies (ms) of many archs on the source devices; `latencyMs[d][row]` belongs to `archs[row]`. */
export interface SourceLatencies {
  devices: string[];
  archs: string[];
  latencyMs: Float64Array[];
}

/** Row lookup over a `SourceLatencies`, erroring clearly for an arch the sources never measured. */
export class SourceIndex {
  private readonly rows: Map<string, number>;

  constructor(
    readonly data: SourceLatencies,
    private readonly spaceName: string,
  ) {
    this.rows = new Map(data.archs.map((a, i) => [a, i]));
  }

  /** Row of a canonical arch. @throws UnknownArchError when the source devices have no latency for it */
  row(arch: string): number {
    const r = this.rows.get(arch);
    if (r === undefined)
      throw new UnknownArchError(this.spaceName, arch, 'not measured on the source devices this predictor was pretrained on');
    return r;
  }

  /** Whether the source devices measured every one of `archs`. */
  covers(archs: readonly string[]): boolean {
    return archs.every((a) => this.rows.has(a));
  }

  /** Latencies of `arch` on every source device, in `devices` order. */
  vector(arch: string): Float64Array {
    const r = this.row(arch);
    return Float64Array.from(this.data.latencyMs, (column) => column[r]);
  }

  /** Latencies of `archs` on one source device (by position in `devices`). */
  column(device: number, archs: readonly string[]): Float64Array {
    const column = this.data.latencyMs[device];
    return Float64Array.from(archs, (a) => column[this.row(a)]);
  }
}

/** The source matrix as one little-endian Float64 buffer (device-major) for a binary file beside the JSON. */
export function encodeSources(data: SourceLatencies): Buffer {
  const n = data.archs.length;
  const all = new Float64Array(n * data.devices.length);
  data.latencyMs.forEach((column, d) => all.set(column, d * n));
  return Buffer.from(all.buffer);
}

/** Inverse of `encodeSources`. */
export function decodeSources(devices: string[], archs: string[], bytes: Buffer): SourceLatencies {
  const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const n = archs.length;
  return { devices, archs, latencyMs: devices.map((_, d) => all.slice(d * n, (d + 1) * n)) };
}
