// What-if analysis: optimisations expressed as transformations of the layer list (or the input) before simulation.
import { UsageError } from '../core/errors.js';
import type { InputShape, Layer } from '../spaces/types.js';
import { PRECISIONS, type Precision } from './schema.js';
import type { SimLayer } from './simulator.js';

export type WhatIf =
  | { kind: 'precision'; precision: Precision }
  | { kind: 'prune'; fraction: number }
  | { kind: 'fuse' }
  | { kind: 'batch'; batchSize: number }
  | { kind: 'resolution'; resolution: number };

/** The syntax `--what-if` accepts, for help texts. */
export const WHAT_IF_SYNTAX =
  'comma-separated: fp32 | fp16 | int8 (quantise), prune:<fraction 0..1> (channel pruning), fuse (conv+BN+activation), batch:<n>, resolution:<px>';

/** Canonical text of a what-if (`prune:0.3`). */
export function whatIfLabel(w: WhatIf): string {
  switch (w.kind) {
    case 'precision':
      return w.precision;
    case 'prune':
      return `prune:${w.fraction}`;
    case 'fuse':
      return 'fuse';
    case 'batch':
      return `batch:${w.batchSize}`;
    case 'resolution':
      return `resolution:${w.resolution}`;
  }
}

/** Parse `int8,fuse,prune:0.3`. @throws UsageError naming the bad item and the syntax */
export function parseWhatIfs(text: string): WhatIf[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item): WhatIf => {
      const [name, arg, ...rest] = item.split(':');
      const value = Number(arg);
      const bad = (why: string) => new UsageError(`--what-if '${item}': ${why} (${WHAT_IF_SYNTAX})`);
      if (rest.length > 0) throw bad('too many ":"');
      if ((PRECISIONS as readonly string[]).includes(name) && arg === undefined) return { kind: 'precision', precision: name as Precision };
      if (name === 'fuse' && arg === undefined) return { kind: 'fuse' };
      if (name === 'prune') {
        if (!(value > 0 && value < 1)) throw bad('the pruned fraction must be a number between 0 and 1');
        return { kind: 'prune', fraction: value };
      }
      if (name === 'batch' || name === 'resolution') {
        if (!Number.isInteger(value) || value <= 0) throw bad(`${name} must be a positive integer`);
        return name === 'batch' ? { kind: 'batch', batchSize: value } : { kind: 'resolution', resolution: value };
      }
      throw bad('unknown what-if');
    });
}

const lastDim = (shape: readonly number[]): number => shape[shape.length - 1];
const withLastDim = (shape: readonly number[], c: number): number[] => [...shape.slice(0, -1), c];

/**
 * Channel pruning: every hidden channel count shrinks by `fraction` (rounded, at least 1); the network input
 * channels and the classifier outputs are kept. FLOPs, params and bytes scale with the channel ratios.
 */
export function pruneLayers(layers: readonly Layer[], fraction: number, input: InputShape): SimLayer[] {
  const keep = (c: number) => Math.max(1, Math.round(c * (1 - fraction)));
  return layers.map((l, i) => {
    const cin = lastDim(l.inputShape);
    const cout = lastDim(l.outputShape);
    const newIn = i === 0 && cin === input.channels ? cin : keep(cin);
    const newOut = l.kind === 'fc' ? cout : keep(cout);
    const inRatio = newIn / cin;
    const outRatio = newOut / cout;
    const depthwise = l.kind === 'conv' && (l.groups ?? 1) > 1 && l.groups === cin;
    // MACs and weights scale with (in per group) x out; a depthwise conv has one input per group whatever the width.
    const macRatio = (depthwise ? 1 : inRatio) * outRatio;
    return {
      ...l,
      inputShape: withLastDim(l.inputShape, newIn),
      outputShape: withLastDim(l.outputShape, newOut),
      groups: depthwise ? newIn : l.groups,
      flops: l.flops * macRatio,
      params: l.params * macRatio,
      weightBytes: l.weightBytes * macRatio,
      elementwiseOps: l.elementwiseOps * outRatio,
      activationBytes: l.activationBytes * outRatio,
      inputBytes: l.inputBytes * inRatio,
    };
  });
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** The fusion key of a layer: its `fuseGroup`, else its name up to the last dot (the op of a built-in space). */
const fuseKey = (l: Layer): string => l.fuseGroup ?? l.name.slice(0, l.name.lastIndexOf('.'));

/**
 * Conv+BN+activation fusion within one group (`fuseKey`: the layers of one op of a built-in space, e.g.
 * `stage1.cell0.edge0-1.nor_conv_3x3`, or a conv→BN→activation chain of an imported model): a BN or activation
 * right after the conv (or after a layer already fused into it) becomes the conv's epilogue; a ReLU right before
 * the conv (NB201's ReLU-Conv-BN) becomes its prologue. Fused layers launch no kernel and move no intermediate
 * tensor.
 */
export function fuseLayers(layers: readonly SimLayer[]): SimLayer[] {
  const out: SimLayer[] = layers.map((l) => ({ ...l }));
  let anchor: SimLayer | undefined;
  for (let i = 0; i < out.length; i++) {
    const l = out[i];
    const next = out[i + 1];
    if (l.kind === 'conv') anchor = l;
    else if (
      (l.kind === 'bn' || l.kind === 'relu' || l.kind === 'activation') &&
      anchor !== undefined &&
      fuseKey(l) === fuseKey(anchor) &&
      sameShape(l.inputShape, anchor.outputShape)
    ) {
      l.fusedInto = anchor.name;
    } else if (l.kind === 'relu' && next?.kind === 'conv' && fuseKey(l) === fuseKey(next) && sameShape(l.outputShape, next.inputShape)) {
      l.fusedInto = next.name;
      anchor = undefined;
    } else anchor = undefined;
  }
  return out;
}

/** The layers and precision a list of what-ifs leads to. */
export interface Scenario {
  input: InputShape;
  layers: SimLayer[];
  precision?: Precision;
}

/**
 * Apply what-ifs in order: batch/resolution change the input (`layersOf` recomputes the layers for it, e.g.
 * `(i) => space.layers(arch, i)` or an imported model's `layers`), then pruning, fusion and precision transform the
 * layer list.
 */
export function applyWhatIfs(layersOf: (input: InputShape) => Layer[], input: InputShape, whatIfs: readonly WhatIf[]): Scenario {
  let shaped = input;
  for (const w of whatIfs) {
    if (w.kind === 'batch') shaped = { ...shaped, batchSize: w.batchSize };
    if (w.kind === 'resolution') shaped = { ...shaped, resolution: w.resolution };
  }
  let layers: SimLayer[] = layersOf(shaped);
  let precision: Precision | undefined;
  for (const w of whatIfs) {
    if (w.kind === 'prune') layers = pruneLayers(layers, w.fraction, shaped);
    else if (w.kind === 'fuse') layers = fuseLayers(layers);
    else if (w.kind === 'precision') precision = w.precision;
  }
  return { input: shaped, layers, precision };
}
