// A saved predictor is a folder whose `predictor.json` names its `kind` (the registry dispatches on it); learned
// weights sit beside it in the nn tensor file format (src/nn/tensor-file.ts).

/** The manifest file every saved predictor has. */
export const PREDICTOR_MANIFEST = 'predictor.json';
