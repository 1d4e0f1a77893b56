// TF.js's own LayersModel format on disk, which `export` writes beside ONNX: a `file://` IO handler (tfjs-node, which
// ships one, is not installed). `model.save` writes model.json + weights.bin; `tf.loadLayersModel` reads them back.
import fs from 'node:fs';
import path from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../core/tf.js';

const SCHEME = 'file://';
const WEIGHTS_FILE = 'weights.bin';

/** Save handler writing `<dir>/model.json` and `<dir>/weights.bin` (the layout tfjs-node's handler uses). */
export function fileSaveHandler(dir: string): Tf.io.IOHandler {
  return {
    async save(artifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('file:// handler saves JSON model topologies only');
      fs.mkdirSync(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: Tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      fs.writeFileSync(path.join(dir, WEIGHTS_FILE), Buffer.from(weightData));
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Load handler reading a `model.json` and the weight files its manifest names (paths relative to it). */
export function fileLoadHandler(modelJsonPath: string): Tf.io.IOHandler {
  return {
    async load() {
      const modelJson = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8')) as Tf.io.ModelJSON;
      const base = path.dirname(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) => group.paths.map((p) => new Uint8Array(fs.readFileSync(path.join(base, p))).buffer));
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

function stripScheme(url: string | string[]): string | undefined {
  const u = Array.isArray(url) ? url[0] : url;
  return typeof u === 'string' && u.startsWith(SCHEME) ? u.slice(SCHEME.length) : undefined;
}

/**
 * Route `file://` URLs of `model.save` and `tf.loadLayersModel` to the handlers above, unless a handler for the
 * scheme is already registered (e.g. by tfjs-node). Idempotent: tfjs's own router table is the only state.
 */
export function registerFileIO(): void {
  if (tf.io.getSaveHandlers(`${SCHEME}probe`).length > 0) return;
  // tfjs routers return null for URLs they do not handle, although the IORouter type does not say so.
  tf.io.registerSaveRouter(((url: string | string[]) => {
    const dir = stripScheme(url);
    return dir === undefined ? null : fileSaveHandler(dir);
  }) as Parameters<typeof tf.io.registerSaveRouter>[0]);
  tf.io.registerLoadRouter(((url: string | string[]) => {
    const file = stripScheme(url);
    return file === undefined ? null : fileLoadHandler(file);
  }) as Parameters<typeof tf.io.registerSaveRouter>[0]);
}
