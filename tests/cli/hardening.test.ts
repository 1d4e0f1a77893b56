// Bad input refused before anything is written, and one broken run never breaks the others (first items of the
// hardening work; subprocesses throughout).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

let dir: string;
let accuracy: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-hardening-'));
  accuracy = writeAccuracyFixture(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every path under `root`, for "nothing was written" checks. */
const tree = (root: string): string[] => (fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).map(String).sort() : []);

function refused(args: string[], pattern: RegExp): void {
  const r = runCli(args);
  expect(r.code, r.stdout).not.toBe(0);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const errors = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('hwnas: error'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
}

describe('hardening (subprocess)', () => {
  it('run names never become paths, and bad budgets are refused before a run folder exists', () => {
    const results = path.join(dir, 'nested', 'results');
    const config = writeConfig(dir, 'c.json', searchConfig(accuracy, { budget: { evaluations: 12, batchSize: 6 } }));
    const before = tree(dir);
    refused(
      ['search', '--config', config, '--out-dir', results, '--run-name', '../escape'],
      /--run-name must be 1–100 letters, digits.*got '\.\.\/escape'/,
    );
    refused(['search', '--config', config, '--out-dir', results, '--run-name', 'a/b'], /--run-name must be/);
    for (const bad of ['-5', '0', '2.5', 'abc'])
      refused(['search', '--config', config, '--out-dir', results, '--evaluations', bad], /--evaluations must be a positive integer/);
    const inConfig = writeConfig(dir, 'name.json', searchConfig(accuracy, { output: { runName: '../../x' } }));
    refused(['search', '--config', inConfig, '--out-dir', results], /name\.json: output\.runName: must be 1–100 letters/);
    expect(tree(dir)).toEqual([...before, 'name.json'].sort());
    // A free-form config name only names the folder, inside the results folder.
    const named = writeConfig(
      dir,
      'traversal.json',
      searchConfig(accuracy, { name: '../../../x', budget: { evaluations: 6, batchSize: 6 } }),
    );
    expect(runCli(['search', '--config', named, '--out-dir', results, '--no-progress']).code).toBe(0);
    expect(fs.readdirSync(results)).toEqual([expect.stringMatching(/^x-s5-[0-9a-f]{8}$/)]);
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
  }, 60_000);

  it('device names never become paths, by any route: import-table <name>, calibrate --name (with or without --out), the default <device>-cal name', () => {
    const devices = path.join(dir, 'name-devices');
    const table = path.join(dir, 'name-latency.csv');
    fs.writeFileSync(table, `arch_str,board_ms\n${fs.readFileSync(accuracy, 'utf8').split('\n')[1].split(',')[0]},2.5\n`);
    const measurements = path.join(dir, 'name-measurements.csv');
    fs.writeFileSync(
      measurements,
      'arch,latency_ms\n' + Array.from({ length: 20 }, (_, i) => `${i * 701},${2 + (i % 5)}.5`).join('\n') + '\n',
    );
    const before = tree(dir);
    refused(
      ['devices', 'import-table', '../x', '--file', table, '--column', 'board', '--devices-dir', devices],
      /device name must be 1–64 lower-case letters.*got '\.\.\/x'/,
    );
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', measurements, '--name', '../evil', '--devices-dir', devices],
      /--name must be 1–64 lower-case letters.*got '\.\.\/evil'/,
    );
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', measurements, '--name', '../evil', '--out', path.join(dir, 'evil.json')],
      /--name must be 1–64/,
    );
    expect(tree(dir)).toEqual(before);
    // A 62-character device is a valid name; "-cal" after it is not.
    const long = 'b'.repeat(62);
    const sim = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../src/hardware/builtin/mobile-cpu.json'), 'utf8'));
    const profile = path.join(dir, 'long.json');
    fs.writeFileSync(profile, JSON.stringify({ ...sim, name: long }));
    expect(runCli(['devices', 'add', profile, '--devices-dir', devices]).code).toBe(0);
    refused(
      ['devices', 'calibrate', long, '--measurements', measurements, '--devices-dir', devices, '--out', path.join(dir, 'long-cal.json')],
      /the calibrated device name \(<device>-cal; choose one with --name\) must be 1–64 .*got 'b{62}-cal'/,
    );
    expect(fs.readdirSync(devices)).toEqual([`${long}.json`]);
    expect(fs.existsSync(path.join(dir, 'long-cal.json'))).toBe(false);
  }, 60_000);

  it('runs list shows the healthy runs and marks a corrupt one with its file and reason', () => {
    const results = path.join(dir, 'list-results');
    const config = writeConfig(dir, 'ok.json', searchConfig(accuracy, { budget: { evaluations: 6, batchSize: 6 } }));
    expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'good', '--no-progress']).code).toBe(0);
    fs.mkdirSync(path.join(results, 'bad'));
    fs.writeFileSync(
      path.join(results, 'bad', 'hwnas.db'),
      'this is not a database, just text that is long enough to have a header'.repeat(20),
    );
    const r = runCli(['runs', 'list', '--results', results]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^good\s+complete\s+nb201\s+6/m);
    expect(r.stdout).toMatch(/^bad\s+broken/m);
    expect(r.stderr).toMatch(/run bad cannot be read: .*bad.hwnas\.db: /);
    const json = JSON.parse(runCli(['runs', 'list', '--results', results, '--json']).stdout);
    expect(json.map((x: { runId: string; state: string }) => [x.runId, x.state]).sort()).toEqual([
      ['bad', 'broken'],
      ['good', 'complete'],
    ]);
  }, 60_000);

  it('runs show on a verified run whose front has one member prints "-" for the undefined rank correlation', () => {
    const results = path.join(dir, 'one');
    const latency = { source: 'predictor', predictor: 'hwnas:models/quickstart', samples: 5, verify: true };
    const config = writeConfig(
      dir,
      'one.json',
      searchConfig(accuracy, { device: 'mobile-npu', latency, constraints: [], budget: { evaluations: 1, batchSize: 1 } }),
    );
    expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'one', '--no-progress']).code).toBe(0);
    const r = runCli(['runs', 'show', 'one', '--results', results]);
    expect(r.stderr).not.toMatch(/TypeError/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /front re-checked on mobile-npu .*1 archs: predicted vs true latency Spearman ρ -, Kendall τ -, MAPE [\d.]+ %/,
    );
  }, 60_000);

  it('predictor fit never writes onto the predictor it reads, and replaces an existing --out only with --force', () => {
    const measurements = path.join(dir, 'few.csv');
    fs.writeFileSync(measurements, 'arch,latency_ms\n1,2.5\n200,3.1\n3000,1.2\n4000,4.4\n5000,2.2\n6000,1.9\n');
    const copy = path.join(dir, 'pretrained');
    fs.cpSync(path.join(import.meta.dirname, '../../models/quickstart'), copy, { recursive: true });
    const before = tree(copy).map((f) => [f, fs.statSync(path.join(copy, f)).mtimeMs]);
    refused(
      ['predictor', 'fit', '--predictor', copy, '--device', 'b', '--measurements', measurements, '--out', copy, '--force'],
      /--out .*pretrained would write into the predictor it reads/,
    );
    expect(tree(copy).map((f) => [f, fs.statSync(path.join(copy, f)).mtimeMs])).toEqual(before);
    const out = path.join(dir, 'fitted');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
    refused(
      ['predictor', 'fit', '--predictor', copy, '--device', 'b', '--measurements', measurements, '--out', out],
      /--out .*fitted exists and is not empty; use --force/,
    );
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    const r = runCli([
      'predictor',
      'fit',
      '--predictor',
      copy,
      '--device',
      'b',
      '--measurements',
      measurements,
      '--out',
      out,
      '--force',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(out)).toContain('predictor.json');
    expect(fs.readdirSync(out)).not.toContain('keep.txt');
    expect(fs.readdirSync(dir).filter((f) => /\.(partial|old)-\d+$/.test(f))).toEqual([]);
  }, 60_000);

  it('devices calibrate on identical latencies writes a profile that devices validate accepts', () => {
    const measurements = path.join(dir, 'flat.csv');
    fs.writeFileSync(measurements, 'arch,latency_ms\n' + Array.from({ length: 20 }, (_, i) => `${i * 701},2.0`).join('\n') + '\n');
    const out = path.join(dir, 'flat-cal.json');
    const r = runCli(['devices', 'calibrate', 'mobile-cpu', '--measurements', measurements, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const v = runCli(['devices', 'validate', out]);
    expect(v.code, v.stderr).toBe(0);
  }, 60_000);

  it('config check reads the tables, measurements and saved predictor a config names as search does, and refuses what search would', () => {
    const table = path.join(dir, 'check-latency.csv');
    fs.writeFileSync(table, `arch_str,board_ms\n${fs.readFileSync(accuracy, 'utf8').split('\n')[1].split(',')[0]},2.5\n`);
    const two = path.join(dir, 'check-two.csv');
    fs.writeFileSync(two, 'arch,latency_ms,device\n1,2.5,a\n200,3.1,b\n');
    const predictor = { source: 'predictor', predictor: 'hwnas:models/quickstart' };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'accuracy column',
        { accuracy: { source: 'table', file: accuracy, column: 'nope' } },
        /accuracy\.column: .*accuracy\.csv:1 \(column nope\): missing column 'nope'/,
      ],
      [
        'latency column',
        { latency: { source: 'table', file: table, column: 'nope' } },
        /latency\.column: .*check-latency\.csv:1 \(column nope_ms\): no latency column for device 'nope'/,
      ],
      [
        'measurements',
        { device: 'mobile-npu', latency: { ...predictor, measurements: two } },
        /latency\.measurements: .*check-two\.csv \(column device\): holds measurements of several devices/,
      ],
      [
        'predictor space',
        { space: { name: 'fbnet' }, accuracy: { source: 'zcp', proxy: 'params' }, device: 'mobile-npu', latency: predictor },
        /latency\.predictor: predictor is for space nb201, config searches fbnet/,
      ],
    ];
    const results = path.join(dir, 'check-results');
    for (const [name, extra, pattern] of cases) {
      const config = writeConfig(dir, `check-${name.replace(' ', '-')}.json`, searchConfig(accuracy, { constraints: [], ...extra }));
      refused(['config', 'check', config], pattern);
      refused(['search', '--config', config, '--out-dir', results], /./);
    }
    expect(fs.existsSync(results)).toBe(false);
  }, 60_000);
});

