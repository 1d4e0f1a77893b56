// `hwnas config check` as a subprocess: run `npx tsc -p tsconfig.build.json` first (bin/hwnas.js imports dist/).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cli-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const valid = { name: 'quick', seed: 3, space: { name: 'nb201', dataset: 'cifar10', batchSize: 1 } };
/** The valid config with `value` set at a dotted path (undefined deletes the field). */
function withField(dotted: string, value: unknown): unknown {
  const config = structuredClone(valid) as Record<string, unknown>;
  const keys = dotted.split('.');
  let node = config;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete node[keys.at(-1) as string];
  else node[keys.at(-1) as string] = value;
  return config;
}

// [case, file name, file text, field path named in the message, reason pattern]
const CASES: [string, string, string, string, RegExp][] = [
  ['missing space section', 'no-space.json', JSON.stringify(withField('space', undefined)), 'space', /is required/],
  ['missing space name', 'no-name.json', JSON.stringify(withField('space.name', undefined)), 'space.name', /space\.name: is required$/],
  [
    'unknown space',
    'space-name.json',
    JSON.stringify(withField('space.name', 'darts')),
    'space.name',
    /space\.name: unknown search space 'darts' \(known: nb201, fbnet\)$/,
  ],
  [
    'unknown dataset',
    'dataset.json',
    JSON.stringify(withField('space.dataset', 'mnist')),
    'space.dataset',
    /must be one of cifar10, cifar100, imagenet16-120, got 'mnist'/,
  ],
  [
    'zero batch size',
    'batch0.json',
    JSON.stringify(withField('space.batchSize', 0)),
    'space.batchSize',
    /must be a positive number, got 0/,
  ],
  [
    'fractional batch size',
    'batch-frac.json',
    JSON.stringify(withField('space.batchSize', 1.5)),
    'space.batchSize',
    /must be an integer, got 1.5/,
  ],
  [
    'resolution too small',
    'res-small.json',
    JSON.stringify(withField('space.resolution', 4)),
    'space.resolution',
    /must be a number >= 8, got 4/,
  ],
  [
    'resolution as a string',
    'res-string.json',
    JSON.stringify(withField('space.resolution', '32')),
    'space.resolution',
    /must be a number, got '32'/,
  ],
  [
    'negative classes',
    'classes.json',
    JSON.stringify(withField('space.classes', -3)),
    'space.classes',
    /must be a positive number, got -3/,
  ],
  ['unknown field in space', 'space-extra.json', JSON.stringify(withField('space.depth', 3)), 'space.depth', /unknown field/],
  ['misspelt top-level section', 'typo.json', JSON.stringify(withField('serch', {})), 'serch', /unknown field/],
  ['negative seed', 'seed-neg.json', JSON.stringify(withField('seed', -1)), 'seed', /must be a number >= 0, got -1/],
  [
    'unknown backend',
    'backend.json',
    JSON.stringify(withField('backend', 'webgpu')),
    'backend',
    /must be one of tensorflow, wasm, cpu, got 'webgpu'/,
  ],
  ['empty name', 'name.json', JSON.stringify(withField('name', '')), 'name', /must have at least 1 characters/],
  ['output not an object', 'output.json', JSON.stringify(withField('output', 'results')), 'output', /must be a object, got 'results'/],
  ['unknown field in output', 'output-extra.json', JSON.stringify(withField('output.format', 'csv')), 'output.format', /unknown field/],
  ['YAML: bad enum', 'yaml-enum.yaml', 'seed: 1\nspace:\n  name: nb201\n  dataset: svhn\n', 'space.dataset', /must be one of cifar10/],
];

