// What `config check` verifies beyond the schema, so that a config it accepts is one `search` can start: every name
// a config uses exists (space, strategy and its params, device, sampler, zero-cost proxy), every file it names is
// there and reads as search reads it (tables and their columns, measurements, the saved predictor's space). Nothing
// is measured or trained.
import fs from 'node:fs';
import path from 'node:path';
import type { ExperimentConfig } from '../core/config/schema.js';
import { isHeaderError } from '../core/csv.js';
import { ConfigError, DataFileError, HwnasError, UnknownNameError } from '../core/errors.js';
import { loadAccuracyTable } from '../data/accuracy.js';
import { loadLatencyTable } from '../data/latency.js';
import { samplerRegistry } from '../encodings/samplers.js';
import { COMPUTED_ZCPS } from '../encodings/zcp-names.js';
import { oneDevice, readMeasurements } from '../hardware/measurements.js';
import { getProfile, inlineTableDevice, openDevice } from '../hardware/registry.js';
import { TableDevice } from '../hardware/table.js';
import { PREDICTOR_MANIFEST } from '../predictors/persistence.js';
import { configSpace } from '../spaces/registry.js';
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
  const { space, input } = configSpace(config.space, file);
  /** A table the config names, read as search reads it: a missing column is the column field's fault, the rest the file's. */
  const table = (section: 'latency' | 'accuracy', load: () => unknown) => {
    try {
      load();
    } catch (err) {
      if (err instanceof DataFileError) throw new ConfigError(file, `${section}.${isHeaderError(err) ? 'column' : 'file'}`, err.message);
      throw err;
    }
  };
  if (config.strategy !== undefined) at('strategy', () => createStrategy(config.strategy!.name, config.strategy!.params ?? {}, file));
  const device = config.device;
  if (typeof device === 'object' && 'table' in device) exists('device.table', device.table, 'latency table');
  if (device !== undefined) {
    // A measured table (a profile's or inline) is read and matched to the space and input, as search does.
    at(typeof device === 'object' && 'name' in device ? 'device.name' : 'device', () => {
      const target =
        typeof device === 'object' && 'table' in device
          ? inlineTableDevice(device, space.name, input, file)
          : openDevice(typeof device === 'string' ? getProfile(device) : getProfile(device.name, { devicesDir: device.devicesDir }));
      if (target instanceof TableDevice) target.checkServes(space.name, input);
    });
  }
  const latency = config.latency;
  if (latency?.source === 'predictor') {
    const manifest = path.join(latency.predictor, PREDICTOR_MANIFEST);
    exists('latency.predictor', manifest, 'saved predictor (its manifest)');
    let saved: { space?: unknown };
    try {
      saved = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { space?: unknown };
    } catch (err) {
      throw new ConfigError(file, 'latency.predictor', `${manifest} is not a readable saved predictor: ${(err as Error).message}`);
    }
    if (typeof saved.space === 'string' && saved.space !== space.name)
      throw new ConfigError(file, 'latency.predictor', `predictor is for space ${saved.space}, config searches ${space.name}`);
    const measurements = latency.measurements;
    if (measurements !== undefined) {
      exists('latency.measurements', measurements, 'measurements file');
      at('latency.measurements', () => oneDevice(measurements, readMeasurements(measurements, space)));
    }
    if (latency.sampler !== 'random') at('latency.sampler', () => samplerRegistry.get(latency.sampler));
  }
  if (latency?.source === 'table') {
    exists('latency.file', latency.file, 'latency table');
    table('latency', () => loadLatencyTable(latency.file, { devices: [latency.column], allowMissing: true }));
  }
  const accuracy = config.accuracy;
  if (accuracy?.source === 'table') {
    exists('accuracy.file', accuracy.file, 'accuracy table');
    table('accuracy', () => loadAccuracyTable(accuracy.file, accuracy.column, { canonical: (a) => space.canonical(a) }));
  }
  if (accuracy?.source === 'zcp' && !(COMPUTED_ZCPS as readonly string[]).includes(accuracy.proxy)) {
    throw new ConfigError(file, 'accuracy.proxy', `unknown zero-cost proxy '${accuracy.proxy}' (known: ${COMPUTED_ZCPS.join(', ')})`);
  }
}
