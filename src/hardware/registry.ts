// Device profiles by name: the built-in ones shipped with hwnas and the user's in a devices directory.
import fs from 'node:fs';
import path from 'node:path';
import { readConfigData } from '../core/config/load.js';
import { DEVICE_PATH_FIELDS, resolvePathsIn } from '../core/config/paths.js';
import { validate } from '../core/config/validate.js';
import { isHeaderError } from '../core/csv.js';
import type { DeviceConfig } from '../core/config/search.js';
import { ConfigError, DataFileError, UnknownNameError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { Registry } from '../core/registry.js';
import { getSpace } from '../spaces/registry.js';
import type { InputShape } from '../spaces/types.js';
import desktopCpu from './builtin/desktop-cpu.json' with { type: 'json' };
import edgeTpu from './builtin/edge-tpu.json' with { type: 'json' };
import hostOrt from './builtin/host-ort.json' with { type: 'json' };
import host from './builtin/host.json' with { type: 'json' };
import mcu from './builtin/mcu.json' with { type: 'json' };
import mobileCpu from './builtin/mobile-cpu.json' with { type: 'json' };
import mobileNpu from './builtin/mobile-npu.json' with { type: 'json' };
import serverGpu from './builtin/server-gpu.json' with { type: 'json' };
import { HostDevice } from './host.js';
import { OnnxRuntimeDevice } from './onnxruntime.js';
import {
  DEVICE_NAME,
  DEVICE_NAME_RULE,
  deviceProfileSchema,
  PROFILE_SCHEMA_VERSION,
  type DeviceKind,
  type DeviceProfile,
  type TableProfile,
} from './schema.js';
import { SimulatedDevice } from './simulated.js';
import { TableDevice } from './table.js';
import type { Device } from './types.js';

/** Built-in profiles, validated when this module loads (a broken built-in is a bug, not a user error). */
export const BUILTIN_PROFILES: readonly DeviceProfile[] = [serverGpu, desktopCpu, mobileCpu, mobileNpu, edgeTpu, mcu, host, hostOrt].map(
  (data) => validate(deviceProfileSchema, data, `builtin:${(data as { name: string }).name}`),
);

/** How a profile of each kind becomes a `Device`. */
export const deviceKinds = new Registry<(profile: DeviceProfile) => Device>('device kind')
  .register('simulated', (p) => new SimulatedDevice(p as Extract<DeviceProfile, { kind: 'simulated' }>))
  .register('measured-table', (p) => new TableDevice(p as Extract<DeviceProfile, { kind: 'measured-table' }>))
  .register('host', (p) => new HostDevice(p as Extract<DeviceProfile, { kind: 'host' }>))
  .register('onnxruntime', (p) => new OnnxRuntimeDevice(p as Extract<DeviceProfile, { kind: 'onnxruntime' }>))
  .register('remote', (p) => ({
    profile: p,
    latency: () => {
      throw new UsageError(
        `device '${p.name}' is remote: its measurements run on \`hwnas worker\` processes through Redis; use it from search or devices measure`,
      );
    },
  }));

export const DEFAULT_DEVICES_DIR = 'hwnas-devices';

/** The user's devices directory: the option, else `$HWNAS_DEVICES_DIR`, else `./hwnas-devices`. */
export function resolveDevicesDir(option?: string): string {
  return path.resolve(option ?? process.env.HWNAS_DEVICES_DIR ?? DEFAULT_DEVICES_DIR);
}

/** Read and validate a profile file (JSON or YAML) against the schema only: how the devices folder is listed. */
function readProfile(file: string): DeviceProfile {
  // A table named by a relative path sits beside the profile, wherever hwnas is started from.
  return validate(deviceProfileSchema, resolvePathsIn(readConfigData(file), DEVICE_PATH_FIELDS, path.dirname(path.resolve(file))), file);
}

/**
 * Read and validate a profile file (JSON or YAML), and check what the schema cannot see: a measured-table profile's
 * space exists and its table file is there with its column (what `devices validate` and `devices add` accept).
 * @throws ConfigError naming the file, field path and reason
 */
export function loadProfile(file: string): DeviceProfile {
  const profile = readProfile(file);
  if (profile.kind === 'measured-table') openTableDevice(profile, file);
  return profile;
}

/** Where a measured-table device's settings sit in the file that gives them: a profile, or a config's inline device. */
interface TableFields {
  file: string;
  column: string;
  space: string;
}

const PROFILE_TABLE_FIELDS: TableFields = { file: 'table.file', column: 'table.column', space: 'table.space' };

/**
 * A measured-table device with its table read now rather than at its first latency, so an unknown space, a missing
 * file or column, or a bad row is refused before a command writes anything.
 * @throws ConfigError at the field of `source` that is wrong, with the table's own error (file, line, column)
 */
export function openTableDevice(profile: TableProfile, source: string, fields: TableFields = PROFILE_TABLE_FIELDS): TableDevice {
  try {
    getSpace(profile.table.space);
  } catch (err) {
    if (err instanceof UnknownNameError) throw new ConfigError(source, fields.space, err.message);
    throw err;
  }
  const device = new TableDevice(profile);
  try {
    device.table();
  } catch (err) {
    if (err instanceof DataFileError) throw new ConfigError(source, isHeaderError(err) ? fields.column : fields.file, err.message);
    throw err;
  }
  return device;
}

/**
 * The device of a config's inline `device: { table, column }`: that column of the table, for the config's space and
 * input, read now. @throws ConfigError naming the config file and its field
 */
export function inlineTableDevice(
  device: Extract<DeviceConfig, { table: string }>,
  space: string,
  input: InputShape,
  configFile: string,
): TableDevice {
  const profile = validate(
    deviceProfileSchema,
    {
      schemaVersion: PROFILE_SCHEMA_VERSION,
      name: device.column.toLowerCase(),
      kind: 'measured-table',
      description: `column ${device.column} of ${device.table}`,
      provenance: { source: `measured table ${device.table}` },
      table: {
        file: device.table,
        column: device.column,
        space,
        batchSize: device.batchSize ?? input.batchSize,
        resolution: device.resolution ?? input.resolution,
      },
    },
    configFile,
    ['device'],
  ) as TableProfile;
  return openTableDevice(profile, configFile, { file: 'device.table', column: 'device.column', space: 'space.name' });
}

/** One entry of `devices list`. */
export interface DeviceEntry {
  name: string;
  kind: DeviceKind;
  version: number;
  origin: 'builtin' | 'user';
  /** Profile file for user devices. */
  file?: string;
  profile: DeviceProfile;
}

/** A user profile file that failed validation: listed, never used. */
export interface InvalidEntry {
  file: string;
  error: string;
}

/** Built-in devices followed by the valid user devices in `devicesDir` (sorted by name), and the invalid files. */
export function listDevices(devicesDir: string): { devices: DeviceEntry[]; invalid: InvalidEntry[] } {
  const devices: DeviceEntry[] = BUILTIN_PROFILES.map((p) => ({
    name: p.name,
    kind: p.kind,
    version: p.version,
    origin: 'builtin',
    profile: p,
  }));
  const invalid: InvalidEntry[] = [];
  if (fs.existsSync(devicesDir) && !fs.statSync(devicesDir).isDirectory())
    throw new UsageError(`devices directory ${devicesDir} is a file, not a folder (--devices-dir / $HWNAS_DEVICES_DIR)`);
  const files = fs.existsSync(devicesDir)
    ? fs
        .readdirSync(devicesDir)
        .filter((f) => /\.(json|ya?ml)$/i.test(f))
        .sort()
    : [];
  for (const f of files) {
    const file = path.join(devicesDir, f);
    try {
      const p = readProfile(file);
      devices.push({ name: p.name, kind: p.kind, version: p.version, origin: 'user', file, profile: p });
    } catch (err) {
      invalid.push({ file, error: (err as Error).message });
    }
  }
  return { devices, invalid };
}

/** The profile called `name` (built-in first, then the devices directory). @throws UnknownNameError listing known devices */
export function getProfile(name: string, options: { devicesDir?: string } = {}): DeviceEntry {
  const { devices } = listDevices(resolveDevicesDir(options.devicesDir));
  const entry = devices.find((d) => d.name === name);
  if (entry === undefined)
    throw new UnknownNameError(
      'device',
      name,
      devices.map((d) => d.name),
    );
  return entry;
}

/** A ready-to-use device by name. @throws UnknownNameError listing the known devices, ConfigError for a broken table */
export function getDevice(name: string, options: { devicesDir?: string } = {}): Device {
  return openDevice(getProfile(name, options));
}

/** The device of a registered profile; a measured table is read now and a problem with it names the profile file. */
export function openDevice(entry: DeviceEntry): Device {
  return entry.profile.kind === 'measured-table'
    ? openTableDevice(entry.profile, entry.file ?? `builtin:${entry.name}`)
    : deviceFromProfile(entry.profile);
}

/** The device a profile describes. */
export function deviceFromProfile(profile: DeviceProfile): Device {
  return deviceKinds.get(profile.kind)(profile);
}

/** @throws UsageError unless `name` is a device name (it becomes a file and queue name), e.g. `--name must be …` */
export function checkDeviceName(name: string, where: string): void {
  if (!DEVICE_NAME.test(name)) throw new UsageError(`${where} ${DEVICE_NAME_RULE}, got '${name.slice(0, 80)}'`);
}

/**
 * Write a validated profile into the devices directory as `<name>.json`.
 * @throws UsageError for a built-in name, or an existing user device unless `overwrite`
 */
export function saveUserProfile(profile: DeviceProfile, devicesDir: string, options: { overwrite?: boolean } = {}): string {
  checkDeviceName(profile.name, 'device name');
  if (BUILTIN_PROFILES.some((p) => p.name === profile.name)) {
    throw new UsageError(`'${profile.name}' is a built-in device; give your profile another name`);
  }
  const file = path.join(devicesDir, `${profile.name}.json`);
  if (!options.overwrite && fs.existsSync(file))
    throw new UsageError(`device '${profile.name}' already exists (${file}); remove it first or use --force`);
  // Validate again so nothing invalid is ever written, whoever built the object.
  validate(deviceProfileSchema, profile, file);
  writeFileAtomic(file, JSON.stringify(profile, null, 2) + '\n');
  return file;
}

/** Delete a user device's profile file. @throws UsageError for built-in devices, UnknownNameError for unknown ones */
export function removeUserProfile(name: string, devicesDir: string): string {
  if (BUILTIN_PROFILES.some((p) => p.name === name)) throw new UsageError(`'${name}' is a built-in device and cannot be removed`);
  const entry = listDevices(devicesDir).devices.find((d) => d.name === name && d.origin === 'user');
  if (entry?.file === undefined) {
    throw new UnknownNameError(
      'user device',
      name,
      listDevices(devicesDir)
        .devices.filter((d) => d.origin === 'user')
        .map((d) => d.name),
    );
  }
  fs.rmSync(entry.file);
  return entry.file;
}
