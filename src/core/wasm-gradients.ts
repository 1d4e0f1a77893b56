// The conv gradient kernels the tfjs wasm backend lacks (Conv2DBackpropFilter and the depthwise backprops), so that
// training and the gradient zero-cost proxies run on wasm instead of falling back to the ~100× slower cpu backend,
// and a faster stride-1 Conv2DBackpropInput than its own.
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelFunc = tfjs.KernelConfig['kernelFunc'];

/** The slice of the wasm backend's API these kernels use. */
interface WasmBackendApi {
  readSync(dataId: object): tfjs.TypedArray;
  makeOutput(shape: number[], dtype: tfjs.DataType, memoryOffset?: number, values?: tfjs.TypedArray): TensorInfo;
}

/** The slice of the cpu backend's API the bridge uses. */
interface CpuBackendApi {
  write(values: tfjs.TypedArray, shape: number[], dtype: tfjs.DataType): object;
  readSync(dataId: object): tfjs.TypedArray;
  disposeData(dataId: object): boolean;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** The wasm backend's own kernels of these names (undefined where it has none). */
const wasmKernels = (tf: Tf, names: readonly string[]): (KernelFunc | undefined)[] =>
  names.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);

/**
 * Runs wasm kernels inside one kernel call: every output is a temporary that `free` disposes, except the one passed
 * to `keep` (the call's result).
 */
function kernelRunner(args: Parameters<KernelFunc>[0]) {
  const temps: TensorInfo[] = [];
  return {
    run(k: KernelFunc | undefined, inputs: unknown, attrs: object): TensorInfo {
      const out = (k as KernelFunc)({
        inputs: inputs as tfjs.NamedTensorInfoMap,
        backend: args.backend,
        attrs: attrs as tfjs.NamedAttrMap,
      }) as TensorInfo;
      temps.push(out);
      return out;
    },
    keep(t: TensorInfo): TensorInfo {
      temps.splice(temps.indexOf(t), 1);
      return t;
    },
    free(): void {
      const backend = args.backend as unknown as { disposeData(dataId: object): boolean };
      for (const t of temps) backend.disposeData(t.dataId);
    },
  };
}

/**
 * The filter gradient of a conv (`dense`) or depthwise conv (`depthwise`, channel multiplier 1) on the wasm backend's
 * own kernels. For each filter tap (kh, kw), take the strided slice of the padded input under that tap: as
 * [Cin, N·OH·OW] and multiplied by dy flattened to [N·OH·OW, Cout] it is dW[kh, kw] (one matmul); for a depthwise conv
 * dW[kh, kw] is Σ_{n,h,w} slice ⊙ dy. (tfjs-backend-wasm 4.22's Conv3DBackpropFilterV2 would be the obvious route for
 * `dense`, but it is a naive loop that made a gradient pass 50× slower than the forward pass, and it disagrees with
 * the cpu backend at stride 2; the cpu depthwise kernel was 20× the cost of the rest of an FBNet gradient pass.)
 */
function filterGradientByTaps(tf: Tf, kind: 'dense' | 'depthwise', fallback: KernelFunc): KernelFunc {
  const [padK, sliceK, matmulK, mulK, sumK, concatK, transposeK] = wasmKernels(tf, [
    'PadV2',
    'StridedSlice',
    'BatchMatMul',
    'Multiply',
    'Sum',
    'Concat',
    'Transpose',
  ]);
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as {
      strides: number | [number, number];
      dilations?: number | [number, number];
      pad: 'same' | 'valid' | number;
      dataFormat?: string;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    const [kh, kw, cin, cout] = attrs.filterShape;
    const dilated = pair(attrs.dilations ?? 1).some((d) => d !== 1);
    const missing = [padK, sliceK, kind === 'dense' ? matmulK : mulK, sumK, concatK, transposeK].some((k) => k === undefined);
    if (missing || dilated || (attrs.dataFormat ?? 'NHWC') !== 'NHWC' || (kind === 'depthwise' && cout !== 1)) return fallback(args);
    const [strideH, strideW] = pair(attrs.strides);
    const info =
      kind === 'dense'
        ? tf.backend_util.computeConv2DInfo(
            x.shape as [number, number, number, number],
            attrs.filterShape,
            [strideH, strideW],
            1,
            attrs.pad,
            attrs.dimRoundingMode,
          )
        : tf.backend_util.computeConv2DInfo(
            x.shape as [number, number, number, number],
            attrs.filterShape,
            [strideH, strideW],
            1,
            attrs.pad,
            attrs.dimRoundingMode,
            true,
          );
    const { top, bottom, left, right } = info.padInfo;
    const [n, oh, ow] = [x.shape[0], info.outHeight, info.outWidth];
    const rows = n * oh * ow;
    const kernels = kernelRunner(args);
    const run = kernels.run;
    try {
      const padded =
        top + bottom + left + right > 0
          ? run(
              padK,
              { x },
              {
                paddings: [
                  [0, 0],
                  [top, bottom],
                  [left, right],
                  [0, 0],
                ],
                constantValue: 0,
              },
            )
          : x;
      // Channels first ([cin, n, h, w]): a tap's slice is then [cin, rows] as it lies, the layout in which the matmul
      // takes its fast path and the depthwise sum runs along the last axis (a transposed operand made a tap 3–6× slower).
      const channelsFirst = run(transposeK, { x: padded }, { perm: [3, 0, 1, 2] });
      const dyRows: TensorInfo =
        kind === 'dense'
          ? { dataId: dy.dataId, dtype: dy.dtype, shape: [1, rows, cout] }
          : run(transposeK, { x: { dataId: dy.dataId, dtype: dy.dtype, shape: [rows, cin] } }, { perm: [1, 0] });
      const taps: TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const slice = run(
            sliceK,
            { x: channelsFirst },
            {
              begin: [0, 0, i, j],
              end: [cin, n, i + strideH * (oh - 1) + 1, j + strideW * (ow - 1) + 1],
              strides: [1, 1, strideH, strideW],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          );
          if (kind === 'dense') {
            taps.push(
              run(
                matmulK,
                { a: { dataId: slice.dataId, dtype: slice.dtype, shape: [1, cin, rows] }, b: dyRows },
                { transposeA: false, transposeB: false },
              ),
            );
          } else {
            const product = run(mulK, { a: { dataId: slice.dataId, dtype: slice.dtype, shape: [cin, rows] }, b: dyRows }, {});
            taps.push(run(sumK, { x: product }, { axis: [1], keepDims: false }));
          }
        }
      }
      const joined = kernels.keep(taps.length === 1 ? taps[0] : run(concatK, taps, { axis: 0 }));
      return { dataId: joined.dataId, dtype: joined.dtype, shape: attrs.filterShape };
    } finally {
      kernels.free();
    }
  };
}

