// Same seed, same pool: a search adapts its predictor on archs drawn from the pool `hwnas sample` chooses from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { Rng } from '../../src/core/rng.js';
import { spacePool } from '../../src/encodings/pool.js';
import { encoderRegistry } from '../../src/encodings/registry.js';
import { samplerRegistry } from '../../src/encodings/samplers.js';
import { ArchFeatures } from '../../src/predictors/baselines/features.js';
import { predictorRegistry } from '../../src/predictors/registry.js';
import { buildEvaluator } from '../../src/search/evaluate.js';
import { getSpace } from '../../src/spaces/registry.js';

describe('candidate pool', () => {
  it('a FBNet search measures the archs `hwnas sample` chooses for the same seed, sampler and n', async () => {
    const space = getSpace('fbnet');
    const seed = 11;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-pool-'));
    const predictorDir = path.join(dir, 'predictor');
    const predictor = await predictorRegistry.get('flops').create({ space, features: new ArchFeatures(space), seed, options: {} });
    await predictor.save(predictorDir);
    const accuracyFile = path.join(dir, 'accuracy.csv');
    fs.writeFileSync(accuracyFile, `arch,acc\n${space.sample(new Rng('fixture'))},70\n`);

    const { adaptation } = await buildEvaluator({
      space,
      input: space.defaultInput(),
      seed,
      configFile: path.join(dir, 'config.json'),
      device: 'mobile-cpu',
      latency: { source: 'predictor', predictor: predictorDir, samples: 6, sampler: 'farthest', verify: false },
      accuracy: { source: 'table', file: accuracyFile, column: 'acc' },
      logger: createLogger('quiet', () => undefined),
    });

    // What `hwnas sample --space fbnet --sampler farthest --n 6 --seed 11` does (src/cli/commands/sample.ts).
    const pool = spacePool(space, seed);
    const encoder = encoderRegistry.get('flops-params');
    const sampled = await samplerRegistry
      .get('farthest')
      .select({ space, n: 6, seed, pool, encode: async (archs) => encoder.encode(space, archs) });
    expect(adaptation?.archs).toEqual(sampled);
    expect(new Set(pool).size).toBe(pool.length);
  });
});
