// What the dashboard serves, as plain data: the runs under a results folder, one run (the report's Vega-Lite
// specs, its trials, its config), the per-layer breakdown of an arch or an imported model on a simulated device
// with what-ifs (the numbers `hwnas profile --what-if` prints), and the files `hwnas export` writes for one arch.
// Every name a request carries is looked up among what exists (runs listed, devices registered, archs
// canonicalised), never joined into a path.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { experimentSchema } from '../core/config/schema.js';
import { deviceLabel, withSearchDefaults } from '../core/config/search.js';
import { validate } from '../core/config/validate.js';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ImportedModel } from '../formats/import/index.js';
import { archToOnnx } from '../formats/onnx.js';
import { profileArch, profileModel, type LayerRow, type ProfileReport, type ScenarioTotals } from '../hardware/breakdown.js';
import { listDevices, resolveDevicesDir } from '../hardware/registry.js';
import type { SimulatedProfile } from '../hardware/schema.js';
import { parseWhatIfs } from '../hardware/whatif.js';
import { isFeasible, isEvaluated } from '../search/objectives.js';
import { exportSpec, type ExportSpec } from '../search/export.js';
import { reportViews, type ReportView } from '../search/report.js';
import { DB_FILE, listRunDirs, withRunReader as withReader, type RunStore } from '../search/store.js';
import { summariseRun, type RunSummary } from '../search/summary.js';
import { configSpace, getSpace, resolveInput } from '../spaces/registry.js';
import type { InputShape } from '../spaces/types.js';
import type { RunListRow, TrialColumns } from './client/shared.js';

/** Where the dashboard reads from. */
export interface DashboardSources {
  /** Folder holding the run directories. */
  results: string;
  /** Folder of user device profiles (default `$HWNAS_DEVICES_DIR`, else `./hwnas-devices`). */
  devicesDir?: string;
}

/** The resolved experiment a run stores. */
function runExperiment(summary: RunSummary) {
  return withSearchDefaults(validate(experimentSchema, (summary.config as { input: unknown }).input, `${summary.runId} (stored config)`));
}

/** Every run under the results folder; a run that cannot be read is listed as broken with its reason. */
export function listRuns(sources: DashboardSources): RunListRow[] {
  return listRunDirs(sources.results).map((dir): RunListRow => {
    try {
      return withReader(dir, (store) => {
        const s = summariseRun(store);
        const config = runExperiment(s);
        return {
          runId: s.runId,
          state: s.state,
          space: s.space,
          device: config.device === undefined ? '-' : deviceLabel(config.device),
          strategy: config.strategy.name,
          evaluated: s.counts.evaluated,
          failed: s.counts.failed,
          budget: s.counts.budget,
          front: s.front.length,
          hypervolume: s.hypervolume,
          createdAt: s.createdAt,
        };
      });
    } catch (err) {
      const db = path.join(dir, DB_FILE);
      const message = (err as Error).message;
      return { runId: path.basename(dir), state: 'broken', error: message.includes(db) ? message : `${db}: ${message}` };
    }
  });
}

/**
 * The directory of run `id`, only if it is one of the runs listed under the results folder (a request never
 * names a path). @throws UsageError
 */
export function runDir(sources: DashboardSources, id: string): string {
  const dir = listRunDirs(sources.results).find((d) => path.basename(d) === id);
  if (dir === undefined) throw new UsageError(`unknown run '${id}' in ${sources.results}`);
  return dir;
}

/** What the run page shows. */
export interface RunPage {
  run: Omit<RunSummary, 'config' | 'dir'> & {
    device: string;
    strategy: string;
    dataset?: string;
    input: InputShape;
    simulatedDevice?: string;
  };
  /** The resolved config as stored. */
  config: Record<string, unknown>;
  /** The charts of `hwnas report`, the same specs. */
  views: ReportView[];
  trials: TrialColumns;
}

function trialColumns(summary: RunSummary, trials: ReturnType<RunStore['trials']>): TrialColumns {
  const front = new Set(summary.front.map((r) => r.arch));
  const seen = new Set<string>();
  const cols: TrialColumns = {
    index: [],
    arch: [],
    status: [],
    accuracy: [],
    latencyMs: [],
    latencyLowerMs: [],
    latencyUpperMs: [],
    flopsM: [],
    paramsM: [],
    accuracySource: [],
    latencySource: [],
    error: [],
  };
  for (const t of trials) {
    const m = t.metrics;
    let status: string;
    if (t.state === 'failed') status = 'failed';
    else if (!isEvaluated(t)) status = 'running';
    else if (seen.has(t.arch)) status = 'repeat';
    else status = !isFeasible(t.metrics, summary.constraints) ? 'infeasible' : front.has(t.arch) ? 'front' : 'dominated';
    if (isEvaluated(t)) seen.add(t.arch);
    cols.index.push(t.index);
    cols.arch.push(t.arch);
    cols.status.push(status);
    cols.accuracy.push(m?.accuracy ?? null);
    cols.latencyMs.push(m?.latencyMs ?? null);
    cols.latencyLowerMs.push(m?.latencyLowerMs ?? null);
    cols.latencyUpperMs.push(m?.latencyUpperMs ?? null);
    cols.flopsM.push(m?.flopsM ?? null);
    cols.paramsM.push(m?.paramsM ?? null);
    cols.accuracySource.push(t.sources?.accuracy ?? null);
    cols.latencySource.push(t.sources?.latencyMs ?? null);
    cols.error.push(t.error ?? null);
  }
  return cols;
}

