// `hwnas devices add/validate` rejects malformed profiles with file, field path and reason, and writes nothing.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const run = promisify(execFile);
const bin = path.join(repoRoot, 'bin/hwnas.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-devices-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Run the CLI as a subprocess without blocking, so the corpus runs a few processes at a time. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd: tmp, env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const simulated = () => ({
  schemaVersion: 1,
  name: 'my-board',
  kind: 'simulated',
  description: 'test board',
  provenance: { source: 'datasheet' },
  simulated: {
    peak: { fp32Gflops: 10, int8Gops: 40 },
    memory: { bandwidthGBs: 5, onChipKiB: 256 },
    efficiency: { conv: 0.5, pointwise: 0.5, depthwise: 0.2, fc: 0.3, elementwise: 0.1, pool: 0.1 },
    utilisation: { inChannelTile: 1, outChannelTile: 4, halfUtilOutputs: 0 },
    overhead: { perLayerUs: 5, perInferenceUs: 20 },
  },
});
const table = () => ({
  schemaVersion: 1,
  name: 'my-table',
  kind: 'measured-table',
  description: 'test table',
  provenance: { source: 'lab' },
  table: { file: 'x.csv', column: 'dev', space: 'nb201', batchSize: 1, resolution: 32 },
});
const host = () => ({
  schemaVersion: 1,
  name: 'my-host',
  kind: 'host',
  description: 'h',
  provenance: { source: 'me' },
  host: { warmup: 2 },
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** [description, profile builder, expected field path in the message]. */
const CORPUS: [string, () => Json | string, string][] = [
  ['future schema version', () => ({ ...simulated(), schemaVersion: 2 }), 'schemaVersion'],
  [
    'missing name',
    () => {
      const p = simulated() as Json;
      delete p.name;
      return p;
    },
    'name',
  ],
  ['name with spaces', () => ({ ...simulated(), name: 'My Board' }), 'name'],
  ['unknown kind', () => ({ ...simulated(), kind: 'fpga' }), 'kind'],
  [
    'missing provenance',
    () => {
      const p = simulated() as Json;
      delete p.provenance;
      return p;
    },
    'provenance',
  ],
  ['empty provenance source', () => ({ ...simulated(), provenance: { source: '' } }), 'provenance.source'],
  ['unknown top-level field', () => ({ ...simulated(), peak: 3 }), 'peak'],
  [
    'simulated section missing',
    () => {
      const p = simulated() as Json;
      delete p.simulated;
      return p;
    },
    'simulated',
  ],
  [
    'negative peak',
    () => {
      const p = simulated();
      p.simulated.peak.fp32Gflops = -3;
      return p;
    },
    'simulated.peak.fp32Gflops',
  ],
  [
    'missing bandwidth',
    () => {
      const p = simulated() as Json;
      delete p.simulated.memory.bandwidthGBs;
      return p;
    },
    'simulated.memory.bandwidthGBs',
  ],
  [
    'efficiency above 1',
    () => {
      const p = simulated();
      p.simulated.efficiency.conv = 1.5;
      return p;
    },
    'simulated.efficiency.conv',
  ],
  [
    'unknown op class',
    () => {
      const p = simulated() as Json;
      p.simulated.efficiency.attention = 0.5;
      return p;
    },
    'simulated.efficiency.attention',
  ],
  [
    'fractional channel tile',
    () => {
      const p = simulated();
      p.simulated.utilisation.inChannelTile = 2.5;
      return p;
    },
    'simulated.utilisation.inChannelTile',
  ],
  [
    'negative overhead',
    () => {
      const p = simulated();
      p.simulated.overhead.perLayerUs = -1;
      return p;
    },
    'simulated.overhead.perLayerUs',
  ],
  [
    'unknown precision',
    () => ({ ...simulated(), simulated: { ...simulated().simulated, defaultPrecision: 'int4' } }),
    'simulated.defaultPrecision',
  ],
  [
    'support flag as text',
    () => ({ ...simulated(), simulated: { ...simulated().simulated, support: { depthwise: 'yes' } } }),
    'simulated.support.depthwise',
  ],
  [
    'bad reference latency',
    () => ({ ...simulated(), reference: { space: 'nb201', latencies: [{ arch: 'a', latencyMs: -1 }] } }),
    'reference.latencies[0].latencyMs',
  ],
  [
    'table without column',
    () => {
      const p = table() as Json;
      delete p.table.column;
      return p;
    },
    'table.column',
  ],
  [
    'table batch size 0',
    () => {
      const p = table();
      p.table.batchSize = 0;
      return p;
    },
    'table.batchSize',
  ],
  ['host negative warm-up', () => ({ ...host(), host: { warmup: -1 } }), 'host.warmup'],
];

describe('hwnas devices add: malformed profiles', () => {
  it('has a corpus of at least 20 distinct malformed profiles', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CORPUS.map((c) => c[0])).size).toBe(CORPUS.length);
  });

  it('rejects each one with "file: field path: reason", exit != 0, and writes nothing', async () => {
    const results: { name: string; field: string; file: string; dir: string; r: Awaited<ReturnType<typeof cli>> }[] = [];
    const queue = CORPUS.map(([name, build, field], i) => async () => {
      const file = path.join(tmp, `bad-${i}.json`);
      fs.writeFileSync(file, JSON.stringify(build(), null, 2));
      const dir = path.join(tmp, `devices-${i}`);
      results.push({ name, field, file, dir, r: await cli(['devices', 'add', file, '--devices-dir', dir]) });
    });
    // Four subprocesses at a time keep a 2-core machine busy without starving it.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let job = queue.shift(); job !== undefined; job = queue.shift()) await job();
      }),
    );
    for (const { name, field, file, dir, r } of results) {
      expect(r.code, name).not.toBe(0);
      const line = r.stderr.trim();
      expect(line.split('\n'), name).toHaveLength(1);
      expect(line, name).toContain(`${file}: ${field}: `);
      expect(fs.existsSync(dir) ? fs.readdirSync(dir) : [], name).toEqual([]);
    }
    const negativePeak = results.find((x) => x.name === 'negative peak')!;
    expect(negativePeak.r.stderr.trim()).toBe(
      `hwnas: error: ${negativePeak.file}: simulated.peak.fp32Gflops: must be a number >= 0.000001, got -3`,
    );
  }, 120_000);

  it('reports invalid JSON syntax with the file and line', async () => {
    const file = path.join(tmp, 'syntax.json');
    fs.writeFileSync(file, '{\n  "schemaVersion": 1,\n  "name": "x",,\n}');
    const r = await cli(['devices', 'validate', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON at line 3`));
  });
});
