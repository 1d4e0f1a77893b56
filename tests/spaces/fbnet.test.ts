import { describe, expect, it } from 'vitest';
import { UnknownArchError } from '../../src/core/errors.js';
import { readCsv, columnIndex } from '../../src/core/csv.js';
import { Rng } from '../../src/core/rng.js';
import { loadZcpTable } from '../../src/data/zcp.js';
import { fbnetSpace } from '../../src/spaces/fbnet/space.js';
import { torchstatFlops } from '../../src/spaces/fbnet/macro.js';
import { total } from '../../src/spaces/layers.js';
import { describeWithData, dataFile } from '../helpers/data.js';

const ARCH = '7_8_1_8_4_8_8_8_7_4_1_4_7_3_2_7_3_2_4_2_4_5';
const blocksDiffering = (a: string, b: string): number => a.split('_').filter((c, i) => c !== b.split('_')[i]).length;

describe('FBNet arch strings', () => {
  it('accepts the index string and the op-name form, and returns the index string', () => {
    expect(fbnetSpace.canonical(ARCH)).toBe(ARCH);
    const names = ARCH.split('_').map(
      (i) => ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'][Number(i)],
    );
    expect(fbnetSpace.canonical(names.join('-'))).toBe(ARCH);
  });

  it.each([
    ['1_2_3', /expected 22 block choices joined by '_', got 3/],
    [ARCH.replace(/^7/, '9'), /block 0: '9' is not a block choice \(0\.\.8\)/],
    [ARCH.replace(/_5$/, '_05'), /block 21: '05' is not a block choice/],
    [ARCH.replace(/_5$/, '_'), /block 21: '' is not a block choice/],
    [`k3_e9${'-skip'.repeat(21)}`, /block 0: 'k3_e9' is not a block choice \(k3_e1, k3_e1_g2/],
  ])('rejects %s with UnknownArchError', (arch, reason) => {
    expect(() => fbnetSpace.canonical(arch)).toThrow(UnknownArchError);
    expect(() => fbnetSpace.canonical(arch)).toThrow(reason);
  });
});

describe('FBNet sampling, mutation, neighbours, graphs', () => {
  it('samples valid archs deterministically for a seed', () => {
    const a = Array.from({ length: 20 }, (_, i) => fbnetSpace.sample(Rng.derive(1, 'test', i)));
    const b = Array.from({ length: 20 }, (_, i) => fbnetSpace.sample(Rng.derive(1, 'test', i)));
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(20);
    for (const arch of a) expect(fbnetSpace.canonical(arch)).toBe(arch);
    // Uniform choices: over 20×22 draws every one of the 9 choices appears.
    expect(new Set(a.flatMap((s) => s.split('_'))).size).toBe(9);
  });

  it('mutates exactly one block, never to itself', () => {
    for (let i = 0; i < 200; i++) expect(blocksDiffering(ARCH, fbnetSpace.mutate(ARCH, Rng.derive(2, 'mutate', i)))).toBe(1);
  });

  it('lists the 22 × 8 neighbours, each one block away', () => {
    const n = fbnetSpace.neighbours(ARCH);
    expect(n).toHaveLength(176);
    expect(new Set(n).size).toBe(176);
    expect(n.every((x) => blocksDiffering(ARCH, x) === 1)).toBe(true);
  });

  it('keeps distinct archs distinct in isoKey (skips are real identities)', () => {
    const swapped = ARCH.replace(/^7_8/, '8_7');
    expect(fbnetSpace.isoKey(ARCH)).toBe(ARCH);
    expect(fbnetSpace.isoKey(swapped)).not.toBe(fbnetSpace.isoKey(ARCH));
  });

  it('builds the chain op graph input → 22 blocks → output', () => {
    const g = fbnetSpace.opGraph(ARCH);
    expect(g.ops).toHaveLength(fbnetSpace.graphNodes);
    expect(g.ops[0]).toBe('input');
    expect(g.ops[1]).toBe('k5_e6');
    expect(g.ops[2]).toBe('skip');
    expect(g.ops[23]).toBe('output');
    expect(g.opIds.map((id) => fbnetSpace.opVocabulary[id])).toEqual(g.ops);
    const edges = g.adjacency.flatMap((row, i) => row.flatMap((v, j) => (v === 1 ? [[i, j]] : [])));
    expect(edges).toEqual(Array.from({ length: 23 }, (_, i) => [i, i + 1]));
  });
});

describe('FBNet layer list', () => {
  const input = fbnetSpace.defaultInput();

  it('follows the macro plan: stem, 22 blocks, head; 4×4×1504 before pooling at 32×32', () => {
    const layers = fbnetSpace.layers(ARCH, input);
    expect(input).toEqual({ batchSize: 1, resolution: 32, channels: 3, classes: 100 });
    expect(layers[0]).toMatchObject({ name: 'stem.conv', outputShape: [1, 32, 32, 16], kernel: 3, stride: 1 });
    expect(layers.find((l) => l.name === 'head.conv')?.outputShape).toEqual([1, 4, 4, 1504]);
    expect(layers.at(-1)).toMatchObject({ name: 'head.fc', outputShape: [1, 100], params: 1504 * 100 + 100 });
    expect(new Set(layers.filter((l) => l.origin.stage === 'block').map((l) => l.origin.block))).toEqual(
      new Set(Array.from({ length: 22 }, (_, i) => i)),
    );
    // Block 1 is a skip that opens stage 1 (16→24 channels): a 1×1 conv + BN + ReLU.
    expect(layers.filter((l) => l.origin.block === 1).map((l) => l.name)).toEqual([
      'block01.skip.conv',
      'block01.skip.bn',
      'block01.skip.relu',
    ]);
    // Block 3 is a skip inside stage 1 (24→24, stride 1): a true identity, no cost.
    expect(layers.filter((l) => l.origin.block === 3).map((l) => [l.kind, l.params, l.flops])).toEqual([['identity', 0, 0]]);
    // Block 5 is a skip that opens stage 2 (24→32, stride 2).
    expect(layers.find((l) => l.name === 'block05.skip.conv')).toMatchObject({ kernel: 1, stride: 2, outputShape: [1, 16, 16, 32] });
    // Block 2 (k3_e1_g2, 24→24): grouped expansion, shuffle, depthwise, grouped projection, residual add.
    expect(layers.filter((l) => l.origin.block === 2).map((l) => `${l.kind}${l.groups ? `/g${l.groups}` : ''}`)).toEqual([
      'conv/g2',
      'bn',
      'relu',
      'identity/g2',
      'conv/g24',
      'bn',
      'relu',
      'conv/g2',
      'bn',
      'add',
    ]);
  });

  it('scales costs with the input: ×batch, and conv FLOPs ×4 when the resolution doubles', () => {
    const convFlops = (res: number, batchSize: number) =>
      total(
        fbnetSpace.layers(ARCH, { ...input, resolution: res, batchSize }).filter((l) => l.kind === 'conv'),
        'flops',
      );
    expect(convFlops(32, 3)).toBe(3 * convFlops(32, 1));
    expect(convFlops(64, 1)).toBe(4 * convFlops(32, 1));
    expect(total(fbnetSpace.layers(ARCH, { ...input, resolution: 64 }), 'params')).toBe(total(fbnetSpace.layers(ARCH, input), 'params'));
  });
});

describeWithData('FBNet against the HELP / NASFLAT data', () => {
  it('parses all 5,000 HELP archs; the op-name column gives the same canonical string', () => {
    const table = readCsv(dataFile('help/fbnet_latency.csv'));
    const idx = columnIndex(table, 'op_indices');
    const ops = columnIndex(table, 'ops');
    expect(table.rows).toHaveLength(5000);
    for (const row of table.rows) {
      expect(fbnetSpace.canonical(row[idx])).toBe(row[idx]);
      expect(fbnetSpace.canonical(row[ops])).toBe(row[idx]);
    }
  });

  it('reproduces the flops and params columns of nasflat/fbnet_zcp.csv exactly for all 5,000 archs', () => {
    const zcp = loadZcpTable(dataFile('nasflat/fbnet_zcp.csv'));
    const flopsCol = zcp.values.get('flops') as Float64Array;
    const paramsCol = zcp.values.get('params') as Float64Array;
    const input = fbnetSpace.defaultInput('cifar100');
    let flopsMismatches = 0;
    let paramsMismatches = 0;
    zcp.archs.forEach((arch, i) => {
      const layers = fbnetSpace.layers(arch, input);
      if (torchstatFlops(layers) !== flopsCol[i]) flopsMismatches++;
      if (total(layers, 'params') !== paramsCol[i]) paramsMismatches++;
    });
    expect({ flopsMismatches, paramsMismatches }).toEqual({ flopsMismatches: 0, paramsMismatches: 0 });
  });
});