/** The run page of run `id`. @throws UsageError for an unknown run, DataFileError for a broken one */
export function runPage(sources: DashboardSources, id: string): RunPage {
  const dir = runDir(sources, id);
  return withReader(dir, (store) => {
    const trials = store.trials();
    const summary = summariseRun(store, trials);
    const config = runExperiment(summary);
    const space = getSpace(config.space.name);
    const { config: stored, dir: _dir, ...rest } = summary;
    const device = config.device === undefined ? '-' : deviceLabel(config.device);
    const simulated = simulatedDevices(sources).some((d) => d.name === device) ? device : undefined;
    return {
      run: {
        ...rest,
        device,
        strategy: config.strategy.name,
        dataset: config.space.dataset,
        input: resolveInput(space, config.space),
        ...(simulated !== undefined && { simulatedDevice: simulated }),
      },
      config: stored,
      views: reportViews(summary, trials).filter((v) => v.id !== 'breakdown'),
      trials: trialColumns(summary, trials),
    };
  });
}

/**
 * A fingerprint of every run database's size and modification time (and its WAL's and lock's): it changes when a
 * run is created, written or finished. Cheap (stat calls only), so it can be polled.
 */
export function runStamps(sources: DashboardSources): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const dir of listRunDirs(sources.results)) {
    const parts = [DB_FILE, `${DB_FILE}-wal`, 'writer.lock'].map((f) => {
      try {
        const s = fs.statSync(path.join(dir, f));
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return '-';
      }
    });
    stamps.set(path.basename(dir), parts.join('|'));
  }
  return stamps;
}

/** The simulated devices (built-in and user): the ones a per-layer breakdown runs on. */
export function simulatedDevices(sources: DashboardSources): SimulatedProfile[] {
  return listDevices(resolveDevicesDir(sources.devicesDir))
    .devices.map((d) => d.profile)
    .filter((p): p is SimulatedProfile => p.kind === 'simulated');
}

function simulatedDevice(sources: DashboardSources, name: string): SimulatedProfile {
  const all = simulatedDevices(sources);
  const profile = all.find((p) => p.name === name);
  if (profile === undefined) throw new UsageError(`unknown simulated device '${name}' (known: ${all.map((p) => p.name).join(', ')})`);
  return profile;
}

/** What is profiled: an arch of a space, or a model the user opened. */
export type ProfileTarget = { space: string; arch: string } | { model: string };

/** The breakdown request: target, device, base input (as `hwnas profile --dataset/--batch/--resolution`) and what-ifs. */
export interface ProfileQuery {
  target: ProfileTarget;
  device: string;
  dataset?: string;
  batch?: number;
  resolution?: number;
  /** `--what-if` text (`int8,fuse,prune:0.3`), applied together. */
  whatIf: string;
}

/** One breakdown as the arch page shows it: the layers and totals under the what-ifs, against the baseline. */
export interface ProfileView {
  target: { space: string; arch: string } | { model: string; name: string; format: string };
  device: string;
  source: string;
  precision: string;
  /** Precisions the device accelerates; another precision runs at the fp32 rate (only its bytes shrink). */
  precisions: string[];
  input: InputShape;
  whatIf: string;
  /** Input after batch / resolution what-ifs. */
  scenarioInput: InputShape;
  layers: LayerRow[];
  totals: ScenarioTotals;
  baseline: ScenarioTotals;
  delta: { ms: number; pct: number; memoryPct: number };
  /** Names of the slowest layers under the what-ifs, slowest first. */
  bottlenecks: string[];
}

/** Models opened in the dashboard, by content hash. */
export class ModelShelf {
  private readonly models = new Map<string, ImportedModel>();

  /** Read a model file's bytes (ONNX or TF.js model.json); the same bytes give the same id. */
  async add(bytes: Uint8Array, fileName: string): Promise<{ id: string; model: ImportedModel }> {
    const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const known = this.models.get(id);
    if (known !== undefined) return { id, model: known };
    // The importers (protobuf decoding) load with the first model opened, not with the dashboard.
    const { importModel } = await import('../formats/import/index.js');
    const model = importModel(bytes, fileName);
    this.models.set(id, model);
    return { id, model };
  }

  get(id: string): ImportedModel {
    const model = this.models.get(id);
    if (model === undefined) throw new UsageError(`no opened model '${id}' (models live while the dashboard runs: open the file again)`);
    return model;
  }
}

const TOP_BOTTLENECKS = 5;

/** Precisions the device has its own peak for (fp32 always). */
function acceleratedPrecisions(profile: SimulatedProfile): string[] {
  const peak = profile.simulated.peak;
  return ['fp32', ...(peak.fp16Gflops === undefined ? [] : ['fp16']), ...(peak.int8Gops === undefined ? [] : ['int8'])];
}

