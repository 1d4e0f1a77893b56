// NASFLAT on tiny generated tables: shapes and calibration, ablation switches, save/load, determinism, errors; and
// the ranking loss against hand-computed values (the optimiser and schedule: tests/nn).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/core/backend.js';
import { ConfigError, DataFileError, HwnasError, UnknownArchError, UnknownNameError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { resolveNasflatConfig } from '../../src/predictors/nasflat/config.js';
import { hingeRankLoss } from '../../src/predictors/nasflat/model.js';
import { NasflatPredictor, type NasflatOptions } from '../../src/predictors/nasflat/predictor.js';
import { PREDICTOR_MANIFEST } from '../../src/predictors/persistence.js';
import { diagnose, intervalFactor } from '../../src/predictors/trust.js';
import { describeAdaptation, type DeviceLatencies } from '../../src/predictors/types.js';
import { getSpace } from '../../src/spaces/registry.js';
import { syntheticTable } from './fixtures.js';

const TINY = { epochs: 3, width: 16, archsPerDevice: 48, batchSize: 32, transferEpochs: 4 };
const nb201 = getSpace('nb201');
const table = syntheticTable(nb201, ['src_a', 'src_b', 'target'], 80);
const sources: DeviceLatencies[] = ['src_a', 'src_b'].map((device) => ({ device, archs: table.archs, latencyMs: table.column(device) }));
const fewArchs = table.archs.slice(0, 10);
const few = { archs: fewArchs, latencyMs: fewArchs.map((a) => table.latency('target', a)!) };
const query = table.archs.slice(20, 60);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-nasflat-'));

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function adapted(
  options: Record<string, unknown> = {},
  construction: Partial<NasflatOptions> = {},
  seed = 1,
): Promise<NasflatPredictor> {
  const predictor = new NasflatPredictor(nb201, resolveNasflatConfig({ ...TINY, ...options }), { seed, ...construction });
  await predictor.pretrain(sources);
  await predictor.adapt('target', few);
  return predictor;
}

describe('NasflatPredictor', () => {
  it('scores and predicts every source and the adapted target, calibrated to the measured ms range', async () => {
    const predictor = await adapted({ readout: 'line' });
    expect(predictor.devices()).toEqual(['src_a', 'src_b', 'target']);
    for (const device of predictor.devices()) {
      const ms = await predictor.predict(device, query);
      expect(ms).toHaveLength(query.length);
      expect([...ms].every(Number.isFinite)).toBe(true);
    }
    // An increasing (robust) line of ln ms through the few samples: the order of scores is kept, and the geometric
    // mean of the samples is about hit.
    const scores = await predictor.score('target', query);
    const ms = await predictor.predict('target', query);
    const order = (v: Float64Array) => [...v.keys()].sort((i, j) => v[i] - v[j]);
    expect(order(ms)).toEqual(order(scores));
    const fitted = await predictor.predict('target', fewArchs);
    const meanLog = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + Math.log(b), 0) / v.length;
    expect(Math.abs(meanLog(fitted) - meanLog(few.latencyMs))).toBeLessThan(0.1);
    expect(predictor.adaptation('target')?.readout).toBeUndefined();
  });

  it('never weighs a latency-like column (the score, a source score, ln FLOPs, ln params) negatively, even fitted on noise', async () => {
    // Kept on the first choice even when the noise makes the fit warn: this checks the many-column fits' signs.
    const predictor = new NasflatPredictor(nb201, resolveNasflatConfig({ ...TINY, zeroShotWhenWarned: false }), { seed: 1 });
    await predictor.pretrain(sources);
    const latencyLike = (c: string) => c === 'nasflat' || c === 'flops' || c === 'params' || c.startsWith('source:');
    let multiColumnMembers = 0;
    for (let seed = 0; seed < 6; seed++) {
      const rng = Rng.derive(seed, 'noisy-few');
      const noisy = { archs: fewArchs, latencyMs: few.latencyMs.map((ms) => ms * Math.exp(0.5 * rng.normal())) };
      await predictor.adapt(`noisy-${seed}`, noisy, { seed });
      for (const member of predictor.adaptation(`noisy-${seed}`)!.readout!.members) {
        if (member.columns.length > 1) multiColumnMembers++;
        member.columns.forEach((c, j) => {
          if (latencyLike(c)) expect(member.weights[j], `${member.name}: ${c}`).toBeGreaterThanOrEqual(0);
        });
      }
    }
    // Members joining several columns were fitted and kept, so the check above had something to check.
    expect(multiColumnMembers).toBeGreaterThan(0);
  });

  it('reads an adapted target out through the readouts with the lowest leave-one-out error on its measurements', async () => {
    const predictor = await adapted();
    const readout = predictor.adaptation('target')!.readout!;
    expect(readout.members.length).toBeGreaterThan(0);
    expect(readout.members.every((m) => m.share > 0 && Number.isFinite(m.looRmseLog))).toBe(true);
    const best = await adapted({ readoutRule: 'best' });
    expect(best.adaptation('target')!.readout!.members).toHaveLength(1);
    // Its intervals come from the readout chosen again without each row.
    const quality = predictor.fitQuality('target')!;
    expect(quality.intervalLooMs).toHaveLength(few.archs.length);
    expect(quality.intervalLooMs!.every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
    // Ten rows: the ⌈11 · 0.9⌉ = 10th smallest residual of the trusted rows, their largest.
    const trusted = quality.latencyMs.flatMap((ms, i) =>
      quality.distrusted.includes(i) ? [] : [Math.abs(Math.log(ms / quality.intervalLooMs![i]))],
    );
    expect(diagnose(quality).interval90Factor).toBeCloseTo(Math.exp(Math.max(...trusted)), 10);
    expect(intervalFactor(quality)).not.toBe(intervalFactor({ ...quality, intervalLooMs: undefined }));
    // The synthetic latencies are additive in op counts and FLOPs, which the cost readout represents exactly.
    const truth = query.map((a) => table.latency('target', a)!);
    const ms = await predictor.predict('target', query);
    const mape = truth.reduce((s, t, i) => s + Math.abs(ms[i] - t) / t, 0) / truth.length;
    expect(mape).toBeLessThan(0.1);
    // Restricted to the fine-tuned score, the score itself is the only candidate.
    const scoreOnly = await adapted({ readoutBases: ['nasflat'] });
    expect(scoreOnly.adaptation('target')!.readout!.members.map((m) => m.name)).toEqual(['nasflat']);
  });

  it('reads out through one-column zero-shot candidates only when the measurements disagree with each other', async () => {
    const predictor = new NasflatPredictor(nb201, resolveNasflatConfig(TINY), { seed: 1 });
    await predictor.pretrain(sources);
    // The same ten archs with latencies drawn at random, unrelated to the archs. Switched off, the first choice
    // stays, and its leave-one-out predictions make the fit warn.
    const rng = Rng.derive(0, 'unrelated-latencies');
    const contradictory = { archs: fewArchs, latencyMs: fewArchs.map(() => 10 * Math.exp(rng.normal())) };
    predictor.config.zeroShotWhenWarned = false;
    await predictor.adapt('kept', contradictory);
    expect(diagnose(predictor.fitQuality('kept')!).warning).toBeDefined();
    expect(predictor.adaptation('kept')!.readout!.zeroShot).toBeUndefined();
    expect(predictor.adaptation('kept')!.readout!.members.some((m) => m.columns.length > 1 || m.columns[0] === 'nasflat')).toBe(true);
    // Switched on (the default), the readout is chosen again among the one-column zero-shot candidates.
    predictor.config.zeroShotWhenWarned = true;
    const report = await predictor.adapt('contradictory', contradictory);
    const readout = predictor.adaptation('contradictory')!.readout!;
    expect(readout.zeroShot).toBe(true);
    expect(report.zeroShotReadout).toBe(true);
    expect(describeAdaptation(report)).toContain('zero-shot candidates only');
    for (const member of readout.members) {
      expect(member.columns, member.name).toHaveLength(1);
      expect(member.columns[0], member.name).not.toBe('nasflat');
    }
    const ms = await predictor.predict('contradictory', query);
    expect([...ms].every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    // Latencies that fall as the source devices' and FLOPs grow: every zero-shot candidate would be fitted upside
    // down, so the first choice stays rather than a readout that ranks the space backwards.
    const flops = (a: string) => nb201.layers(a, nb201.defaultInput('cifar10')).reduce((sum, l) => sum + l.flops, 0);
    const falling = {
      archs: fewArchs,
      latencyMs: fewArchs.map((a) => 1e12 / (flops(a) * table.latency('src_a', a)! * table.latency('src_b', a)!)),
    };
    predictor.config.zeroShotWhenWarned = false;
    await predictor.adapt('falling', falling);
    expect(diagnose(predictor.fitQuality('falling')!).warning).toBeDefined();
    predictor.config.zeroShotWhenWarned = true;
    await predictor.adapt('falling', falling);
    expect(predictor.adaptation('falling')!.readout!.zeroShot).toBeUndefined();
    // On consistent measurements the switch changes nothing.
    await predictor.adapt('consistent', few);
    expect(diagnose(predictor.fitQuality('consistent')!).warning).toBeUndefined();
    expect(predictor.adaptation('consistent')!.readout!.zeroShot).toBeUndefined();
  });

  it('initialises the target from a source device when hwInit is on, and from none when it is off', async () => {
    const on = await adapted();
    expect(['src_a', 'src_b']).toContain(on.adaptation('target')?.initialisedFrom);
    expect(Math.abs(on.adaptation('target')!.initialisationRho!)).toBeLessThanOrEqual(1);
    const off = await adapted({ hwInit: false });
    expect(off.adaptation('target')?.initialisedFrom).toBeUndefined();
  });

  it('gives identical predictions after save and load, with a self-describing manifest', async () => {
    const predictor = await adapted();
    const dir = path.join(tmp, 'saved');
    await predictor.save(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, PREDICTOR_MANIFEST), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'hwnas-nasflat',
      version: 3,
      kind: 'nasflat',
      space: 'nb201',
      sources: ['src_a', 'src_b'],
      opVocabulary: [...nb201.opVocabulary],
    });
    expect(manifest.config.width).toBe(16);
    expect(Object.keys(manifest.targets)).toEqual(['target']);
    const loaded = await NasflatPredictor.load(dir);
    for (const device of ['src_a', 'target'])
      expect([...(await loaded.predict(device, query))]).toEqual([...(await predictor.predict(device, query))]);
    // The fit quality, and so the intervals, come back too.
    expect(loaded.fitQuality('target')).toEqual(predictor.fitQuality('target'));
    expect(loaded.fitQuality('target')!.intervalLooMs).toHaveLength(few.archs.length);
  });

  it('keeps the source-device scores of every NB201 arch with the saved predictor, and predicts the same through them', async () => {
    const predictor = await adapted();
    const dir = path.join(tmp, 'tabled');
    await predictor.save(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, PREDICTOR_MANIFEST), 'utf8'));
    const entry = manifest.weights.tensors.find((t: { name: string }) => t.name === 'cache/sourceScores');
    expect(entry.shape).toEqual([nb201.size, 2]);
    const all = nb201.enumerate!();
    const expected = await predictor.predict('target', all);
    const loaded = await NasflatPredictor.load(dir);
    expect([...(await loaded.predict('target', all))]).toEqual([...expected]);
    // Without the table (`sourceScoreTable: 0`) nothing is saved and the scores are computed on demand, identically.
    const untabled = await adapted({ sourceScoreTable: 0 });
    const plainDir = path.join(tmp, 'untabled');
    await untabled.save(plainDir);
    const plain = JSON.parse(fs.readFileSync(path.join(plainDir, PREDICTOR_MANIFEST), 'utf8'));
    expect(plain.weights.tensors.some((t: { name: string }) => t.name === 'cache/sourceScores')).toBe(false);
    const sample = all.filter((_, i) => i % 97 === 0);
    expect([...(await (await NasflatPredictor.load(plainDir)).predict('target', sample))]).toEqual(
      sample.map((a) => expected[all.indexOf(a)]),
    );
  }, 120_000);

  it('is deterministic for a seed and differs across seeds', async () => {
    const [a, b, c] = [await adapted({}, {}, 7), await adapted({}, {}, 7), await adapted({}, {}, 8)];
    const [pa, pb, pc] = await Promise.all([a, b, c].map((p) => p.predict('target', query)));
    expect([...pa]).toEqual([...pb]);
    expect([...pa]).not.toEqual([...pc]);
  });

  it('builds only the parts the ablation switches leave on', async () => {
    const weightNames = async (options: Record<string, unknown>) => {
      const dir = path.join(tmp, `ablation-${JSON.stringify(options).replace(/\W/g, '')}`);
      await (await adapted(options)).save(dir);
      return JSON.parse(fs.readFileSync(path.join(dir, PREDICTOR_MANIFEST), 'utf8')).weights.tensors.map(
        (t: { name: string }) => t.name,
      ) as string[];
    };
    const full = await weightNames({});
    expect(full).toEqual(
      expect.arrayContaining([
        'pretrained/hwOpEmb',
        'pretrained/gateW',
        'pretrained/suppW',
        'pretrained/dgf0W',
        'pretrained/gat0W',
        'target:target/hwOpEmb',
      ]),
    );
    const ablated = await weightNames({ hwOpEmbedding: false, supplementary: [], graphLayer: 'dgf' });
    expect(ablated.some((n) => /hwOpEmb|gateW|suppW|gat0W/.test(n))).toBe(false);
    expect(ablated).toContain('pretrained/dgf0W');
  });

  it('joins an extra supplementary matrix, and refuses to load without it', async () => {
    const extra = (archs: readonly string[]) => ({
      width: 2,
      values: Float32Array.from(archs.flatMap((a) => [a.length, a.split('conv').length])),
    });
    const predictor = await adapted({}, { extraSupplementary: extra });
    const dir = path.join(tmp, 'extra');
    await predictor.save(dir);
    await expect(NasflatPredictor.load(dir)).rejects.toThrow(/supplementary/);
    const loaded = await NasflatPredictor.load(dir, { extraSupplementary: extra });
    expect([...(await loaded.predict('target', query))]).toEqual([...(await predictor.predict('target', query))]);
  });

  it('joins the proxies of a zcpTable (signed-log) to its supplementary inputs and needs every arch in the table', async () => {
    const file = path.join(tmp, 'zcp.csv');
    // Proxies with a real signal (conv count) and synflow-like magnitudes, for the table's archs only.
    const rows = table.archs.map((a) => `${a},${1e25 * 10 ** a.split('conv').length},${a.split('conv').length + 0.5}`);
    fs.writeFileSync(file, ['arch_str,synflow,nwot', ...rows].join('\n') + '\n');
    const shapes = async (options: Record<string, unknown>, name: string) => {
      const dir = path.join(tmp, name);
      await (await adapted(options)).save(dir);
      return JSON.parse(fs.readFileSync(path.join(dir, PREDICTOR_MANIFEST), 'utf8')).weights.tensors as { name: string; shape: number[] }[];
    };
    const withTable = await shapes({ zcpTable: { file } }, 'zcp-all');
    const withOne = await shapes({ zcpTable: { file, proxies: ['nwot'] } }, 'zcp-one');
    const without = await shapes({}, 'zcp-none');
    const rowsOf = (t: { name: string; shape: number[] }[]) => t.find((x) => x.name === 'pretrained/suppW')!.shape[0];
    expect(rowsOf(withTable) - rowsOf(without)).toBe(2);
    expect(rowsOf(withOne) - rowsOf(without)).toBe(1);
    const predictor = await adapted({ zcpTable: { file } });
    const inTable = table.archs.slice(20, 60);
    const preds = await predictor.predict('target', inTable);
    expect(preds.every(Number.isFinite)).toBe(true);
    const outside = Array.from({ length: 50 }, (_, i) => nb201.sample(Rng.derive(3, 'outside', i))).find((a) => !table.archs.includes(a))!;
    await expect(predictor.predict('target', [outside])).rejects.toThrow(/zcpTable .*zcp.csv has no row for arch/);
    await expect(adapted({ zcpTable: { file, proxies: ['zen'] } })).rejects.toThrow(/has no zen column/);
  });

  it('refuses a saved predictor whose weights do not fit its config, naming the file and the tensor', async () => {
    const dir = path.join(tmp, 'misshapen');
    await (await adapted()).save(dir);
    const file = path.join(dir, PREDICTOR_MANIFEST);
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...manifest, config: { ...manifest.config, width: 24 } }));
    await expect(NasflatPredictor.load(dir)).rejects.toThrow(DataFileError);
    await expect(NasflatPredictor.load(dir)).rejects.toThrow(`${file}: tensor 'pretrained/gateW' is [8×16], expected [8×24]`);
  });

  it('rejects unknown devices, foreign archs, bad measurements, bad options and foreign files clearly', async () => {
    const predictor = await adapted();
    await expect(predictor.predict('no-such-board', query)).rejects.toThrow(UnknownNameError);
    await expect(predictor.predict('no-such-board', query)).rejects.toThrow(/known: src_a, src_b, target/);
    const fbnetArch = getSpace('fbnet').sample(new Rng('foreign'));
    await expect(predictor.predict('target', [fbnetArch])).rejects.toThrow(UnknownArchError);
    await expect(predictor.adapt('other', { archs: fewArchs.slice(0, 1), latencyMs: [1] })).rejects.toThrow(/at least 2/);
    await expect(predictor.adapt('other', { archs: fewArchs.slice(0, 2), latencyMs: [1, -2] })).rejects.toThrow(/positive/);
    await expect(new NasflatPredictor(nb201, resolveNasflatConfig(TINY), { seed: 0 }).adapt('t', few)).rejects.toThrow(HwnasError);
    expect(() => resolveNasflatConfig({ width: -3 })).toThrow(ConfigError);
    expect(() => resolveNasflatConfig({ widht: 3 })).toThrow(ConfigError);
    await expect(
      new NasflatPredictor(nb201, resolveNasflatConfig({ ...TINY, supplementary: ['zzz'] }), { seed: 0 }).pretrain(sources),
    ).rejects.toThrow(/known: flops, params, op-counts/);
    const dir = path.join(tmp, 'foreign');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, PREDICTOR_MANIFEST), JSON.stringify({ format: 'hwnas-baseline-predictor', version: 1, kind: 'flops' }));
    await expect(NasflatPredictor.load(dir)).rejects.toThrow(DataFileError);
  });
});

