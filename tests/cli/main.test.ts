// The `hwnas` entry point as a subprocess: run `npx tsc -p tsconfig.build.json` first (bin/hwnas.js imports dist/).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../src/cli/commands/index.js';
import { repoRoot, runCli } from '../helpers/cli.js';

/** Option lines of a yargs help text that have no description (the type tag follows the flag directly). */
const undocumented = (help: string): string[] => help.split('\n').filter((line) => /^\s+(-\w, )?--[\w-]+\s+\[/.test(line));

describe('hwnas (subprocess)', () => {
  it('--help lists every subcommand with its one-line description', async () => {
    const commands = await loadCommands([]);
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const c of commands) {
      const name = String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0];
      expect(r.stdout).toMatch(
        new RegExp(
          `^\\s+hwnas ${name}\\b.*\\s${String(c.describe)
            .slice(0, 20)
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
          'm',
        ),
      );
    }
    expect(undocumented(r.stdout)).toEqual([]);
  });

  it.each(['spaces show', 'spaces model'])('%s --help documents every flag', (command) => {
    const r = runCli([...command.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Options:/);
    expect(undocumented(r.stdout)).toEqual([]);
  });

  it('prints the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(runCli(['--version']).stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [['frobnicate'], /^hwnas: error: Unknown argument: frobnicate/],
    [['spaces', 'list', '--bogus'], /^hwnas: error: Unknown argument: bogus/],
    [
      ['--backend', 'gpu', 'spaces', 'list'],
      /^hwnas: error: Invalid values: Argument: backend, Given: "gpu", Choices: "tensorflow", "wasm", "cpu"/,
    ],
    [[], /^hwnas: error: give a command/],
  ])('%j: a usage error is one line on stderr, exit 2, and no command runs', (args, message) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('prints a failing command as one line, and the stack only with --verbose', () => {
    const quiet = runCli(['spaces', 'show', 'nb201', '--arch', '99999']);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe("hwnas: error: nb201: invalid architecture '99999': index must be an integer in 0..15624\n");
    const verbose = runCli(['--verbose', 'spaces', 'show', 'nb201', '--arch', '99999']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^UnknownArchError: .*\n\s+at /m);
  });

  it('--backend cpu forces the cpu backend and says so', () => {
    const r = runCli(['--backend', 'cpu', 'spaces', 'model', 'nb201', '--arch', '0', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^backend: cpu \(tfjs [\d.]+, forced\)$/m);
    const result = JSON.parse(r.stdout) as { backend: string; trainableParams: number; analyticParams: number; outputShape: number[] };
    expect(result.backend).toBe('cpu');
    expect(result.trainableParams).toBe(result.analyticParams);
    expect(result.outputShape).toEqual([1, 10]);
  });
});
