// The weights file format: header and named tensors round-trip bit for bit through the JSON manifest + little-endian
// float32 binary, and every refusal is a DataFileError naming the file at fault and the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/core/errors.js';
import { readTensorFile, writeTensorFile, type NamedTensor } from '../../src/nn/tensor-file.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-tensor-file-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const header = { format: 'test-format', version: 2, kind: 'test', note: { kept: [1, 2] } };
const tensors: NamedTensor[] = [
  { name: 'a/matrix', shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 1e-7, -0, 6]) },
  { name: 'scalar', shape: [], values: Float32Array.from([Math.PI]) },
  { name: 'empty', shape: [0, 4], values: new Float32Array(0) },
];

/** A fresh copy of the test file in its own folder; returns the manifest's path. */
function written(name: string, weightsFile?: string): string {
  const file = path.join(tmp, name, 'model.json');
  writeTensorFile(file, header, tensors, weightsFile);
  return file;
}

/** The DataFileError `fn` throws. */
function refusal(fn: () => unknown): DataFileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataFileError);
    return err as DataFileError;
  }
  throw new Error('expected a DataFileError');
}

describe('writeTensorFile / readTensorFile', () => {
  it('round-trips the header and every tensor bit for bit, in order', () => {
    const file = written('ok');
    const read = readTensorFile(file, 'test-format', 2);
    expect(read.header).toEqual(header);
    expect(read.names()).toEqual(['a/matrix', 'scalar', 'empty']);
    for (const t of tensors) {
      const back = read.get(t.name, t.shape);
      expect(back.shape).toEqual(t.shape);
      expect(Buffer.from(back.values.buffer, back.values.byteOffset, back.values.byteLength)).toEqual(
        Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength),
      );
    }
    expect(Object.is(read.get('a/matrix').values[4], -0)).toBe(true);
  });

  it('writes a self-describing manifest and little-endian float32 values back to back', () => {
    const file = written('layout');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(manifest).toMatchObject({ ...header, weights: { file: 'model.bin', dtype: 'float32', littleEndian: true } });
    expect(manifest.weights.tensors).toEqual([
      { name: 'a/matrix', shape: [2, 3], offset: 0 },
      { name: 'scalar', shape: [], offset: 6 },
      { name: 'empty', shape: [0, 4], offset: 7 },
    ]);
    const bytes = fs.readFileSync(path.join(tmp, 'layout', 'model.bin'));
    expect(bytes.length).toBe(7 * 4);
    expect(bytes.readFloatLE(2 * 4)).toBe(3.5);
    expect(bytes.readFloatLE(6 * 4)).toBe(Math.fround(Math.PI));
  });

  it('names the binary as asked, and accepts any of several versions', () => {
    const file = written('named', 'weights.bin');
    expect(fs.existsSync(path.join(tmp, 'named', 'weights.bin'))).toBe(true);
    expect(readTensorFile(file, 'test-format', [1, 2]).weightsFile).toBe(path.join(tmp, 'named', 'weights.bin'));
  });
});

describe('readTensorFile refuses, naming the file and the reason', () => {
  it('a missing or unparsable manifest', () => {
    const absent = path.join(tmp, 'absent', 'model.json');
    expect(refusal(() => readTensorFile(absent, 'test-format', 2))).toMatchObject({ file: absent, reason: 'cannot read (ENOENT)' });
    const file = written('bad-json');
    fs.writeFileSync(file, '{ not json');
    expect(refusal(() => readTensorFile(file, 'test-format', 2)).reason).toMatch(/^invalid JSON/);
  });

  it('another format and another version', () => {
    const file = written('foreign');
    const format = refusal(() => readTensorFile(file, 'other-format', 2));
    expect(format).toMatchObject({ file, reason: "expected format 'other-format', found 'test-format'", column: 'format' });
    expect(format.message).toBe(`${file} (column format): expected format 'other-format', found 'test-format'`);
    const version = refusal(() => readTensorFile(file, 'test-format', [3, 4]));
    expect(version).toMatchObject({ file, reason: 'unsupported version 2 of test-format (this hwnas reads 3, 4)', column: 'version' });
  });

  it('a missing tensor and a tensor of another shape', () => {
    const file = written('shapes');
    const read = readTensorFile(file, 'test-format', 2);
    expect(refusal(() => read.get('a/vector'))).toMatchObject({ file, reason: "no tensor 'a/vector'" });
    expect(refusal(() => read.get('a/matrix', [3, 2]))).toMatchObject({ file, reason: "tensor 'a/matrix' is [2×3], expected [3×2]" });
    expect(refusal(() => read.get('scalar', [1]))).toMatchObject({ file, reason: "tensor 'scalar' is [], expected [1]" });
  });

  it('a truncated, overlong or missing binary (naming the binary)', () => {
    const file = written('truncated');
    const bin = path.join(tmp, 'truncated', 'model.bin');
    fs.writeFileSync(bin, fs.readFileSync(bin).subarray(0, 27));
    expect(refusal(() => readTensorFile(file, 'test-format', 2))).toMatchObject({
      file: bin,
      reason: 'truncated: 27 bytes, model.json describes 28',
    });
    fs.writeFileSync(bin, Buffer.alloc(32));
    expect(refusal(() => readTensorFile(file, 'test-format', 2)).reason).toBe(
      'longer than its tensor table says: 32 bytes, model.json describes 28',
    );
    fs.rmSync(bin);
    expect(refusal(() => readTensorFile(file, 'test-format', 2))).toMatchObject({ file: bin, reason: 'cannot read weights (ENOENT)' });
  });

  it('a manifest without a tensor table, or with a malformed or repeated entry', () => {
    const file = written('table');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    const rewrite = (weights: unknown) => fs.writeFileSync(file, JSON.stringify({ ...manifest, weights }));
    rewrite(undefined);
    expect(refusal(() => readTensorFile(file, 'test-format', 2))).toMatchObject({ file, column: 'weights' });
    rewrite({ ...manifest.weights, tensors: [{ name: 'x', shape: [-1], offset: 0 }] });
    expect(refusal(() => readTensorFile(file, 'test-format', 2)).reason).toBe('tensor table entry 0 is not {name, shape, offset}');
    rewrite({ ...manifest.weights, tensors: [manifest.weights.tensors[0], manifest.weights.tensors[0]] });
    expect(refusal(() => readTensorFile(file, 'test-format', 2)).reason).toBe("tensor 'a/matrix' is listed twice");
  });
});
