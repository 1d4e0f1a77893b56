import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { spearman } from '../../src/core/metrics.js';
import { Rng } from '../../src/core/rng.js';
import { loadZcpTable } from '../../src/data/zcp.js';
import { computeZcp, createZcpEncoder, createZcpTableEncoder, prepareSynflowWeights } from '../../src/encodings/zcp.js';
import { COMPUTED_ZCPS } from '../../src/encodings/zcp-names.js';
import { getSpace } from '../../src/spaces/registry.js';
import { total } from '../../src/spaces/layers.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { dataFile, describeWithData } from '../helpers/data.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describeWithData('zcp computed in TF.js vs the NASLib NB201 table (cifar10)', () => {
  const table = loadZcpTable(dataFile('naslib/nb201_zcp_partial.csv'), { dataset: 'cifar10', canonical: (a) => nb201Space.canonical(a) });
  const archs = Rng.derive(1, 'zcp-test').sample(table.archs, Number(process.env.ZCP_TEST_ARCHS ?? 16));
  // Forward-only proxies: the gradient ones run on the cpu backend (wasm lacks conv weight-gradient kernels), far too
  // slow for a test over many archs.
  const proxies = ['params', 'flops', 'l2_norm', 'nwot', 'synflow'];
  const input = nb201Space.defaultInput('cifar10');
  let computed: Record<string, Float64Array>;
  let msPerArch = 0;
  beforeAll(async () => {
    const start = performance.now();
    computed = await computeZcp(nb201Space, archs, input, { proxies, seed: 3, batchSize: 8 });
    msPerArch = (performance.now() - start) / archs.length;
  }, 300_000);

  const rho = (proxy: string): number => {
    const ref = table.values.get(proxy) as Float64Array;
    return spearman(
      computed[proxy],
      archs.map((a) => ref[table.archs.indexOf(a)]),
    );
  };

  // Printed when this test was made to assert (16 archs, seed 3, batch 8, wasm): params 1.000, flops 0.993, l2_norm
  // 0.935, nwot 0.979, synflow 0.991. The floors sit a bit below those, so a change that loses agreement shows here
  // before it reaches the looser floors below; another ZCP_TEST_ARCHS draws other archs, and only those apply then.
  const agreementWhenWritten: Record<string, number> = { params: 0.98, flops: 0.97, l2_norm: 0.9, nwot: 0.95, synflow: 0.96 };
  it('reports rank agreement per proxy, at least a bit below what it was when written', () => {
    const line = Object.keys(computed).map((p) => `${p}=${rho(p).toFixed(3)}`);
    console.log(`[zcp] ${msPerArch.toFixed(0)} ms/arch; spearman vs table: ${line.join(' ')}`);
    if (process.env.ZCP_TEST_ARCHS !== undefined) return;
    for (const [proxy, floor] of Object.entries(agreementWhenWritten)) expect(rho(proxy), proxy).toBeGreaterThan(floor);
  });

  it('params and flops are the analytic counts (millions) and rank-agree with the table', () => {
    archs.forEach((a, i) => {
      const layers = nb201Space.layers(a, input);
      expect(computed.params[i]).toBeCloseTo(total(layers, 'params') / 1e6, 9);
      expect(computed.flops[i]).toBeCloseTo(total(layers, 'flops') / 1e6, 9);
    });
    expect(rho('params')).toBeGreaterThan(0.99);
    expect(rho('flops')).toBeGreaterThan(0.99);
  });

  // Measured (seed 3, batch 8, wasm) on 12 archs: nwot 0.965, synflow 0.993, l2_norm 0.914; on 20 archs: nwot 0.979,
  // synflow 0.976, l2_norm 0.952, flops 0.995 (NASLib's flops differ slightly in convention) — with a different
  // random batch and initialisation than NASLib's, so the floors leave room for sampling noise on few archs.
  it('forward-only proxies rank-agree with NASLib despite a different batch and initialisation', () => {
    expect(rho('synflow')).toBeGreaterThan(0.85);
    expect(rho('nwot')).toBeGreaterThan(0.8);
    expect(rho('l2_norm')).toBeGreaterThan(0.7);
  });
});

