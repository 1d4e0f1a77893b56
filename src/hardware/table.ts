// A measured-table device: latencies looked up by canonical arch in one device column of a wide latency CSV.
import path from 'node:path';
import { HwnasError, UsageError } from '../core/errors.js';
import { loadLatencyTable, type LatencyTable } from '../data/latency.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import type { Device, LatencyRecord, TableProfile } from './types.js';

/** Serves the latencies measured in `profile.table`; only for that space, batch size and resolution. */
export class TableDevice implements Device {
  readonly source: string;
  private loaded?: LatencyTable;

  constructor(readonly profile: TableProfile) {
    this.source = `table:${path.basename(profile.table.file)}#${profile.table.column}`;
  }

  /** The table, read on first use (a wide table is several MB). @throws DataFileError */
  table(): LatencyTable {
    this.loaded ??= loadLatencyTable(path.resolve(this.profile.table.file), { devices: [this.profile.table.column] });
    return this.loaded;
  }

  /** @throws UsageError unless the table was measured in `space` at `input`'s batch size and resolution */
  checkServes(space: string, input: InputShape): void {
    const t = this.profile.table;
    if (space !== t.space) throw new UsageError(`device '${this.profile.name}' holds ${t.space} measurements, not ${space}`);
    if (input.batchSize !== t.batchSize || input.resolution !== t.resolution) {
      throw new UsageError(
        `device '${this.profile.name}' was measured at batch ${t.batchSize}, resolution ${t.resolution}; asked for batch ${input.batchSize}, resolution ${input.resolution}`,
      );
    }
  }

  async latency(space: SearchSpace, archs: readonly string[], input: InputShape): Promise<LatencyRecord[]> {
    const t = this.profile.table;
    this.checkServes(space.name, input);
    const table = this.table();
    return archs.map((arch) => {
      const latencyMs = table.latency(t.column, arch);
      if (latencyMs === undefined)
        throw new HwnasError(`arch '${arch}' was not measured on device '${this.profile.name}' (${t.file}, column ${t.column}_ms)`);
      return { arch, latencyMs, source: this.source };
    });
  }
}