describe('limits and links (subprocess)', () => {
  it('refuses nonsense numbers, alias bombs, duplicate or single objectives and bad flags, naming the file and field', () => {
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const profile = (extra: Record<string, unknown>) =>
      JSON.stringify({ schemaVersion: 1, name: 'x', description: 'x', provenance: { source: 'x' }, ...extra });
    const sim = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../src/hardware/builtin/mobile-cpu.json'), 'utf8'));
    refused(
      [
        'devices',
        'validate',
        write('tiny.json', JSON.stringify({ ...sim, name: 'tiny', simulated: { ...sim.simulated, peak: { fp32Gflops: 1e-320 } } })),
      ],
      /tiny\.json: simulated\.peak\.fp32Gflops: must be a number >= 0\.000001, got 1e-320/,
    );
    refused(
      ['devices', 'validate', write('reps.json', profile({ kind: 'onnxruntime', onnxruntime: { minRepeats: 50, maxRepeats: 10 } }))],
      /reps\.json: onnxruntime\.minRepeats: must not exceed maxRepeats \(10\)/,
    );
    refused(
      ['devices', 'validate', write('long.json', profile({ name: 'a'.repeat(300), kind: 'host' }))],
      /long\.json: name: must be 1–64/,
    );
    const table = { file: 't.csv', column: 'x', space: 'nb201', batchSize: 1e9, resolution: 32 };
    refused(
      ['devices', 'validate', write('table-batch.json', profile({ kind: 'measured-table', table }))],
      /table-batch\.json: table\.batchSize: must be a number <= 4096, got 1000000000/,
    );
    const base = searchConfig(accuracy);
    refused(
      ['config', 'check', writeConfig(dir, 'one-obj.json', { ...base, objectives: [{ metric: 'accuracy' }] })],
      /one-obj\.json: objectives: must have at least 2 items/,
    );
    refused(
      [
        'config',
        'check',
        writeConfig(dir, 'dup-obj.json', { ...base, objectives: [{ metric: 'accuracy' }, { metric: 'accuracy', direction: 'min' }] }),
      ],
      /dup-obj\.json: objectives\[1\]\.metric: accuracy is already an objective/,
    );
    refused(
      ['config', 'check', writeConfig(dir, 'batch.json', { ...base, space: { name: 'nb201', batchSize: 1e9 } })],
      /batch\.json: space\.batchSize/,
    );
    refused(
      ['config', 'check', writeConfig(dir, 'zcp-res.json', { ...base, accuracy: { source: 'zcp', proxy: 'synflow', resolution: 1e9 } })],
      /zcp-res\.json: accuracy\.resolution/,
    );
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    refused(['config', 'check', write('bomb.yaml', bomb + '\n')], /bomb\.yaml: invalid YAML: .*alias/i);
    refused(
      [
        'devices',
        'calibrate',
        'mobile-cpu',
        '--measurements',
        write('huge.csv', 'arch,latency_ms\n1,1e300\n2,3\n'),
        '--out',
        path.join(dir, 'never'),
      ],
      /huge\.csv:2 \(column latency_ms\): latency 1e\+300 ms is over 10000000 ms/,
    );
    refused(
      [
        'devices',
        'calibrate',
        'mobile-cpu',
        '--measurements',
        write('hex.csv', 'arch,latency_ms\n1,0x10\n2,3\n3,4\n4,5\n5,6\n'),
        '--out',
        path.join(dir, 'never.json'),
      ],
      /hex\.csv:2 \(column latency_ms\): expected a number, got '0x10'/,
    );
    refused(['devices', 'list', '--devices-dir', write('a-file.txt', 'x')], /devices directory .*a-file\.txt is a file, not a folder/);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'never.json'))).toBe(false);
  }, 60_000);

  it('a measured-table profile whose table is missing, whose space is unknown or whose column is absent is refused by devices validate/add, config check and search, naming the profile file and field', () => {
    const folder = path.join(dir, 'tables');
    fs.mkdirSync(folder);
    const arch = fs.readFileSync(accuracy, 'utf8').split('\n')[1].split(',')[0];
    fs.writeFileSync(path.join(folder, 'lat.csv'), `arch_str,board_ms\n${arch},2.5\n`);
    const tableProfile = (file: string, name: string, table: Record<string, unknown>) => {
      fs.writeFileSync(
        file,
        JSON.stringify({
          schemaVersion: 1,
          name,
          description: 'x',
          provenance: { source: 'x' },
          kind: 'measured-table',
          table: { file: 'lat.csv', column: 'board', space: 'nb201', batchSize: 1, resolution: 32, ...table },
        }),
      );
      return file;
    };
    const devices = path.join(dir, 'table-devices');
    // A relative table path resolves against the profile's folder, not the working directory (the repository here).
    const ok = tableProfile(path.join(folder, 'ok.json'), 'board', {});
    expect(runCli(['devices', 'validate', ok]).code).toBe(0);
    const missing = tableProfile(path.join(folder, 'missing.json'), 'gone', { file: 'missing.csv' });
    const space = tableProfile(path.join(folder, 'space.json'), 'darts-board', { space: 'darts' });
    const column = tableProfile(path.join(folder, 'column.json'), 'other', { column: 'nope' });
    const before = tree(dir);
    for (const command of ['validate', 'add']) {
      const args = (file: string) =>
        command === 'add' ? ['devices', 'add', file, '--devices-dir', devices] : ['devices', 'validate', file];
      refused(args(missing), /missing\.json: table\.file: .*tables.missing\.csv: cannot read file \(ENOENT\)/);
      refused(args(space), /space\.json: table\.space: unknown search space 'darts' \(known: .*nb201/);
      refused(args(column), /column\.json: table\.column: .*lat\.csv:1 \(column nope_ms\): no latency column for device 'nope'/);
    }
    expect(tree(dir)).toEqual(before);

    // A profile already in the devices folder whose table has gone since: config check and search name the profile.
    expect(runCli(['devices', 'add', ok, '--devices-dir', devices]).code).toBe(0);
    const named = writeConfig(
      dir,
      'table-named.json',
      searchConfig(accuracy, { device: { name: 'board', devicesDir: devices }, constraints: [] }),
    );
    expect(runCli(['config', 'check', named]).code).toBe(0);
    fs.renameSync(path.join(folder, 'lat.csv'), path.join(folder, 'lat.moved'));
    const results = path.join(dir, 'table-results');
    refused(['config', 'check', named], /table-devices.board\.json: table\.file: .*lat\.csv: cannot read file \(ENOENT\)/);
    refused(['search', '--config', named, '--out-dir', results], /table-devices.board\.json: table\.file: .*lat\.csv: cannot read file/);
    fs.renameSync(path.join(folder, 'lat.moved'), path.join(folder, 'lat.csv'));
    // An inline table column: a missing column, or a table measured at another resolution, before a run folder exists.
    const table = path.join(folder, 'lat.csv');
    const inline = writeConfig(dir, 'table-inline.json', searchConfig(accuracy, { device: { table, column: 'nope' }, constraints: [] }));
    refused(['config', 'check', inline], /table-inline\.json: device\.column: .*lat\.csv:1 \(column nope_ms\): no latency column/);
    refused(['search', '--config', inline, '--out-dir', results], /table-inline\.json: device\.column: /);
    const resolution = writeConfig(
      dir,
      'table-res.json',
      searchConfig(accuracy, { device: { table, column: 'board', resolution: 64 }, constraints: [] }),
    );
    refused(
      ['config', 'check', resolution],
      /table-res\.json: device: device 'board' was measured at batch 1, resolution 64; asked for batch 1, resolution 32/,
    );
    refused(
      ['search', '--config', resolution, '--out-dir', results],
      /table-res\.json: device: device 'board' was measured at batch 1, resolution 64/,
    );
    expect(fs.existsSync(results)).toBe(false);
  }, 60_000);

  it('__proto__, constructor and prototype keys are refused wherever they sit in a JSON or YAML config or profile, with the file and field path', () => {
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    // JSON.stringify cannot write a `__proto__` key, so it is spliced into the text.
    const params = JSON.stringify(searchConfig(accuracy)).replace('"params":{', '"params":{"__proto__":{"population":3},');
    refused(
      ['config', 'check', write('proto-params.json', params)],
      /proto-params\.json: strategy\.params\.__proto__: '__proto__' is a reserved JavaScript name, not a field/,
    );
    const yaml = 'space:\n  name: nb201\nstrategy:\n  name: random\n  params:\n    __proto__:\n      polluted: true\n';
    refused(
      ['config', 'check', write('proto-params.yaml', yaml)],
      /proto-params\.yaml: strategy\.params\.__proto__: '__proto__' is a reserved/,
    );
    refused(
      ['config', 'check', write('proto-top.json', '{"__proto__": {"polluted": true}, "space": {"name": "nb201"}}')],
      /proto-top\.json: __proto__: '__proto__' is a reserved/,
    );
    const methodOptions = '{"space": {"name": "nb201"}, "transfer": {"methodOptions": {"nasflat": {"prototype": {"epochs": 1}}}}}';
    refused(
      ['config', 'check', write('proto-transfer.json', methodOptions)],
      /proto-transfer\.json: transfer\.methodOptions\.nasflat\.prototype: 'prototype' is a reserved/,
    );
    const sim = fs.readFileSync(path.join(import.meta.dirname, '../../src/hardware/builtin/mobile-cpu.json'), 'utf8');
    const profile = sim.replace('"source": ', '"constructor": 1, "source": ');
    refused(
      ['devices', 'validate', write('proto-profile.json', profile)],
      /proto-profile\.json: provenance\.constructor: 'constructor' is a reserved/,
    );
  }, 60_000);

  it('input sizes have the same ceilings everywhere: --batch/--resolution of devices measure and calibrate, batch_size/resolution of measurement rows', () => {
    const rows = (column: string, bad: string) => {
      const file = path.join(dir, `rows-${column}.csv`);
      fs.writeFileSync(
        file,
        `arch,latency_ms,${column}\n` +
          Array.from({ length: 20 }, (_, i) => `${i * 701},2.5,${i === 3 ? bad : column === 'resolution' ? 32 : 1}`).join('\n') +
          '\n',
      );
      return file;
    };
    const measurements = rows('batch_size', '1');
    const out = path.join(dir, 'sizes-out.csv');
    const before = tree(dir);
    refused(
      ['devices', 'measure', '--device', 'host', '--n', '1', '--batch', '1e9', '--out', out],
      /--batch must be a number <= 4096, got 1000000000/,
    );
    refused(
      ['devices', 'measure', '--device', 'host', '--n', '1', '--resolution', '-4', '--out', out],
      /--resolution must be a number >= 8, got -4/,
    );
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', measurements, '--resolution', '1e7', '--out', out],
      /--resolution must be a number <= 1024, got 10000000/,
    );
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', measurements, '--resolution', '30', '--out', out],
      /--resolution must be a multiple of 4 for nb201/,
    );
    expect(tree(dir)).toEqual(before);
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', rows('resolution', '10000000'), '--out', out],
      /rows-resolution\.csv:5 \(column resolution\): must be from 8 to 1024, got 10000000/,
    );
    refused(
      [
        'predictor',
        'fit',
        '--predictor',
        'models/quickstart',
        '--device',
        'x',
        '--measurements',
        rows('batch_size', '1e9'),
        '--out',
        path.join(dir, 'sizes-fit'),
      ],
      /rows-batch_size\.csv:5 \(column batch_size\): must be from 1 to 4096, got 1e9/,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'sizes-fit'))).toBe(false);
  }, 60_000);

  it('never writes through a symbolic link: devices add --force, report and export refuse symlinked targets', () => {
    const devices = path.join(dir, 'devs');
    fs.mkdirSync(devices);
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    fs.symlinkSync(victim, path.join(devices, 'board.json'));
    const sim = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../src/hardware/builtin/mobile-cpu.json'), 'utf8'));
    const file = path.join(dir, 'board.json');
    fs.writeFileSync(file, JSON.stringify({ ...sim, name: 'board' }));
    refused(
      ['devices', 'add', file, '--devices-dir', devices, '--force'],
      /board\.json is a symbolic link; hwnas does not write through links/,
    );
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');

    const results = path.join(dir, 'link-results');
    const config = writeConfig(dir, 'link.json', searchConfig(accuracy, { budget: { evaluations: 6, batchSize: 6 } }));
    expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'l', '--no-progress']).code).toBe(0);
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(results, 'l', 'report'));
    refused(['report', 'l', '--results', results], /report is a symbolic link; hwnas does not write through links/);
    // An empty folder behind a link is still somewhere else: export refuses it rather than replacing the link.
    fs.symlinkSync(elsewhere, path.join(dir, 'export-link'));
    refused(
      ['export', 'l', '--results', results, '--out', path.join(dir, 'export-link'), '--format', 'onnx'],
      /export-link is a symbolic link; hwnas does not write through links/,
    );
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  }, 60_000);

  it('measurements of several devices are never merged into one: predictor fit and eval, search and calibrate refuse them (calibrate picks one with --only), naming the file', () => {
    const two = path.join(dir, 'two-devices.csv');
    fs.writeFileSync(two, 'arch,latency_ms,device\n1,2.5,a\n200,3.1,b\n3000,1.2,a\n4000,4.4,b\n5000,2.2,a\n6000,1.9,b\n');
    const several = /two-devices\.csv \(column device\): holds measurements of several devices \(a, b\) in its device column/;
    const out = path.join(dir, 'two-fit');
    refused(['predictor', 'fit', '--predictor', 'models/quickstart', '--device', 'b', '--measurements', two, '--out', out], several);
    refused(['predictor', 'eval', '--predictor', 'models/quickstart', '--device', 'mobile-cpu', '--measurements', two], several);
    const results = path.join(dir, 'two-results');
    const latency = { source: 'predictor', predictor: 'hwnas:models/quickstart', measurements: two };
    refused(
      [
        'search',
        '--config',
        writeConfig(dir, 'two.json', searchConfig(accuracy, { device: 'mobile-npu', latency, constraints: [] })),
        '--out-dir',
        results,
      ],
      several,
    );
    const profile = path.join(dir, 'two-cal.json');
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', two, '--out', profile],
      /two-devices\.csv \(column device\): holds .*; choose one with --only/,
    );
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', two, '--only', 'c', '--out', profile],
      /two-devices\.csv \(column device\): no rows for device 'c' in its device column \(devices: a, b\)/,
    );
    // Three rows of device a leave none held back: the message names the file.
    refused(
      ['devices', 'calibrate', 'mobile-cpu', '--measurements', two, '--only', 'a', '--out', profile],
      /two-devices\.csv: 3 archs leave 1 held back \(--held-out 0\.2\); calibration needs at least 3 held-back archs/,
    );
    for (const never of [out, results, profile]) expect(fs.existsSync(never)).toBe(false);
  }, 60_000);

  it('calibrate, predictor predict, sample, encode and devices measure refuse a symbolic link at --out', () => {
    const victim = path.join(dir, 'out-victim.txt');
    fs.writeFileSync(victim, 'precious');
    const link = (name: string) => {
      const file = path.join(dir, name);
      fs.symlinkSync(victim, file);
      return file;
    };
    const measurements = path.join(dir, 'twenty.csv');
    fs.writeFileSync(
      measurements,
      'arch,latency_ms\n' + Array.from({ length: 20 }, (_, i) => `${i * 701},${2 + (i % 5)}.5`).join('\n') + '\n',
    );
    const archs = path.join(dir, 'two-archs.csv');
    fs.writeFileSync(archs, 'arch\n1\n200\n');
    const linked = /is a symbolic link; hwnas does not write through links/;
    refused(['devices', 'calibrate', 'mobile-cpu', '--measurements', measurements, '--out', link('cal-link.json'), '--force'], linked);
    refused(
      [
        'predictor',
        'predict',
        '--predictor',
        'models/quickstart',
        '--device',
        'mobile-cpu',
        '--archs',
        archs,
        '--out',
        link('predict-link.csv'),
      ],
      linked,
    );
    refused(['sample', '-n', '2', '--sampler', 'random', '--out', link('sample-link.csv')], linked);
    refused(['encode', '--encoder', 'flops-params', '--archs', archs, '--out', link('encode-link.csv')], linked);
    refused(['devices', 'measure', '--device', 'host', '--n', '1', '--out', link('measure-link.csv')], linked);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
  }, 60_000);
});

