// `hwnas devices init` and `devices validate` as subprocesses: a commented template that validates as written, and
// every problem of a bad profile reported at once, and `profile --what-if int8` on a device without an int8 peak.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-devices-init-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hwnas devices init / validate (subprocess)', () => {
  it('writes a complete, commented YAML profile that validates and can be added', () => {
    const file = path.join(dir, 'my-board.yaml');
    const r = runCli(['devices', 'init', 'my-board', '--like', 'edge-tpu', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`hwnas devices validate ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Device profile my-board\./);
    for (const field of ['peak', 'memory', 'efficiency', 'utilisation', 'overhead'])
      expect(text).toMatch(new RegExp(`# .*\\n\\s+${field}:`));
    expect(YAML.parse(text)).toMatchObject({ name: 'my-board', kind: 'simulated', version: 1, simulated: { peak: expect.any(Object) } });
    const valid = runCli(['devices', 'validate', file, '--json']);
    expect(valid.code, valid.stderr).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ name: 'my-board', kind: 'simulated', version: 1 });
    const added = runCli(['devices', 'add', file, '--devices-dir', path.join(dir, 'devices'), '--json']);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'my-board', file: path.join(dir, 'devices', 'my-board.json') });

    expect(runCli(['devices', 'init', 'my-board', '--out', file]).stderr).toMatch(/exists; give another --out or --force/);
    expect(runCli(['devices', 'init', 'x', '--like', 'toaster', '--out', path.join(dir, 'x.yaml')]).stderr).toMatch(
      /unknown built-in device 'toaster'; built-in: .*mobile-cpu/,
    );
  });

  it('validate reports every problem of a profile in its one error line', () => {
    const file = path.join(dir, 'bad.yaml');
    expect(runCli(['devices', 'init', 'bad', '--out', file]).code).toBe(0);
    const profile = YAML.parse(fs.readFileSync(file, 'utf8'));
    profile.simulated.peak.fp32Gflops = -3;
    profile.simulated.efficiency.conv = 1.5;
    delete profile.simulated.memory.bandwidthGBs;
    fs.writeFileSync(file, YAML.stringify(profile));
    const r = runCli(['devices', 'validate', file]);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${file}: simulated.peak.fp32Gflops: must be a number >= 0.000001, got -3; also `);
    expect(lines[0]).toContain('simulated.memory.bandwidthGBs: is required');
    expect(lines[0]).toContain('simulated.efficiency.conv: must be a number <= 1, got 1.5');
    expect(lines[0]).toMatch(/\(3 problems\)$/);
  });

  it('profile --what-if int8 on a device without an int8 peak says so in one line (and in --json notes)', () => {
    const file = path.join(dir, 'no-int8.yaml');
    expect(runCli(['devices', 'init', 'no-int8', '--out', file]).code).toBe(0);
    const profile = YAML.parse(fs.readFileSync(file, 'utf8'));
    delete profile.simulated.peak.int8Gops;
    fs.writeFileSync(file, YAML.stringify(profile));
    const devices = path.join(dir, 'devices-int8');
    expect(runCli(['devices', 'add', file, '--devices-dir', devices]).code).toBe(0);
    const args = ['profile', '--arch', '123', '--device', 'no-int8', '--devices-dir', devices, '--what-if', 'int8,fp16'];
    const text = runCli(args);
    expect(text.code, text.stderr).toBe(0);
    const notes = text.stdout.split('\n').filter((l) => l.startsWith('note: '));
    expect(notes).toEqual([
      'note: no-int8 has no int8 peak (simulated.peak.int8Gops): the int8 what-if computes at the fp32 rate, only its smaller weights and activations change the figures',
    ]);
    expect(JSON.parse(runCli([...args, '--json']).stdout).notes).toEqual([notes[0].slice('note: '.length)]);
    // A device with an int8 peak gets no note.
    expect(runCli(['profile', '--arch', '123', '--what-if', 'int8']).stdout).not.toContain('note:');
  });
});
