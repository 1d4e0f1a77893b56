// The one file format for learned weights: a JSON manifest (format name, version, the caller's metadata and a table
// of named tensors) beside a binary file of little-endian float32 values, so a file can be read without running code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFileError } from '../core/errors.js';

/** A named float32 tensor, row-major. */
export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** What a manifest holds besides its tensor table: the caller's format name and version, and any JSON metadata. */
export interface TensorFileHeader {
  /** e.g. `hwnas-nasflat`: what the file holds, checked on read. */
  format: string;
  /** Bumped by the caller whenever what it saves changes; a reader names the versions it accepts. */
  version: number;
  [field: string]: unknown;
}

/** The manifest's `weights` field: where the binary is and where each tensor lies in it. */
interface TensorTable {
  /** File name of the binary, relative to the manifest. */
  file: string;
  dtype: 'float32';
  littleEndian: true;
  tensors: { name: string; shape: number[]; /** In floats. */ offset: number }[];
}

const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join('×')}]`;
}

/** `<manifest minus .json>.bin`, beside the manifest. */
function defaultWeightsFile(manifestFile: string): string {
  return path.basename(manifestFile).replace(/\.json$/, '') + '.bin';
}

/**
 * Write `header` plus a tensor table to `manifestFile` (JSON) and the tensors back to back to `weightsFile` beside it
 * (default: the manifest's name with `.bin`). The manifest's folder is created if needed.
 */
export function writeTensorFile(
  manifestFile: string,
  header: TensorFileHeader,
  tensors: readonly NamedTensor[],
  weightsFile = defaultWeightsFile(manifestFile),
): void {
  const table: TensorTable = { file: weightsFile, dtype: 'float32', littleEndian: true, tensors: [] };
  let size = 0;
  for (const t of tensors) {
    if (t.values.length !== sizeOf(t.shape))
      throw new RangeError(`tensor '${t.name}' has ${t.values.length} values for shape ${shapeText(t.shape)}`);
    table.tensors.push({ name: t.name, shape: [...t.shape], offset: size });
    size += t.values.length;
  }
  const all = new Float32Array(size);
  tensors.forEach((t, i) => all.set(t.values, table.tensors[i].offset));
  const bytes = Buffer.from(all.buffer);
  if (!LITTLE_ENDIAN_HOST) bytes.swap32();
  fs.mkdirSync(path.dirname(path.resolve(manifestFile)), { recursive: true });
  fs.writeFileSync(path.join(path.dirname(manifestFile), weightsFile), bytes);
  fs.writeFileSync(manifestFile, JSON.stringify({ ...header, weights: table }, null, 1) + '\n');
}

/** A manifest and its tensors as read by `readTensorFile`; `get` checks a tensor's presence and shape. */
export class TensorFile {
  constructor(
    /** The manifest's path, named in errors about its contents. */
    readonly file: string,
    readonly header: TensorFileHeader,
    /** The binary's path. */
    readonly weightsFile: string,
    private readonly tensors: ReadonlyMap<string, NamedTensor>,
  ) {}

  /** Tensor names in file order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** The tensor `name`, checked against `shape` when given. @throws DataFileError naming the manifest when missing or of another shape */
  get(name: string, shape?: readonly number[]): NamedTensor {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) throw new DataFileError(this.file, 0, `no tensor '${name}'`);
    if (shape !== undefined && (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])))
      throw new DataFileError(this.file, 0, `tensor '${name}' is ${shapeText(tensor.shape)}, expected ${shapeText(shape)}`);
    return tensor;
  }
}

/**
 * Read what `writeTensorFile` wrote, checking the format name, the version, the tensor table and that the binary
 * holds exactly the floats the table describes.
 * @throws DataFileError naming the file and the reason: unreadable, not JSON, another format or version, a malformed
 *   table, a missing, truncated or overlong binary
 */
export function readTensorFile(manifestFile: string, format: string, version: number | readonly number[]): TensorFile {
  const versions = typeof version === 'number' ? [version] : version;
  let manifest: Partial<TensorFileHeader> & { weights?: Partial<TensorTable> };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as typeof manifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(manifestFile, 0, code !== undefined ? `cannot read (${code})` : `invalid JSON: ${(err as Error).message}`);
  }
  if (manifest?.format !== format)
    throw new DataFileError(manifestFile, 0, `expected format '${format}', found '${String(manifest?.format)}'`, 'format');
  if (!versions.includes(manifest.version as number))
    throw new DataFileError(
      manifestFile,
      0,
      `unsupported version ${String(manifest.version)} of ${format} (this hwnas reads ${versions.join(', ')})`,
      'version',
    );
  const table = manifest.weights;
  if (typeof table?.file !== 'string' || !Array.isArray(table.tensors) || table.dtype !== 'float32' || table.littleEndian !== true)
    throw new DataFileError(manifestFile, 0, 'no tensor table (weights: {file, dtype float32, littleEndian, tensors})', 'weights');
  let needed = 0;
  const seen = new Set<string>();
  for (const [i, entry] of table.tensors.entries()) {
    const valid =
      typeof entry?.name === 'string' &&
      Array.isArray(entry.shape) &&
      entry.shape.every((d) => Number.isInteger(d) && d >= 0) &&
      Number.isInteger(entry.offset) &&
      entry.offset >= 0;
    if (!valid) throw new DataFileError(manifestFile, 0, `tensor table entry ${i} is not {name, shape, offset}`, 'weights');
    if (seen.has(entry.name)) throw new DataFileError(manifestFile, 0, `tensor '${entry.name}' is listed twice`, 'weights');
    seen.add(entry.name);
    needed = Math.max(needed, entry.offset + sizeOf(entry.shape));
  }
  const weightsFile = path.join(path.dirname(manifestFile), table.file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(weightsFile);
  } catch (err) {
    throw new DataFileError(weightsFile, 0, `cannot read weights (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (bytes.length !== needed * 4) {
    const what = bytes.length < needed * 4 ? 'truncated' : 'longer than its tensor table says';
    throw new DataFileError(weightsFile, 0, `${what}: ${bytes.length} bytes, ${path.basename(manifestFile)} describes ${needed * 4}`);
  }
  const all = new Float32Array(needed);
  if (LITTLE_ENDIAN_HOST) new Uint8Array(all.buffer).set(bytes);
  else for (let i = 0; i < needed; i++) all[i] = bytes.readFloatLE(i * 4);
  const tensors = new Map<string, NamedTensor>();
  for (const { name, shape, offset } of table.tensors)
    tensors.set(name, { name, shape, values: all.slice(offset, offset + sizeOf(shape)) });
  const { weights: _table, ...header } = manifest;
  return new TensorFile(manifestFile, header as TensorFileHeader, weightsFile, tensors);
}
