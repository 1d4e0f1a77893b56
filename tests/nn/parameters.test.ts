// Named parameters: seeded initialisation (same seed, same values, whatever the backend), Glorot limits, copies
// that do not share state, and the round trip through the tensor file with its shape checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { DataFileError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Parameters, constant, glorot, type ParameterSpec } from '../../src/nn/parameters.js';
import { readTensorFile, writeTensorFile } from '../../src/nn/tensor-file.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-parameters-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

/** A small network's specs, all drawing from one stream of `seed`. */
function specs(seed: number): [string, ParameterSpec][] {
  const init = glorot(Rng.derive(seed, 'parameters-test'));
  return [
    ['embedding', { shape: [3, 2, 4], init }],
    ['w', { shape: [4, 5], init }],
    ['b', { shape: [5], init: constant(0) }],
    ['gain', { shape: [5], init: constant(1) }],
  ];
}

const valuesOf = (p: Parameters) => Object.fromEntries([...p].map(([name, v]) => [name, Array.from(v.dataSync())]));

describe('Parameters', () => {
  it('initialise deterministically by seed: equal seeds give equal values, other seeds other values', () => {
    const a = Parameters.init(specs(1));
    const b = Parameters.init(specs(1));
    const c = Parameters.init(specs(2));
    expect(a.names()).toEqual(['embedding', 'w', 'b', 'gain']);
    expect(valuesOf(a)).toEqual(valuesOf(b));
    expect(valuesOf(a).w).not.toEqual(valuesOf(c).w);
    expect(valuesOf(a).b).toEqual([0, 0, 0, 0, 0]);
    expect(valuesOf(a).gain).toEqual([1, 1, 1, 1, 1]);
    [a, b, c].forEach((p) => p.dispose());
  });

  it('draw Glorot-uniform values within ±√(6 / (fanIn + fanOut)), in turn from a shared stream', () => {
    const p = Parameters.init(specs(3));
    // fanOut is the last dimension and fanIn the product of the others: embedding 6 + 4, w 4 + 5.
    const within = (values: Float32Array, fans: number) => values.every((v) => Math.abs(v) <= Math.sqrt(6 / fans));
    expect(within(p.get('embedding').dataSync() as Float32Array, 10)).toBe(true);
    expect(within(p.get('w').dataSync() as Float32Array, 9)).toBe(true);
    // The first 24 draws of the stream fill the embedding, the next 20 w.
    const rng = Rng.derive(3, 'parameters-test');
    const draws = Array.from({ length: 44 }, () => 2 * rng.next() - 1);
    expect(Array.from(p.get('w').dataSync())).toEqual(draws.slice(24).map((u) => Math.fround(u * Math.sqrt(6 / 9))));
    p.dispose();
  });

  it('copy into independent variables (map, clone) and name what is missing', () => {
    const p = Parameters.init(specs(4));
    const doubled = p.map((name, v) => (name === 'w' ? v.mul(2) : v));
    const copy = p.clone();
    copy.get('b').assign(copy.get('b').add(1));
    expect(Array.from(p.get('b').dataSync())).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(doubled.get('w').dataSync())).toEqual(Array.from(p.get('w').dataSync(), (v) => v * 2));
    expect(() => p.get('nope')).toThrow(/no parameter 'nope' \(have embedding, w, b, gain\)/);
    [p, doubled, copy].forEach((x) => x.dispose());
    expect(p.size).toBe(0);
  });

  it('round-trip through a tensor file under a prefix, refusing missing, misshapen and unexpected tensors', () => {
    const p = Parameters.init(specs(5));
    const file = path.join(tmp, 'net.json');
    writeTensorFile(file, { format: 'test-net', version: 1 }, [...p.toTensors('net0'), ...p.toTensors('net1')]);
    const saved = readTensorFile(file, 'test-net', 1);
    const shapes = specs(5).map(([name, spec]): [string, readonly number[]] => [name, spec.shape]);
    const back = Parameters.read(saved, shapes, 'net1');
    expect(valuesOf(back)).toEqual(valuesOf(p));
    const refusal = (fn: () => unknown) => {
      expect(fn).toThrow(DataFileError);
      expect(fn).toThrow(file);
    };
    refusal(() => Parameters.read(saved, [...shapes, ['extra', [1]]], 'net0'));
    expect(() => Parameters.read(saved, [...shapes, ['extra', [1]]], 'net0')).toThrow(/no tensor 'net0\/extra'/);
    expect(() => Parameters.read(saved, shapes.slice(1), 'net0')).toThrow(
      /unexpected tensor 'net0\/embedding' \(saved with another configuration\?\)/,
    );
    const transposed = shapes.map(([name, shape]): [string, readonly number[]] => [name, name === 'w' ? [5, 4] : shape]);
    expect(() => Parameters.read(saved, transposed, 'net0')).toThrow(/tensor 'net0\/w' is \[4×5\], expected \[5×4\]/);
    refusal(() => Parameters.read(saved, shapes));
    [p, back].forEach((x) => x.dispose());
  });
});
