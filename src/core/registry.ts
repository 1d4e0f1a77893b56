// Name → implementation registries keyed by the names users write in config files and on the command line.
import { HwnasError, UnknownNameError } from './errors.js';

/** A registry of named implementations; an unknown name raises `UnknownNameError` listing the known ones. */
export class Registry<T> {
  private readonly entries = new Map<string, T>();

  /** @param kind what the entries are, used in error messages ("search space", "sampler", …) */
  constructor(readonly kind: string) {}

  /** Add an entry; registering the same name twice is a programming error. */
  register(name: string, value: T): this {
    if (this.entries.has(name)) throw new HwnasError(`${this.kind} '${name}' is already registered`);
    this.entries.set(name, value);
    return this;
  }

  /** Look an entry up by name. @throws UnknownNameError */
  get(name: string): T {
    const value = this.entries.get(name);
    if (value === undefined) throw new UnknownNameError(this.kind, name, this.names());
    return value;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Registered names in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  values(): T[] {
    return [...this.entries.values()];
  }
}
