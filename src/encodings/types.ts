// Contracts of the encodings layer: encoders turn canonical archs into fixed-length vectors; samplers choose
// which few archs to measure on a new device, usually in an encoding space.
import type { SearchSpace } from '../spaces/types.js';

/** Turns archs of a space into vectors of one fixed length. Registered by the name users write (`caz`, `path`, …). */
export interface Encoder {
  readonly name: string;
  readonly description: string;
  /** True when the encoder has learned weights (Arch2Vec, CATE) that must exist for the space. */
  readonly needsTraining: boolean;
  /** Whether the encoder can encode archs of `space` now (false: untrained, or the space is not supported). */
  isAvailableFor?(space: SearchSpace): boolean;
  /** Vector length for `space`. */
  dimension(space: SearchSpace): number;
  /** Names of the dimensions where they have a meaning (`synflow`, `nwot`, …), `dimension(space)` of them; CSVs use them as columns. */
  columns?(space: SearchSpace): string[];
  /** Encoder version plus config/weights fingerprint: the cache key part that invalidates stale vectors. */
  version(space: SearchSpace): string;
  /** One vector per arch, in order. Archs must be canonical strings of `space`. */
  encode(space: SearchSpace, archs: readonly string[]): Float32Array[] | Promise<Float32Array[]>;
}

/** What a sampler is asked for. */
export interface SampleRequest {
  space: SearchSpace;
  /** How many archs to return (exactly this many, distinct). */
  n: number;
  seed: number;
  /** Candidates to choose from (canonical strings, distinct). */
  pool: readonly string[];
  /** Encodes candidates for samplers that work in an encoding space (row i ↔ pool[i]). */
  encode?: (archs: readonly string[]) => Promise<Float32Array[]>;
}

/** Chooses which archs to measure on a new device. Deterministic for (request.seed, pool, n). */
export interface Sampler {
  readonly name: string;
  readonly description: string;
  /** Name of the encoder this sampler uses by default (undefined: it needs none). */
  readonly defaultEncoder?: string;
  select(request: SampleRequest): Promise<string[]>;
}
