// Conformance suite run against every registered strategy: deterministic for a seed, only canonical archs,
// exactly the budget, proposals a pure function of (seed, index, committed history).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { getSpace } from '../../src/spaces/registry.js';
import { buildEvaluator, type Evaluator } from '../../src/search/evaluate.js';
import { proposeBatch, runLoop, type SearchPlan } from '../../src/search/loop.js';
import { resolveObjectives } from '../../src/search/objectives.js';
import { RunStore } from '../../src/search/store.js';
import { createStrategy, strategyRegistry } from '../../src/search/strategies/registry.js';
import type { Trial } from '../../src/search/types.js';
import { writeAccuracyFixture } from './fixtures.js';

const space = getSpace('nb201');
let dir: string;
let evaluator: Evaluator;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-strategies-'));
  const file = writeAccuracyFixture(dir);
  const prepared = await buildEvaluator({
    space,
    input: space.defaultInput('cifar10'),
    seed: 0,
    configFile: 'test.json',
    device: 'mobile-cpu',
    latency: { source: 'device' },
    accuracy: { source: 'table', file, column: 'fixture_acc' },
    logger: createLogger('quiet'),
  });
  evaluator = prepared.evaluator;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function plan(name: string, seed: number, evaluations = 48): SearchPlan {
  return {
    space,
    strategy: createStrategy(name, name === 'random' ? {} : name === 'local-search' ? { initial: 8 } : { population: 8 }, 'test.json'),
    objectives: resolveObjectives([{ metric: 'accuracy' }, { metric: 'latencyMs' }]),
    constraints: [{ metric: 'latencyMs', op: '<=', value: 4, text: 'latencyMs <= 4' }],
    evaluations,
    batchSize: 5,
    seed,
  };
}

let runCounter = 0;
async function run(p: SearchPlan): Promise<Trial[]> {
  const store = RunStore.create(path.join(dir, `run-${runCounter++}`), {
    runId: 'r',
    createdAt: '',
    config: {},
    configHash: '',
    configFile: '',
    backend: 'cpu',
    versions: {},
  });
  try {
    await runLoop(store, p, evaluator);
    return store.trials();
  } finally {
    store.close();
  }
}

describe.each(strategyRegistry.names())('strategy %s', (name) => {
  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await run(plan(name, 1));
    const b = await run(plan(name, 1));
    const c = await run(plan(name, 2));
    expect(b.map((t) => t.arch)).toEqual(a.map((t) => t.arch));
    expect(b.map((t) => t.metrics)).toEqual(a.map((t) => t.metrics));
    expect(c.map((t) => t.arch)).not.toEqual(a.map((t) => t.arch));
  });

  it('proposes only canonical archs, exactly the budget, none left proposed, no repeats in a small run', async () => {
    const trials = await run(plan(name, 3, 37));
    expect(trials).toHaveLength(37);
    expect(trials.map((t) => t.index)).toEqual([...Array(37).keys()]);
    for (const t of trials) {
      expect(space.canonical(t.arch)).toBe(t.arch);
      expect(t.state).toBe('evaluated');
    }
    expect(new Set(trials.map((t) => t.arch)).size).toBe(37);
  });

  it('re-proposes every recorded batch identically from the committed history alone', async () => {
    const p = plan(name, 4);
    const trials = await run(p);
    for (let batch = 0; batch * p.batchSize < p.evaluations; batch++) {
      const history = trials.filter((t) => t.batch < batch);
      expect(proposeBatch(p, batch, history)).toEqual(
        trials.filter((t) => t.batch === batch).map((t) => ({ index: t.index, arch: t.arch })),
      );
    }
  });
});

describe('strategy parameters', () => {
  it('rejects bad parameters with the field path under strategy.params', () => {
    expect(() => createStrategy('regularized-evolution', { population: 1 }, 'c.json')).toThrow(ConfigError);
    expect(() => createStrategy('regularized-evolution', { population: 1 }, 'c.json')).toThrow(
      /c\.json: strategy\.params\.population: must be a number >= 2/,
    );
    expect(() => createStrategy('nsga2', { crossoverProb: 2 }, 'c.json')).toThrow(/strategy\.params\.crossoverProb/);
    expect(() => createStrategy('random', { foo: 1 }, 'c.json')).toThrow(/strategy\.params\.foo: unknown field/);
    expect(() => createStrategy('annealing', {}, 'c.json')).toThrow(
      /unknown strategy 'annealing' \(known: random, regularized-evolution, nsga2, local-search\)/,
    );
  });
});
