// Same seed, same pool: a search adapts its predictor on archs drawn from the pool `hwnas sample` chooses from; neither
// measures an arch whose output no input reaches, and the re-check of a front sets such archs apart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccuracyConfig, LatencyConfig } from '../../src/core/config/search.js';
import { createLogger } from '../../src/core/log.js';
import { Rng } from '../../src/core/rng.js';
import { measurablePool, spacePool } from '../../src/encodings/pool.js';
import { encoderRegistry } from '../../src/encodings/registry.js';
import { samplerRegistry } from '../../src/encodings/samplers.js';
import { ArchFeatures } from '../../src/predictors/baselines/features.js';
import { predictorRegistry } from '../../src/predictors/registry.js';
import { randomSamples } from '../../src/predictors/transfer/harness.js';
import { formatVerification } from '../../src/cli/commands/search.js';
import { buildEvaluator } from '../../src/search/evaluate.js';
import { frontAgreement } from '../../src/search/run.js';
import { isDisconnected } from '../../src/spaces/graph.js';
import { getSpace } from '../../src/spaces/registry.js';

/** The archs a search with a FLOPs predictor measures to adapt it to `mobile-cpu`. */
async function adaptationArchs(
  space: ReturnType<typeof getSpace>,
  seed: number,
  latency: Omit<Extract<LatencyConfig, { source: 'predictor' }>, 'source' | 'predictor' | 'verify'>,
  accuracy: AccuracyConfig,
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-pool-')),
): Promise<string[] | undefined> {
  const predictorDir = path.join(dir, 'predictor');
  const predictor = await predictorRegistry.get('flops').create({ space, features: new ArchFeatures(space), seed, options: {} });
  await predictor.save(predictorDir);
  const { adaptation } = await buildEvaluator({
    space,
    input: space.defaultInput(),
    seed,
    configFile: path.join(dir, 'config.json'),
    device: 'mobile-cpu',
    latency: { source: 'predictor', predictor: predictorDir, ...latency, verify: false },
    accuracy,
    logger: createLogger('quiet', () => undefined),
  });
  return adaptation?.archs;
}

describe('candidate pool', () => {
  it('a FBNet search measures the archs `hwnas sample` chooses for the same seed, sampler and n', async () => {
    const space = getSpace('fbnet');
    const seed = 11;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-pool-'));
    const accuracyFile = path.join(dir, 'accuracy.csv');
    fs.writeFileSync(accuracyFile, `arch,acc\n${space.sample(new Rng('fixture'))},70\n`);
    const archs = await adaptationArchs(
      space,
      seed,
      { samples: 6, sampler: 'farthest' },
      { source: 'table', file: accuracyFile, column: 'acc' },
      dir,
    );

    // What `hwnas sample --space fbnet --sampler farthest --n 6 --seed 11` does (src/cli/commands/sample.ts).
    const pool = measurablePool(space, spacePool(space, seed));
    const encoder = encoderRegistry.get('flops-params');
    const sampled = await samplerRegistry
      .get('farthest')
      .select({ space, n: 6, seed, pool, encode: async (archs) => encoder.encode(space, archs) });
    expect(archs).toEqual(sampled);
    expect(new Set(pool).size).toBe(pool.length);
  });

  it('leaves out the NB201 archs whose output no input reaches, unless nothing else is left', () => {
    const space = getSpace('nb201');
    const all = spacePool(space, 1);
    const kept = measurablePool(space, all);
    const cut = all.filter((a) => isDisconnected(space.opGraph(a)));
    // |none~0|+|none~0|none~1|+|none~0|none~1|none~2| is one; a cell with a conv on every edge is not.
    expect(cut).toContain(space.canonical('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'));
    expect(kept).not.toContain(space.canonical('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'));
    expect(kept).toContain(
      space.canonical('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'),
    );
    expect(cut).toHaveLength(341);
    expect(kept).toHaveLength(all.length - 341);
    expect(measurablePool(space, cut)).toEqual(cut);
    // FBNet's blocks form a chain: nothing to leave out.
    const fbnet = getSpace('fbnet');
    const fbnetPool = spacePool(fbnet, 1, 300);
    expect(measurablePool(fbnet, fbnetPool)).toEqual(fbnetPool);
  });

  it('a NB201 search never spends an adaptation measurement on such an arch, up front or in adaptive rounds', async () => {
    const space = getSpace('nb201');
    const all = spacePool(space, 1);
    // A seed whose random draw from the whole space holds one of them (2.2 % of the space, 20 draws).
    let seed = 0;
    for (let s = 1; s <= 10 && seed === 0; s++)
      if ((await randomSamples(all, 20, s)).some((a) => isDisconnected(space.opGraph(a)))) seed = s;
    expect(seed).toBeGreaterThan(0);
    // Then two rounds of 5 along the predicted front, whose fast end such archs would otherwise hold.
    const adaptive = { rounds: 2, perRound: 5, candidates: 5000 };
    const archs = await adaptationArchs(space, seed, { samples: 20, sampler: 'random', adaptive }, { source: 'zcp', proxy: 'params' });
    expect(archs).toHaveLength(30);
    expect(archs!.filter((a) => isDisconnected(space.opGraph(a)))).toEqual([]);
    expect(archs!.slice(0, 20)).toEqual(await randomSamples(measurablePool(space, all), 20, seed));
  });

  it("reports a front's error without such archs beside the whole, as a search prints it", () => {
    const space = getSpace('nb201');
    const archs = [
      '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
      '|nor_conv_1x1~0|+|skip_connect~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|',
      '|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|',
    ].map((a) => space.canonical(a));
    // The cut cell: true 0.01 ms (its constant output folded away), predicted 0.2 ms: 1,900 % off on its own.
    const agreement = frontAgreement(space, archs, [0.2, 10, 20, 30], [0.01, 11, 20, 27]);
    expect(agreement.constantOutput).toBe(1);
    expect(agreement.mape).toBeCloseTo((19 + 1 / 11 + 0 + 3 / 27) / 4, 12);
    expect(agreement.mapeOthers).toBeCloseTo((1 / 11 + 0 + 3 / 27) / 3, 12);
    const line = formatVerification({
      device: 'raspi4',
      source: 'table',
      archs,
      predictedMs: [0.2, 10, 20, 30],
      trueMs: [0.01, 11, 20, 27],
      ...agreement,
      trueViolations: 0,
    });
    expect(line).toContain('MAPE 480.1 % (6.7 % without the 1 whose output no input reaches)');
    // A front without such archs has nothing to set apart.
    expect(frontAgreement(space, archs.slice(1), [10, 20, 30], [11, 20, 27]).mapeOthers).toBeUndefined();
  });
});
