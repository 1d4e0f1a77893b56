// The public API of hwnas. Everything exported here is documented in the README.
export * from './core/errors.js';
export { Rng } from './core/rng.js';
export { Registry } from './core/registry.js';
export { initBackend, currentBackend, BACKEND_NAMES, type BackendInfo, type BackendName } from './core/backend.js';
export { readCsv, toCsv, type CsvTable } from './core/csv.js';
export { loadExperimentConfig, experimentSchema, type ExperimentConfig } from './core/config/schema.js';
export { validate } from './core/config/validate.js';
export type { SearchSpace, ArchChoices, Layer, LayerOrigin, LayerGraph, InputShape, OpGraph } from './spaces/types.js';
export { choiceMoves } from './spaces/choices.js';
export { buildTfModel } from './spaces/tfjs-model.js';
export {
  archToOnnx,
  onnxFromGraph,
  readOnnxSummary,
  samePadding,
  ONNX_OPSET,
  ONNX_INPUT,
  ONNX_OUTPUT,
  type OnnxModelInfo,
} from './formats/onnx.js';
export {
  importModel,
  importModelFile,
  detectModelFormat,
  syntheticOnnxChain,
  ONNX_OPS,
  TFJS_LAYERS,
  MODEL_FORMATS,
  type ImportedModel,
  type ModelFormat,
} from './formats/import/index.js';
export { getSpace, resolveInput, spaceRegistry } from './spaces/registry.js';
export { total as totalOf } from './spaces/layers.js';
export { defaultDataDir, dataPath, DATA_FILES } from './data/paths.js';
export { loadLatencyTable, type LatencyTable, type LatencyLoadOptions } from './data/latency.js';
export { loadAccuracyTable, type AccuracyTable, type Coverage } from './data/accuracy.js';
export { loadZcpTable, ZCP_NAMES, type ZcpTable } from './data/zcp.js';
export { loadDeviceTaskSplits, loadHelpMeta, type DeviceTask, type HelpMeta } from './data/splits.js';
export type { Canonicaliser } from './data/keys.js';
export { FBNET_OPS, FBNET_BLOCKS } from './spaces/fbnet/arch.js';
export { NB201_OPS, NB201_EDGES, parseNb201, formatNb201 } from './spaces/nb201/arch.js';
export { torchstatFlops as fbnetTorchstatFlops } from './spaces/fbnet/macro.js';
export type {
  Device,
  SyncDevice,
  LatencyRecord,
  DeviceProfile,
  SimulatedProfile,
  TableProfile,
  HostProfile,
  OnnxRuntimeProfile,
  Precision,
} from './hardware/types.js';
export { isSyncDevice } from './hardware/types.js';
export { deviceProfileSchema, PROFILE_SCHEMA_VERSION } from './hardware/schema.js';
export {
  getDevice,
  getProfile,
  listDevices,
  loadProfile,
  deviceFromProfile,
  resolveDevicesDir,
  BUILTIN_PROFILES,
} from './hardware/registry.js';
export { simulateArch, simulateLayers, simulateLayer, type LayerCost, type SimLayer } from './hardware/simulator.js';
export { SimulatedDevice } from './hardware/simulated.js';
export { TableDevice } from './hardware/table.js';
export { HostDevice, measureHost, type HostMeasureOptions } from './hardware/host.js';
export { OnnxRuntimeDevice, measureOnnxRuntime, measureOnnxFile, loadOrt } from './hardware/onnxruntime.js';
export { timeRepeats, type MeasuringDevice, type RuntimeMeasurement, type TimingOptions, type MeasureOptions } from './hardware/timing.js';
export { readMeasurements, MEASUREMENTS_FORMAT, type Measurement } from './hardware/measurements.js';
export { createLatencyScorer } from './hardware/fast.js';
export { profileArch, profileModel, profileLayers, type ProfileReport, type LayerRow, type WhatIfResult } from './hardware/breakdown.js';
export { parseWhatIfs, applyWhatIfs, type WhatIf } from './hardware/whatif.js';
export { calibrateProfile, fitQuality, splitMeasurements, type CalibrationReport, type FitQuality } from './hardware/calibrate.js';
export { predictorRegistry, getPredictorMethod, loadPredictor, type PredictorMethod, type BuildContext } from './predictors/registry.js';
export {
  runTransfer,
  randomSamples,
  sourceLatencies,
  type TransferSetup,
  type TransferRecord,
  type TransferResult,
  type SampleChooser,
} from './predictors/transfer/harness.js';
export { buildTransferSetup, type TransferOverrides } from './predictors/transfer/setup.js';
export { summariseTransfer, transferTable, writeTransferReport, type TransferSummary } from './predictors/transfer/report.js';
export { ArchFeatures } from './predictors/baselines/features.js';
export { predictorSection, transferSection, type PredictorConfig, type TransferConfig } from './core/config/predictor.js';
export { dominates, paretoFront, nondominatedRanks, crowdingDistance, hypervolume, type Point } from './search/pareto.js';
export { resolveObjectives, isFeasible, paretoTrials, referencePoint, frontHypervolume, hypervolumeTrace } from './search/objectives.js';
export type {
  Trial,
  EvaluatedTrial,
  TrialMetrics,
  MetricSources,
  Objective,
  SearchStrategy,
  StrategyFactory,
  ProposeContext,
} from './search/types.js';
export { strategyRegistry, createStrategy } from './search/strategies/registry.js';
export { RunStore, listRunDirs, resolveRunDir, type RunMeta, type TrialResult } from './search/store.js';
export { runLoop, proposeBatch, type SearchPlan } from './search/loop.js';
export { buildEvaluator, type Evaluator, type Evaluation } from './search/evaluate.js';
export { startSearch, resumeSearch, type SearchOutcome, type SearchOptions, type Verification } from './search/run.js';
export { summariseRun, formatFront, type RunSummary, type FrontRow } from './search/summary.js';
export { exportRun, type ExportSpec, type ExportEntry } from './search/export.js';
export { writeReport, renderSvg, type ReportView } from './search/report.js';
export { registerFileIO, fileSaveHandler, fileLoadHandler } from './formats/tfjs-file-io.js';
export { deviceSection, latencySection, accuracySection, withSearchDefaults } from './core/config/search.js';
export type { Encoder, Sampler, SampleRequest } from './encodings/types.js';
export { encoderRegistry } from './encodings/registry.js';
export { samplerRegistry } from './encodings/samplers.js';
export { EncodingCache, defaultCachePath, type CachedEncodeOptions } from './encodings/cache.js';
export { readArchPool, spacePool } from './encodings/pool.js';
export { kmeans } from './encodings/samplers.js';
export { standardise } from './encodings/matrix.js';
