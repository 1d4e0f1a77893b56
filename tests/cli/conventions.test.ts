// The CLI conventions of README "CLI conventions", checked on every command of the yargs tree (each command module
// of src/cli/commands/index.ts, walked through its builders), and the deprecated old flags as a subprocess.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLoaders } from '../../src/cli/commands/index.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

interface FlagSpec {
  describe?: string;
  deprecated?: boolean | string;
  hidden?: boolean;
  type?: string;
}

interface CommandNode {
  path: string;
  options: Map<string, FlagSpec>;
  positionals: Map<string, FlagSpec>;
  children: CommandNode[];
}

type CommandSpec = { command?: string | string[]; builder?: unknown };

/** What a builder declares, recorded by a stand-in for yargs that accepts any call and keeps options, positionals and subcommands. */
function walk(spec: CommandSpec, parent: string): CommandNode {
  const name = [spec.command ?? ''].flat()[0].split(' ')[0];
  const node: CommandNode = { path: `${parent} ${name}`.trim(), options: new Map(), positionals: new Map(), children: [] };
  const subcommands: CommandSpec[] = [];
  const y: unknown = new Proxy(
    {},
    {
      get: (_target, prop) => {
        if (prop === 'option' || prop === 'options')
          return (key: string | Record<string, FlagSpec>, opt?: FlagSpec) => {
            if (typeof key === 'string') node.options.set(key, opt ?? {});
            else for (const [k, o] of Object.entries(key)) node.options.set(k, o);
            return y;
          };
        if (prop === 'positional') return (key: string, opt: FlagSpec) => (node.positionals.set(key, opt), y);
        if (prop === 'command') return (cmds: CommandSpec | CommandSpec[]) => (subcommands.push(...[cmds].flat()), y);
        return () => y;
      },
    },
  );
  if (typeof spec.builder === 'function') (spec.builder as (y: unknown) => unknown)(y);
  node.children = subcommands.map((c) => walk(c, node.path));
  return node;
}

const leaves = (n: CommandNode): CommandNode[] => (n.children.length === 0 ? [n] : n.children.flatMap(leaves));

/**
 * Commands without --json, each with the reason: they print no data of their own (a server, a worker, a file or
 * process they start) or their output already is JSON. A new command that prints data gets --json instead.
 */
const NO_JSON: Record<string, string> = {
  'config check': 'prints the resolved config as JSON already',
  dashboard: 'starts a web server',
  worker: 'a long-running worker process',
  'workers start': 'starts worker processes',
  'devices remove': 'prints one confirmation line, no data',
  'runs unlock': 'prints one confirmation line, no data',
  'devices init': 'writes a template file',
};

/** Old flag names kept as deprecated aliases of the conventional ones; anything else by these names is refused. */
const RETIRED = ['out-dir', 'output', 'output-dir', 'results-dir', 'dir'];

describe('CLI conventions over the whole command tree', async () => {
  const roots = await Promise.all(Object.values(commandLoaders).map(async (load) => walk((await load()) as CommandSpec, '')));
  const all: CommandNode[] = roots.flatMap(function flat(n: CommandNode): CommandNode[] {
    return [n, ...n.children.flatMap(flat)];
  });
  const commands = roots.flatMap(leaves);

  it('finds every command', () => {
    expect(roots.map((r) => r.path)).toEqual(Object.keys(commandLoaders));
    expect(commands.map((c) => c.path)).toEqual(
      expect.arrayContaining(['runs trials', 'runs show', 'export', 'report', 'search', 'devices validate']),
    );
  });

  it('every flag and positional has a description; flags are kebab-case', () => {
    for (const c of all) {
      for (const [name, spec] of [...c.options, ...c.positionals]) {
        expect(spec.describe, `${c.path} ${name}`).toMatch(/\S/);
        expect(name, c.path).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      }
    }
  });

  it('the run is positional <run> with --results beside it, never --run; the results folder is --results', () => {
    for (const c of commands) {
      expect(c.options.has('run'), `${c.path} --run`).toBe(false);
      if (c.positionals.has('run')) expect(c.options.has('results'), `${c.path} has <run> but no --results`).toBe(true);
      for (const name of RETIRED)
        if (c.options.has(name)) expect(c.options.get(name)?.deprecated, `${c.path} --${name} must be a deprecated alias`).toBeTruthy();
    }
    expect(
      commands
        .filter((c) => c.positionals.has('run'))
        .map((c) => c.path)
        .sort(),
    ).toEqual(['export', 'report', 'runs resume', 'runs show', 'runs trials', 'runs unlock']);
  });

  it('--out says whether it is a file or a folder', () => {
    const vague = commands
      .filter((c) => c.options.has('out') && !/\b(file|folder)\b/i.test(c.options.get('out')?.describe ?? ''))
      .map((c) => c.path);
    expect(vague).toEqual([]);
  });

  it('every command that prints data has --json (boolean, described)', () => {
    expect(commands.filter((c) => !(c.path in NO_JSON) && c.options.get('json')?.type !== 'boolean').map((c) => c.path)).toEqual([]);
    for (const exempt of Object.keys(NO_JSON))
      if (commands.some((c) => c.path === exempt)) expect(commands.find((c) => c.path === exempt)?.options.has('json'), exempt).toBe(false);
  });

  it('search takes the same overrides as the config fields it replaces', () => {
    const search = commands.find((c) => c.path === 'search') as CommandNode;
    for (const flag of ['results', 'run-name', 'device', 'seed', 'strategy', 'evaluations', 'json'])
      expect(search.options.has(flag), flag).toBe(true);
  });
});