describe('NASFLAT training pieces', () => {
  it('hinge ranking loss counts only correctly ordered pairs of the same device', () => {
    const same = tf.tensor2d([[1], [1]]);
    // Arch 0 is slower (target 1 > 0) but scores lower: one violated pair, max(0, 0.1 − (0 − 1)) = 1.1.
    expect(hingeRankLoss(tf.tensor1d([0, 1]), tf.tensor1d([1, 0]), same, 0.1).dataSync()[0]).toBeCloseTo(1.1, 6);
    // Correct order with a gap above the margin: no loss; a gap inside the margin: margin − gap.
    expect(hingeRankLoss(tf.tensor1d([1, 0]), tf.tensor1d([1, 0]), same, 0.1).dataSync()[0]).toBeCloseTo(0, 6);
    expect(hingeRankLoss(tf.tensor1d([0.04, 0]), tf.tensor1d([1, 0]), same, 0.1).dataSync()[0]).toBeCloseTo(0.06, 6);
    // Ties in the target form no pair; pairs across devices are ignored.
    expect(hingeRankLoss(tf.tensor1d([0, 1]), tf.tensor1d([0.5, 0.5]), same, 0.1).dataSync()[0]).toBe(0);
    expect(
      hingeRankLoss(
        tf.tensor1d([0, 1]),
        tf.tensor1d([1, 0]),
        tf.tensor2d([
          [1, 0],
          [0, 1],
        ]),
        0.1,
      ).dataSync()[0],
    ).toBe(0);
  });
});
