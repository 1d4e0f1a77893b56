// SQLite cache of encodings keyed by (space, encoder, version hash, arch): a changed encoder config or retrained
// weights changes the version, so stale vectors are never returned.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SearchSpace } from '../spaces/types.js';
import type { Encoder } from './types.js';

/** `$HWNAS_CACHE_DIR/encodings.sqlite`, else `results/cache/encodings.sqlite` (git-ignored). */
export function defaultCachePath(): string {
  return path.join(process.env.HWNAS_CACHE_DIR ?? path.resolve('results/cache'), 'encodings.sqlite');
}

/** Short stable hash of an encoder's version string (which includes its config / weight fingerprint). */
export function versionHash(encoder: Encoder, space: SearchSpace): string {
  return createHash('sha256').update(encoder.version(space)).digest('hex').slice(0, 16);
}

/** Options of `EncodingCache.encode`. */
export interface CachedEncodeOptions {
  /** Archs encoded per encoder call (and per SQLite transaction). */
  batchSize?: number;
  /** Called after each batch with the number of archs done (cached + computed). */
  onProgress?: (done: number, total: number) => void;
}

/** A persistent encoding cache. */
export class EncodingCache {
  private readonly db: Database.Database;

  /** Opens (creating) the cache file; `:memory:` for a throw-away cache. */
  constructor(readonly file: string = defaultCachePath()) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS encodings (
      space TEXT NOT NULL, encoder TEXT NOT NULL, version TEXT NOT NULL, arch TEXT NOT NULL, vector BLOB NOT NULL,
      PRIMARY KEY (space, encoder, version, arch))`);
  }

  /** Number of archs of `space` cached for the encoder's current version. */
  count(encoder: Encoder, space: SearchSpace): number {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM encodings WHERE space = ? AND encoder = ? AND version = ?')
      .get(space.name, encoder.name, versionHash(encoder, space)) as { n: number };
    return row.n;
  }

  /** Encodings of `archs` (canonical), computing and storing only those not cached for the current version. */
  async encode(encoder: Encoder, space: SearchSpace, archs: readonly string[], options: CachedEncodeOptions = {}): Promise<Float32Array[]> {
    const version = versionHash(encoder, space);
    const get = this.db.prepare('SELECT vector FROM encodings WHERE space = ? AND encoder = ? AND version = ? AND arch = ?');
    const result: (Float32Array | undefined)[] = archs.map((arch) => {
      const row = get.get(space.name, encoder.name, version, arch) as { vector: Buffer } | undefined;
      return row === undefined
        ? undefined
        : new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength));
    });
    const missing = result.flatMap((v, i) => (v === undefined ? [i] : []));
    const insert = this.db.prepare('INSERT OR REPLACE INTO encodings (space, encoder, version, arch, vector) VALUES (?, ?, ?, ?, ?)');
    const batchSize = options.batchSize ?? 256;
    let done = archs.length - missing.length;
    options.onProgress?.(done, archs.length);
    for (let start = 0; start < missing.length; start += batchSize) {
      const idx = missing.slice(start, start + batchSize);
      const vectors = await encoder.encode(
        space,
        idx.map((i) => archs[i]),
      );
      this.db.transaction(() => {
        idx.forEach((i, k) => {
          result[i] = vectors[k];
          insert.run(
            space.name,
            encoder.name,
            version,
            archs[i],
            Buffer.from(vectors[k].buffer, vectors[k].byteOffset, vectors[k].byteLength),
          );
        });
      })();
      done += idx.length;
      options.onProgress?.(done, archs.length);
    }
    return result as Float32Array[];
  }

  close(): void {
    this.db.close();
  }
}
