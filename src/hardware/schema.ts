// The device profile JSON schema (versioned): what a simulated, measured-table, host or onnxruntime device is made of.
import { z } from 'zod';
import { BACKEND_NAMES } from '../core/backend.js';
import { queueSettings } from '../core/config/executor.js';
import { MAX_BATCH_SIZE, MAX_RESOLUTION, MIN_RESOLUTION } from '../core/config/space.js';

/** The profile schema this version of hwnas reads and writes. */
export const PROFILE_SCHEMA_VERSION = 1;

export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Op classes that carry their own efficiency factor in a simulated profile. */
export const OP_CLASSES = ['conv', 'pointwise', 'depthwise', 'fc', 'elementwise', 'pool'] as const;
export type OpClass = (typeof OP_CLASSES)[number];

/** Device names are what users type after `--device` and become file and queue names. */
export const DEVICE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const DEVICE_NAME_RULE = 'must be 1–64 lower-case letters, digits, ".", "_" or "-" (it becomes a file name)';

const positive = z.number().positive();
/** A rate (GFLOP/s, GB/s): below 1e-6 the simulated latencies overflow to Infinity. */
const rate = z.number().min(1e-6, 'must be at least 1e-6 (smaller rates make every latency infinite)').max(1e9);
const efficiency = z.number().positive().max(1);

