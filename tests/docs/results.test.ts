// docs/results.md is generated from the benchmark JSON committed in results/bench/: a changed JSON (or generator)
// without a regenerated page fails here.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('generated results page', () => {
  it('docs/results.md matches results/bench/*.json (else: run `npm run docs:results`)', () => {
    let failure = '';
    try {
      execFileSync(process.execPath, [path.join(root, 'scripts', 'results-gen.mjs'), '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      failure = String((err as { stderr?: string }).stderr || (err as Error).message);
    }
    expect(failure, failure).toBe('');
  });
});
