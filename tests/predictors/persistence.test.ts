// Saved-predictor files: named tensors round-trip exactly through the JSON manifest + binary file, and foreign,
// outdated or truncated directories fail with a DataFileError naming the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/core/errors.js';
import { PREDICTOR_MANIFEST, loadTensors, saveTensors } from '../../src/predictors/persistence.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-persistence-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const header = { format: 'test-format', version: 2, kind: 'test', note: 'kept' };
const tensors = [
  { name: 'a/matrix', shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 1e-7, 0, 6]) },
  { name: 'b', shape: [1], values: Float32Array.from([Math.PI]) },
];

describe('saveTensors / loadTensors', () => {
  it('round-trips the header and every tensor bit for bit', () => {
    const dir = path.join(tmp, 'ok');
    saveTensors(dir, header, tensors);
    const { header: read, tensors: loaded } = loadTensors(dir, 'test-format', 2);
    expect(read).toMatchObject(header);
    expect([...loaded.keys()]).toEqual(['a/matrix', 'b']);
    expect(loaded.get('a/matrix')!.shape).toEqual([2, 3]);
    expect([...loaded.get('a/matrix')!.values]).toEqual([...tensors[0].values]);
    expect(loaded.get('b')!.values[0]).toBe(Math.fround(Math.PI));
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(7 * 4);
  });

  it('rejects a missing directory, another format, another version and a truncated weights file', () => {
    expect(() => loadTensors(path.join(tmp, 'absent'), 'test-format', 2)).toThrow(/ENOENT/);
    const dir = path.join(tmp, 'checks');
    saveTensors(dir, header, tensors);
    expect(() => loadTensors(dir, 'other-format', 2)).toThrow(/expected format 'other-format', found 'test-format'/);
    expect(() => loadTensors(dir, 'test-format', 3)).toThrow(/unsupported version 2/);
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(8));
    expect(() => loadTensors(dir, 'test-format', 2)).toThrow(DataFileError);
    expect(() => loadTensors(dir, 'test-format', 2)).toThrow(/'a\/matrix' runs past the end/);
    fs.writeFileSync(path.join(dir, PREDICTOR_MANIFEST), '{ not json');
    expect(() => loadTensors(dir, 'test-format', 2)).toThrow(/invalid JSON/);
  });
});
