import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncodingCache } from '../../src/encodings/cache.js';
import { createCazEncoder, symlog } from '../../src/encodings/caz.js';
import { pathEncoder } from '../../src/encodings/basic.js';
import type { Encoder } from '../../src/encodings/types.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';

/** An encoder whose output depends on a config value, counting how many archs it really encoded. */
function scaled(scale: number, calls: { n: number }): Encoder {
  return {
    name: 'scaled-path',
    description: 'path × scale',
    needsTraining: false,
    dimension: () => 84,
    version: () => `1;scale=${scale}`,
    encode: async (space, archs) => {
      calls.n += archs.length;
      return (await pathEncoder.encode(space, archs)).map((v) => v.map((t) => t * scale));
    },
  };
}

const archs = (nb201Space.enumerate?.() ?? []).slice(100, 130);

describe('EncodingCache', () => {
  it('serves cached vectors across instances, computing only missing archs', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cache-')), 'enc.sqlite');
    const calls = { n: 0 };
    const c1 = new EncodingCache(file);
    const first = await c1.encode(scaled(2, calls), nb201Space, archs.slice(0, 10), { batchSize: 4 });
    c1.close();
    const c2 = new EncodingCache(file);
    const progress: number[] = [];
    const second = await c2.encode(scaled(2, calls), nb201Space, archs, { batchSize: 8, onProgress: (d) => progress.push(d) });
    expect(calls.n).toBe(30);
    expect(second.slice(0, 10)).toEqual(first);
    expect(second).toEqual(await scaled(2, { n: 0 }).encode(nb201Space, archs));
    expect(progress).toEqual([10, 18, 26, 30]);
    expect(c2.count(scaled(2, calls), nb201Space)).toBe(30);
    c2.close();
  });

  it('never returns stale vectors when the encoder config changes', async () => {
    const cache = new EncodingCache(':memory:');
    const calls = { n: 0 };
    await cache.encode(scaled(1, calls), nb201Space, archs);
    const changed = await cache.encode(scaled(3, calls), nb201Space, archs);
    expect(calls.n).toBe(60);
    expect(changed).toEqual(await scaled(3, { n: 0 }).encode(nb201Space, archs));
    expect(cache.count(scaled(1, calls), nb201Space)).toBe(30);
    cache.close();
  });
});

describe('caz', () => {
  it('concatenates its parts (zcp part signed-log) and versions on all of them', async () => {
    const calls = { n: 0 };
    const caz = createCazEncoder([scaled(1, calls), scaled(2, calls), scaled(1e6, calls)]);
    const [v] = await caz.encode(nb201Space, [archs[3]]);
    const [p] = await pathEncoder.encode(nb201Space, [archs[3]]);
    expect(v).toHaveLength(3 * 84);
    expect(Array.from(v.slice(84, 168))).toEqual(Array.from(p.map((t) => 2 * t)));
    expect(Array.from(v.slice(168))).toEqual(Array.from(symlog(p.map((t) => 1e6 * t))));
    expect(caz.version(nb201Space)).not.toBe(createCazEncoder([scaled(1, calls), scaled(2, calls), scaled(5, calls)]).version(nb201Space));
  });
});
