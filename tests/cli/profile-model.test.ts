// `hwnas profile --model`: an ONNX or TF.js file of your own profiled like an arch, as a subprocess.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archToOnnx } from '../../src/formats/onnx.js';
import { profileArch } from '../../src/hardware/breakdown.js';
import { BUILTIN_PROFILES } from '../../src/hardware/registry.js';
import type { SimulatedProfile } from '../../src/hardware/schema.js';
import { parseWhatIfs } from '../../src/hardware/whatif.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { runCli } from '../helpers/cli.js';

const ARCH = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';
let dir: string;
let onnxFile: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-profile-model-'));
  onnxFile = path.join(dir, 'model.onnx');
  fs.writeFileSync(onnxFile, archToOnnx(nb201Space, ARCH, nb201Space.defaultInput(), 1));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hwnas profile --model', () => {
  it('prints the JSON breakdown of an ONNX file: node names, space "model", the arch totals for the exported arch', () => {
    const r = runCli([
      'profile',
      '--model',
      onnxFile,
      '--device',
      'edge-tpu',
      '--batch',
      '2',
      '--what-if',
      'int8,fuse,resolution:64',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      device: 'edge-tpu',
      space: 'model',
      model: { name: 'nb201', format: 'onnx', file: onnxFile },
      input: { batchSize: 2, resolution: 32, channels: 3, classes: 10 },
    });
    expect(report.arch).toBeUndefined();
    expect(report.layers[0]).toMatchObject({
      name: 'stem.conv',
      kind: 'conv',
      origin: { stage: 'model', op: 'Conv' },
      outputShape: [2, 32, 32, 16],
    });
    expect(report.layers.find((l: { name: string }) => l.name === 'stage1.cell0.edge1-3.none.zero')).toMatchObject({
      kind: 'zero',
      origin: { op: 'Mul' },
      timeMs: 0,
    });
    // The exported arch profiled as an arch: the same totals, baseline and each what-if.
    const profile = BUILTIN_PROFILES.find((p) => p.name === 'edge-tpu') as SimulatedProfile;
    const whatIfs = parseWhatIfs('int8,fuse,resolution:64');
    const arch = profileArch(profile, nb201Space, ARCH, { ...nb201Space.defaultInput(), batchSize: 2 }, [
      ...whatIfs.map((w) => [w]),
      whatIfs,
    ]);
    expect(report.totals.latencyMs).toBeCloseTo(arch.totals.latencyMs, 9);
    expect(report.totals.flops).toBe(arch.totals.flops);
    expect(report.whatIfs.map((w: { label: string }) => w.label)).toEqual(['int8', 'fuse', 'resolution:64', 'int8+fuse+resolution:64']);
    report.whatIfs.forEach((w: { totals: { latencyMs: number } }, i: number) =>
      expect(w.totals.latencyMs).toBeCloseTo(arch.whatIfs[i].totals.latencyMs, 9),
    );
  });

  it('prints the text table with the model line and the input as the file lays it out', () => {
    const r = runCli(['profile', '--model', onnxFile, '--device', 'mcu', '--top', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model nb201 \(onnx, \d+ nodes, .*model\.onnx\)$/m);
    expect(r.stdout).toMatch(/^device simulated:mcu@\d+ \(\w+\), input 1x3x32x32 \(NCHW\)$/m);
    expect(r.stdout).toMatch(/^stem\.conv +model Conv +1x32x32x16 /m);
    expect(r.stdout).toMatch(/top 3 bottlenecks:/);
  });

  it('refuses a foreign file in one line naming it, and --model with --arch', () => {
    const foreign = path.join(dir, 'config.json');
    fs.writeFileSync(foreign, JSON.stringify({ space: { name: 'nb201' } }));
    const r = runCli(['profile', '--model', foreign]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`hwnas: error: ${foreign}: JSON without modelTopology: not a TF.js LayersModel model.json\n`);
    const both = runCli(['profile', '--model', onnxFile, '--arch', ARCH]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    expect(both.stderr).toMatch(/mutually exclusive/);
    const neither = runCli(['profile']);
    expect(neither.stderr.trim()).toBe('hwnas: error: give --arch (of --space, default nb201) or --model');
  });
});
