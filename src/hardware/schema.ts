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
    /** Runtime the measurements were taken with (e.g. `onnxruntime 1.22.0`, `tflite`). */
    runtime: z.string().optional(),
    /** Precision the measured models ran at (e.g. `fp32`, `int8`). */
    precision: z.string().optional(),
    /** Threads the runtime used. */
    threads: z.number().int().positive().optional(),
    /** CPU frequency governor during the measurements (e.g. `performance`). */
    governor: z.string().optional(),
    /** Anything else a reader needs to reproduce the numbers. */
    notes: z.string().optional(),
    /** Written by `devices calibrate`: what the profile was fitted from and how well. */
    calibration: z
      .object({
        /** Name of the profile calibration started from. */
        base: z.string(),
        /** Its version. */
        baseVersion: z.number().int(),
        /** The measurements file it was fitted to. */
        measurements: z.string(),
        /** Rows the fit used. */
        trainRows: z.number().int(),
        /** Rows held out to score the fit. */
        heldOutRows: z.number().int(),
        /** Held-out agreement (e.g. MAPE, Spearman ρ) of the base profile. */
        before: z.record(z.string(), z.number()),
        /** Held-out agreement of the calibrated profile. */
        after: z.record(z.string(), z.number()),
        /** When it was calibrated (ISO 8601). */
        date: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Measured latencies on reference archs (what a HELP-style hardware embedding uses). */
const reference = z
  .object({
    /** Search space of the reference archs. */
    space: z.string().min(1),
    /** Batch size they were measured at. */
    batchSize: z.number().int().positive().default(1),
    /** Input resolution they were measured at (default: the space's). */
    resolution: z.number().int().positive().optional(),
    /** One measured latency per reference arch. */
    latencies: z
      .array(
        z
          .object({
            /** Canonical arch string of the space. */
            arch: z.string().min(1),
            /** Measured latency in milliseconds. */
            latencyMs: positive,
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const common = {
  /** Profile format version; hwnas refuses profiles of another version. */
  schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
  /** The name users write (`--device mobile-cpu`): lower-case letters, digits, `.`, `_`, `-`. */
  name: z.string().regex(DEVICE_NAME, DEVICE_NAME_RULE),
  /** Profile version; calibration writes version + 1. */
  version: z.number().int().min(1).default(1),
  /** One line saying what the device is. */
  description: z.string().min(1),
  /** Where the profile's numbers come from. */
  provenance,
  reference: reference.optional(),
};

export const simulatedSection = z
  .object({
    /** Peak arithmetic throughput per precision in GFLOP/s (1 multiply-accumulate = 2 FLOPs); absent = not accelerated. */
    peak: z
      .object({
        /** fp32 peak, GFLOP/s. */
        fp32Gflops: rate,
        /** fp16 peak, GFLOP/s (absent: fp16 runs at the fp32 rate). */
        fp16Gflops: rate.optional(),
        /** int8 peak, GOP/s (absent: int8 runs at the fp32 rate, not accelerated). */
        int8Gops: rate.optional(),
      })
      .strict(),
    /** Precision the deployed model runs at unless a what-if changes it. */
    defaultPrecision: z.enum(PRECISIONS).default('fp32'),
    /** The memory system. */
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
      .object({
        /** Dense k×k convolutions. */
        conv: efficiency,
        /** 1×1 convolutions. */
        pointwise: efficiency,
        /** Depthwise convolutions. */
        depthwise: efficiency,
        /** Fully connected layers. */
        fc: efficiency,
        /** Batch norm, activations, adds. */
        elementwise: efficiency,
        /** Pooling. */
        pool: efficiency,
      })
      .strict(),
    /**
     * Shape-dependent utilisation: channels are processed in tiles (vector lanes, systolic array rows/columns), so
     * channel counts that are not a multiple waste lanes; small layers cannot fill a parallel machine.
     */
    utilisation: z
      .object({
        /** Input channels processed together (vector width, array rows). */
        inChannelTile: z.number().int().positive(),
        /** Output channels processed together (array columns). */
        outChannelTile: z.number().int().positive(),
        /** Output elements at which a layer reaches half of its peak (0 = no parallelism penalty). */
        halfUtilOutputs: z.number().min(0),
      })
      .strict(),
    /** Fixed costs in microseconds: per executed layer (kernel launch, dispatch) and per inference. */
    overhead: z
      .object({
        /** Per executed layer (kernel launch, dispatch), µs. */
        perLayerUs: z.number().min(0),
        /** Per inference (set-up, synchronisation), µs. */
        perInferenceUs: z.number().min(0),
      })
      .strict(),
    /** `depthwise: false` = no depthwise acceleration: a depthwise conv uses one input-channel lane per tile. */
    support: z
      .object({
        /** Whether depthwise convs are accelerated. */
        depthwise: z.boolean().default(true),
      })
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
    /** Search space of the table's archs. */
    space: z.string().min(1),
    /** Batch size the table was measured at. */
    batchSize: z.number().int().positive().max(MAX_BATCH_SIZE),
    /** Input resolution the table was measured at. */
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
    /** Untimed runs before timing each arch. */
    warmup: z.number().int().min(0).default(3),
    /** Timed runs: at least `minRepeats`, then until `budgetMs` per arch or `maxRepeats`. */
    minRepeats: z.number().int().positive().default(5),
    /** Most timed runs per arch. */
    maxRepeats: z.number().int().positive().default(50),
    /** Time budget per arch for timed runs beyond `minRepeats`, ms. */
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
    /** ONNX Runtime graph optimisation level (`graphOptimizationLevel`). */
    graphOptimization: z.enum(ORT_GRAPH_OPTIMIZATIONS).default('all'),
    /** Operators one after another, or independent ones in parallel (`executionMode`). */
    executionMode: z.enum(['sequential', 'parallel']).default('sequential'),
    /** Untimed runs before timing each model. */
    warmup: z.number().int().min(0).default(5),
    /** Timed runs: at least `minRepeats`, then until `budgetMs` per arch or `maxRepeats`. */
    minRepeats: z.number().int().positive().default(10),
    /** Most timed runs per model. */
    maxRepeats: z.number().int().positive().default(200),
    /** Time budget per model for timed runs beyond `minRepeats`, ms. */
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
  z
    .object({
      ...common,
      /** An analytic model of the device: latency from each layer's arithmetic and memory traffic. */
      kind: z.literal('simulated'),
      /** The device's peak rates, efficiencies and overheads. */
      simulated: simulatedSection,
    })
    .strict(),
  z
    .object({
      ...common,
      /** Latencies looked up in a measured table (one device column). */
      kind: z.literal('measured-table'),
      /** The table and the input it was measured at. */
      table: tableSection,
    })
    .strict(),
  z
    .object({
      ...common,
      /** This machine, timed with TF.js. */
      kind: z.literal('host'),
      /** Backend and timing. */
      host: hostSection.prefault({}),
    })
    .strict(),
  z
    .object({
      ...common,
      /** This machine, timed with ONNX Runtime on the exported ONNX model. */
      kind: z.literal('onnxruntime'),
      /** Session settings and timing. */
      onnxruntime: onnxruntimeSection.prefault({}),
    })
    .strict(),
  z
    .object({
      ...common,
      /** Another machine, measured by `hwnas worker` processes there through BullMQ/Redis. */
      kind: z.literal('remote'),
      /** What the worker measures with, and the queue settings. */
      remote: remoteSection.prefault({}),
    })
    .strict(),
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
