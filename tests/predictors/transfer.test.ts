// Transfer harness: record grid, shared evaluation set, methods needing more samples, aggregation, task resolution.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { randomSamples, runTransfer, type TransferRecord, type TransferSetup } from '../../src/predictors/transfer/harness.js';
import { markdownTable, summariseTransfer, transferTable } from '../../src/predictors/transfer/report.js';
import { resolveDeviceData } from '../../src/predictors/transfer/task.js';
import { getSpace } from '../../src/spaces/registry.js';
import { dataFile, describeWithData } from '../helpers/data.js';
import { FAST_PREDICTOR_OPTIONS, syntheticTable } from './fixtures.js';

const space = getSpace('fbnet');
const table = syntheticTable(space, ['s1', 's2', 's3', 't1', 't2'], 150);

function setup(overrides: Partial<TransferSetup> = {}): TransferSetup {
  return {
    name: 'synthetic',
    space,
    table,
    sources: ['s1', 's2', 's3'],
    targets: ['t1', 't2'],
    samples: [3, 6],
    seeds: [0, 1],
    methods: ['flops', 'ridge-sources', 'help-style'],
    methodOptions: {
      'help-style': {
        hidden: [8],
        archsPerDevice: 40,
        pretrain: { epochs: 2, batchSize: 32, learningRate: 1e-3, weightDecay: 0 },
        finetune: { epochs: 2, batchSize: 16, learningRate: 1e-3, weightDecay: 0 },
      },
    },
    referenceArchs: table.archs.slice(0, 5),
    sampler: { name: 'random', choose: randomSamples },
    progress: false,
    ...overrides,
  };
}

describe('runTransfer', () => {
  it('scores every method × target × samples × seed on the archs no method measured', async () => {
    const { records } = await runTransfer(setup());
    // 3 methods and the 3 zero-shot proxies, for 2 targets × 2 sample counts × 2 seeds.
    expect(records).toHaveLength(2 * 2 * 2 * (3 + 3));
    const proxies = records.filter((r) => r.method.startsWith('zero-shot:'));
    expect(new Set(proxies.map((r) => r.method))).toEqual(new Set(['zero-shot:flops', 'zero-shot:params', 'zero-shot:non-skip']));
    for (const r of proxies) expect(Number.isFinite(r.spearman) && r.coverage90 === undefined).toBe(true);
    // Fitted methods report how often the true latency fell in their 90 % interval.
    for (const r of records.filter((x) => x.method === 'ridge-sources')) {
      expect(r.coverage90).toBeGreaterThan(0);
      expect(r.coverage90).toBeLessThanOrEqual(1);
    }
    const helpSmall = records.filter((r) => r.method === 'help-style' && r.samples === 3);
    // 5 reference archs do not fit in 3 measurements: reported as empty, not faked.
    expect(helpSmall.every((r) => Number.isNaN(r.spearman) && /at least 5/.test(r.note ?? ''))).toBe(true);
    const at6 = records.filter((r) => r.samples === 6 && r.seed === 0 && r.method !== 'help-style' && !r.method.startsWith('zero-shot:'));
    // help-style measures its 5 reference archs + 1 sampled arch; random samples may overlap them.
    for (const r of at6) expect(r.nEval).toBeGreaterThanOrEqual(150 - 11);
    expect(new Set(at6.map((r) => r.nEval)).size).toBe(1);
    const ridge = records.filter((r) => r.method === 'ridge-sources' && r.samples === 6);
    for (const r of ridge) expect(r.spearman).toBeGreaterThan(0.5);
  });

  it('records how each NASFLAT target was initialised and read out, and nothing for methods that do not transfer', async () => {
    const { records } = await runTransfer(
      setup({
        methods: ['flops', 'nasflat'],
        samples: [6],
        seeds: [0],
        methodOptions: { nasflat: FAST_PREDICTOR_OPTIONS.nasflat },
      }),
    );
    const nasflat = records.filter((r) => r.method === 'nasflat');
    expect(nasflat).toHaveLength(2);
    for (const r of nasflat)
      expect(r.adaptation).toMatch(
        /^initialised from s[123] \(ρ -?\d\.\d{3} on the measurements\); readout \S+ ×\d\.\d{2}( \+ \S+ ×\d\.\d{2})*$/,
      );
    expect(records.filter((r) => r.method !== 'nasflat').every((r) => r.adaptation === undefined)).toBe(true);
  });

  it('gives the same records for the same seeds', async () => {
    const strip = (rs: TransferRecord[]) => rs.map(({ fitPredictSeconds: _t, ...r }) => r);
    const s = setup({ methods: ['flops', 'lookup-table'], seeds: [3] });
    expect(strip((await runTransfer(s)).records)).toEqual(strip((await runTransfer(s)).records));
  });
});

describe('summariseTransfer', () => {
  const rec = (target: string, seed: number, spearman: number): TransferRecord => ({
    method: 'm',
    target,
    samples: 5,
    seed,
    spearman,
    kendall: spearman / 2,
    nEval: 10,
    fitPredictSeconds: 0,
  });

  it('averages seeds per target, then targets in the mean row, skipping empty results', () => {
    const summary = summariseTransfer([rec('a', 0, 0.5), rec('a', 1, 0.7), rec('b', 0, 0.9), rec('b', 1, NaN)]);
    expect(summary.spearman.a['m@5'].mean).toBeCloseTo(0.6, 12);
    expect(summary.spearman.a['m@5'].std).toBeCloseTo(0.1, 12);
    expect(summary.spearman.b['m@5']).toEqual({ mean: 0.9, std: 0, seeds: 1 });
    expect(summary.spearman.mean['m@5'].mean).toBeCloseTo(0.75, 12);
    expect(summary.kendall.mean['m@5'].mean).toBeCloseTo(0.375, 12);
    const table = transferTable(summary);
    expect(table.header).toEqual(['target', 'm@5']);
    expect(table.rows.map((r) => r[0])).toEqual(['a', 'b', 'mean']);
    expect(
      markdownTable(
        ['t', 'x'],
        [
          ['a', NaN],
          ['b', 0.12345],
        ],
      ),
    ).toBe('| t | x |\n|---|---:|\n| a | n/a |\n| b | 0.123 |');
  });
});

describeWithData('transfer tasks', () => {
  const spec = { latencies: dataFile('help/nb201_latency.csv'), splits: dataFile('nasflat/device_task_splits.json') };

  it('refuses NB201 tasks whose devices have no latencies here, naming them', () => {
    expect(() => resolveDeviceData(getSpace('nb201'), { ...spec, task: '1' }, 'cfg.json', 'transfer')).toThrow(ConfigError);
    expect(() => resolveDeviceData(getSpace('nb201'), { ...spec, task: '1' }, 'cfg.json', 'transfer')).toThrow(
      /not reproducible.*embedded_tpu_edge_tpu_int8/,
    );
  });

  it('resolves FBNet task 0: nine sources, three targets, ten HELP reference archs', () => {
    const data = resolveDeviceData(
      getSpace('fbnet'),
      { latencies: dataFile('help/fbnet_latency.csv'), splits: spec.splits, task: '0' },
      'cfg.json',
      'transfer',
    );
    expect(data.sources).toHaveLength(9);
    expect(data.targets).toEqual(['fpga', 'raspi4', 'eyeriss']);
    expect(data.referenceArchs).toHaveLength(10);
    expect(data.table.archs).toHaveLength(5000);
  });
});
