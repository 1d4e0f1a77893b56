// `hwnas profile`: per-layer breakdown, bottlenecks and what-ifs, as text and JSON.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ARCH = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';

describe('hwnas profile', () => {
  it('prints JSON whose layer shares add up and whose what-ifs change the total', () => {
    const r = runCli([
      'profile',
      '--space',
      'nb201',
      '--arch',
      ARCH,
      '--device',
      'mobile-npu',
      '--batch',
      '2',
      '--what-if',
      'fp32,fuse,prune:0.5',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ device: 'mobile-npu', source: 'simulated:mobile-npu@1', precision: 'int8', input: { batchSize: 2 } });
    const shares = report.layers.reduce((s: number, l: { share: number }) => s + l.share, 0);
    expect(shares + report.totals.byBound.inference / report.totals.latencyMs).toBeCloseTo(1, 9);
    const zero = report.layers.find((l: { name: string }) => l.name === 'stage1.cell0.edge1-3.none.zero');
    expect(zero).toMatchObject({ timeMs: 0, bound: 'free', origin: { stage: 'stage1', cell: 0, edge: [1, 3], op: 'none' } });
    expect(report.bottlenecks).toHaveLength(5);
    expect(report.bottlenecks[0].timeMs).toBeGreaterThanOrEqual(report.bottlenecks[4].timeMs);
    const byLabel = Object.fromEntries(report.whatIfs.map((w: { label: string }) => [w.label, w]));
    expect(Object.keys(byLabel)).toEqual(['fp32', 'fuse', 'prune:0.5', 'fp32+fuse+prune:0.5']);
    // The NPU prefers int8: running fp32 falls back to a CPU core.
    expect(byLabel.fp32.deltaMs).toBeGreaterThan(0);
    expect(byLabel.fuse.deltaMs).toBeLessThan(0);
    expect(byLabel['prune:0.5'].totals.flops).toBeLessThan(report.totals.flops / 3);
  });

  it('prints a text breakdown traced to origins, with bottlenecks and what-ifs', () => {
    const r = runCli(['profile', '--arch', ARCH, '--device', 'mcu', '--what-if', 'int8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stage2\.cell3\.edge0-1\.nor_conv_3x3\.conv +stage2 cell3 edge0→1 nor_conv_3x3 +1x16x16x32/);
    expect(r.stdout).toMatch(/^total [\d.]+ ms/m);
    expect(r.stdout).toMatch(/top 5 bottlenecks:/);
    expect(r.stdout).toMatch(/^int8 +[\d.]+ +[+-]/m);
  });

  it('rejects a device without a simulator and a bad what-if in one line', () => {
    const host = runCli(['profile', '--arch', ARCH, '--device', 'host']);
    expect(host.code).not.toBe(0);
    expect(host.stderr.trim()).toBe("hwnas: error: device 'host' is host: a per-layer breakdown needs a simulated device");
    const bad = runCli(['profile', '--arch', ARCH, '--what-if', 'prune:2']);
    expect(bad.stderr).toMatch(/--what-if 'prune:2': the pruned fraction must be a number between 0 and 1/);
  });
});
