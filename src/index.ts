// The public API of hwnas. Everything exported here is documented in the README.
export * from './core/errors.js';
export { Rng } from './core/rng.js';
export { Registry } from './core/registry.js';
export { initBackend, currentBackend, BACKEND_NAMES, type BackendInfo, type BackendName } from './core/backend.js';
export { readCsv, toCsv, type CsvTable } from './core/csv.js';
export { loadExperimentConfig, experimentSchema, type ExperimentConfig } from './core/config/schema.js';
export { validate } from './core/config/validate.js';
export type { SearchSpace, Layer, LayerOrigin, InputShape, OpGraph } from './spaces/types.js';
export { getSpace, resolveInput, spaceRegistry } from './spaces/registry.js';
export { total as totalOf } from './spaces/layers.js';
