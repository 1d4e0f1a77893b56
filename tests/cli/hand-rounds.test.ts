// Adaptive rounds for a device measured by hand: the run pauses, says which archs to measure and which CSV to fill,
// refuses to go on until it is filled, and `runs resume` continues round by round to a finished search, reusing the
// candidates' accuracy the paused session scored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv, toCsv } from '../../src/core/csv.js';
import { getDevice } from '../../src/hardware/registry.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { runCli } from '../helpers/cli.js';
import { searchConfig, writeAccuracyFixture, writeConfig } from '../search/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-hand-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What the user would do at the board: measure (here: the simulator stands in for the board) and fill the file. */
async function fill(file: string): Promise<void> {
  const table = readCsv(file);
  const archs = table.rows.map((r) => r[0]);
  const records = await getDevice('mobile-npu').latency(nb201Space, archs, nb201Space.defaultInput('cifar10'));
  fs.writeFileSync(
    file,
    toCsv(
      ['arch', 'latency_ms'],
      records.map((r) => [r.arch, +r.latencyMs.toFixed(4)]),
    ),
  );
}

describe('adaptive rounds measured by hand (subprocess)', () => {
  it('pauses with the CSV to fill, refuses an unfilled file, and resumes round by round', async () => {
    const input = nb201Space.defaultInput('cifar10');
    const first = Array.from({ length: 6 }, (_, i) => nb201Space.fromIndex!(i * 2111));
    const measurements = path.join(dir, 'm.csv');
    const records = await getDevice('mobile-npu').latency(nb201Space, first, input);
    fs.writeFileSync(
      measurements,
      toCsv(
        ['arch', 'latency_ms'],
        records.map((r) => [r.arch, r.latencyMs]),
      ),
    );
    const latency = {
      source: 'predictor',
      predictor: 'hwnas:models/quickstart',
      measurements,
      adaptive: { rounds: 2, perRound: 2, candidates: 200 },
      verify: false,
    };
    const config = writeConfig(
      dir,
      'hand.json',
      searchConfig(writeAccuracyFixture(dir), { device: 'mobile-npu', latency, budget: { evaluations: 20, batchSize: 10 } }),
    );
    const results = path.join(dir, 'results');

    const r = runCli(['search', '--config', config, '--out-dir', results, '--run-name', 'h', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('adaptive: scoring the accuracy of 200 candidate archs');
    const round1 = path.join(results, 'h', 'measure-round-1.csv');
    expect(r.stdout).toMatch(/run h paused for adaptive round 1\/2: measure these 2 archs on mobile-npu/);
    expect(r.stdout).toContain(round1);
    expect(r.stdout).toMatch(/then continue with: hwnas runs resume h --results /);
    expect(readCsv(round1).rows.map((row) => row[1])).toEqual(['', '']);
    const list = JSON.parse(runCli(['runs', 'list', '--results', results, '--json']).stdout);
    expect(list.find((x: { runId: string }) => x.runId === 'h').state).toBe('paused');

    // Not filled yet: one line naming the file.
    const early = runCli(['runs', 'resume', 'h', '--results', results, '--no-progress']);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toMatch(/hwnas: error: .*measure-round-1\.csv: no latency_ms yet for 2 of the 2 archs/);

    await fill(round1);
    const second = runCli(['runs', 'resume', 'h', '--results', results, '--no-progress']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/paused for adaptive round 2\/2/);
    // The candidates' accuracy is read back from the paused run, not scored again (minutes with a zero-cost proxy).
    expect(second.stderr).toContain('adaptive: the accuracy of 200 candidate archs from the paused session');
    expect(second.stderr).not.toContain('adaptive: scoring');
    const round2 = path.join(results, 'h', 'measure-round-2.csv');
    const round2Archs = readCsv(round2).rows.map((row) => row[0]);
    expect(round2Archs.some((a) => readCsv(round1).rows.some((row) => row[0] === a))).toBe(false);

    await fill(round2);
    const done = runCli(['runs', 'resume', 'h', '--results', results, '--no-progress']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/run h .*20 evaluated/);
    const show = JSON.parse(runCli(['runs', 'show', 'h', '--results', results, '--json']).stdout);
    expect(show.state).toBe('complete');
    expect(show.adaptation.archs).toHaveLength(10);
    expect(show.adaptation.initialSamples).toBe(6);
    expect(show.adaptation.archs.slice(8)).toEqual(round2Archs);
    for (const f of show.front as { latencyMs: number }[]) expect(f.latencyMs).toBeGreaterThan(0);
    // The candidates' accuracy is kept once, by the session that scored it, not again at each pause.
    const db = new Database(path.join(results, 'h', 'hwnas.db'), { readonly: true });
    expect(db.prepare("SELECT COUNT(*) AS n FROM notes WHERE kind = 'adaptive-candidates'").get()).toEqual({ n: 1 });
    db.close();
  }, 180_000);
});
