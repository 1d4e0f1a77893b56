// The quickstart config end to end as a subprocess at a reduced budget (the full one runs in bench:search), and
// the report of that run with all four views.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';
import { initBackend } from '../../src/core/backend.js';
import { computeZcp } from '../../src/encodings/zcp.js';
import { nb201Space } from '../../src/spaces/nb201/space.js';
import { checkReport } from '../search/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-quickstart-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('quickstart (subprocess, reduced budget)', () => {
  it('adapts the shipped predictor to a target that is not a source, searches, re-checks the front, and reports', async () => {
    // Started from another folder, as a new user would: the config's paths resolve against the config file and the
    // package, the relative --out-dir against the working directory.
    const results = path.join(dir, 'results');
    const r = runCli(
      [
        'search',
        '--config',
        path.join(repoRoot, 'experiments/quickstart.json'),
        '--evaluations',
        '40',
        '--out-dir',
        'results',
        '--run-name',
        'q',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/search: 40\/40 bestProxy=[\d.]+ hv=[\d.]+/);
    expect(r.stdout).toMatch(
      /latency: nasflat predictor \S*models\/quickstart adapted to mobile-npu \(simulated:mobile-npu@\d+\) from 10 measurements/,
    );
    // How the target was initialised and read out: one of the five simulated sources, and the stacked readout.
    expect(r.stdout).toMatch(
      /initialised from (server-gpu|desktop-cpu|mobile-cpu|edge-tpu|mcu) \(ρ -?[\d.]+ on the measurements\); readout \S+ ×[\d.]+/,
    );
    expect(r.stdout).toMatch(/accuracy: a zero-cost PROXY score/);
    expect(r.stdout).toMatch(/rank\s+arch\s+accuracy \(PROXY\)\s+latency ms\s+90 % interval\s+latency source\s+FLOPs M/);
    expect(r.stdout).toMatch(/fit: leave-one-out MAPE [\d.]+ %, Spearman ρ -?[\d.]+ on the measurements; 90 % intervals ÷\/× [\d.]+/);
    expect(r.stdout).toMatch(/predictor:nasflat\(quickstart\)→mobile-npu/);
    // What to do next, with this run's id (the results folder is the default one of this working directory).
    expect(r.stdout).toMatch(/next:\n\s+hwnas runs show q\s+# .*\n\s+hwnas runs trials q\s+# .*\n\s+hwnas report q\s/);
    const check =
      /front re-checked on mobile-npu \(simulated:mobile-npu@\d+\), (\d+) archs: predicted vs true latency Spearman ρ (-?[\d.]+), Kendall τ (-?[\d.]+), MAPE ([\d.]+) %/.exec(
        r.stdout,
      );
    expect(check).not.toBeNull();

    const provenance = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models/quickstart/provenance.json'), 'utf8'));
    const show = JSON.parse(runCli(['runs', 'show', 'q', '--results', results, '--json']).stdout);
    expect(show.adaptation.archs).toHaveLength(10);
    expect(show.adaptation.report.readout.reduce((sum: number, m: { share: number }) => sum + m.share, 0)).toBeGreaterThan(0.5);
    expect(provenance.sources.some((s: string) => s.includes('mobile-npu'))).toBe(false);
    expect(show.verification.archs).toEqual(show.front.map((f: { arch: string }) => f.arch));
    // Every predicted latency on the front is a latency, inside its interval.
    for (const f of show.front as { latencyMs: number; latencyLowerMs: number; latencyUpperMs: number }[]) {
      expect(f.latencyMs).toBeGreaterThan(0);
      expect(f.latencyLowerMs).toBeLessThanOrEqual(f.latencyMs);
      expect(f.latencyUpperMs).toBeGreaterThanOrEqual(f.latencyMs);
    }
    expect(show.adaptation.diagnostics).toMatchObject({ measurements: 10, outliers: [] });
    expect(show.accuracyIsProxy).toBe(true);
    // The accuracy objective is synflow computed in TF.js (8×8 inputs, the run's seed): recomputed here in-process.
    expect(r.stdout).toMatch(/zcp:synflow \(zero-cost proxy, seed 1, 8×8\)/);
    await initBackend('wasm');
    const top = show.front[0] as { arch: string; accuracy: number };
    const synflow = await computeZcp(
      nb201Space,
      [top.arch],
      { ...nb201Space.defaultInput('cifar10'), resolution: 8 },
      { proxies: ['synflow'], seed: 1 },
    );
    expect(top.accuracy).toBeCloseTo(synflow.synflow[0], 6);
    // With a single front member ρ is undefined; otherwise the adapted predictor must rank the front well.
    if (show.front.length >= 4) expect(Number(check?.[2])).toBeGreaterThan(0.5);

    const rep = runCli(['report', 'q', '--results', results]);
    expect(rep.code).toBe(0);
    const html = checkReport(path.join(results, 'q', 'report'), ['pareto', 'hypervolume', 'predicted-vs-true', 'breakdown']);
    expect(html).toContain('PROXY');

    // Every exported front model loads in ONNX Runtime and gives logits of the declared shape.
    const exported = path.join(dir, 'export');
    expect(runCli(['export', 'q', '--results', results, '--out', exported, '--format', 'onnx']).code).toBe(0);
    const index = JSON.parse(fs.readFileSync(path.join(exported, 'index.json'), 'utf8')) as { models: { dir: string; arch: string }[] };
    expect(index.models).toHaveLength(show.front.length);
    for (const m of index.models) {
      const session = await ort.InferenceSession.create(path.join(exported, m.dir, 'model.onnx'));
      const y = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 32 * 32).fill(0.5), [1, 3, 32, 32]) });
      expect(y.logits.dims).toEqual([1, 10]);
      expect([...(y.logits.data as Float32Array)].every(Number.isFinite)).toBe(true);
      await session.release();
      expect(fs.existsSync(path.join(exported, m.dir, 'model.json'))).toBe(false);
    }
  }, 120_000);
});
