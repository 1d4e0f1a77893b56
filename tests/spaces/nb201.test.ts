import { describe, expect, it } from 'vitest';
import { UnknownArchError, UsageError } from '../../src/core/errors.js';
import { columnIndex, numberCell, readCsv } from '../../src/core/csv.js';
import { Rng } from '../../src/core/rng.js';
import { total } from '../../src/spaces/layers.js';
import { NB201_OPS, codeToOps, formatNb201, opsToCode, parseNb201 } from '../../src/spaces/nb201/arch.js';
import { PythonMersenneTwister } from '../../src/spaces/nb201/official-order.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { dataFile, describeWithData } from '../helpers/data.js';

const ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const edgesDiffering = (a: string, b: string): number => parseNb201(a).filter((op, e) => op !== parseNb201(b)[e]).length;

describe('NB201 arch strings', () => {
  it('round-trips canonical strings and op ids; base-5 codes cover the space once', () => {
    expect(nb201Space.canonical(ARCH)).toBe(ARCH);
    expect(nb201Space.canonical(`  ${ARCH}\n`)).toBe(ARCH);
    expect(parseNb201(ARCH)).toEqual([3, 3, 4, 1, 3, 1]);
    const seen = new Set<string>();
    for (let code = 0; code < 5 ** 6; code++) {
      const ops = codeToOps(code);
      expect(opsToCode(ops)).toBe(code);
      seen.add(formatNb201(ops));
    }
    expect(seen.size).toBe(15625);
    expect(formatNb201(codeToOps(0))).toBe('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
  });

  it('gives each parse its own array (parsed canonical strings are kept)', () => {
    const first = parseNb201(ARCH);
    first[0] = 0;
    expect(parseNb201(ARCH)).toEqual([3, 3, 4, 1, 3, 1]);
    expect(parseNb201(` ${ARCH}`)).toEqual([3, 3, 4, 1, 3, 1]);
  });

  it.each([
    ['|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|', /expected 3 node groups joined by '\+'.*got 2/],
    [ARCH.replace('skip_connect~2|', 'skip_connect~2|+|none~0|'), /got 4/],
    [ARCH.replace('|+|skip_connect~0|', '|+skip_connect~0|'), /node 3 group 'skip_connect~0\|.*' must be wrapped in '\|'/],
    [ARCH.replace('avg_pool_3x3~1|', ''), /node 2 needs 2 input edge\(s\) \(from nodes 0\.\.1\), got 1/],
    [ARCH.replace('avg_pool_3x3~1', 'avg_pool_3x3~0'), /edge 2 into node 2 must come from node 1, got '~0'/],
    [ARCH.replace('avg_pool_3x3~1', 'avg_pool_3x3'), /edge 'avg_pool_3x3' into node 2 is not 'op~input'/],
    [
      ARCH.replace('avg_pool_3x3~1', 'max_pool_3x3~1'),
      /unknown op 'max_pool_3x3' on edge 1→2 \(known: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3\)/,
    ],
    ['15625', /index must be an integer in 0\.\.15624/],
    ['', /expected 3 node groups/],
  ])('rejects %s with UnknownArchError', (arch, reason) => {
    expect(() => nb201Space.canonical(arch)).toThrow(UnknownArchError);
    expect(() => nb201Space.canonical(arch)).toThrow(reason);
  });

  it('rejects non-integer and negative indices', () => {
    expect(() => nb201Space.canonical(-1)).toThrow(UnknownArchError);
    expect(() => nb201Space.canonical(1.5)).toThrow(/index must be an integer/);
  });
});

describe('NB201 official index without data', () => {
  it("replays CPython's Mersenne Twister: random.seed(s); random.getrandbits(32)", () => {
    // Reference values printed by CPython 3 for seeds 88 (NB201's) and 0.
    const mt88 = new PythonMersenneTwister(88);
    expect([mt88.nextUint32(), mt88.nextUint32(), mt88.nextUint32()]).toEqual([1707201716, 4182107318, 813946014]);
    const mt0 = new PythonMersenneTwister(0);
    expect([mt0.nextUint32(), mt0.nextUint32()]).toEqual([3626764237, 1654615998]);
  });

  it('puts the cells NB201 itself asserts at indices 0, 1 and 123', () => {
    expect(nb201Space.fromIndex?.(0)).toBe(
      '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|',
    );
    expect(nb201Space.fromIndex?.(1)).toBe(ARCH);
    expect(nb201Space.fromIndex?.(123)).toBe('|avg_pool_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|');
  });
});

describe('NB201 enumeration, sampling, mutation, neighbours', () => {
  it('enumerates all 15,625 distinct archs, consistent with index/fromIndex', () => {
    const all = nb201Space.enumerate?.() ?? [];
    expect(all).toHaveLength(15625);
    expect(new Set(all).size).toBe(15625);
    for (const i of [0, 1, 777, 15624]) {
      expect(nb201Space.fromIndex?.(i)).toBe(all[i]);
      expect(nb201Space.index?.(all[i])).toBe(i);
    }
  });

  it('samples valid archs deterministically for a seed, covering every op on every edge', () => {
    const draw = (seed: number) => Array.from({ length: 200 }, (_, i) => nb201Space.sample(Rng.derive(seed, 'test', i)));
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
    for (const arch of a) expect(nb201Space.canonical(arch)).toBe(arch);
    for (let e = 0; e < 6; e++) expect(new Set(a.map((s) => parseNb201(s)[e])).size).toBe(NB201_OPS.length);
  });

  it('mutates exactly one edge, never to itself, reaching all 24 neighbours', () => {
    const mutants = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const m = nb201Space.mutate(ARCH, Rng.derive(3, 'mutate', i));
      expect(edgesDiffering(ARCH, m)).toBe(1);
      mutants.add(m);
    }
    const n = nb201Space.neighbours(ARCH);
    expect(n).toHaveLength(24);
    expect(new Set(n)).toEqual(mutants);
  });
});