/**
 * The input gradient of a stride-1 conv as a forward conv: dx is dy correlated with the filter turned by 180° (taps
 * reversed) and its in/out channels swapped, padded by (kernel − 1 − the forward padding) on each side. The forward
 * Conv2D of tfjs-backend-wasm runs on XNNPACK; its own Conv2DBackpropInput is a plain loop, 6.6× the time per call
 * on an all-3×3 NB201 cell (35.5 vs 5.4 ms, batch 8 at 32×32). Strided convs (and anything unusual) go to `original`.
 */
function inputGradientByForwardConv(tf: Tf, original: KernelFunc): KernelFunc {
  const [convK, reverseK, transposeK] = wasmKernels(tf, ['Conv2D', 'Reverse', 'Transpose']);
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as {
      strides: number | [number, number];
      pad: 'same' | 'valid' | number;
      dataFormat?: string;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
    const strided = pair(attrs.strides).some((s) => s !== 1);
    if (strided || convK === undefined || reverseK === undefined || transposeK === undefined || (attrs.dataFormat ?? 'NHWC') !== 'NHWC')
      return original(args);
    const [kh, kw] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      1,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = info.inHeight - info.outHeight - top + kh - 1;
    const right = info.inWidth - info.outWidth - left + kw - 1;
    if (Math.min(top, left, bottom, right) < 0) return original(args);
    const kernels = kernelRunner(args);
    try {
      const turned = kernels.run(reverseK, { x: filter }, { dims: [0, 1] });
      const swapped = kernels.run(transposeK, { x: turned }, { perm: [0, 1, 3, 2] });
      const dx = kernels.run(
        convK,
        { x: dy, filter: swapped },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: attrs.dimRoundingMode,
        },
      );
      return kernels.keep(dx);
    } finally {
      kernels.free();
    }
  };
}

/** Runs the cpu backend's kernel on copies of the inputs and writes its output into wasm memory. */
function viaCpu(tf: Tf, kernelName: string): KernelFunc {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (cpuKernel === undefined) throw new Error(`the cpu backend has no ${kernelName} kernel`);
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as unknown as WasmBackendApi;
    const cpu = tf.engine().findBackend('cpu') as unknown as CpuBackendApi;
    const moved: Record<string, TensorInfo> = {};
    try {
      for (const [key, t] of Object.entries(inputs as Record<string, TensorInfo>)) {
        moved[key] = { dataId: cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      }
      const out = cpuKernel.kernelFunc({ inputs: moved, backend: cpu as unknown as tfjs.KernelBackend, attrs }) as TensorInfo;
      const values = cpu.readSync(out.dataId);
      cpu.disposeData(out.dataId);
      return wasm.makeOutput(out.shape, out.dtype, undefined, values);
    } finally {
      for (const t of Object.values(moved)) cpu.disposeData(t.dataId);
    }
  };
}

const BRIDGED = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'] as const;

/**
 * Register the missing conv gradient kernels for the wasm backend (idempotent; kernels it already has are kept).
 * The depthwise input gradient runs on the cpu backend's implementation (one multiply per channel per tap). The
 * backend's own Conv2DBackpropInput is replaced by one that runs stride-1 convs as a forward conv and hands the rest
 * to it.
 */
export function registerWasmGradientKernels(tf: Tf): void {
  for (const name of BRIDGED) {
    if (tf.getKernel(name, 'wasm') !== undefined) continue;
    const bridged = viaCpu(tf, name);
    const kernelFunc =
      name === 'Conv2DBackpropFilter'
        ? filterGradientByTaps(tf, 'dense', bridged)
        : name === 'DepthwiseConv2dNativeBackpropFilter'
          ? filterGradientByTaps(tf, 'depthwise', bridged)
          : bridged;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  const own = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (own !== undefined && !replaced.has(own.kernelFunc)) {
    const kernelFunc = inputGradientByForwardConv(tf, own.kernelFunc);
    replaced.add(kernelFunc);
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    // The backend's setup (its wasm function lookup) stays registered: the fallback calls into it.
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc, setupFunc: own.setupFunc });
  }
}

/** The Conv2DBackpropInput kernels this module registered, so a second call does not wrap its own. */
const replaced = new WeakSet<KernelFunc>();
