// Bring your own model: what an imported ONNX or TF.js model offers, and the format-neutral graph both readers produce.
import type { InputShape, Layer, LayerKind } from '../../spaces/types.js';

export const MODEL_FORMATS = ['onnx', 'tfjs'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** A model file read into hwnas' layer list; costed like an arch of a search space. */
export interface ImportedModel {
  readonly format: ModelFormat;
  /** The model's own name (ONNX graph name, TF.js model name), else the file's base name. */
  readonly name: string;
  /** The file name it was read from, as given. */
  readonly file: string;
  /**
   * The model's own input: batch 1 where the file leaves it open, 224 px where an image size is open. Channels and
   * classes are fixed by the model; a non-image input (e.g. [N, 784]) has resolution 1.
   */
  readonly input: InputShape;
  /** Where an image input has its channels (ONNX NCHW, unless the model takes NHWC; TF.js NHWC); `flat` for a non-image input. */
  readonly inputLayout: Layout | 'flat';
  /** The input tensor's dims for `input`, laid out as the file does. @throws ModelFileError as `layers` */
  inputDims(input: InputShape): number[];
  /** Graph nodes read (ONNX nodes, TF.js layer calls), constants excluded. */
  readonly nodes: number;
  /**
   * Per-layer shapes and costs for `input` (shape inference re-run: any batch size; any resolution for a square
   * image input whose reshapes allow it). One or more rows per node, named after it.
   * @throws ModelFileError when the model cannot take `input`
   */
  layers(input: InputShape): Layer[];
}

/** Memory layout of the file's 4-D tensors. */
export type Layout = 'NCHW' | 'NHWC';

/** Padding of a conv or pool window: TF's 'same' (odd pixel at the end, or at the start for `same_lower`), none, or given. */
export type Padding = { mode: 'same_upper' | 'same_lower' | 'valid' } | { mode: 'explicit'; pads: [number, number, number, number] };

/** A 2-D conv or pool window. */
export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  padding: Padding;
  /** Output size rounds up (ONNX ceil_mode). */
  ceil: boolean;
}

/**
 * One node of an imported graph in format-neutral form; a reader may expand one file node into several (a TF.js
 * Conv2D with a fused activation is a conv node and an activation node). Weights are attributes (their shapes), not
 * inputs; constants a node reads at run time (ONNX Reshape's shape, a PRelu slope) are inputs.
 */
export type ImportOp =
  | {
      rule: 'conv';
      window: Window;
      /** Output channels, or the depth multiplier of a depthwise conv. */ out: { channels: number } | { depthMultiplier: number };
      groups: number | 'depthwise';
      /** Input channels per group the weights expect (when known). */ inPerGroup?: number;
      bias: boolean;
    }
  | {
      rule: 'dense';
      units: number;
      /** Input features the weights expect (when known). */ inFeatures?: number;
      bias: boolean;
      transA?: boolean;
    }
  | { rule: 'matmul' }
  | {
      rule: 'bn';
      /** Trainable parameters per channel (scale and shift: 2). */ paramsPerChannel: number;
      /** Channel axis; default the layout's. */ axis?: number;
    }
  | {
      rule: 'act';
      kind: Extract<LayerKind, 'relu' | 'activation'>;
      opsPerElement: number;
      /** Weights held by the layer (TF.js PReLU): one per channel or per element of a sample. */ weights?: 'channel' | 'element';
    }
  | { rule: 'pool'; type: 'max' | 'avg'; window: Window }
  | { rule: 'globalPool'; type: 'max' | 'avg'; keepDims: boolean }
  | {
      rule: 'reduce';
      type: 'mean' | 'max' | 'sum';
      /** Else the second input's value; neither: every axis. */ axes?: number[];
      keepDims: boolean;
    }
  | { rule: 'add' }
  | { rule: 'binary'; multiply: boolean }
  | { rule: 'concat'; axis: number }
  | { rule: 'reshape'; /** Target shape with 0 = copy the input dim and -1 = inferred; else the second input's value. */ target?: number[] }
  | { rule: 'flatten'; axis: number }
  | { rule: 'transpose'; perm?: number[] }
  | { rule: 'squeeze'; axes?: number[] }
  | { rule: 'unsqueeze'; axes?: number[] }
  | { rule: 'identity' }
  | { rule: 'cast' }
  | { rule: 'pad'; /** [x1_begin, x2_begin, …, x1_end, x2_end, …] (negative crops); else the second input's value. */ pads?: number[] }
  | {
      rule: 'slice';
      /** ONNX before opset 10 has these as attributes; else they are inputs 1–4. */ starts?: number[];
      ends?: number[];
      axes?: number[];
      steps?: number[];
    }
  | { rule: 'shape'; start?: number; end?: number }
  | { rule: 'gather'; axis: number }
  | { rule: 'zero' };

export type ImportNode = ImportOp & {
  /** The model's own node or layer name (unique in the graph), with a suffix for the parts of an expanded node. */
  name: string;
  /** The file's op type or layer class (`Conv`, `DepthwiseConv2D`): the row's `origin.op`. */
  op: string;
  /** Tensor names read ('' = an absent optional input) and written. */
  inputs: string[];
  outputs: string[];
};

/** A constant of the file: a weight (`param`) or a small value the graph computes with (shapes, axes, pads). */
export interface Constant {
  dims: number[];
  /** Values when the constant is small enough to matter for shapes (at most 4,096 elements). */
  value?: number[];
  /** A float weight (counted as parameters where a node reads it). */
  param: boolean;
}

/** What a reader hands to shape inference. */
export interface ImportGraph {
  format: ModelFormat;
  file: string;
  name: string;
  layout: Layout;
  input: {
    name: string;
    /** Dims in the file's layout; undefined where the file leaves them open. */
    dims: (number | undefined)[];
    /** Where channels are in a 4-D input (ONNX models converted from TF often take NHWC and transpose). */
    layout: Layout;
  };
  outputs: string[];
  constants: Map<string, Constant>;
  nodes: ImportNode[];
  /** Nodes read from the file (before expansion), constants excluded. */
  fileNodes: number;
}