describe('hwnas config check (subprocess)', () => {
  it('prints the resolved config of a valid JSON file and an equivalent YAML file', () => {
    const json = path.join(dir, 'ok.json');
    fs.writeFileSync(json, JSON.stringify(valid));
    const a = runCli(['config', 'check', json]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual({ ...valid, executor: { kind: 'inline' }, output: { dir: 'results' } });
    const yaml = path.join(dir, 'ok.yaml');
    fs.writeFileSync(yaml, 'name: quick\nseed: 3\nspace:\n  name: nb201\n  dataset: cifar10\n  batchSize: 1\n');
    const b = runCli(['config', 'check', yaml]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
  });

  it('prints a search config with the search defaults: objectives, constraints, strategy and its params, budget', () => {
    const file = path.join(dir, 'search.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ ...valid, device: 'mobile-cpu', latency: { source: 'device' }, accuracy: { source: 'zcp', proxy: 'synflow' } }),
    );
    const r = runCli(['config', 'check', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      objectives: [{ metric: 'accuracy' }, { metric: 'latencyMs' }],
      constraints: [],
      strategy: { name: 'regularized-evolution', params: {} },
      budget: { evaluations: 200 },
    });
  });

  it.each(CASES)('%s: one line naming the field path, non-zero exit', (_name, fileName, text, fieldPath, reason) => {
    const file = path.join(dir, fileName);
    fs.writeFileSync(file, text);
    const r = runCli(['config', 'check', file]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^hwnas: error: ${escape(file)}: ${escape(fieldPath)}: `));
    expect(lines[0]).toMatch(reason);
  });

  it('reports syntax errors and missing files as one line with the file name', () => {
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{\n  "space": {"name": "nb201"},\n  "seed": 1,\n}\n');
    for (const [file, reason] of [
      [broken, /invalid JSON at line 4/],
      [path.join(dir, 'absent.json'), /cannot read file \(ENOENT\)/],
    ] as const) {
      const r = runCli(['config', 'check', file]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^hwnas: error: ${escape(file)}: `));
      expect(r.stderr).toMatch(reason);
    }
  });
});

describe('the shipped experiment configs', () => {
  it('every experiments/*.json passes config check, or names only what a command or the data folder provides', () => {
    const files = fs.readdirSync(path.join(import.meta.dirname, '../../experiments')).filter((f) => f.endsWith('.json'));
    expect(files).toContain('device-in-the-loop-ort.json');
    expect(files).toContain('device-in-the-loop-workers.json');
    // One process checks them all: `<file>: ok` on stdout, one error line per refused file on stderr.
    const r = runCli(['config', 'check', ...files.map((f) => path.join('experiments', f))]);
    const ok = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    const errors = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    const refused = errors.filter((l) => !/configs refused$/.test(l));
    expect(ok.length + refused.length).toBe(files.length);
    // A pretrained predictor is made by `predictor pretrain` (results/ is not in git); tables live in ../shared/data.
    for (const line of refused)
      expect(line).toMatch(
        /^hwnas: error: experiments\/[\w.-]+\.json: (latency\.predictor: saved predictor .* does not exist|(accuracy|latency|device)\.(file|table|measurements): .* does not exist)/,
      );
    expect(ok).toContain('experiments/quickstart.json: ok');
    expect(r.code).toBe(refused.length === 0 ? 0 : 1);
    if (refused.length > 0) expect(errors.at(-1)).toBe(`hwnas: error: ${refused.length} of ${files.length} configs refused`);
  }, 60_000);

  it('refuses what search would refuse: unknown strategy, device, sampler or proxy, bad strategy params, a missing predictor', () => {
    const base = { ...valid, device: 'mobile-cpu', latency: { source: 'device' }, accuracy: { source: 'zcp', proxy: 'synflow' } };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['strategy', { strategy: { name: 'simulated-annealing' } }, /strategy: unknown strategy 'simulated-annealing'/],
      ['params', { strategy: { name: 'regularized-evolution', params: { population: -3 } } }, /strategy\.params\.population/],
      ['device', { device: 'my-toaster' }, /device: unknown device 'my-toaster'/],
      [
        'sampler',
        { latency: { source: 'predictor', predictor: 'hwnas:models/quickstart', sampler: 'psychic' } },
        /latency\.sampler: unknown sampler 'psychic'/,
      ],
      [
        'predictor',
        { latency: { source: 'predictor', predictor: path.join(dir, 'nowhere') } },
        /latency\.predictor: saved predictor .*nowhere.predictor\.json does not exist/,
      ],
      ['proxy', { accuracy: { source: 'zcp', proxy: 'vibes' } }, /accuracy\.proxy: unknown zero-cost proxy 'vibes'/],
    ];
    const files = cases.map(([name, extra]) => {
      const file = path.join(dir, `refs-${name}.json`);
      fs.writeFileSync(file, JSON.stringify({ ...base, ...extra }));
      return file;
    });
    const ok = path.join(dir, 'refs-ok.json');
    fs.writeFileSync(ok, JSON.stringify(base));
    expect(runCli(['config', 'check', ok]).code).toBe(0);
    // The same files in one call: each refused one is its own error line, in order, and the good one is `ok`.
    const r = runCli(['config', 'check', ...files, ok]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${ok}: ok\n`);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(cases.length + 1);
    cases.forEach(([name, , pattern], i) => {
      expect(lines[i], name).toMatch(new RegExp(`^hwnas: error: ${escape(files[i])}: `));
      expect(lines[i], name).toMatch(pattern);
    });
    expect(lines.at(-1)).toBe(`hwnas: error: ${cases.length} of ${cases.length + 1} configs refused`);
  }, 60_000);
});