describe('run store faults (subprocess)', () => {
  it('a corrupt, empty or foreign-format database is named and refused; a failed resume writes nothing and leaves no lock', async () => {
    const results = path.join(dir, 'faults');
    const config = writeConfig(dir, 'faults.json', searchConfig(accuracy, { budget: { evaluations: 6, batchSize: 6 } }));
    for (const name of ['corrupt', 'empty', 'foreign'])
      expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', name, '--no-progress']).code).toBe(0);
    fs.writeFileSync(path.join(results, 'corrupt', 'hwnas.db'), 'not a database '.repeat(100));
    fs.writeFileSync(path.join(results, 'empty', 'hwnas.db'), '');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(results, 'foreign', 'hwnas.db'));
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'storeVersion'").run();
    db.close();
    refused(['runs', 'show', 'corrupt', '--results', results], /corrupt.hwnas\.db: not a readable run database: file is not a database/);
    refused(['runs', 'resume', 'empty', '--results', results], /empty.hwnas\.db: the run database is empty \(0 bytes\)/);
    expect(fs.statSync(path.join(results, 'empty', 'hwnas.db')).size).toBe(0);
    expect(fs.existsSync(path.join(results, 'empty', 'writer.lock'))).toBe(false);
    refused(
      ['runs', 'resume', 'foreign', '--results', results],
      /foreign.hwnas\.db: run database format 99 \(written by hwnas [\d.]+\); this hwnas reads format 1/,
    );
    expect(fs.existsSync(path.join(results, 'foreign', 'writer.lock'))).toBe(false);
    const list = runCli(['runs', 'list', '--results', results]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^corrupt\s+broken/m);
    expect(list.stdout).toMatch(/^empty\s+broken/m);
    expect(list.stdout).toMatch(/^foreign\s+broken/m);
  }, 60_000);

  it('a --results that is a file is one line for runs list, show and resume, report and export', () => {
    const file = path.join(dir, 'results-file.txt');
    fs.writeFileSync(file, 'not a folder');
    const notFolder = /results folder .*results-file\.txt is a file, not a folder \(--results\)/;
    refused(['runs', 'list', '--results', file], notFolder);
    refused(['runs', 'show', 'x', '--results', file], notFolder);
    refused(['runs', 'resume', 'x', '--results', file], notFolder);
    refused(['report', 'x', '--results', file], notFolder);
    refused(['export', 'x', '--results', file, '--out', path.join(dir, 'never-export')], notFolder);
    expect(fs.readFileSync(file, 'utf8')).toBe('not a folder');
  }, 60_000);

  it('a database cut short (to half, or inside its last page) is listed as broken beside the healthy run; show, report, export and resume name the file and change nothing', () => {
    const results = path.join(dir, 'truncated');
    const config = writeConfig(dir, 'truncated.json', searchConfig(accuracy, { budget: { evaluations: 6, batchSize: 6 } }));
    for (const name of ['whole', 'cut'])
      expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', name, '--no-progress']).code).toBe(0);
    const runDir = path.join(results, 'cut');
    const db = path.join(runDir, 'hwnas.db');
    const size = fs.statSync(db).size;
    const original = fs.readFileSync(db);
    /** Every file of the run folder with its bytes. */
    const contents = () => tree(runDir).map((f) => [f, fs.readFileSync(path.join(runDir, f)).toString('base64')]);
    // Half of it; and a cut inside the last page, which SQLite itself read as zeros and misreported as a complete run.
    for (const cut of [Math.floor(size / 2), size - 1000]) {
      fs.writeFileSync(db, original.subarray(0, cut));
      const before = contents();
      const list = runCli(['runs', 'list', '--results', results]);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^whole\s+complete\s+nb201\s+6/m);
      expect(list.stdout).toMatch(/^cut\s+broken/m);
      expect(list.stderr).toMatch(new RegExp(`run cut cannot be read: .*cut.hwnas\\.db: the run database is truncated \\(${cut} bytes`));
      const reason = new RegExp(
        `cut.hwnas\\.db: the run database is truncated \\(${cut} bytes(, but its header counts| is not a whole number of)`,
      );
      refused(['runs', 'show', 'cut', '--results', results], reason);
      refused(['report', 'cut', '--results', results], reason);
      refused(['export', 'cut', '--results', results, '--out', path.join(dir, 'cut-export')], reason);
      refused(['runs', 'resume', 'cut', '--results', results, '--no-progress'], reason);
      expect(contents()).toEqual(before);
      expect(fs.existsSync(path.join(dir, 'cut-export'))).toBe(false);
    }
  }, 60_000);

  it('a damaged page that opening cannot see (the event log) is one line naming the database in show, report and export', () => {
    const results = path.join(dir, 'damaged');
    const config = writeConfig(dir, 'damaged.json', searchConfig(accuracy, { budget: { evaluations: 6, batchSize: 6 } }));
    expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'dmg', '--no-progress']).code).toBe(0);
    const db = path.join(results, 'dmg', 'hwnas.db');
    const bytes = fs.readFileSync(db);
    // Page 4 is the events table's root (meta, which opening reads, is page 2): overwrite its b-tree page header.
    bytes.fill(0xa5, 3 * bytes.readUInt16BE(16), 3 * bytes.readUInt16BE(16) + 8);
    fs.writeFileSync(db, bytes);
    for (const args of [
      ['runs', 'show', 'dmg'],
      ['report', 'dmg'],
      ['export', 'dmg', '--out', path.join(dir, 'dmg-export')],
    ]) {
      refused([...args, '--results', results], /dmg.hwnas\.db: not a readable run database: database disk image is malformed/);
    }
  }, 60_000);
});

