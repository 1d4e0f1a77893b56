// Export of a run's Pareto front: per arch a spec.json (space, canonical arch, metrics with provenance, run id,
// config hash), a TF.js LayersModel and/or an ONNX model with the same initial weights, plus index.json. Written to a temporary sibling and
// renamed at the end,
// so a failure never leaves a half-written export.
import fs from 'node:fs';
import path from 'node:path';
import { experimentSchema } from '../core/config/schema.js';
import { validate } from '../core/config/validate.js';
import { UsageError } from '../core/errors.js';
import { refuseLink } from '../core/files.js';
import { archToOnnx, ONNX_OPSET } from '../formats/onnx.js';
import { Rng } from '../core/rng.js';
import { configSpace } from '../spaces/registry.js';
import type { InputShape, SearchSpace } from '../spaces/types.js';
import { HWNAS_VERSION } from '../core/version.js';
import { RunStore } from './store.js';
import { isProxySource, summariseRun, type FrontRow, type RunSummary } from './summary.js';
import type { MetricSources, TrialMetrics } from './types.js';
import { registerFileIO } from '../formats/tfjs-file-io.js';

export const SPEC_FORMAT = 'hwnas-exported-arch';

/** Model files `export` writes: ONNX (`model.onnx`), TF.js (`model.json` + `weights.bin`) or both. */
export const EXPORT_FORMATS = ['onnx', 'tfjs', 'all'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What spec.json holds. */
export interface ExportSpec {
  format: typeof SPEC_FORMAT;
  formatVersion: 1;
  space: string;
  arch: string;
  /** Rank on the run's front (0: an arch off the front, exported from the dashboard). */
  rank: number;
  input: InputShape;
  accuracy: { value: number; source: string; proxy: boolean };
  latencyMs: { value: number; source: string };
  flopsM: number;
  paramsM: number;
  runId: string;
  configHash: string;
  /** Seed of the model's initial weights (the export is untrained: train it before use). */
  weightsSeed: number;
  /** Model files beside spec.json, with the ONNX opset and input layout when there is an ONNX file. */
  files: {
    onnx?: { file: 'model.onnx'; opset: number; input: string; output: string; layout: 'NCHW' };
    tfjs?: { file: 'model.json'; layout: 'NHWC' };
  };
  hwnasVersion: string;
}

/** One entry of index.json. */
export interface ExportEntry {
  rank: number;
  dir: string;
  arch: string;
  accuracy: number;
  latencyMs: number;
}

/** spec.json of one arch of a run: its metrics with their sources, input, weights seed and the model files beside it. */
export function exportSpec(a: {
  space: SearchSpace;
  input: InputShape;
  summary: Pick<RunSummary, 'runId' | 'configHash'>;
  weightsSeed: number;
  /** Rank on the run's front; 0 for an arch off the front (exported from the dashboard). */
  rank: number;
  arch: string;
  metrics: TrialMetrics;
  sources: MetricSources;
  formats: { onnx: boolean; tfjs: boolean };
}): ExportSpec {
  return {
    format: SPEC_FORMAT,
    formatVersion: 1,
    space: a.space.name,
    arch: a.arch,
    rank: a.rank,
    input: a.input,
    accuracy: { value: a.metrics.accuracy, source: a.sources.accuracy, proxy: isProxySource(a.sources.accuracy) },
    latencyMs: { value: a.metrics.latencyMs, source: a.sources.latencyMs },
    flopsM: a.metrics.flopsM,
    paramsM: a.metrics.paramsM,
    runId: a.summary.runId,
    configHash: a.summary.configHash,
    weightsSeed: a.weightsSeed,
    files: {
      ...(a.formats.onnx && {
        onnx: { file: 'model.onnx' as const, opset: ONNX_OPSET, input: 'input', output: 'logits', layout: 'NCHW' as const },
      }),
      ...(a.formats.tfjs && { tfjs: { file: 'model.json' as const, layout: 'NHWC' as const } }),
    },
    hwnasVersion: HWNAS_VERSION,
  };
}

function entryDir(row: FrontRow): string {
  return `rank-${String(row.rank).padStart(2, '0')}`;
}

/** @throws UsageError when `outDir` is a symbolic link, or exists and is not empty (checked before any work) */
export function checkExportTarget(outDir: string): void {
  refuseLink(outDir);
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) throw new UsageError(`output folder ${outDir} exists and is not empty`);
}

/**
 * Export the front of the run in `runDir` to `outDir` (which must not exist or be empty).
 * @throws UsageError for an existing non-empty `outDir` or an empty front
 */
export async function exportRun(
  runDir: string,
  outDir: string,
  options: { top?: number; format?: ExportFormat } = {},
): Promise<ExportEntry[]> {
  checkExportTarget(outDir);
  const format = options.format ?? 'all';
  if (!EXPORT_FORMATS.includes(format))
    throw new UsageError(`unknown export format '${format}'; expected one of ${EXPORT_FORMATS.join(', ')}`);
  const withOnnx = format !== 'tfjs';
  const withTfjs = format !== 'onnx';
  const store = RunStore.openReader(runDir);
  let summary;
  try {
    summary = summariseRun(store);
  } finally {
    store.close();
  }
  const rows = summary.front.slice(0, options.top ?? summary.front.length);
  if (rows.length === 0) throw new UsageError(`run ${summary.runId} has no feasible evaluated architecture to export`);
  const config = validate(experimentSchema, (summary.config as { input: unknown }).input, `${summary.runId} (stored config)`);
  const { space, input } = configSpace(config.space, `${summary.runId} (stored config)`);

  const staging = `${path.resolve(outDir)}.partial-${process.pid}`;
  try {
    fs.mkdirSync(staging, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot write export to ${outDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    registerFileIO();
    const entries: ExportEntry[] = [];
    for (const row of rows) {
      const dir = entryDir(row);
      const weightsSeed = Rng.derive(config.seed, 'export', row.arch).seed32();
      const spec = exportSpec({
        space,
        input,
        summary,
        weightsSeed,
        rank: row.rank,
        arch: row.arch,
        metrics: row,
        sources: row.sources,
        formats: { onnx: withOnnx, tfjs: withTfjs },
      });
      // One TF.js model gives both files their weights, so the ONNX and TF.js models compute the same function.
      const model = space.buildModel(row.arch, input, { seed: weightsSeed });
      try {
        fs.mkdirSync(path.join(staging, dir), { recursive: true });
        if (withTfjs) await model.save(`file://${path.join(staging, dir)}`);
        if (withOnnx) fs.writeFileSync(path.join(staging, dir, 'model.onnx'), archToOnnx(space, row.arch, input, weightsSeed, model));
      } finally {
        model.dispose();
      }
      fs.writeFileSync(path.join(staging, dir, 'spec.json'), JSON.stringify(spec, null, 2) + '\n');
      entries.push({ rank: row.rank, dir, arch: row.arch, accuracy: row.accuracy, latencyMs: row.latencyMs });
    }
    fs.writeFileSync(
      path.join(staging, 'index.json'),
      JSON.stringify({ runId: summary.runId, configHash: summary.configHash, space: space.name, models: entries }, null, 2) + '\n',
    );
    if (fs.existsSync(outDir)) fs.rmdirSync(outDir);
    fs.mkdirSync(path.dirname(path.resolve(outDir)), { recursive: true });
    fs.renameSync(staging, outDir);
    return entries;
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
