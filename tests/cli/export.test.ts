// `hwnas export` as a subprocess, then every exported model opened with tf.loadLayersModel in-process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { getSpace } from '../../src/spaces/registry.js';
import { registerFileIO } from '../../src/formats/tfjs-file-io.js';
import type { ExportSpec } from '../../src/search/export.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

let dir: string;
let results: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cli-export-'));
  results = path.join(dir, 'results');
  const config = writeConfig(dir, 'c.json', searchConfig(writeAccuracyFixture(dir), { budget: { evaluations: 30, batchSize: 10 } }));
  const r = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'e', '--no-progress']);
  expect(r.code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hwnas export (subprocess)', () => {
  it('writes spec.json + a LayersModel per front arch that loads, runs, and matches the arch rebuilt from its spec', async () => {
    const out = path.join(dir, 'export');
    const r = runCli(['export', 'e', '--results', results, '--out', out, '--top', '3']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const show = JSON.parse(runCli(['runs', 'show', 'e', '--results', results, '--json']).stdout);
    const index = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8'));
    expect(index.runId).toBe('e');
    expect(index.models.map((m: { arch: string }) => m.arch)).toEqual(show.front.slice(0, 3).map((f: { arch: string }) => f.arch));
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);

    registerFileIO();
    const space = getSpace('nb201');
    for (const entry of index.models) {
      const spec = JSON.parse(fs.readFileSync(path.join(out, entry.dir, 'spec.json'), 'utf8')) as ExportSpec;
      expect(spec).toMatchObject({ space: 'nb201', arch: entry.arch, runId: 'e', configHash: show.configHash });
      expect(space.canonical(spec.arch)).toBe(spec.arch);
      expect(spec.latencyMs.source).toMatch(/^simulated:mobile-cpu@/);
      expect(spec.accuracy).toMatchObject({ source: expect.stringMatching(/^table:.*#fixture_acc$/), proxy: false });

      const loaded = await tf.loadLayersModel(`file://${path.join(out, entry.dir, 'model.json')}`);
      const rebuilt = space.buildModel(spec.arch, spec.input, { seed: spec.weightsSeed });
      const x = tf.randomNormal([2, spec.input.resolution, spec.input.resolution, spec.input.channels], 0, 1, 'float32', 1);
      const y = loaded.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, spec.input.classes]);
      // Same architecture and weights: the rebuilt model computes the same function.
      expect(rebuilt.countParams()).toBe(loaded.countParams());
      expect(rebuilt.layers.map((l) => l.getClassName())).toEqual(loaded.layers.map((l) => l.getClassName()));
      const diff = tf.max(tf.abs(tf.sub(y, rebuilt.predict(x) as tf.Tensor))).dataSync()[0];
      expect(diff).toBeLessThan(1e-4);
      // The ONNX file beside it holds the same network and weights: ONNX Runtime on the NCHW input agrees.
      expect(spec.files.onnx).toMatchObject({ file: 'model.onnx', opset: 13, layout: 'NCHW' });
      const session = await ort.InferenceSession.create(path.join(out, entry.dir, 'model.onnx'));
      const nchw = (await tf.transpose(x, [0, 3, 1, 2]).data()) as Float32Array;
      const z = await session.run({
        input: new ort.Tensor('float32', nchw, [2, spec.input.channels, spec.input.resolution, spec.input.resolution]),
      });
      const expected = await y.data();
      const scale = Math.max(...[...expected].map(Math.abs));
      const onnxDiff = Math.max(...[...(z.logits.data as Float32Array)].map((v, i) => Math.abs(v - expected[i])));
      expect(onnxDiff).toBeLessThanOrEqual(1e-4 * Math.max(scale, 1e-30));
      await session.release();
      tf.dispose([x, y]);
      loaded.dispose();
      rebuilt.dispose();
    }
  }, 60_000);

  it('--format tfjs writes no ONNX file and --format onnx no TF.js files', () => {
    const tfjsOnly = path.join(dir, 'tfjs-only');
    expect(runCli(['export', 'e', '--results', results, '--out', tfjsOnly, '--top', '1', '--format', 'tfjs']).code).toBe(0);
    expect(fs.readdirSync(path.join(tfjsOnly, 'rank-01')).sort()).toEqual(['model.json', 'spec.json', 'weights.bin']);
    const onnxOnly = path.join(dir, 'onnx-only');
    expect(runCli(['export', 'e', '--results', results, '--out', onnxOnly, '--top', '1', '--format', 'onnx']).code).toBe(0);
    expect(fs.readdirSync(path.join(onnxOnly, 'rank-01')).sort()).toEqual(['model.onnx', 'spec.json']);
  }, 60_000);

  it('an output folder that cannot be created is one line and leaves nothing behind', () => {
    // A path under a regular file cannot be created, whoever runs the test (root ignores permission bits).
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const before = fs.readdirSync(dir).sort();
    const r = runCli(['export', 'e', '--results', results, '--out', path.join(blocker, 'out')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.includes('error')),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(/hwnas: error: cannot write export to .*a-file.out: ENOTDIR/);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });

  it('refuses a non-empty output folder and leaves it untouched; unknown runs are one line', () => {
    const out = path.join(dir, 'occupied');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
    const r = runCli(['export', 'e', '--results', results, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/hwnas: error: output folder .*occupied exists and is not empty/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    const unknown = runCli(['export', 'nope', '--results', results, '--out', path.join(dir, 'x')]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/hwnas: error: unknown run 'nope' .*known: e/);
  });
});
