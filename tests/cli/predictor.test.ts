// `hwnas predictor …` end to end as a subprocess: pretrain → fit → eval --json → predict, and one-line errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { loadLatencyTable } from '../../src/data/latency.js';
import { runCli } from '../helpers/cli.js';
import { dataFile, describeWithData } from '../helpers/data.js';

describeWithData('hwnas predictor', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-predictor-cli-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const table = loadLatencyTable(dataFile('help/fbnet_latency.csv'), { devices: ['fpga'] });
  const archs = Rng.derive(0, 'cli-test').sample(table.archs, 220);
  const csv = (list: string[]) => 'arch,latency_ms\n' + list.map((a) => `${a},${table.latency('fpga', a)}`).join('\n') + '\n';
  fs.writeFileSync(path.join(tmp, 'few.csv'), csv(archs.slice(0, 20)));
  fs.writeFileSync(path.join(tmp, 'held.csv'), csv(archs.slice(20)));
  fs.writeFileSync(path.join(tmp, 'archs.txt'), '# three archs\n' + archs.slice(20, 23).join('\n') + '\n');
  const config = path.join(tmp, 'pretrain.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      name: 'cli-test',
      space: { name: 'fbnet' },
      predictor: {
        kind: 'nasflat',
        latencies: dataFile('help/fbnet_latency.csv'),
        splits: dataFile('nasflat/device_task_splits.json'),
        task: '0',
      },
    }),
  );
  const pre = path.join(tmp, 'pre');
  const board = path.join(tmp, 'board');

  it('pretrains, fits from a measurements CSV, evaluates and predicts', () => {
    const pretrain = runCli([
      'predictor',
      'pretrain',
      '--config',
      config,
      '--kind',
      'ridge-sources',
      '--devices',
      'silver_4114,pixel3,samsung_s7',
      '--out',
      pre,
      '--quiet',
    ]);
    expect(pretrain.stderr).toBe('');
    expect(pretrain.code).toBe(0);
    expect(pretrain.stdout).toMatch(/saved ridge-sources predictor \(fbnet, sources silver_4114, pixel3, samsung_s7\)/);

    const fit = runCli([
      'predictor',
      'fit',
      '--predictor',
      pre,
      '--device',
      'my-fpga',
      '--measurements',
      path.join(tmp, 'few.csv'),
      '--out',
      board,
      '--quiet',
    ]);
    expect(fit.code).toBe(0);
    expect(fit.stdout).toMatch(/fitted ridge-sources to 'my-fpga' on 20 measurements/);

    const evaluation = runCli([
      'predictor',
      'eval',
      '--predictor',
      board,
      '--device',
      'my-fpga',
      '--measurements',
      path.join(tmp, 'held.csv'),
      '--json',
      '--quiet',
    ]);
    expect(evaluation.code).toBe(0);
    const metrics = JSON.parse(evaluation.stdout);
    expect(Object.keys(metrics).sort()).toEqual(['kendall', 'mape', 'n', 'rmse', 'spearman', 'topkSlowdown', 'within10pct']);
    expect(metrics.n).toBe(200);
    expect(metrics.spearman).toBeGreaterThan(0.5);
    expect(metrics.kendall).toBeLessThan(metrics.spearman);

    const out = path.join(tmp, 'preds.csv');
    const predict = runCli([
      'predictor',
      'predict',
      '--predictor',
      board,
      '--device',
      'my-fpga',
      '--archs',
      path.join(tmp, 'archs.txt'),
      '--out',
      out,
      '--quiet',
    ]);
    expect(predict.code).toBe(0);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('arch,latency_ms,lower_ms,upper_ms');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(archs.slice(20, 23));
    for (const l of lines.slice(1)) {
      const [, ms, lower, upper] = l.split(',').map(Number);
      expect(ms).toBeGreaterThan(0);
      expect(lower).toBeLessThan(ms);
      expect(upper).toBeGreaterThan(ms);
    }
  });

  it('fails with one line naming the fitted devices for an unknown device', () => {
    const r = runCli([
      'predictor',
      'eval',
      '--predictor',
      board,
      '--device',
      'nope',
      '--measurements',
      path.join(tmp, 'held.csv'),
      '--json',
    ]);
    expect(r.code).not.toBe(0);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.includes('unknown device')),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown device 'nope' \(known: my-fpga\)/);
  });

  it('lists every predictor method', () => {
    const r = runCli(['predictor', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((m: { name: string }) => m.name)).toEqual(
      expect.arrayContaining(['flops', 'lookup-table', 'mlp', 'best-source', 'ridge-sources', 'help-style']),
    );
  });
});
