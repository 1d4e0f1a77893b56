import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/core/errors.js';
import { readConfigData } from '../../src/core/config/load.js';
import { loadExperimentConfig } from '../../src/core/config/schema.js';
import { formatPath, validate } from '../../src/core/config/validate.js';
import { configSpace } from '../../src/spaces/registry.js';
import { repoRoot } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
/** The ConfigError `fn` throws. */
const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('experiment config loading', () => {
  it('fills defaults, and a YAML file gives the same config as the JSON one', () => {
    const json = loadExperimentConfig(write('a.json', JSON.stringify({ space: { name: 'fbnet', dataset: 'cifar100' }, seed: 4 })));
    expect(json).toMatchObject({
      name: 'experiment',
      seed: 4,
      space: { name: 'fbnet', dataset: 'cifar100', batchSize: 1 },
      output: { dir: 'results' },
    });
    const yaml = loadExperimentConfig(write('a.yaml', '# a comment\nseed: 4\nspace:\n  name: fbnet\n  dataset: cifar100\n'));
    expect(yaml).toEqual(json);
    expect(loadExperimentConfig(write('b.yml', 'space: {name: nb201}\n')).space.dataset).toBe('cifar10');
  });

  it('reports file, dotted path and reason as fields and in a one-line message', () => {
    const file = write('bad.json', JSON.stringify({ space: { name: 'nb201', resolution: 2 } }));
    const err = configError(() => loadExperimentConfig(file));
    expect(err).toMatchObject({ file, path: 'space.resolution' });
    expect(err.reason).toBe('must be a number >= 8, got 2');
    expect(err.message).toBe(`${file}: space.resolution: must be a number >= 8, got 2`);
  });

  it('lists allowed values for enums', () => {
    const err = configError(() => loadExperimentConfig(write('enum.json', '{"space": {"name": "nb201", "dataset": "mnist"}}')));
    expect(err.message).toMatch(/space\.dataset: must be one of cifar10, cifar100, imagenet16-120, got 'mnist'$/);
  });

  // The space section names a space of the registry, and the space checks its input (core knows neither).
  it('checks the space name against the registry and the input against the space: nb201 needs a multiple of 4, fbnet does not', () => {
    const load = (name: string, text: string) => {
      const file = write(name, text);
      return configSpace(loadExperimentConfig(file).space, file);
    };
    const unknown = configError(() => load('darts.json', '{"space": {"name": "darts"}}'));
    expect(unknown.path).toBe('space.name');
    expect(unknown.reason).toMatch(/unknown search space 'darts'.*nb201, fbnet/);
    const err = configError(() => load('res.json', '{"space": {"name": "nb201", "resolution": 30}}'));
    expect(err.path).toBe('space.resolution');
    expect(err.reason).toBe('must be a multiple of 4 for nb201 (two stride-2 reductions), got 30');
    const fbnet = load('res-fbnet.json', '{"space": {"name": "fbnet", "resolution": 30}}');
    expect([fbnet.space.name, fbnet.input.resolution]).toEqual(['fbnet', 30]);
    expect(load('res-nb201.json', '{"space": {"name": "nb201", "resolution": 28}}').input.resolution).toBe(28);
  });

  it('names the line of JSON and YAML syntax errors, and unreadable files', () => {
    expect(configError(() => readConfigData(write('syntax.json', '{\n  "space": {\n    "name": "nb201",\n  }\n}'))).message).toMatch(
      /invalid JSON at line 4/,
    );
    expect(configError(() => readConfigData(write('syntax.yaml', 'space:\n  name: [nb201\nseed: 1\n'))).message).toMatch(
      /invalid YAML at line \d+/,
    );
    const missing = configError(() => readConfigData(path.join(dir, 'none.json')));
    expect(missing).toMatchObject({ path: '' });
    expect(missing.message).toMatch(/cannot read file \(ENOENT\)/);
  });
});

describe('validate / formatPath', () => {
  it('formats paths with dots and array indices', () => {
    expect(formatPath(['devices', 2, 'name'])).toBe('devices[2].name');
    expect(formatPath([0])).toBe('[0]');
    expect(formatPath([])).toBe('');
  });

  it('prefixes nested paths and reports the first problem of any schema', () => {
    const schema = z.object({ items: z.array(z.object({ size: z.number().int().positive() }).strict()) }).strict();
    expect(validate(schema, { items: [{ size: 3 }] }, 'f.json')).toEqual({ items: [{ size: 3 }] });
    expect(configError(() => validate(schema, { items: [{ size: 3 }, { size: -1 }] }, 'f.json', ['section'])).path).toBe(
      'section.items[1].size',
    );
    expect(configError(() => validate(schema, { items: [{ size: 1, colour: 'red' }] }, 'f.json')).path).toBe('items[0].colour');
    expect(configError(() => validate(schema, {}, 'f.json')).message).toBe('f.json: items: is required');
  });
});

describe('paths in configs', () => {
  it('resolve against the config file, hwnas: paths against the package, whatever the working directory', () => {
    const sub = path.join(dir, 'nested', 'exp');
    fs.mkdirSync(sub, { recursive: true });
    const file = path.join(sub, 'paths.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        space: { name: 'nb201' },
        device: { table: '../data/t.csv', column: 'x' },
        latency: { source: 'predictor', predictor: 'hwnas:models/quickstart', measurements: 'm.csv' },
        accuracy: { source: 'table', file: '/abs/acc.csv', column: 'a' },
        transfer: { latencies: 'lat.csv', methodOptions: { nasflat: { zcpTable: { file: 'z.csv' } } } },
        output: { dir: 'runs' },
      }),
    );
    const here = process.cwd();
    try {
      process.chdir(os.tmpdir());
      const config = loadExperimentConfig(path.relative(os.tmpdir(), file));
      expect(config.device).toMatchObject({ table: path.join(dir, 'nested', 'data', 't.csv') });
      expect(config.latency).toMatchObject({
        predictor: path.join(repoRoot, 'models', 'quickstart'),
        measurements: path.join(sub, 'm.csv'),
      });
      expect(config.accuracy).toMatchObject({ file: '/abs/acc.csv' });
      expect(config.transfer?.latencies).toBe(path.join(sub, 'lat.csv'));
      expect(config.transfer?.methodOptions.nasflat).toEqual({ zcpTable: { file: path.join(sub, 'z.csv') } });
      expect(config.output.dir).toBe(path.join(sub, 'runs'));
    } finally {
      process.chdir(here);
    }
    // Unset, the results folder is the working directory's.
    expect(loadExperimentConfig(write('plain.json', JSON.stringify({ space: { name: 'nb201' } }))).output.dir).toBe('results');
  });

  it('leave a field of the wrong type for the schema to report', () => {
    const err = configError(() =>
      loadExperimentConfig(write('wrong.json', JSON.stringify({ space: { name: 'nb201' }, output: { dir: 3 } }))),
    );
    expect(err.path).toBe('output.dir');
  });
});
