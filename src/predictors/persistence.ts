// Saved learned predictors: a versioned JSON manifest (`predictor.json`) plus one binary file of named float32
// tensors described by the manifest (name, shape, offset), so a directory can be read without running any code.
import fs from 'node:fs';
import path from 'node:path';
import { DataFileError } from '../core/errors.js';

/** The manifest file every saved predictor has (the registry dispatches on its `kind`). */
export const PREDICTOR_MANIFEST = 'predictor.json';

/** A named float32 tensor. */
export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Where a tensor lives in the weights file. */
interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in floats. */
  offset: number;
}

/** Everything in `predictor.json` besides the tensor table. */
export interface SavedHeader {
  /** File format identifier, e.g. `hwnas-nasflat`. */
  format: string;
  version: number;
  /** Predictor registry name. */
  kind: string;
  [field: string]: unknown;
}

/** Write `header` and `tensors` to `dir` (created if needed): `predictor.json` + `<weightsFile>`. */
export function saveTensors(dir: string, header: SavedHeader, tensors: readonly NamedTensor[], weightsFile = 'weights.bin'): void {
  fs.mkdirSync(dir, { recursive: true });
  const entries: TensorEntry[] = [];
  let size = 0;
  for (const t of tensors) {
    entries.push({ name: t.name, shape: t.shape, offset: size });
    size += t.values.length;
  }
  const all = new Float32Array(size);
  tensors.forEach((t, i) => all.set(t.values, entries[i].offset));
  fs.writeFileSync(path.join(dir, weightsFile), Buffer.from(all.buffer));
  const manifest = { ...header, weights: { file: weightsFile, dtype: 'float32', littleEndian: true, tensors: entries } };
  fs.writeFileSync(path.join(dir, PREDICTOR_MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
}

/**
 * Read what `saveTensors` wrote, checking format and version.
 * @throws DataFileError for a missing file, another format, an unsupported version or a truncated weights file
 */
export function loadTensors(
  dir: string,
  format: string,
  version: number | readonly number[],
): { header: SavedHeader; tensors: Map<string, NamedTensor> } {
  const versions = typeof version === 'number' ? [version] : version;
  const file = path.join(dir, PREDICTOR_MANIFEST);
  let manifest: SavedHeader & { weights?: { file: string; tensors: TensorEntry[] } };
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof manifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      0,
      code !== undefined ? `cannot read saved predictor (${code})` : `invalid JSON: ${(err as Error).message}`,
    );
  }
  if (manifest.format !== format)
    throw new DataFileError(file, 0, `expected format '${format}', found '${String(manifest.format)}'`, 'format');
  if (!versions.includes(manifest.version))
    throw new DataFileError(
      file,
      0,
      `unsupported version ${String(manifest.version)} (this hwnas reads ${versions.join(', ')})`,
      'version',
    );
  if (manifest.weights === undefined) throw new DataFileError(file, 0, 'no weights table', 'weights');
  const weightsPath = path.join(dir, manifest.weights.file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(weightsPath);
  } catch (err) {
    throw new DataFileError(weightsPath, 0, `cannot read weights (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const tensors = new Map<string, NamedTensor>();
  for (const entry of manifest.weights.tensors) {
    const length = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.offset + length > all.length)
      throw new DataFileError(weightsPath, 0, `tensor '${entry.name}' runs past the end of the file (${all.length} floats)`);
    tensors.set(entry.name, { name: entry.name, shape: entry.shape, values: all.slice(entry.offset, entry.offset + length) });
  }
  return { header: manifest, tensors };
}