describe('start-up of the commands that only read', () => {
  // TF.js alone takes about half a second to load; a user listing runs or devices should not wait for it, nor for the
  // Redis client. Checked on the built modules in a fresh Node process, lightest first: the first command whose import
  // brings a heavy package in is the one named.
  // `config check`'s reference checks (search/check.js, imported by its handler) are probed as one more step.
  const steps = ['config', 'config check', 'runs', 'report', 'export', 'devices', 'spaces', 'profile'];
  it('runs, report, export, config (and config check), devices, spaces and profile load neither TF.js nor the Redis client nor ONNX Runtime', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const heavy = ['@tensorflow', 'ioredis', 'onnxruntime-node'];
      const seen = [];
      for (const c of ${JSON.stringify(steps)}) {
        await import(c === 'config check' ? './dist/search/check.js' : './dist/cli/commands/' + c + '.js');
        const loaded = heavy.filter((p) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + p + '/')));
        seen.push(c + ': ' + (loaded.join(', ') || 'none'));
      }
      console.log(seen.join('\\n'));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(steps.map((c) => `${c}: none`));
  });
});

describe('deprecated old flags (subprocess)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-cli-conventions-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('search --out-dir and report/export --run still work, with one warning; --device, --seed, --strategy, --evaluations reach the stored config', () => {
    const results = path.join(dir, 'results');
    const config = writeConfig(dir, 'c.json', searchConfig(writeAccuracyFixture(dir), { budget: { evaluations: 12, batchSize: 6 } }));
    const old = runCli([
      'search',
      '--config',
      config,
      '--out-dir',
      results,
      '--run-name',
      'old',
      '--quiet',
      '--seed',
      '9',
      '--strategy',
      'random',
      '--evaluations',
      '6',
      '--device',
      'desktop-cpu',
    ]);
    expect(old.code).toBe(0);
    expect(old.stderr).toBe('warning: --out-dir is deprecated: use --results\n');
    const shown = JSON.parse(runCli(['runs', 'show', 'old', '--results', results, '--json']).stdout);
    expect(shown.config.input).toMatchObject({ seed: 9, device: 'desktop-cpu', strategy: { name: 'random' }, budget: { evaluations: 6 } });
    expect(shown.front[0].sources.latencyMs).toMatch(/simulated:desktop-cpu@\d/);
    expect(shown.counts.evaluated + shown.counts.failed).toBe(6);

    const byFlag = runCli(['report', '--run', 'old', '--results', results, '--out', path.join(dir, 'r1'), '--json', '--quiet']);
    expect(byFlag.code).toBe(0);
    expect(byFlag.stderr).toContain('--run is deprecated: give the run as the first argument');
    const positional = runCli(['report', 'old', '--results', results, '--out', path.join(dir, 'r2'), '--json']);
    expect(positional.stderr).not.toContain('deprecated');
    expect(JSON.parse(positional.stdout).html).toBe(path.join(dir, 'r2', 'report.html'));
    expect(runCli(['export', '--results', results, '--out', path.join(dir, 'e')]).stderr).toMatch(/give the run/);
  });
});
