// Named trainable weights: an ordered set of tf.Variables, created by seeded initialisers or read from a tensor file.
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../core/tf.js';
import { DataFileError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { NamedTensor, TensorFile } from './tensor-file.js';

/** The values of a new parameter of `shape`, row-major. */
export type Initializer = (shape: readonly number[]) => Float32Array;

/**
 * Glorot-uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)), fanOut the last dimension and fanIn the product of the
 * others. Drawn from `rng` in JS (so the values do not depend on the tfjs backend); parameters sharing one `rng`
 * draw in the order they are created.
 */
export function glorot(rng: Rng): Initializer {
  return (shape) => {
    const size = sizeOf(shape);
    const fanOut = shape[shape.length - 1];
    const limit = Math.sqrt(6 / (size / fanOut + fanOut));
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * limit;
    return values;
  };
}

/** Every value `value` (zero biases, unit gains). */
export function constant(value = 0): Initializer {
  return (shape) => new Float32Array(sizeOf(shape)).fill(value);
}

/** A parameter's shape and how it starts. */
export interface ParameterSpec {
  shape: readonly number[];
  init: Initializer;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A trainable variable holding `value` (not named: tfjs variable names are engine-global, and models come and go). */
function variable(value: Tf.Tensor): Tf.Variable {
  return tf.variable(value, true);
}

/**
 * Named tf.Variables in a fixed order (the order they are created, optimised and saved in). The names live here
 * only; one set per network (a NASFLAT predictor holds one per adapted device).
 */
export class Parameters implements Iterable<[string, Tf.Variable]> {
  private constructor(private readonly variables: Map<string, Tf.Variable>) {}

  /** Parameters initialised from `specs`, in their order. */
  static init(specs: Iterable<[string, ParameterSpec]>): Parameters {
    const variables = new Map<string, Tf.Variable>();
    for (const [name, { shape, init }] of specs)
      variables.set(
        name,
        tf.tidy(() => variable(tf.tensor(init(shape), [...shape]))),
      );
    return new Parameters(variables);
  }

  /**
   * The tensors `<prefix>/<name>` (or `<name>` without a prefix) of `file`, one per entry of `shapes`, each checked
   * against its shape.
   * @throws DataFileError naming the file for a missing tensor, another shape, or a tensor under `prefix` that
   *   `shapes` does not name (saved from another configuration)
   */
  static read(file: TensorFile, shapes: Iterable<[string, readonly number[]]>, prefix?: string): Parameters {
    const expected = new Map(shapes);
    // Without a prefix every tensor of the file is a parameter; with one, those named `<prefix>/<name>`.
    const nameOf = (key: string) => (prefix === undefined ? key : key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : undefined);
    for (const key of file.names()) {
      const name = nameOf(key);
      if (name !== undefined && !name.includes('/') && !expected.has(name))
        throw new DataFileError(file.file, 0, `unexpected tensor '${key}' (saved with another configuration?)`);
    }
    const variables = new Map<string, Tf.Variable>();
    for (const [name, shape] of expected) {
      const { values } = file.get(prefix === undefined ? name : `${prefix}/${name}`, shape);
      variables.set(
        name,
        tf.tidy(() => variable(tf.tensor(values, [...shape]))),
      );
    }
    return new Parameters(variables);
  }

  get size(): number {
    return this.variables.size;
  }

  names(): string[] {
    return [...this.variables.keys()];
  }

  has(name: string): boolean {
    return this.variables.has(name);
  }

  /** The variable `name`. @throws Error when there is none (a bug in the model, not a user error) */
  get(name: string): Tf.Variable {
    const v = this.variables.get(name);
    if (v === undefined) throw new Error(`no parameter '${name}' (have ${this.names().join(', ')})`);
    return v;
  }

  [Symbol.iterator](): Iterator<[string, Tf.Variable]> {
    return this.variables.entries();
  }

  /** A new set with the same names, each variable made from `fn(name, value)` (called inside tf.tidy). */
  map(fn: (name: string, value: Tf.Variable) => Tf.Tensor): Parameters {
    const variables = new Map<string, Tf.Variable>();
    for (const [name, value] of this.variables)
      variables.set(
        name,
        tf.tidy(() => variable(tf.clone(fn(name, value)))),
      );
    return new Parameters(variables);
  }

  /** An independent copy. */
  clone(): Parameters {
    return this.map((_, value) => value);
  }

  /** The current values as named tensors, `<prefix>/<name>` with a prefix (what `read` reads back). */
  toTensors(prefix?: string): NamedTensor[] {
    return [...this.variables].map(([name, value]) => ({
      name: prefix === undefined ? name : `${prefix}/${name}`,
      shape: value.shape,
      values: value.dataSync() as Float32Array,
    }));
  }

  /** Free every variable (the set is unusable afterwards). */
  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}