const provenance = z
  .object({
    /** Public spec-sheet figures the numbers are based on, or the measurement that produced them. */
    source: z.string().min(1),
    runtime: z.string().optional(),
    precision: z.string().optional(),
    threads: z.number().int().positive().optional(),
    governor: z.string().optional(),
    notes: z.string().optional(),
    /** Written by `devices calibrate`: what the profile was fitted from and how well. */
    calibration: z
      .object({
        base: z.string(),
        baseVersion: z.number().int(),
        measurements: z.string(),
        trainRows: z.number().int(),
        heldOutRows: z.number().int(),
        before: z.record(z.string(), z.number()),
        after: z.record(z.string(), z.number()),
        date: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Measured latencies on reference archs (what a HELP-style hardware embedding uses). */
const reference = z
  .object({
    space: z.string().min(1),
    batchSize: z.number().int().positive().default(1),
    resolution: z.number().int().positive().optional(),
    latencies: z.array(z.object({ arch: z.string().min(1), latencyMs: positive }).strict()).min(1),
  })
  .strict();

const common = {
  schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
  /** The name users write (`--device mobile-cpu`): lower-case letters, digits, `.`, `_`, `-`. */
  name: z.string().regex(DEVICE_NAME, DEVICE_NAME_RULE),
  /** Profile version; calibration writes version + 1. */
  version: z.number().int().min(1).default(1),
  description: z.string().min(1),
  provenance,
  reference: reference.optional(),
};

export const simulatedSection = z
  .object({
    /** Peak arithmetic throughput per precision in GFLOP/s (1 multiply-accumulate = 2 FLOPs); absent = not accelerated. */
    peak: z.object({ fp32Gflops: rate, fp16Gflops: rate.optional(), int8Gops: rate.optional() }).strict(),
    /** Precision the deployed model runs at unless a what-if changes it. */
    defaultPrecision: z.enum(PRECISIONS).default('fp32'),
    memory: z
      .object({
        /** Off-chip (DRAM or host link) bandwidth, GB/s. */
        bandwidthGBs: rate,
        /** On-chip memory (cache/SRAM/global buffer) in KiB: a layer whose working set fits moves only its weights. */
        onChipKiB: z.number().min(0),
      })
      .strict(),
    /** Fraction of peak each op class reaches on a well-shaped layer, in (0, 1]. */
    efficiency: z
      .object({ conv: efficiency, pointwise: efficiency, depthwise: efficiency, fc: efficiency, elementwise: efficiency, pool: efficiency })
      .strict(),
    /**
     * Shape-dependent utilisation: channels are processed in tiles (vector lanes, systolic array rows/columns), so
     * channel counts that are not a multiple waste lanes; small layers cannot fill a parallel machine.
     */
    utilisation: z
      .object({
        inChannelTile: z.number().int().positive(),
        outChannelTile: z.number().int().positive(),
        /** Output elements at which a layer reaches half of its peak (0 = no parallelism penalty). */
        halfUtilOutputs: z.number().min(0),
      })
      .strict(),
    /** Fixed costs in microseconds: per executed layer (kernel launch, dispatch) and per inference. */
    overhead: z.object({ perLayerUs: z.number().min(0), perInferenceUs: z.number().min(0) }).strict(),
    /** `depthwise: false` = no depthwise acceleration: a depthwise conv uses one input-channel lane per tile. */
    support: z
      .object({ depthwise: z.boolean().default(true) })
      .strict()
      .prefault({}),
  })
  .strict();

export const tableSection = z
  .object({
    /** Wide latency CSV (e.g. ../shared/data/help/nb201_latency.csv); relative paths resolve against the profile file's folder. */
    file: z.string().min(1),
    /** Device column without its `_ms` suffix (e.g. `raspi4`). */
    column: z.string().min(1),
    space: z.string().min(1),
    batchSize: z.number().int().positive().max(MAX_BATCH_SIZE),
    resolution: z.number().int().min(MIN_RESOLUTION).max(MAX_RESOLUTION),
  })
  .strict();

/** `minRepeats` above `maxRepeats` can never be satisfied. */
const repeatsInOrder = (s: { minRepeats: number; maxRepeats: number }, ctx: z.RefinementCtx) => {
  if (s.minRepeats > s.maxRepeats)
    ctx.addIssue({ code: 'custom', path: ['minRepeats'], message: `must not exceed maxRepeats (${s.maxRepeats})`, input: s.minRepeats });
};

export const hostSection = z
  .object({
    /** TF.js backend; `auto` picks the fastest available. */
    backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
    warmup: z.number().int().min(0).default(3),
    /** Timed runs: at least `minRepeats`, then until `budgetMs` per arch or `maxRepeats`. */
    minRepeats: z.number().int().positive().default(5),
    maxRepeats: z.number().int().positive().default(50),
    budgetMs: positive.default(500),
  })
  .strict()
  .superRefine(repeatsInOrder);

/** Graph optimisation levels of ONNX Runtime's session options. */
export const ORT_GRAPH_OPTIMIZATIONS = ['disabled', 'basic', 'extended', 'all'] as const;

export const onnxruntimeSection = z
  .object({
    /** Threads inside one operator (ONNX Runtime `intra_op_num_threads`). */
    intraOpThreads: z.number().int().positive().default(1),
    /** Threads across operators; used only with `executionMode: parallel`. */
    interOpThreads: z.number().int().positive().default(1),
    graphOptimization: z.enum(ORT_GRAPH_OPTIMIZATIONS).default('all'),
    executionMode: z.enum(['sequential', 'parallel']).default('sequential'),
    warmup: z.number().int().min(0).default(5),
    /** Timed runs: at least `minRepeats`, then until `budgetMs` per arch or `maxRepeats`. */
    minRepeats: z.number().int().positive().default(10),
    maxRepeats: z.number().int().positive().default(200),
    budgetMs: positive.default(300),
  })
  .strict()
  .superRefine(repeatsInOrder);

/** Runtimes a measurement job can ask a worker for. */
export const JOB_RUNTIMES = ['onnxruntime', 'tfjs'] as const;

export const remoteSection = z
  .object({
    /** What the worker on the device measures with. */
    runtime: z.enum(JOB_RUNTIMES).default('onnxruntime'),
    /** Session settings and timing when `runtime` is onnxruntime. */
    onnxruntime: onnxruntimeSection.prefault({}),
    /** TF.js backend and timing when `runtime` is tfjs. */
    host: hostSection.prefault({}),
    ...queueSettings,
  })
  .strict();

export const deviceProfileSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('simulated'), simulated: simulatedSection }).strict(),
  z.object({ ...common, kind: z.literal('measured-table'), table: tableSection }).strict(),
  z.object({ ...common, kind: z.literal('host'), host: hostSection.prefault({}) }).strict(),
  z.object({ ...common, kind: z.literal('onnxruntime'), onnxruntime: onnxruntimeSection.prefault({}) }).strict(),
  z.object({ ...common, kind: z.literal('remote'), remote: remoteSection.prefault({}) }).strict(),
]);

export type DeviceProfile = z.output<typeof deviceProfileSchema>;
export type SimulatedProfile = Extract<DeviceProfile, { kind: 'simulated' }>;
export type TableProfile = Extract<DeviceProfile, { kind: 'measured-table' }>;
export type HostProfile = Extract<DeviceProfile, { kind: 'host' }>;
export type OnnxRuntimeProfile = Extract<DeviceProfile, { kind: 'onnxruntime' }>;
export type RemoteProfile = Extract<DeviceProfile, { kind: 'remote' }>;
export type SimulatedParams = SimulatedProfile['simulated'];
export const DEVICE_KINDS = ['simulated', 'measured-table', 'host', 'onnxruntime', 'remote'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
