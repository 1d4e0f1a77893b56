// The `arch2vec` encoder: each arch's mean node latent from the space's trained Arch2Vec model (shipped weights
// under models/encoders by default; `hwnas encoders train arch2vec` makes new ones).
import type { SearchSpace } from '../spaces/types.js';
import { TrainedModels, type LearnedEncoder } from './arch2vec-cate-weights.js';
import { ARCH2VEC_VERSION, Arch2VecModel } from './arch2vec-model.js';

/** Arch2Vec as an encoder. `weightsFiles` maps a space name to a weights JSON replacing the shipped one. */
export function createArch2VecEncoder(weightsFiles: Readonly<Record<string, string>> = {}): LearnedEncoder<Arch2VecModel> {
  const models = new TrainedModels('arch2vec', (space, file) => Arch2VecModel.load(space, file), weightsFiles);
  return {
    name: 'arch2vec',
    description: 'Arch2Vec graph-VAE latent (GIN encoder, mean of node latents), trained unsupervised on the space',
    needsTraining: true,
    models,
    /** Whether weights exist for the space (else encoding fails with the command that trains them). */
    isAvailableFor: (space: SearchSpace) => models.isTrained(space),
    /** Length of the vectors: the trained model's latent dimension. */
    dimension: (space: SearchSpace) => models.model(space).config.latentDim,
    /** Model version and weight fingerprint: a retrained model never reuses cached vectors. */
    version: (space: SearchSpace) => `${ARCH2VEC_VERSION}-${models.fingerprint(space)}`,
    encode: (space: SearchSpace, archs: readonly string[]) => models.model(space).encode(archs),
  };
}
