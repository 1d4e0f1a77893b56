// `hwnas transfer` as a subprocess on FBNet task 0 with fast methods: table on stdout, CSV/JSON/Markdown on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dataFile, describeWithData } from '../helpers/data.js';

describeWithData('hwnas transfer', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-transfer-cli-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, space: string, task: string, latencies: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: name.replace('.json', ''),
        space: { name: space },
        transfer: { latencies: dataFile(latencies), splits: dataFile('nasflat/device_task_splits.json'), task },
      }),
    );
    return file;
  };

  it('prints the table (targets + mean) and writes table.csv, records.csv, table.md and transfer.json', () => {
    const config = write('fd.json', 'fbnet', '0', 'help/fbnet_latency.csv');
    const out = path.join(tmp, 'out');
    const r = runCli([
      'transfer',
      '--config',
      config,
      '--methods',
      'flops,ridge-sources',
      '--seeds',
      '0',
      '--samples',
      '5,10',
      '--max-eval',
      '300',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // The zero-shot proxies (no measurement) are scored beside the methods on the same archs.
    expect(
      lines.some((l) =>
        /^target\s+zero-shot:flops@5\s+zero-shot:flops@10\s+zero-shot:params@5\s+zero-shot:params@10\s+zero-shot:non-skip@5\s+zero-shot:non-skip@10\s+flops@5\s+flops@10\s+ridge-sources@5\s+ridge-sources@10$/.test(
          l,
        ),
      ),
    ).toBe(true);
    for (const row of ['fpga', 'raspi4', 'eyeriss', 'mean']) expect(lines.some((l) => l.startsWith(row + ' '))).toBe(true);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'transfer.json'), 'utf8'));
    expect(report.records).toHaveLength(3 * 2 * (2 + 3));
    expect(report.records.every((x: { nEval: number }) => x.nEval === 300)).toBe(true);
    expect(report.config.transfer.sources).toHaveLength(9);
    expect(fs.readFileSync(path.join(out, 'table.csv'), 'utf8').split('\n')[0]).toBe(
      'target,zero-shot:flops@5,zero-shot:flops@10,zero-shot:params@5,zero-shot:params@10,zero-shot:non-skip@5,zero-shot:non-skip@10,flops@5,flops@10,ridge-sources@5,ridge-sources@10',
    );
    expect(fs.readFileSync(path.join(out, 'records.csv'), 'utf8').trim().split('\n')).toHaveLength(31);
    expect(fs.readFileSync(path.join(out, 'table.md'), 'utf8')).toMatch(/\| mean \| 0\.\d{3} \|/);
  });

  it('refuses an NB201 task whose devices are not in the data', () => {
    const config = write('n1.json', 'nb201', '1', 'help/nb201_latency.csv');
    const r = runCli(['transfer', '--config', config, '--methods', 'flops']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/transfer\.task: nb201 task 1 is not reproducible with this data/);
  });
});
