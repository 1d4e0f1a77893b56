// A corpus of malformed configs, device profiles and measurement CSVs through the CLI: each is refused with one line
// naming its file, exit ≠ 0, no stack trace, and nothing written anywhere in the test folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { searchConfig, writeAccuracyFixture } from '../search/fixtures.js';

let dir: string;
let accuracy: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-malformed-'));
  accuracy = writeAccuracyFixture(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sim = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../src/hardware/builtin/mobile-cpu.json'), 'utf8'));
const profile = (over: Record<string, unknown>) => JSON.stringify({ ...sim, name: 'board', ...over });
const config = (over: Record<string, unknown>) => JSON.stringify({ ...searchConfig(accuracy), ...over });

/** [name, file name, contents, command (FILE = the file)]. */
const corpus: [string, string, string | Buffer, string[]][] = [
  ['empty config', 'empty.json', '', ['config', 'check', 'FILE']],
  ['binary config', 'bin.json', Buffer.from([0, 159, 146, 150, 255, 0, 1]), ['config', 'check', 'FILE']],
  ['config is an array', 'arr.json', '[1, 2, 3]', ['config', 'check', 'FILE']],
  ['trailing comma', 'comma.json', '{"space": {"name": "nb201"},}', ['config', 'check', 'FILE']],
  ['unknown top-level field', 'unknown.json', config({ budgt: { evaluations: 5 } }), ['config', 'check', 'FILE']],
  ['seed is a string', 'seed.json', config({ seed: 'one' }), ['config', 'check', 'FILE']],
  ['negative seed', 'negseed.json', config({ seed: -1 }), ['config', 'check', 'FILE']],
  ['unknown space', 'space.json', config({ space: { name: 'darts' } }), ['config', 'check', 'FILE']],
  ['nb201 resolution not a multiple of 4', 'res.json', config({ space: { name: 'nb201', resolution: 30 } }), ['config', 'check', 'FILE']],
  ['budget zero', 'budget.json', config({ budget: { evaluations: 0, batchSize: 5 } }), ['config', 'check', 'FILE']],
  ['budget fractional', 'budgetf.json', config({ budget: { evaluations: 2.5, batchSize: 5 } }), ['config', 'check', 'FILE']],
  [
    'objective metric unknown',
    'obj.json',
    config({ objectives: [{ metric: 'energy' }, { metric: 'latencyMs' }] }),
    ['config', 'check', 'FILE'],
  ],
  ['constraint garbage', 'cons.json', config({ constraints: ['latencyMs <<= 4'] }), ['config', 'check', 'FILE']],
  ['latency source unknown', 'lsrc.json', config({ latency: { source: 'oracle' } }), ['config', 'check', 'FILE']],
  ['executor without kind', 'exec.json', config({ executor: { redis: 'redis://127.0.0.1:1' } }), ['config', 'check', 'FILE']],
  [
    'executor http url',
    'exech.json',
    config({ executor: { kind: 'bullmq', redis: 'http://127.0.0.1:6379' } }),
    ['config', 'check', 'FILE'],
  ],
  [
    'prototype key in params',
    'proto.json',
    '{"space": {"name": "nb201"}, "__proto__": {"polluted": true}, "strategy": {"name": "random", "params": {"constructor": 1}}}',
    ['config', 'check', 'FILE'],
  ],
  [
    'nested 100,000 levels deep',
    'deep.json',
    `{"space": {"name": "nb201"}, "description": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    ['config', 'check', 'FILE'],
  ],
  ['YAML tab indentation', 'tab.yaml', 'space:\n\tname: nb201\n', ['config', 'check', 'FILE']],
  ['YAML custom tag', 'tag.yaml', 'space: !!js/function "function () {}"\n', ['config', 'check', 'FILE']],
  [
    'YAML unknown tag on a string field',
    'jsfn.yaml',
    'space:\n  name: nb201\nname: !!js/function "function () {}"\n',
    ['config', 'check', 'FILE'],
  ],
  ['YAML unknown field', 'unk.yaml', 'space:\n  name: nb201\nbogus: 1\n', ['config', 'check', 'FILE']],
  ['missing config file', 'nothere.json', '', ['config', 'check', 'NOFILE']],
  ['profile: empty', 'p-empty.json', '', ['devices', 'validate', 'FILE']],
  ['profile: unknown kind', 'p-kind.json', profile({ kind: 'quantum' }), ['devices', 'validate', 'FILE']],
  ['profile: schema version 2', 'p-ver.json', profile({ schemaVersion: 2 }), ['devices', 'validate', 'FILE']],
  ['profile: upper-case name', 'p-name.json', profile({ name: 'Board' }), ['devices', 'validate', 'FILE']],
  ['profile: name with slash', 'p-slash.json', profile({ name: '../board' }), ['devices', 'validate', 'FILE']],
  [
    'profile: efficiency above 1',
    'p-eff.json',
    profile({ simulated: { ...sim.simulated, efficiency: { ...sim.simulated.efficiency, conv: 1.5 } } }),
    ['devices', 'validate', 'FILE'],
  ],
  [
    'profile: NaN bandwidth as string',
    'p-bw.json',
    profile({ simulated: { ...sim.simulated, memory: { ...sim.simulated.memory, bandwidthGBs: 'NaN' } } }),
    ['devices', 'validate', 'FILE'],
  ],
  [
    'profile: onnxruntime unknown setting',
    'p-ort.json',
    profile({ kind: 'onnxruntime', simulated: undefined, onnxruntime: { gpu: true } }),
    ['devices', 'validate', 'FILE'],
  ],
  [
    'profile: remote with ftp url',
    'p-remote.json',
    profile({ kind: 'remote', simulated: undefined, remote: { redis: 'ftp://x' } }),
    ['devices', 'validate', 'FILE'],
  ],
  [
    'profile: host threads zero',
    'p-host.json',
    profile({ kind: 'host', simulated: undefined, host: { minRepeats: 0 } }),
    ['devices', 'validate', 'FILE'],
  ],
  [
    'measurements: no header',
    'm-nohead.csv',
    '1,2.5\n2,3.5\n',
    ['devices', 'calibrate', 'mobile-cpu', '--measurements', 'FILE', '--out', 'OUT'],
  ],
  [
    'measurements: negative latency',
    'm-neg.csv',
    'arch,latency_ms\n1,-2\n',
    ['devices', 'calibrate', 'mobile-cpu', '--measurements', 'FILE', '--out', 'OUT'],
  ],
  [
    'measurements: unknown arch',
    'm-arch.csv',
    'arch,latency_ms\n|conv_9x9~0|,2\n',
    ['devices', 'calibrate', 'mobile-cpu', '--measurements', 'FILE', '--out', 'OUT'],
  ],
  [
    'measurements: index out of range',
    'm-idx.csv',
    'arch,latency_ms\n99999,2\n',
    ['devices', 'calibrate', 'mobile-cpu', '--measurements', 'FILE', '--out', 'OUT'],
  ],
  [
    'measurements: Infinity',
    'm-inf.csv',
    'arch,latency_ms\n1,Infinity\n',
    ['devices', 'calibrate', 'mobile-cpu', '--measurements', 'FILE', '--out', 'OUT'],
  ],
  [
    'measurements: binary',
    'm-bin.csv',
    Buffer.from([0xff, 0xfe, 0, 0, 1, 2, 3]),
    ['devices', 'calibrate', 'mobile-cpu', '--measurements', 'FILE', '--out', 'OUT'],
  ],
  [
    'measurements: only a header',
    'm-head.csv',
    'arch,latency_ms\n',
    ['devices', 'calibrate', 'mobile-cpu', '--measurements', 'FILE', '--out', 'OUT'],
  ],
];

describe('malformed inputs through the CLI (subprocess)', () => {
  it.each(corpus)('%s: one line naming the file, exit ≠ 0, nothing written', (_name, fileName, contents, command) => {
    const file = path.join(dir, 'in', fileName);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!command.includes('NOFILE')) fs.writeFileSync(file, contents);
    const before = fs.readdirSync(dir, { recursive: true }).map(String).sort();
    const args = command.map((a) => (a === 'FILE' || a === 'NOFILE' ? file : a === 'OUT' ? path.join(dir, 'out', 'never.json') : a));
    const r = runCli(args, { env: { HWNAS_DEVICES_DIR: path.join(dir, 'devices') } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/TypeError|RangeError|ReferenceError|SqliteError/);
    const errors = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('hwnas: error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(file);
    expect(fs.readdirSync(dir, { recursive: true }).map(String).sort()).toEqual(before);
  });
});
