// The measurements CSV reader: canonical archs, NB201 indices, duplicates averaged, bad rows named by file:line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/core/errors.js';
import { readMeasurements } from '../../src/hardware/measurements.js';
import { getSpace } from '../../src/spaces/registry.js';

const nb201 = getSpace('nb201');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-measurements-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};
const A = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';

describe('readMeasurements', () => {
  it('reads canonical strings and NB201 indices, with optional columns', () => {
    const file = write('ok.csv', `arch,latency_ms,batch_size,resolution,device\n${A},2.5,1,32,pi\n7,3.25,8,,\n`);
    const rows = readMeasurements(file, nb201);
    expect(rows).toEqual([
      { arch: A, latencyMs: 2.5, batchSize: 1, resolution: 32, device: 'pi', rows: 1, line: 2 },
      { arch: nb201.fromIndex!(7), latencyMs: 3.25, batchSize: 8, resolution: undefined, device: undefined, rows: 1, line: 3 },
    ]);
  });

  it('averages rows repeating the same arch and conditions, keeps other conditions apart', () => {
    const file = write('dup.csv', `arch,latency_ms,batch_size\n${A},2,1\n${A},4,1\n${A},10,8\n`);
    const rows = readMeasurements(file, nb201);
    expect(rows.map((r) => [r.latencyMs, r.rows, r.batchSize])).toEqual([
      [3, 2, 1],
      [10, 1, 8],
    ]);
  });

  it.each([
    ['bad arch', `arch,latency_ms\n${A},1\n|bogus~0|,2\n`, 3, /bad\.csv:3 \(column arch\): nb201: invalid architecture/],
    ['negative latency', `arch,latency_ms\n${A},-1\n`, 2, /:2 \(column latency_ms\): latency must be positive/],
    ['text latency', `arch,latency_ms\n${A},fast\n`, 2, /:2 \(column latency_ms\): expected a number/],
    ['fractional batch', `arch,latency_ms,batch_size\n${A},1,1.5\n`, 2, /:2 \(column batch_size\): expected a positive integer/],
    ['ragged row', `arch,latency_ms\n${A},1,5\n`, 2, /:2: expected 2 fields/],
    ['missing column', `arch,ms\n${A},1\n`, 1, /missing column 'latency_ms'/],
  ])('rejects a %s naming file and line', (_, text, line, message) => {
    const file = write('bad.csv', text);
    let error: unknown;
    try {
      readMeasurements(file, nb201);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).line).toBe(line);
    expect((error as DataFileError).file).toBe(file);
    expect((error as Error).message).toMatch(message);
  });
});
