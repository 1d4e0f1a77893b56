#!/usr/bin/env node
// Entry point installed as `hwnas`; the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('hwnas: dist/ is missing; run `npm install` (or `npm run build`) first');
    process.exit(1);
  }
  throw err;
});
