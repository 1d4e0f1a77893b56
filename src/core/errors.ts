// Typed errors with the context a user needs to fix the problem; the CLI prints `message` as one line.

/** Base class of every error hwnas raises on purpose. `message` is a complete one-line explanation. */
export class HwnasError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A config or profile field is invalid. `path` is the dotted JSON path of the field (empty for the whole file);
 * `others` are the further violations a schema check found in the same file (`devices validate` lists them all).
 */
export class ConfigError extends HwnasError {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
    readonly others: readonly { path: string; reason: string }[] = [],
  ) {
    super(`${file}: ${path === '' ? '' : `${path}: `}${reason}`);
  }
}

/** A data file (CSV/JSON table) is missing or malformed. `line` is 1-based; 0 when the problem is the whole file. */
export class DataFileError extends HwnasError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly column?: string,
  ) {
    const where = line > 0 ? `:${line}` : '';
    const col = column === undefined ? '' : ` (column ${column})`;
    super(`${file}${where}${col}: ${reason}`);
  }
}

/** An architecture string/index does not belong to the named search space. */
export class UnknownArchError extends HwnasError {
  constructor(
    readonly space: string,
    readonly arch: string,
    readonly reason: string,
  ) {
    super(`${space}: invalid architecture '${arch}': ${reason}`);
  }
}

/** An operation name is not known to the search space (or to a device's efficiency table). */
export class UnknownOpError extends HwnasError {
  constructor(
    readonly op: string,
    readonly arch: string,
    readonly known: readonly string[],
  ) {
    super(`unknown op '${op}' in '${arch}' (known: ${known.join(', ')})`);
  }
}

/** A name looked up in a registry (space, device, encoder, sampler, strategy, …) does not exist. */
export class UnknownNameError extends HwnasError {
  constructor(
    readonly kind: string,
    /** The name that was asked for (not `name`, which every Error already has). */
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(`unknown ${kind} '${value}' (known: ${known.join(', ')})`);
  }
}

/** The user asked for something the current state does not allow (e.g. resuming a finished run). */
export class UsageError extends HwnasError {}

/** A job queue that cannot go on: Redis unreachable, no worker for a device. The run stops and can be resumed. */
export class ExecutorError extends HwnasError {}

/**
 * A model file (ONNX, TF.js model.json) hwnas cannot read: foreign or truncated bytes, a missing part, a shape that
 * does not fit. `node` names the graph node or layer at fault, when one is.
 */
export class ModelFileError extends HwnasError {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly node?: string,
  ) {
    super(`${file}: ${node === undefined ? '' : `node '${node}': `}${reason}`);
  }
}

/** A model uses an op (ONNX op type, TF.js layer class) that has no cost rule. */
export class UnsupportedOpError extends ModelFileError {
  constructor(
    file: string,
    readonly op: string,
    node: string,
    readonly known: readonly string[],
  ) {
    super(file, `unsupported op '${op}' (supported: ${known.join(', ')})`, node);
  }
}
