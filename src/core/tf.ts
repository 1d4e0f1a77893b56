// TF.js, loaded by `require`. Node's `import` of a CommonJS package first scans the whole file for its export
// names, and the TF.js bundles are megabytes: loading tfjs and its wasm backend took 0.65–0.72 s by `import` and
// 0.23–0.28 s by `require` (three runs each). Every CLI command that computes pays it once, so hwnas code takes TF.js
// from here; `import type` of '@tensorflow/tfjs' is free and stays where types are needed.
import { createRequire } from 'node:module';
import type * as Tfjs from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/** The `@tensorflow/tfjs` module (one instance: `import` elsewhere, e.g. in tests, shares Node's module cache). */
export const tf = require('@tensorflow/tfjs') as typeof Tfjs;
