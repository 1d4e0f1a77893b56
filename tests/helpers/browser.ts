// A real Chromium (Debian's, driven by playwright-core) and a real `hwnas dashboard` subprocess for UI tests.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from './cli.js';

/** Chromium to drive: $HWNAS_CHROMIUM, else Debian's (CI installs it in .ci/run). */
export const chromiumPath = process.env.HWNAS_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((f) => fs.existsSync(f));

/** Skip (with one line) or, under CI's HWNAS_REQUIRE_CHROMIUM=1, fail when Chromium is missing. */
export function browserAvailable(): boolean {
  if (chromiumPath !== undefined) return true;
  if (process.env.HWNAS_REQUIRE_CHROMIUM === '1')
    throw new Error('chromium is not installed but HWNAS_REQUIRE_CHROMIUM=1 (CI installs it in .ci/run)');
  console.warn('skipping dashboard browser tests: chromium is not installed (apt-get install chromium)');
  return false;
}

/** Headless Chromium with no network beyond loopback. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--no-first-run',
      '--no-default-browser-check',
    ],
  });
}

export interface DashboardProcess {
  url: string;
  child: ChildProcess;
  /** stderr so far (warnings, server errors). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Start `hwnas dashboard --port 0 …args` and wait for the URL it prints. */
export async function startDashboardProcess(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<DashboardProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hwnas.js'), 'dashboard', '--port', '0', ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dashboard did not start: ${stderr}`)), 30_000);
    child.stdout?.on('data', (d) => {
      stdout += d;
      const m = /(http:\/\/\S+\/)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dashboard exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
