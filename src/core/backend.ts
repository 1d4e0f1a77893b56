// TF.js backend selection: the only file that knows about backend packages (loaded by `require`, as core/tf.ts says why).
// Preference: tensorflow (tfjs-node, optional) > wasm > cpu; `--backend` forces one.
// tfjs is imported lazily so commands that never compute (config check, --help) start fast.
import type * as tfjs from '@tensorflow/tfjs';
import type * as TfjsWasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { HwnasError } from './errors.js';

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a run records about the numeric backend it used. */
export interface BackendInfo {
  name: BackendName;
  tfjsVersion: string;
  /** Why this backend was chosen ("forced" or the reasons earlier preferences were skipped). */
  reason: string;
  /** Threads the backend computes with: the wasm thread pool, 1 for cpu, the cores for tfjs-node. */
  threads: number;
}

const require = createRequire(import.meta.url);

type Tf = typeof tfjs;

/** `@tensorflow/tfjs-backend-wasm` (registers the 'wasm' backend when first loaded). */
const wasmBackend = (): typeof TfjsWasm => require('@tensorflow/tfjs-backend-wasm') as typeof TfjsWasm;

async function tryTensorflow(tf: Tf): Promise<string | undefined> {
  try {
    // tfjs-node registers the 'tensorflow' backend on import; it is optional and often absent offline.
    require('@tensorflow/tfjs-node');
    return (await tf.setBackend('tensorflow')) ? undefined : 'tfjs-node did not initialise';
  } catch (err) {
    return `tfjs-node not available (${(err as Error).message.split('\n')[0]})`;
  }
}

async function tryWasm(tf: Tf): Promise<string | undefined> {
  try {
    const { setWasmPaths } = wasmBackend();
    const wasmFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    setWasmPaths(path.dirname(wasmFile) + path.sep);
    if (!(await tf.setBackend('wasm'))) return 'wasm backend did not initialise';
    (await import('./wasm-gradients.js')).registerWasmGradientKernels(tf);
    return undefined;
  } catch (err) {
    return `wasm not available (${(err as Error).message.split('\n')[0]})`;
  }
}

async function threadsOf(name: BackendName): Promise<number> {
  if (name === 'cpu') return 1;
  if (name === 'wasm') return wasmBackend().getThreadsCount();
  return os.cpus().length;
}

let selected: BackendInfo | undefined;

/**
 * Initialise the tfjs engine with the fastest available backend, or the one forced by `preferred`.
 * Idempotent: later calls return the first choice unless a different backend is forced.
 * @throws HwnasError when a forced backend cannot be initialised
 */
export async function initBackend(preferred?: BackendName): Promise<BackendInfo> {
  if (selected && (preferred === undefined || preferred === selected.name)) return selected;
  const { tf } = await import('./tf.js');
  const attempts: Record<BackendName, () => Promise<string | undefined>> = {
    tensorflow: () => tryTensorflow(tf),
    wasm: () => tryWasm(tf),
    cpu: async () => ((await tf.setBackend('cpu')) ? undefined : 'cpu backend did not initialise'),
  };
  if (preferred !== undefined) {
    const failure = await attempts[preferred]();
    if (failure !== undefined) throw new HwnasError(`--backend ${preferred}: ${failure}`);
    selected = { name: preferred, tfjsVersion: tf.version.tfjs, reason: 'forced', threads: await threadsOf(preferred) };
    return selected;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const failure = await attempts[name]();
    if (failure === undefined) {
      selected = {
        name,
        tfjsVersion: tf.version.tfjs,
        reason: skipped.length ? skipped.join('; ') : 'first preference',
        threads: await threadsOf(name),
      };
      return selected;
    }
    skipped.push(failure);
  }
  throw new HwnasError(`no tfjs backend could be initialised: ${skipped.join('; ')}`);
}

/** The backend chosen by `initBackend`, or undefined before it ran. */
export function currentBackend(): BackendInfo | undefined {
  return selected;
}