describe('NB201 op graph', () => {
  it('puts input, the six edge ops in edge order, and output on 8 nodes with op-on-node adjacency', () => {
    const g = nb201Space.opGraph(ARCH);
    expect(nb201Space.graphNodes).toBe(8);
    expect(g.ops).toEqual([
      'input',
      'nor_conv_3x3',
      'nor_conv_3x3',
      'avg_pool_3x3',
      'skip_connect',
      'nor_conv_3x3',
      'skip_connect',
      'output',
    ]);
    expect(g.opIds.map((id) => nb201Space.opVocabulary[id])).toEqual(g.ops);
    expect(nb201Space.opVocabulary).toEqual(['input', ...NB201_OPS, 'output']);
    const edges = g.adjacency.flatMap((row, i) => row.flatMap((v, j) => (v === 1 ? [`${i}>${j}`] : [])));
    // Graph nodes 1..6 are edges 0→1, 0→2, 1→2, 0→3, 1→3, 2→3: an edge feeds the edges leaving its target node.
    expect(edges.sort()).toEqual(['0>1', '0>2', '0>4', '1>3', '1>5', '2>6', '3>6', '4>7', '5>7', '6>7'].sort());
    // Callers may modify their copy without changing the next graph.
    g.adjacency[0][1] = 0;
    expect(nb201Space.opGraph(ARCH).adjacency[0][1]).toBe(1);
  });
});

describe('NB201 layer list', () => {
  const input = nb201Space.defaultInput('cifar10');
  const allConv = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';

  it('follows the NB201 macro plan with shapes at 32×32 and 16×16', () => {
    const layers = nb201Space.layers(ARCH, input);
    expect(layers[0]).toMatchObject({ name: 'stem.conv', kernel: 3, outputShape: [1, 32, 32, 16], params: 3 * 9 * 16 });
    expect(layers[1]).toMatchObject({ name: 'stem.bn', params: 32 });
    // ReLU → conv → BN per conv edge, traced to stage, cell, edge and op.
    expect(layers.filter((l) => l.name.startsWith('stage2.cell4.edge0-1.')).map((l) => [l.kind, l.origin])).toEqual(
      ['relu', 'conv', 'bn'].map((kind) => [kind, { stage: 'stage2', cell: 4, edge: [0, 1], op: 'nor_conv_3x3' }]),
    );
    expect(layers.find((l) => l.name === 'stage3.cell0.edge1-2.avg_pool_3x3.avgpool')).toMatchObject({
      kernel: 3,
      stride: 1,
      outputShape: [1, 8, 8, 64],
    });
    expect(layers.find((l) => l.name === 'stage1.cell2.node3.add')).toMatchObject({ inputs: 3, outputShape: [1, 32, 32, 16] });
    expect(layers.filter((l) => l.origin.stage === 'reduction1').map((l) => `${l.name}:${l.outputShape.join('x')}`)).toEqual([
      'reduction1.conv_a.relu:1x32x32x16',
      'reduction1.conv_a.conv:1x16x16x32',
      'reduction1.conv_a.bn:1x16x16x32',
      'reduction1.conv_b.relu:1x16x16x32',
      'reduction1.conv_b.conv:1x16x16x32',
      'reduction1.conv_b.bn:1x16x16x32',
      'reduction1.shortcut.avgpool:1x16x16x16',
      'reduction1.shortcut.conv:1x16x16x32',
      'reduction1.add:1x16x16x32',
    ]);
    expect(layers.slice(-4).map((l) => l.name)).toEqual(['head.bn', 'head.relu', 'head.gap', 'head.fc']);
    expect(layers.at(-1)).toMatchObject({ outputShape: [1, 10], params: 64 * 10 + 10 });
    expect(new Set(layers.map((l) => l.name)).size).toBe(layers.length);

    const small = nb201Space.layers(ARCH, nb201Space.defaultInput('imagenet16-120'));
    expect(small.find((l) => l.name === 'head.gap')?.inputShape).toEqual([1, 4, 4, 64]);
    expect(small.at(-1)?.outputShape).toEqual([1, 120]);
  });

  it('counts the all-3×3-conv cell by hand: 220.12 MFLOPs at CIFAR-10', () => {
    const cellConv = 9 * 16 * 16 * 32 * 32; // the same at every stage: channels ×2, area ÷4
    const reduction = 9 * 16 * 32 * 16 * 16 + 9 * 32 * 32 * 16 * 16 + 16 * 32 * 16 * 16;
    const expected = 27 * 16 * 32 * 32 + 15 * 6 * cellConv + 2 * reduction + (64 * 10 + 10);
    expect(expected).toBe(2 * reduction + 212_336_640 + 442_368 + 650);
    expect(total(nb201Space.layers(allConv, input), 'flops')).toBe(expected);
  });

  it('scales costs with the input: ×batch, ×4 conv FLOPs for 2× resolution, params unchanged', () => {
    const convFlops = (resolution: number, batchSize: number) =>
      total(
        nb201Space.layers(ARCH, { ...input, resolution, batchSize }).filter((l) => l.kind === 'conv'),
        'flops',
      );
    expect(convFlops(32, 4)).toBe(4 * convFlops(32, 1));
    expect(convFlops(64, 1)).toBe(4 * convFlops(32, 1));
    const params = (resolution: number) => total(nb201Space.layers(ARCH, { ...input, resolution }), 'params');
    expect(params(64)).toBe(params(32));
    const acts = (batchSize: number) => total(nb201Space.layers(ARCH, { ...input, batchSize }), 'activationBytes');
    expect(acts(8)).toBe(8 * acts(1));
  });

  it('rejects resolutions the two stride-2 reductions cannot halve', () => {
    expect(() => nb201Space.layers(ARCH, { ...input, resolution: 30 })).toThrow(UsageError);
    expect(() => nb201Space.layers(ARCH, { ...input, batchSize: 0 })).toThrow(/positive integers/);
  });
});

