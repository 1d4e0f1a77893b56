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
export { defaultDataDir, dataPath, DATA_FILES } from './data/paths.js';
export { loadLatencyTable, type LatencyTable, type LatencyLoadOptions } from './data/latency.js';
export { loadAccuracyTable, type AccuracyTable, type Coverage } from './data/accuracy.js';
export { loadZcpTable, ZCP_NAMES, type ZcpTable } from './data/zcp.js';
export { loadDeviceTaskSplits, loadHelpMeta, type DeviceTask, type HelpMeta } from './data/splits.js';
export type { Canonicaliser } from './data/keys.js';
export { FBNET_OPS, FBNET_BLOCKS } from './spaces/fbnet/arch.js';
export { torchstatFlops as fbnetTorchstatFlops } from './spaces/fbnet/macro.js';
