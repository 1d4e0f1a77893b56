// `hwnas spaces …` as a subprocess: run `npx tsc -p tsconfig.build.json` first (bin/hwnas.js imports dist/).
import { describe, expect, it } from 'vitest';
import { total } from '../../src/spaces/layers.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import type { InputShape, Layer } from '../../src/spaces/types.js';
import { runCli } from '../helpers/cli.js';

const ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
interface ShowJson {
  space: string;
  arch: string;
  input: InputShape;
  layers: Layer[];
  totals: { flops: number; params: number; activationBytes: number; layers: number };
}
const ok = (args: string[]): string => {
  const r = runCli(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
};

describe('hwnas spaces (subprocess)', () => {
  it('lists both spaces with size and input shape, as a table and as JSON', () => {
    const table = ok(['spaces', 'list']);
    expect(table).toMatch(/^nb201\s+15625\s+32x32x3\s+10\s/m);
    expect(table).toMatch(/^fbnet\s+9\^22 ≈ 9\.85e\+20\s+32x32x3\s+100\s/m);
    const rows = JSON.parse(ok(['spaces', 'list', '--json'])) as { name: string; size: string; input: string }[];
    expect(rows.map((r) => [r.name, r.size, r.input])).toEqual([
      ['nb201', '15625', '32x32x3'],
      ['fbnet', '9^22 ≈ 9.85e+20', '32x32x3'],
    ]);
  });

  it('shows an arch (given by official index) layer by layer with origins, shapes and totals', () => {
    const text = ok(['spaces', 'show', 'nb201', '--arch', '1']);
    const expected = nb201Space.layers(ARCH, nb201Space.defaultInput());
    expect(text.split('\n')[0]).toBe(`nb201 ${ARCH}`);
    expect(text).toMatch(
      /^stage2\.cell4\.edge1-2\.avg_pool_3x3\.avgpool\s+stage2 cell4 edge1→2 avg_pool_3x3\s+avgpool\s+1x16x16x32\s+0\s+0\s+32768$/m,
    );
    expect(text).toMatch(/^reduction1\.conv_a\.conv\s+reduction1 resblock\s+conv\s+1x16x16x32\s+1179648\s+4608\s/m);
    expect(text).toContain(`total: ${expected.length} layers, ${(total(expected, 'flops') / 1e6).toFixed(3)} MFLOPs`);
  });

  it('--json gives the layer list; --batch and --resolution change shapes and costs', () => {
    const base = JSON.parse(ok(['spaces', 'show', 'nb201', '--arch', ARCH, '--json'])) as ShowJson;
    const big = JSON.parse(ok(['spaces', 'show', 'nb201', '--arch', ARCH, '--json', '--batch', '4', '--resolution', '64'])) as ShowJson;
    expect(base.input).toEqual({ batchSize: 1, resolution: 32, channels: 3, classes: 10 });
    expect(big.input).toEqual({ batchSize: 4, resolution: 64, channels: 3, classes: 10 });
    expect(base.layers).toEqual(nb201Space.layers(ARCH, base.input));
    expect(big.layers[0].outputShape).toEqual([4, 64, 64, 16]);
    expect(big.totals.params).toBe(base.totals.params);
    // Conv FLOPs scale with batch × area (16×); only the classifier (batch × 4) does not.
    const fc = (j: ShowJson) => j.layers.find((l) => l.kind === 'fc')?.flops ?? 0;
    expect(big.totals.flops - fc(big)).toBe(16 * (base.totals.flops - fc(base)));
    expect(big.totals.activationBytes).toBeGreaterThan(base.totals.activationBytes);
  });

  it('samples the same canonical strings for the same seed, others for another seed', () => {
    const a = ok(['spaces', 'sample', 'nb201', '--n', '5', '--seed', '1']);
    expect(ok(['spaces', 'sample', 'nb201', '--n', '5', '--seed', '1'])).toBe(a);
    const lines = a.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const arch of lines) expect(nb201Space.canonical(arch)).toBe(arch);
    expect(ok(['spaces', 'sample', 'nb201', '--n', '5', '--seed', '2'])).not.toBe(a);
    expect(
      ok(['spaces', 'sample', 'fbnet', '--n', '2', '--seed', '1'])
        .trimEnd()
        .split('\n')
        .every((s) => /^([0-8]_){21}[0-8]$/.test(s)),
    ).toBe(true);
  });

  it.each([
    [
      ['spaces', 'show', 'nb201', '--arch', '|nor_conv_3x3~0|+|conv~0|none~1|+|none~0|none~1|none~2|'],
      /nb201: invalid architecture .*unknown op 'conv' on edge 0→2/,
    ],
    [['spaces', 'show', 'darts', '--arch', '0'], /unknown search space 'darts' \(known: nb201, fbnet\)/],
    [['spaces', 'show', 'nb201', '--arch', '0', '--resolution', '30'], /resolution must be a multiple of 4/],
    [['spaces', 'sample', 'nb201', '--n', '-2'], /--n must be a positive integer, got -2/],
  ])('%j fails with one line', (args, reason) => {
    const r = runCli(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(reason);
  });
});