describeWithData('NB201 against the NAS-Bench-201 / HW-NAS-Bench data', () => {
  it('derives the official index of all 15,625 archs (help/nb201_latency.csv) in both directions', () => {
    const table = readCsv(dataFile('help/nb201_latency.csv'));
    const idx = columnIndex(table, 'arch_index');
    const str = columnIndex(table, 'arch_str');
    expect(table.rows).toHaveLength(15625);
    let mismatches = 0;
    table.rows.forEach((row, r) => {
      const index = numberCell(table, r, idx);
      if (nb201Space.fromIndex?.(index) !== row[str] || nb201Space.index?.(row[str]) !== index || nb201Space.canonical(index) !== row[str])
        mismatches++;
    });
    expect(mismatches).toBe(0);
  });

  it('reproduces nb201_cifar10_flops_M and arch_index exactly for all 12,554 rows, counting convs on dead edges too', () => {
    const table = readCsv(dataFile('hw-nas-bench/nb201_cifar10_hw_metrics_partial.csv'));
    const str = columnIndex(table, 'arch_str');
    const flopsCol = columnIndex(table, 'nb201_cifar10_flops_M');
    const idx = columnIndex(table, 'arch_index');
    expect(table.rows).toHaveLength(12554);
    const input = nb201Space.defaultInput('cifar10');
    let mismatches = 0;
    let rowsWithDeadConvs = 0;
    table.rows.forEach((row, r) => {
      const layers = nb201Space.layers(row[str], input);
      // The column is MFLOPs with 5 decimals; integer MACs / 1e6 equal it exactly as doubles.
      if (total(layers, 'flops') / 1e6 !== numberCell(table, r, flopsCol)) mismatches++;
      // HW-NAS-Bench uses the same official index.
      if (nb201Space.index?.(row[str]) !== numberCell(table, r, idx)) mismatches++;
      // Two plain kinds of dead edge: out of node 1 when 0→1 is none, into node 2 when 2→3 is none.
      const ops = parseNb201(row[str]);
      const node1Dead = ops[0] === 0;
      const node2Unused = ops[5] === 0;
      const dead = (l: (typeof layers)[number]) =>
        l.origin.edge !== undefined && ((node1Dead && l.origin.edge[0] === 1) || (node2Unused && l.origin.edge[1] === 2));
      if (layers.some((l) => l.kind === 'conv' && dead(l))) rowsWithDeadConvs++;
    });
    expect(mismatches).toBe(0);
    // Thousands of rows have convs whose output is discarded, and NB201 counts them (as our list does).
    expect(rowsWithDeadConvs).toBeGreaterThan(1000);
  });
});
