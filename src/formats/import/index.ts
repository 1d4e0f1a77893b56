// Bring your own model: an ONNX file or a TF.js LayersModel (model.json) read into hwnas' layer list, with shape
// inference re-run for any batch size and resolution. The format is told by the content, not the file name.
import fs from 'node:fs';
import { ModelFileError } from '../../core/errors.js';
import { importedModel } from './graph.js';
import { readOnnx } from './onnx.js';
import { readTfjs } from './tfjs.js';
import type { ImportedModel, ModelFormat } from './types.js';

export type { ImportedModel, ModelFormat } from './types.js';
export { MODEL_FORMATS } from './types.js';
export { ONNX_OPS } from './onnx.js';
export { TFJS_LAYERS } from './tfjs.js';
export { syntheticOnnxChain } from './synthetic.js';

/** `tfjs` for JSON text (a model.json), else `onnx` (a protobuf ModelProto). */
export function detectModelFormat(bytes: Uint8Array): ModelFormat {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b ? 'tfjs' : 'onnx';
}

/**
 * Read a model from its bytes; `fileName` names it in messages and gives its default name.
 * @throws ModelFileError for a foreign, truncated or malformed file, UnsupportedOpError for an op without a cost
 *   rule (both name the file, and the node where one is at fault)
 */
export function importModel(bytes: Uint8Array, fileName: string): ImportedModel {
  if (bytes.length === 0) throw new ModelFileError(fileName, 'the file is empty');
  const graph = detectModelFormat(bytes) === 'tfjs' ? readTfjs(bytes, fileName) : readOnnx(bytes, fileName);
  return importedModel(graph);
}

/** `importModel` of a file. @throws ModelFileError when it cannot be read, and as `importModel` */
export function importModelFile(file: string): ImportedModel {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder (give the model.onnx or model.json in it)'
          : `cannot be read (${code ?? (err as Error).message})`;
    throw new ModelFileError(file, reason);
  }
  return importModel(bytes, file);
}