describeWithData('gradient proxies computed in TF.js (wasm) vs the NASLib NB201 table (cifar10)', () => {
  const table = loadZcpTable(dataFile('naslib/nb201_zcp_partial.csv'), { dataset: 'cifar10', canonical: (a) => nb201Space.canonical(a) });
  const archs = Rng.derive(2, 'zcp-grad-test').sample(table.archs, Number(process.env.ZCP_GRAD_TEST_ARCHS ?? 8));
  // The proxies of the loss gradient with respect to the kernels (one backward pass per arch). fisher, jacov and
  // epe_nas take a backward pass each more; their agreement with the table is measured by `npm run bench:encodings`
  // on 100 archs (docs/results.md), and the tiny-input test below checks that they are finite and consistent.
  const proxies = ['grad_norm', 'snip'];
  let computed: Record<string, Float64Array>;
  beforeAll(async () => {
    computed = await computeZcp(nb201Space, archs, nb201Space.defaultInput('cifar10'), { proxies, seed: 3, batchSize: 8 });
  }, 300_000);
  const rho = (proxy: string): number =>
    spearman(
      computed[proxy],
      archs.map((a) => (table.values.get(proxy) as Float64Array)[table.archs.indexOf(a)]),
    );

  // Printed when this test was made to assert (these 8 archs, seed 3, batch 8): grad_norm 0.929, snip 0.905. The
  // floors sit a bit below those (one more swapped pair of 8 archs costs about 0.02–0.05); another
  // ZCP_GRAD_TEST_ARCHS draws other archs, and only the documented floors below apply then.
  const agreementWhenWritten: Record<string, number> = { grad_norm: 0.88, snip: 0.85 };
  it('reports rank agreement per proxy, at least a bit below what it was when written', () => {
    console.log(`[zcp gradient] spearman vs table: ${proxies.map((p) => `${p}=${rho(p).toFixed(3)}`).join(' ')}`);
    if (process.env.ZCP_GRAD_TEST_ARCHS !== undefined) return;
    for (const [proxy, floor] of Object.entries(agreementWhenWritten)) expect(rho(proxy), proxy).toBeGreaterThan(floor);
  });

  // bench:encodings measures these on 100 archs (docs/results.md); on 30 archs we measured grad_norm 0.983 and snip
  // 0.972, and on these 8: 0.929 and 0.905. ρ of 8 archs has a standard error near 0.35.
  it('rank-agree with NASLib despite a different batch and initialisation', () => {
    expect(rho('grad_norm')).toBeGreaterThan(0.8);
    expect(rho('snip')).toBeGreaterThan(0.8);
  });
});

describeWithData('zen and the forward proxies vs the NASFLAT FBNet table', () => {
  const space = getSpace('fbnet');
  const table = loadZcpTable(dataFile('nasflat/fbnet_zcp.csv'), { canonical: (a) => space.canonical(a) });
  const archs = Rng.derive(4, 'zcp-fbnet-test').sample(table.archs, 10);
  let computed: Record<string, Float64Array>;
  beforeAll(async () => {
    computed = await computeZcp(space, archs, space.defaultInput(), { proxies: ['zen', 'nwot', 'synflow'], seed: 3, batchSize: 8 });
  }, 300_000);

  // On 30 archs (batch 8): zen 0.986, nwot 0.998, synflow 0.952.
  it('rank-agree with the table', () => {
    const rho = (p: string): number =>
      spearman(
        computed[p],
        archs.map((a) => (table.values.get(p) as Float64Array)[table.archs.indexOf(a)]),
      );
    console.log(`[zcp fbnet] zen=${rho('zen').toFixed(3)} nwot=${rho('nwot').toFixed(3)} synflow=${rho('synflow').toFixed(3)}`);
    expect(rho('zen')).toBeGreaterThan(0.8);
    expect(rho('nwot')).toBeGreaterThan(0.8);
    expect(rho('synflow')).toBeGreaterThan(0.7);
  });
});

