// The one validation of a predictor's training data, shared by every predictor's fit/pretrain.
import { HwnasError } from '../core/errors.js';
import type { Measurements } from './types.js';

/**
 * Throw a clear error for mismatched lengths, fewer than 2 measurements or a latency that is not a positive number.
 * @param kind the predictor's name, prefixed to the message
 */
export function checkMeasurements(kind: string, device: string, measurements: Measurements): void {
  const { archs, latencyMs } = measurements;
  if (archs.length !== latencyMs.length)
    throw new HwnasError(`${kind}: ${archs.length} archs but ${latencyMs.length} latencies for device '${device}'`);
  if (archs.length < 2) throw new HwnasError(`${kind}: need at least 2 measurements on device '${device}', got ${archs.length}`);
  for (let i = 0; i < latencyMs.length; i++) {
    if (!Number.isFinite(latencyMs[i]) || latencyMs[i] <= 0) {
      throw new HwnasError(`${kind}: latency of '${archs[i]}' on '${device}' must be a positive number of ms, got ${latencyMs[i]}`);
    }
  }
}
