// @ts-check
// Shared by the dashboard benchmark and the docs screenshots: a generated NB201 accuracy table and a
// `hwnas dashboard` subprocess on a free port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { toCsv } from '../dist/core/csv.js';
import { Rng } from '../dist/core/rng.js';
import { total } from '../dist/spaces/layers.js';
import { getSpace } from '../dist/spaces/registry.js';

/**
 * Write `arch_str,acc` for every NB201 arch: a smooth function of FLOPs plus noise seeded by `label`.
 * @param {string} file
 * @param {string} label
 */
export function writeNb201Accuracy(file, label) {
  const space = getSpace('nb201');
  const input = space.defaultInput('cifar10');
  const rows = (space.enumerate?.() ?? []).map((arch) => {
    const flopsM = total(space.layers(arch, input), 'flops') / 1e6;
    return [arch, (50 + 40 * (1 - Math.exp(-flopsM / 60)) + 3 * Rng.derive(7, label, arch).normal()).toFixed(4)];
  });
  fs.writeFileSync(file, toCsv(['arch_str', 'acc'], rows));
}

/**
 * Start `hwnas dashboard --port 0 …args`; resolves to { url, server } once it prints its URL.
 * @param {string} bin
 * @param {string[]} args
 * @param {string} [cwd]
 * @returns {Promise<{ url: string, server: import('node:child_process').ChildProcess }>}
 */
export function startDashboard(bin, args, cwd) {
  const server = spawn(process.execPath, [bin, 'dashboard', '--port', '0', ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ url: m[1], server });
    });
    server.on('exit', (code) => reject(new Error(`dashboard exited with ${code}`)));
  });
}
