// `hwnas report`: a self-contained report.html (no scripts, no network) of a run, with inline SVGs rendered
// headless from Vega-Lite specs that are saved beside it: Pareto scatter, hypervolume trace, predicted vs true
// latency, per-layer breakdown of the front's extremes.
import path from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { experimentSchema } from '../core/config/schema.js';
import { withSearchDefaults } from '../core/config/search.js';
import { validate } from '../core/config/validate.js';
import { ensureDir, writeFileAtomic } from '../core/files.js';
import { kendall, mape, spearman } from '../core/metrics.js';
import { profileArch } from '../hardware/breakdown.js';
import { getProfile } from '../hardware/registry.js';
import { configSpace } from '../spaces/registry.js';
import { hypervolumeTrace, isEvaluated, isFeasible } from './objectives.js';
import { RunStore } from './store.js';
import { formatHypervolume, summariseRun, type RunSummary } from './summary.js';

/** One chart of the report. */
export interface ReportView {
  id: string;
  title: string;
  /** Vega-Lite spec with its data inline (saved as `<id>.vl.json`). */
  spec: Record<string, unknown>;
  /** One paragraph under the chart. */
  caption: string;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Render a Vega-Lite spec to an SVG string without a browser. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** How the Pareto view draws each kind of evaluated arch, and how its caption says so. */
const POINT_STYLES = [
  { status: 'Pareto front', color: '#d62728', shape: 'circle', caption: undefined },
  { status: 'dominated', color: '#1f77b4', shape: 'circle', caption: 'dominated points faded' },
  { status: 'violates constraint', color: '#7f7f7f', shape: 'cross', caption: 'constraint-violating points as crosses' },
] as const;

function paretoView(summary: RunSummary, trials: ReturnType<RunStore['trials']>): ReportView {
  const [xObj, yObj] = [
    summary.objectives.find((o) => o.metric === 'latencyMs') ?? summary.objectives[1],
    summary.objectives.find((o) => o.metric === 'accuracy') ?? summary.objectives[0],
  ];
  const front = new Set(summary.front.map((r) => r.arch));
  const seen = new Set<string>();
  const points = trials.filter(isEvaluated).flatMap((t) => {
    if (seen.has(t.arch)) return [];
    seen.add(t.arch);
    const status = !isFeasible(t.metrics, summary.constraints) ? 'violates constraint' : front.has(t.arch) ? 'Pareto front' : 'dominated';
    const m = t.metrics;
    const interval =
      m.latencyLowerMs === undefined || m.latencyUpperMs === undefined
        ? '–'
        : `${m.latencyLowerMs.toPrecision(4)}–${m.latencyUpperMs.toPrecision(4)} ms`;
    return [
      {
        x: m[xObj.metric],
        y: m[yObj.metric],
        status,
        arch: t.arch,
        accuracy: m.accuracy,
        latencyMs: m.latencyMs,
        latencySource: t.sources.latencyMs,
        interval,
      },
    ];
  });
  // The front is drawn last, over the points it dominates, so each of its points can be hovered and clicked.
  points.sort((a, b) => Number(a.status === 'Pareto front') - Number(b.status === 'Pareto front'));
  // The legend and caption name only the kinds of point the run has (no "violates constraint" without constraints).
  const styles = POINT_STYLES.filter(({ status }) => points.some((p) => p.status === status));
  const step = summary.front.map((r) => ({ x: r[xObj.metric], y: r[yObj.metric] })).sort((a, b) => a.x - b.x);
  const rules = summary.constraints.filter((c) => c.metric === xObj.metric || c.metric === yObj.metric);
  const yTitle = `${yObj.metric}${summary.accuracyIsProxy && yObj.metric === 'accuracy' ? ' (zero-cost PROXY score)' : ''}`;
  const layers: Record<string, unknown>[] = [
    {
      data: { values: step },
      mark: { type: 'line', interpolate: yObj.maximise ? 'step-after' : 'step-before', color: '#d62728' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    },
    {
      data: { values: points },
      mark: { type: 'point', filled: true, size: 30 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xObj.metric, scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } },
        color: {
          field: 'status',
          type: 'nominal',
          scale: { domain: styles.map((st) => st.status), range: styles.map((st) => st.color) },
          title: null,
        },
        shape: {
          field: 'status',
          type: 'nominal',
          scale: { domain: styles.map((st) => st.status), range: styles.map((st) => st.shape) },
          title: null,
        },
        opacity: { condition: { test: "datum.status === 'Pareto front'", value: 1 }, value: 0.25 },
        tooltip: [
          { field: 'arch', title: 'arch' },
          { field: 'status', title: 'status' },
          { field: 'accuracy', title: summary.accuracyIsProxy ? 'accuracy (proxy)' : 'accuracy', format: '.4~f' },
          { field: 'latencyMs', title: 'latency ms', format: '.4~f' },
          { field: 'latencySource', title: 'latency source' },
          { field: 'interval', title: '90 % interval' },
        ],
      },
    },
    ...rules.map((c) => ({
      data: { values: [{ v: c.value, label: c.text }] },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [6, 4], color: '#2ca02c' },
          encoding: { [c.metric === xObj.metric ? 'x' : 'y']: { field: 'v', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#2ca02c' },
          encoding: { [c.metric === xObj.metric ? 'x' : 'y']: { field: 'v', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    })),
  ];
  return {
    id: 'pareto',
    title: 'Pareto front',
    caption: `${points.length} distinct evaluated archs; the front (${summary.front.length}) as a step line${styles.map((st) => (st.caption === undefined ? '' : `, ${st.caption}`)).join('')}${rules.length > 0 ? `, constraint ${rules.map((c) => c.text).join(', ')} dashed` : ''}. ${formatHypervolume(summary)}.`,
    // The legend sits under the plot, so the view is no wider than its plot (the dashboard's cards clipped a side legend).
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 560,
      height: 360,
      config: { legend: { orient: 'bottom', direction: 'horizontal' } },
      layer: layers,
    },
  };
}

function hypervolumeView(summary: RunSummary, trials: ReturnType<RunStore['trials']>): ReportView | undefined {
  if (summary.reference === undefined) return undefined;
  const trace = hypervolumeTrace(trials, summary.objectives, summary.constraints, summary.reference);
  return {
    id: 'hypervolume',
    title: 'Hypervolume vs evaluations',
    caption: `Hypervolume of the feasible front after each evaluation (reference point ${summary.objectives.map((o, k) => `${o.metric}=${summary.reference?.[k].toPrecision(4)}`).join(', ')}).`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 560,
      height: 240,
      data: { values: trace },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: { x: { field: 'evaluations', type: 'quantitative' }, y: { field: 'hypervolume', type: 'quantitative' } },
    },
  };
}

function predictedVsTrueView(summary: RunSummary): ReportView | undefined {
  const v = summary.verification as
    { archs: string[]; predictedMs: number[]; trueMs: number[]; device: string; source: string } | undefined;
  if (v === undefined || v.archs.length === 0) return undefined;
  const intervals = new Map(
    summary.front.filter((f) => f.latencyLowerMs !== undefined).map((f) => [f.arch, [f.latencyLowerMs!, f.latencyUpperMs!]]),
  );
  const rows = v.archs.map((arch, i) => ({
    arch,
    predictedMs: v.predictedMs[i],
    trueMs: v.trueMs[i],
    lowerMs: intervals.get(arch)?.[0],
    upperMs: intervals.get(arch)?.[1],
  }));
  const bars = rows.filter((r) => r.lowerMs !== undefined);
  const all = [...v.predictedMs, ...v.trueMs, ...bars.flatMap((r) => [r.lowerMs!, r.upperMs!])];
  const lo = Math.min(...all) * 0.9;
  const hi = Math.max(...all) * 1.1;
  const stats = `Spearman ρ ${spearman(v.predictedMs, v.trueMs).toFixed(3)}, Kendall τ ${kendall(v.predictedMs, v.trueMs).toFixed(3)}, MAPE ${(100 * mape(v.trueMs, v.predictedMs)).toFixed(1)} %`;
  const inside = bars.filter((r) => r.lowerMs! <= r.trueMs && r.trueMs <= r.upperMs!).length;
  const coverage =
    bars.length === 0
      ? ''
      : ` Vertical bars: each prediction's nominal 90 % interval; the true latency lies inside for ${inside} of ${bars.length}.`;
  const axis = (field: string, title?: string) => ({
    field,
    type: 'quantitative',
    scale: { type: 'log', domain: [lo, hi] },
    ...(title === undefined ? {} : { title }),
  });
  return {
    id: 'predicted-vs-true',
    title: 'Predicted vs true latency (front)',
    caption: `Front archs: predicted latency against the true latency on ${v.device} (${v.source}); ${stats}. The diagonal is perfect agreement.${coverage}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 360,
      height: 360,
      title: stats,
      layer: [
        {
          data: { values: [{ a: lo }, { a: hi }] },
          mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
          encoding: { x: axis('a', 'true latency ms'), y: axis('a', 'predicted latency ms') },
        },
        ...(bars.length === 0
          ? []
          : [
              {
                data: { values: bars },
                mark: { type: 'rule', color: '#9ecae1' },
                encoding: { x: axis('trueMs'), y: axis('lowerMs'), y2: { field: 'upperMs' } },
              },
            ]),
        { data: { values: rows }, mark: { type: 'point', filled: true }, encoding: { x: axis('trueMs'), y: axis('predictedMs') } },
      ],
    },
  };
}

function breakdownView(summary: RunSummary): ReportView | undefined {
  const config = withSearchDefaults(
    validate(experimentSchema, (summary.config as { input: unknown }).input, `${summary.runId} (stored config)`),
  );
  const device = config.device;
  if (device === undefined || (typeof device === 'object' && 'table' in device) || summary.front.length === 0) return undefined;
  const name = typeof device === 'string' ? device : device.name;
  const entry = getProfile(name, typeof device === 'string' ? {} : { devicesDir: device.devicesDir });
  if (entry.profile.kind !== 'simulated') return undefined;
  const { space, input } = configSpace(config.space, `${summary.runId} (stored config)`);
  const fastest = summary.front.reduce((a, b) => (b.latencyMs < a.latencyMs ? b : a));
  const accurate = summary.front.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const rows: { which: string; group: string; op: string; ms: number }[] = [];
  for (const [which, row] of [
    ['fastest', fastest],
    ['most accurate', accurate],
  ] as const) {
    const report = profileArch(entry.profile, space, row.arch, input);
    for (const l of report.layers) rows.push({ which, group: `${which} · ${l.origin.stage}`, op: l.origin.op, ms: l.timeMs });
  }
  return {
    id: 'breakdown',
    title: 'Per-layer latency breakdown',
    caption: `Simulated per-layer latency on ${name} (as \`hwnas profile\`) of the fastest front arch ${fastest.arch} and the most accurate ${accurate.arch}, by stage and the op each layer comes from.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 520,
      height: { step: 18 },
      data: { values: rows },
      mark: 'bar',
      encoding: {
        y: { field: 'group', type: 'nominal', title: null, sort: null },
        x: { aggregate: 'sum', field: 'ms', type: 'quantitative', title: 'simulated ms' },
        color: { field: 'op', type: 'nominal', title: 'op' },
      },
    },
  };
}

/** The report's views for a run (views without data, e.g. no true latencies, are left out). */
export function reportViews(summary: RunSummary, trials: ReturnType<RunStore['trials']>): ReportView[] {
  return [paretoView(summary, trials), hypervolumeView(summary, trials), predictedVsTrueView(summary), breakdownView(summary)].filter(
    (v): v is ReportView => v !== undefined,
  );
}

/** Options of `writeReport`. */
export interface ReportOptions {
  /** Also write `<view>.png` per chart, at this many pixels per SVG unit (e.g. 2); absent: no PNGs. */
  pngScale?: number;
}

/** Rasterise an SVG to PNG bytes at `scale` pixels per unit (resvg; system fonts for the labels). */
export async function svgToPng(svg: string, scale: number): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'sans-serif' },
  })
    .render()
    .asPng();
}

/**
 * Write `<outDir>/report.html` and one `<view>.vl.json` per chart (and `<view>.png` with `pngScale`); returns the
 * paths written.
 * @throws UsageError when the output folder cannot be written
 */
export async function writeReport(
  runDir: string,
  outDir: string,
  options: ReportOptions = {},
): Promise<{ html: string; views: ReportView[]; pngs: string[] }> {
  const store = RunStore.openReader(runDir);
  let summary: RunSummary;
  let trials;
  try {
    trials = store.trials();
    summary = summariseRun(store, trials);
  } finally {
    store.close();
  }
  const views = reportViews(summary, trials);
  const svgs = await Promise.all(views.map((v) => renderSvg(v.spec)));
  const frontRows = summary.front
    .map(
      (r) =>
        `<tr><td>${r.rank}</td><td><code>${escapeHtml(r.arch)}</code></td><td>${r.accuracy.toPrecision(4)}</td><td>${r.latencyMs.toPrecision(4)}</td><td>${escapeHtml(r.sources.latencyMs)}</td><td>${r.flopsM.toPrecision(4)}</td></tr>`,
    )
    .join('\n');
  const proxyNote = summary.accuracyIsProxy
    ? '<p class="warn">Accuracy here is a zero-cost PROXY score computed in TF.js, not a trained accuracy.</p>'
    : '';
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>hwnas run ${escapeHtml(summary.runId)}</title>
<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:nth-child(2){text-align:left}.warn{color:#a00;font-weight:bold}figure{margin:1.5em 0}figcaption{font-size:13px;color:#555}</style>
</head><body>
<h1>hwnas run ${escapeHtml(summary.runId)}</h1>
<p>${escapeHtml(`${summary.state}; space ${summary.space}; ${summary.counts.evaluated} evaluated, ${summary.counts.failed} failed of budget ${summary.counts.budget}; backend ${summary.backend}; config hash ${summary.configHash}; created ${summary.createdAt}`)}</p>
${proxyNote}
${views.map((v, i) => `<figure id="${v.id}"><h2>${escapeHtml(v.title)}</h2>\n${svgs[i]}\n<figcaption>${escapeHtml(v.caption)} Spec: ${escapeHtml(`${v.id}.vl.json`)}</figcaption></figure>`).join('\n')}
<h2>Pareto front</h2>
<table><tr><th>rank</th><th>arch</th><th>accuracy${summary.accuracyIsProxy ? ' (proxy)' : ''}</th><th>latency ms</th><th>latency source</th><th>FLOPs M</th></tr>
${frontRows}
</table>
</body></html>
`;
  // Each file goes through a temporary name; a symlinked report folder or file is refused, not followed.
  ensureDir(outDir);
  for (const v of views) writeFileAtomic(path.join(outDir, `${v.id}.vl.json`), JSON.stringify(v.spec, null, 2) + '\n');
  const file = path.join(outDir, 'report.html');
  writeFileAtomic(file, html);
  const pngs: string[] = [];
  if (options.pngScale !== undefined) {
    for (const [i, v] of views.entries()) {
      const png = path.join(outDir, `${v.id}.png`);
      writeFileAtomic(png, await svgToPng(svgs[i], options.pngScale));
      pngs.push(png);
    }
  }
  return { html: file, views, pngs };
}
