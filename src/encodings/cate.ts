// The `cate` encoder: each arch's mean-pooled transformer hidden state from the space's pretrained CATE model
// (shipped weights under models/encoders by default; `hwnas encoders train cate` makes new ones).
import type { SearchSpace } from '../spaces/types.js';
import { TrainedModels, type LearnedEncoder } from './arch2vec-cate-weights.js';
import { CATE_VERSION, CateModel } from './cate-model.js';

/** CATE as an encoder. `weightsFiles` maps a space name to a weights JSON replacing the shipped one. */
export function createCateEncoder(weightsFiles: Readonly<Record<string, string>> = {}): LearnedEncoder<CateModel> {
  const models = new TrainedModels('cate', (space, file) => CateModel.load(space, file), weightsFiles);
  return {
    name: 'cate',
    description: 'CATE transformer embedding (mean hidden state), pretrained by masked-op prediction on FLOPs-similar pairs',
    needsTraining: true,
    models,
    /** Whether weights exist for the space (else encoding fails with the command that trains them). */
    isAvailableFor: (space: SearchSpace) => models.isTrained(space),
    /** Length of the vectors: the trained model's embedding dimension. */
    dimension: (space: SearchSpace) => models.model(space).config.embeddingDim,
    /** Model version and weight fingerprint: a retrained model never reuses cached vectors. */
    version: (space: SearchSpace) => `${CATE_VERSION}-${models.fingerprint(space)}`,
    encode: (space: SearchSpace, archs: readonly string[]) => models.model(space).encode(archs),
  };
}