describe('every proxy (tiny input)', () => {
  it('is finite and deterministic for a seed, and consistent with the others', async () => {
    const arch = '|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|';
    const input = { ...nb201Space.defaultInput('cifar10'), resolution: 8 };
    const a = await computeZcp(nb201Space, [arch], input, { seed: 4, batchSize: 4 });
    const b = await computeZcp(nb201Space, [arch], input, { seed: 4, batchSize: 4 });
    expect(Object.keys(a)).toEqual([...COMPUTED_ZCPS]);
    expect(a).toEqual(b);
    for (const p of COMPUTED_ZCPS) expect(Number.isFinite(a[p][0]), p).toBe(true);
    expect(a.grad_norm[0]).toBeGreaterThan(0);
    expect(a.fisher[0]).toBeGreaterThan(0);
    // |Σ g·θ| ≤ Σ |g·θ|
    expect(Math.abs(a.plain[0])).toBeLessThanOrEqual(a.snip[0] + 1e-9);
    const other = await computeZcp(nb201Space, [arch], input, { seed: 5, batchSize: 4 });
    expect(other.grad_norm[0]).not.toBe(a.grad_norm[0]);
  }, 120_000);

  it('synflow of a cell with no path from input to output is ln 0 = −∞', async () => {
    const dead = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';
    const r = await computeZcp(nb201Space, [dead], { ...nb201Space.defaultInput('cifar10'), resolution: 8 }, { proxies: ['synflow'] });
    expect(r.synflow[0]).toBe(-Infinity);
  }, 60_000);

  it('synflow equals its per-layer definition Σ_l (R − R with kernel l zeroed) on NB201 and FBNet', async () => {
    // The reference: one forward pass per kernel on the same seeded model in synflow's state, with a tiny all-ones
    // input.
    const reference = (space: ReturnType<typeof getSpace>, arch: string, input: ReturnType<typeof nb201Space.defaultInput>): number => {
      const model = space.buildModel(arch, input, { seed: 2 });
      try {
        prepareSynflowWeights(model);
        const scale = 1e-30;
        const R = (): number =>
          tf.tidy(
            () =>
              (model.apply(tf.fill([1, input.resolution, input.resolution, input.channels], scale), { training: false }) as tf.Tensor)
                .sum()
                .dataSync()[0],
          );
        const full = R();
        let score = 0;
        for (const w of model.trainableWeights.filter((v) => /kernel$/.test(v.originalName ?? v.name))) {
          const kept = tf.clone(w.read());
          tf.tidy(() => {
            w.write(tf.zerosLike(kept));
          });
          score += full - R();
          w.write(kept);
          kept.dispose();
        }
        return Math.log(score) - Math.log(scale);
      } finally {
        model.dispose();
      }
    };
    const cases: [string, number][] = [
      ['nb201', 8],
      ['nb201', 16],
      ['fbnet', 16],
    ];
    for (const [name, resolution] of cases) {
      const space = getSpace(name);
      const arch = space.sample(Rng.derive(4, 'synflow-ref', name, resolution));
      const input = { ...space.defaultInput(), resolution };
      const got = await computeZcp(space, [arch], input, { proxies: ['synflow'], seed: 2 });
      expect(got.synflow[0], `${name} ${arch}`).toBeCloseTo(reference(space, arch, input), 2);
    }
  }, 120_000);
});

describeWithData('zcp read from a precomputed table (--zcp-table)', () => {
  const file = dataFile('nasflat/fbnet_zcp.csv');
  const space = getSpace('fbnet');
  it('returns the table rows, names its file in the version, and rejects archs the table lacks', async () => {
    const table = loadZcpTable(file, { canonical: (a) => space.canonical(a) });
    const encoder = createZcpTableEncoder({ file, proxies: ['synflow', 'zen'] });
    const archs = table.archs.slice(0, 3);
    const vectors = await encoder.encode(space, archs);
    archs.forEach((a, i) => {
      expect(vectors[i][0]).toBeCloseTo(Math.fround((table.values.get('synflow') as Float64Array)[i]), 0);
      expect(vectors[i][1]).toBe(Math.fround((table.values.get('zen') as Float64Array)[i]));
    });
    expect(encoder.dimension(space)).toBe(2);
    expect(encoder.version(space)).toContain('fbnet_zcp.csv');
    expect(createZcpTableEncoder({ file }).dimension(space)).toBe(table.proxies.length);
    const outside = space.sample(Rng.derive(9, 'not-in-table'));
    await expect(encoder.encode(space, [outside])).rejects.toThrow(/is not in the ZCP table .*fbnet_zcp.csv/);
    await expect(createZcpTableEncoder({ file, proxies: ['nope'] }).encode(space, archs)).rejects.toThrow(/has no nope column/);
  });
});

describe('zcp encoder', () => {
  it('is deterministic for a seed and does not leak tensors', async () => {
    const archs = [0, 1].map((i) => nb201Space.sample(Rng.derive(5, 'zcp-det', i)));
    const encoder = createZcpEncoder({ seed: 7, batchSize: 4, proxies: ['flops', 'nwot', 'synflow'] });
    const before = tf.memory().numTensors;
    const a = await encoder.encode(nb201Space, archs);
    const after = tf.memory().numTensors;
    const b = await encoder.encode(nb201Space, archs);
    expect(after).toBe(before);
    expect(a).toEqual(b);
    expect(a[0]).toHaveLength(encoder.dimension(nb201Space));
    expect(encoder.version(nb201Space)).toContain('seed=7');
  }, 60_000);
});