describe('signals (subprocess)', () => {
  it('Ctrl-C stops a search with one line saying how to resume, releases the lock, and the resumed run completes', async () => {
    const results = path.join(dir, 'sigint');
    // Accuracy from a zero-cost proxy computed in TF.js: slow enough to be interrupted mid-run.
    const config = writeConfig(
      dir,
      'sigint.json',
      searchConfig(accuracy, { accuracy: { source: 'zcp', proxy: 'synflow', resolution: 8 }, budget: { evaluations: 100, batchSize: 10 } }),
    );
    const search = runCliAsync(['search', '--config', config, '--out-dir', results, '--run-name', 's', '--no-progress']);
    const db = path.join(results, 's', 'hwnas.db');
    for (let t = 0; !fs.existsSync(db); t++) {
      if (t > 300) throw new Error('the search did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    search.child.kill('SIGINT');
    const done = await search.done;
    expect(done.code, done.stderr).toBe(130);
    expect(done.stderr).toMatch(
      /hwnas: SIGINT: search stopped; what was committed is kept; continue with: hwnas runs resume s --results .*sigint/,
    );
    expect(done.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(results, 's', 'writer.lock'))).toBe(false);
    const resumed = runCli(['runs', 'resume', 's', '--results', results, '--no-progress'], { timeoutMs: 240_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const show = JSON.parse(runCli(['runs', 'show', 's', '--results', results, '--json']).stdout);
    expect(show.counts.evaluated + show.counts.failed).toBe(100);
    expect(show.state).toBe('complete');
  }, 300_000);
});

describe('read-only results (subprocess)', () => {
  it('runs list, show and export read a run in a read-only folder without its -shm file; resume says the folder is read-only', async (ctx) => {
    const { spawnSync } = await import('node:child_process');
    const source = path.join(dir, 'ro-source');
    const results = path.join(source, 'results');
    const config = writeConfig(dir, 'ro.json', searchConfig(accuracy, { budget: { evaluations: 12, batchSize: 6 } }));
    expect(runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'ro', '--no-progress']).code).toBe(0);
    fs.rmSync(path.join(results, 'ro', 'hwnas.db-shm'), { force: true });
    // A read-only bind mount (root ignores permission bits); where mounting is not allowed, this test cannot run.
    const mountPoint = path.join(dir, 'ro-mount');
    fs.mkdirSync(mountPoint);
    const bind = spawnSync('mount', ['--bind', source, mountPoint]);
    const ro = bind.status === 0 ? spawnSync('mount', ['-o', 'remount,ro,bind', mountPoint]) : bind;
    if (ro.status !== 0) {
      if (bind.status === 0) spawnSync('umount', [mountPoint]);
      ctx.skip(`cannot make a read-only mount here (${String(ro.stderr).trim()})`);
    }
    try {
      const roResults = path.join(mountPoint, 'results');
      const list = runCli(['runs', 'list', '--results', roResults]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^ro\s+complete\s+nb201\s+12/m);
      expect(runCli(['runs', 'show', 'ro', '--results', roResults]).code).toBe(0);
      const out = path.join(dir, 'ro-export');
      expect(runCli(['export', 'ro', '--results', roResults, '--out', out, '--format', 'onnx']).code).toBe(0);
      expect(fs.existsSync(path.join(out, 'index.json'))).toBe(true);
      refused(
        ['runs', 'resume', 'ro', '--results', roResults],
        /cannot lock run .*ro \(writing .*writer\.lock\): EROFS, the run folder is read-only/,
      );
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  }, 60_000);
});
