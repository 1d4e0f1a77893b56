// docs/cli.md and docs/config.md are generated from the yargs tree and the zod schemas: a changed flag or field
// without a regenerated reference fails here.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('generated references', () => {
  it('docs/cli.md and docs/config.md match the code (else: run `npm run docs:gen`)', () => {
    let failure = '';
    try {
      execFileSync(process.execPath, [path.join(root, 'scripts', 'docs-gen.mjs'), '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      failure = String((err as { stderr?: string }).stderr || (err as Error).message);
    }
    expect(failure, failure).toBe('');
  });
});
