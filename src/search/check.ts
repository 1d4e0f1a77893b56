// What `config check` verifies beyond the schema, so that a config it accepts is one `search` can start: every name
// a config uses exists (space, strategy and its params, device, sampler, zero-cost proxy) and every file it names
// is there. Nothing is measured or trained.
import fs from 'node:fs';
import path from 'node:path';
import type { ExperimentConfig } from '../core/config/schema.js';
import { ConfigError, HwnasError, UnknownNameError } from '../core/errors.js';
import { samplerRegistry } from '../encodings/registry.js';
import { COMPUTED_ZCPS } from '../encodings/zcp.js';
import { getProfile } from '../hardware/registry.js';
import { PREDICTOR_MANIFEST } from '../predictors/persistence.js';
import { getSpace } from '../spaces/registry.js';
import { createStrategy } from './strategies/registry.js';

/** @throws ConfigError naming the file, the field and what is missing */
export function checkReferences(config: ExperimentConfig, file: string): void {
  const at = (field: string, check: () => void) => {
    try {
      check();
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      if (err instanceof UnknownNameError || err instanceof HwnasError) throw new ConfigError(file, field, err.message);
      throw err;
    }
  };
  const exists = (field: string, target: string, what: string) => {
    if (!fs.existsSync(target)) throw new ConfigError(file, field, `${what} ${target} does not exist`);
  };
  at('space.name', () => getSpace(config.space.name));
  if (config.strategy !== undefined) at('strategy', () => createStrategy(config.strategy!.name, config.strategy!.params ?? {}, file));
  const device = config.device;
  if (typeof device === 'string') at('device', () => getProfile(device));
  else if (device !== undefined && 'table' in device) exists('device.table', device.table, 'latency table');
  else if (device !== undefined) at('device.name', () => getProfile(device.name, { devicesDir: device.devicesDir }));
  const latency = config.latency;
  if (latency?.source === 'predictor') {
    exists('latency.predictor', path.join(latency.predictor, PREDICTOR_MANIFEST), 'saved predictor (its manifest)');
    if (latency.measurements !== undefined) exists('latency.measurements', latency.measurements, 'measurements file');
    if (latency.sampler !== 'random') at('latency.sampler', () => samplerRegistry.get(latency.sampler));
  }
  if (latency?.source === 'table') exists('latency.file', latency.file, 'latency table');
  const accuracy = config.accuracy;
  if (accuracy?.source === 'table') exists('accuracy.file', accuracy.file, 'accuracy table');
  if (accuracy?.source === 'zcp' && !(COMPUTED_ZCPS as readonly string[]).includes(accuracy.proxy)) {
    throw new ConfigError(file, 'accuracy.proxy', `unknown zero-cost proxy '${accuracy.proxy}' (known: ${COMPUTED_ZCPS.join(', ')})`);
  }
}