/** The per-layer breakdown `hwnas profile` computes, with the what-ifs applied. @throws UsageError, UnknownArchError */
export function profileView(sources: DashboardSources, shelf: ModelShelf, q: ProfileQuery): ProfileView {
  const profile = simulatedDevice(sources, q.device);
  const whatIfs = parseWhatIfs(q.whatIf);
  const scenarios = whatIfs.length > 0 ? [whatIfs] : [];
  let report: ProfileReport;
  let target: ProfileView['target'];
  if ('model' in q.target) {
    const model = shelf.get(q.target.model);
    const input = {
      ...model.input,
      ...(q.batch !== undefined && { batchSize: q.batch }),
      ...(q.resolution !== undefined && { resolution: q.resolution }),
    };
    report = profileModel(profile, model, input, scenarios, TOP_BOTTLENECKS);
    target = { model: q.target.model, name: model.name, format: model.format };
  } else {
    const space = getSpace(q.target.space);
    const arch = space.canonical(/^\d+$/.test(q.target.arch) ? Number(q.target.arch) : q.target.arch);
    const input = resolveInput(space, { dataset: q.dataset, batchSize: q.batch, resolution: q.resolution });
    report = profileArch(profile, space, arch, input, scenarios, TOP_BOTTLENECKS);
    target = { space: space.name, arch };
  }
  const scenario = report.whatIfs[0];
  const layers = scenario?.layers ?? report.layers;
  const totals = scenario?.totals ?? report.totals;
  const bottlenecks = layers
    .filter((r) => r.timeMs > 0)
    .sort((a, b) => b.timeMs - a.timeMs)
    .slice(0, TOP_BOTTLENECKS)
    .map((r) => r.name);
  return {
    target,
    device: profile.name,
    source: report.source,
    precision: scenario?.layers[0]?.precision ?? report.precision,
    precisions: acceleratedPrecisions(profile),
    input: report.input,
    whatIf: whatIfs.length === 0 ? '' : (scenario?.label ?? ''),
    scenarioInput: scenario?.input ?? report.input,
    layers,
    totals,
    baseline: report.totals,
    delta: { ms: scenario?.deltaMs ?? 0, pct: scenario?.deltaPct ?? 0, memoryPct: scenario?.deltaMemoryPct ?? 0 },
    bottlenecks,
  };
}

/** Totals of the same target and what-ifs on every simulated device. */
export function compareDevices(
  sources: DashboardSources,
  shelf: ModelShelf,
  q: Omit<ProfileQuery, 'device'>,
): { device: string; baselineMs: number; latencyMs: number; memoryBytes: number; deltaPct: number }[] {
  return simulatedDevices(sources).map((p) => {
    const v = profileView(sources, shelf, { ...q, device: p.name });
    return {
      device: p.name,
      baselineMs: v.baseline.latencyMs,
      latencyMs: v.totals.latencyMs,
      memoryBytes: v.totals.memoryBytes,
      deltaPct: v.delta.pct,
    };
  });
}

/** A downloadable file. */
export interface DownloadFile {
  name: string;
  type: string;
  body: Uint8Array | string;
}

/**
 * `spec.json` or `model.onnx` of one evaluated arch of a run, as `hwnas export` writes them (same weights seed,
 * so the same bytes). @throws UsageError for an arch the run did not evaluate
 */
export async function exportFile(
  sources: DashboardSources,
  runId: string,
  arch: string,
  file: 'spec.json' | 'model.onnx',
): Promise<DownloadFile> {
  const dir = runDir(sources, runId);
  const { summary, trial } = withReader(dir, (store) => {
    const trials = store.trials();
    const summary = summariseRun(store, trials);
    return { summary, trial: trials.find((t) => isEvaluated(t) && t.arch === arch) };
  });
  if (trial === undefined || !isEvaluated(trial)) throw new UsageError(`run ${runId} has no evaluated arch '${arch}'`);
  const config = runExperiment(summary);
  const { space, input } = configSpace(config.space, `${runId} (stored config)`);
  const weightsSeed = Rng.derive(config.seed, 'export', arch).seed32();
  const stem = `${runId}-${createHash('sha256').update(arch).digest('hex').slice(0, 8)}`;
  if (file === 'spec.json') {
    const rank = summary.front.find((r) => r.arch === arch)?.rank ?? 0;
    const spec: ExportSpec = exportSpec({
      space,
      input,
      summary,
      weightsSeed,
      rank,
      arch,
      metrics: trial.metrics,
      sources: trial.sources,
      formats: { onnx: true, tfjs: false },
    });
    return { name: `${stem}-spec.json`, type: 'application/json', body: JSON.stringify(spec, null, 2) + '\n' };
  }
  const { initBackend } = await import('../core/backend.js');
  await initBackend();
  return { name: `${stem}-model.onnx`, type: 'application/octet-stream', body: archToOnnx(space, arch, input, weightsSeed) };
}
