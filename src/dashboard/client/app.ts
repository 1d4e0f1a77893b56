// The dashboard's browser side: a hash-routed single page drawn from the JSON API. Every view's state lives in the
// URL (`#/run/<id>?…`, `#/arch?…`, `#/model?…`), so a copied URL reproduces what its sender saw. Text reaches the
// page only as text nodes (never as HTML), so run, device and arch names cannot inject markup.

import type { RunListRow as RunRow, TrialColumns } from './shared.js';

// ---- Vega (loaded as globals by the page's vendored scripts) ------------------------------------------------------

interface VegaItem {
  datum?: Record<string, unknown>;
}
interface VegaView {
  addEventListener(type: string, handler: (event: Event, item: VegaItem | null | undefined) => void): void;
  signal(name: string, value: unknown): VegaView;
  data(name: string, values: unknown[]): VegaView;
  runAsync(): Promise<VegaView>;
  finalize(): void;
}
type VegaEmbed = (el: HTMLElement, spec: unknown, options: Record<string, unknown>) => Promise<{ view: VegaView; finalize(): void }>;
declare const vegaEmbed: VegaEmbed;

// ---- API types (the JSON src/dashboard/api.ts serves) --------------------------------------------------------------

interface InputShape {
  batchSize: number;
  resolution: number;
  channels: number;
  classes: number;
}

interface ReportView {
  id: string;
  title: string;
  spec: Record<string, unknown>;
  caption: string;
}

interface RunPage {
  run: {
    runId: string;
    state: string;
    space: string;
    device: string;
    strategy: string;
    dataset?: string;
    input: InputShape;
    simulatedDevice?: string;
    createdAt: string;
    counts: { proposed: number; evaluated: number; failed: number; running: number; budget: number };
    hypervolume: number;
    accuracyIsProxy: boolean;
    front: { rank: number; arch: string; accuracy: number; latencyMs: number }[];
    failed: { index: number; arch: string; error: string }[];
    paused?: { file: string; round: number; rounds: number };
  };
  config: Record<string, unknown>;
  views: ReportView[];
  trials: TrialColumns;
}

interface LayerRow {
  name: string;
  kind: string;
  origin: { stage: string; cell?: number; edge?: [number, number]; block?: number; op: string };
  outputShape: number[];
  flops: number;
  params?: number;
  activationBytes?: number;
  bytesMoved: number;
  timeMs: number;
  share: number;
  bound: string;
  precision: string;
  fusedInto?: string;
}

interface Totals {
  latencyMs: number;
  flops: number;
  bytesMoved: number;
  memoryBytes: number;
  byBound: Record<string, number>;
}

interface ProfileView {
  target: { space: string; arch: string } | { model: string; name: string; format: string };
  device: string;
  source: string;
  precision: string;
  precisions: string[];
  input: InputShape;
  whatIf: string;
  scenarioInput: InputShape;
  layers: LayerRow[];
  totals: Totals;
  baseline: Totals;
  delta: { ms: number; pct: number; memoryPct: number };
  bottlenecks: string[];
}

// ---- Small DOM helpers ---------------------------------------------------------------------------------------------

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** An element with attributes, listeners (`on…`) and children; strings become text nodes. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
const ms = (x: number): string => x.toFixed(4);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(3);

function showError(message: string | undefined): void {
  const banner = document.getElementById('banner')!;
  banner.hidden = message === undefined;
  banner.textContent = message ?? '';
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

// ---- Routing: the whole view state is in the hash ------------------------------------------------------------------

interface Route {
  path: string[];
  params: URLSearchParams;
}

function currentRoute(): Route {
  const hash = location.hash.replace(/^#/, '') || '/runs';
  const [p, q] = hash.split('?', 2);
  return {
    path: p
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent),
    params: new URLSearchParams(q ?? ''),
  };
}

function routeHash(path: string[], params: URLSearchParams): string {
  const q = params.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${q === '' ? '' : `?${q}`}`;
}

/** Record a view's state in the URL without reloading the view. */
function replaceState(params: URLSearchParams): void {
  const r = currentRoute();
  history.replaceState(null, '', routeHash(r.path, params));
}

/** Test and benchmark hooks: readiness and timings of the last render. */
const hooks = { renders: 0, view: '', timings: {} as Record<string, number> };
(window as unknown as { hwnas: typeof hooks }).hwnas = hooks;

function ready(view: string): void {
  hooks.renders++;
  hooks.view = view;
  document.body.dataset.ready = `${view}:${hooks.renders}`;
}

// ---- Live updates: one event stream, views subscribe ---------------------------------------------------------------

let onRunsChanged: ((ids: string[]) => void) | undefined;
const events = new EventSource('/api/events');
events.addEventListener('change', (e) => {
  const ids = (JSON.parse((e as MessageEvent<string>).data) as { runs: string[] }).runs;
  onRunsChanged?.(ids);
});

/** Call `refresh` when a change arrives, never two at once and at most once per `minGapMs`. */
function throttled(refresh: () => Promise<void>, minGapMs = 500): () => void {
  let busy = false;
  let again = false;
  let last = 0;
  const run = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const wait = last + minGapMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    try {
      await refresh();
    } catch (err) {
      showError((err as Error).message);
    } finally {
      last = performance.now();
      busy = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  return () => void run();
}

// ---- Sortable tables -----------------------------------------------------------------------------------------------

interface Column<R> {
  key: string;
  title: string;
  value: (r: R) => string | number | null;
  cell?: (r: R) => Child;
  num?: boolean;
  cls?: string;
}

/** A table sorted by `sort` (`key` or `-key`), with header clicks reporting the next sort. */
function sortedTable<R>(
  columns: Column<R>[],
  rows: R[],
  sort: string,
  onSort: (sort: string) => void,
  rowAttrs: (r: R) => Attrs = () => ({}),
): HTMLTableElement {
  const desc = sort.startsWith('-');
  const key = sort.replace(/^-/, '');
  const col = columns.find((c) => c.key === key);
  const sorted = col === undefined ? rows : [...rows].sort((a, b) => compare(col.value(a), col.value(b)) * (desc ? -1 : 1));
  const head = h(
    'tr',
    {},
    ...columns.map((c) =>
      h(
        'th',
        {
          class: `sortable${c.num ? ' num' : ''}${c.key === key ? (desc ? ' sorted-desc' : ' sorted-asc') : ''}`,
          'data-key': c.key,
          onclick: () => onSort(c.key === key && !desc ? `-${c.key}` : c.key),
        },
        c.title,
      ),
    ),
  );
  const body = h(
    'tbody',
    {},
    ...sorted.map((r) =>
      h(
        'tr',
        rowAttrs(r),
        ...columns.map((c) =>
          h('td', { class: `${c.num ? 'num' : ''} ${c.cls ?? ''}`.trim() || undefined }, c.cell ? c.cell(r) : fmtCell(c.value(r))),
        ),
      ),
    ),
  );
  return h('table', {}, h('thead', {}, head), body);
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

const fmtCell = (v: string | number | null): string =>
  v === null ? '–' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(5)) : v;

// ---- Views ---------------------------------------------------------------------------------------------------------

const view = (): HTMLElement => document.getElementById('view')!;
let cleanup: (() => void)[] = [];

function mount(...children: Child[]): void {
  view().replaceChildren(
    ...children
      .filter((c): c is Node | string => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c)),
  );
}

async function runsView(): Promise<void> {
  const draw = async (): Promise<void> => {
    const rows = await api<RunRow[]>('/api/runs');
    const sort = currentRoute().params.get('sort') ?? '-createdAt';
    const ok = rows.filter((r): r is Exclude<RunRow, { state: 'broken' }> => r.state !== 'broken');
    const broken = rows.filter((r): r is Extract<RunRow, { state: 'broken' }> => r.state === 'broken');
    type Ok = (typeof ok)[number];
    const columns: Column<Ok>[] = [
      {
        key: 'runId',
        title: 'run',
        value: (r) => r.runId,
        cell: (r) => h('a', { href: routeHash(['run', r.runId], new URLSearchParams()), class: 'run-link' }, r.runId),
      },
      { key: 'state', title: 'status', value: (r) => r.state, cell: (r) => h('span', { class: `state ${r.state}` }, r.state) },
      { key: 'space', title: 'space', value: (r) => r.space },
      { key: 'device', title: 'device', value: (r) => r.device },
      { key: 'strategy', title: 'strategy', value: (r) => r.strategy },
      { key: 'evaluated', title: 'evaluated', num: true, value: (r) => r.evaluated, cell: (r) => `${r.evaluated} / ${r.budget}` },
      { key: 'failed', title: 'failed', num: true, value: (r) => r.failed },
      { key: 'front', title: 'front', num: true, value: (r) => r.front },
      { key: 'hypervolume', title: 'hypervolume', num: true, value: (r) => r.hypervolume, cell: (r) => r.hypervolume.toPrecision(5) },
      { key: 'createdAt', title: 'created', value: (r) => r.createdAt, cell: (r) => r.createdAt.replace('T', ' ').slice(0, 19) },
    ];
    const table = sortedTable(
      columns,
      ok,
      sort,
      (next) => {
        const p = currentRoute().params;
        p.set('sort', next);
        replaceState(p);
        void draw();
      },
      (r) => ({ 'data-run': r.runId }),
    );
    table.id = 'runs-table';
    mount(
      h('h1', {}, 'Runs'),
      h(
        'p',
        { class: 'muted' },
        `${rows.length} run${rows.length === 1 ? '' : 's'} in the results folder; this list updates while searches write.`,
      ),
      ok.length > 0
        ? table
        : h('p', {}, 'No runs yet: start one with ', h('code', {}, 'npx hwnas search --config experiments/quickstart.json'), '.'),
      broken.length > 0 && h('h2', {}, 'Runs that cannot be read'),
      broken.length > 0 &&
        h(
          'ul',
          { id: 'broken-runs' },
          ...broken.map((r) => h('li', {}, h('span', { class: 'state broken' }, 'broken'), ' ', h('strong', {}, r.runId), ': ', r.error)),
        ),
    );
    ready('runs');
  };
  const refresh = throttled(draw);
  onRunsChanged = () => refresh();
  await draw();
}

/** Embed a report chart; `onPick` gets the datum of a clicked mark. */
async function embed(el: HTMLElement, spec: Record<string, unknown>, onPick?: (datum: Record<string, unknown>) => void): Promise<VegaView> {
  const result = await vegaEmbed(el, spec, { renderer: 'svg', actions: false, tooltip: true });
  cleanup.push(() => result.finalize());
  if (onPick !== undefined) result.view.addEventListener('click', (_e, item) => item?.datum && onPick(item.datum));
  return result.view;
}

const TRIAL_PAGE = 100;

async function runView(id: string): Promise<void> {
  let page: RunPage | undefined;
  const drawTrials = (container: HTMLElement): void => {
    if (page === undefined) return;
    const p = currentRoute().params;
    const t = page.trials;
    const filter = (p.get('q') ?? '').toLowerCase();
    const status = p.get('status') ?? '';
    let rows = t.index.map((_, i) => i);
    if (status !== '') rows = rows.filter((i) => t.status[i] === status);
    if (filter !== '')
      rows = rows.filter((i) =>
        [t.arch[i], t.latencySource[i] ?? '', t.accuracySource[i] ?? '', t.error[i] ?? ''].some((s) => s.toLowerCase().includes(filter)),
      );
    const sort = p.get('sort') ?? 'index';
    const columns: Column<number>[] = [
      { key: 'index', title: '#', num: true, value: (i) => t.index[i] },
      { key: 'status', title: 'status', value: (i) => t.status[i], cell: (i) => h('span', { class: `state ${t.status[i]}` }, t.status[i]) },
      { key: 'arch', title: 'arch', cls: 'arch', value: (i) => t.arch[i] },
      { key: 'accuracy', title: page.run.accuracyIsProxy ? 'accuracy (proxy)' : 'accuracy', num: true, value: (i) => t.accuracy[i] },
      { key: 'latencyMs', title: 'latency ms', num: true, value: (i) => t.latencyMs[i] },
      {
        key: 'interval',
        title: '90 % interval',
        value: (i) => t.latencyLowerMs[i],
        cell: (i) => (t.latencyLowerMs[i] === null ? '–' : `${fmt(t.latencyLowerMs[i])}–${fmt(t.latencyUpperMs[i])}`),
      },
      { key: 'latencySource', title: 'latency source', value: (i) => t.latencySource[i] },
      { key: 'flopsM', title: 'FLOPs M', num: true, value: (i) => t.flopsM[i] },
      { key: 'error', title: 'reason (failed)', value: (i) => t.error[i] },
    ];
    const pageNo = Math.max(0, Number(p.get('page') ?? '0') || 0);
    const pages = Math.max(1, Math.ceil(rows.length / TRIAL_PAGE));
    const current = Math.min(pageNo, pages - 1);
    const sortedRows = sortedRowsOf(columns, rows, sort);
    const shown = sortedRows.slice(current * TRIAL_PAGE, (current + 1) * TRIAL_PAGE);
    const set = (k: string, v: string): void => {
      const q = currentRoute().params;
      if (v === '') q.delete(k);
      else q.set(k, v);
      if (k !== 'page') q.delete('page');
      replaceState(q);
      drawTrials(container);
    };
    const table = sortedTable(
      columns,
      shown,
      '',
      (next) => set('sort', next === sort ? `-${sort}` : next),
      (i) => ({ class: 'clickable', 'data-arch': t.arch[i], onclick: () => openArch(page!, t.arch[i]) }),
    );
    markSorted(table, sort);
    table.id = 'trials-table';
    const statuses = [...new Set(t.status)].sort();
    const filterBox = h('input', {
      type: 'search',
      placeholder: 'filter arch, source, reason',
      value: p.get('q') ?? '',
      id: 'trial-filter',
    });
    filterBox.addEventListener('change', () => set('q', filterBox.value));
    const statusBox = h(
      'select',
      { id: 'trial-status' },
      h('option', { value: '' }, 'all statuses'),
      ...statuses.map((s) => h('option', { value: s, selected: s === status }, s)),
    );
    statusBox.addEventListener('change', () => set('status', statusBox.value));
    container.replaceChildren(
      h(
        'div',
        { class: 'toolbar' },
        filterBox,
        statusBox,
        h('span', { class: 'muted' }, `${rows.length} of ${t.index.length} trials`),
        h(
          'span',
          { class: 'pager' },
          h('button', { disabled: current === 0, onclick: () => set('page', String(current - 1)) }, '‹'),
          ` page ${current + 1} / ${pages} `,
          h('button', { disabled: current >= pages - 1, onclick: () => set('page', String(current + 1)) }, '›'),
        ),
      ),
      table,
    );
  };

  const draw = async (): Promise<void> => {
    const t0 = performance.now();
    page = await api<RunPage>(`/api/run?id=${encodeURIComponent(id)}`);
    const t1 = performance.now();
    for (const f of cleanup) f();
    cleanup = [];
    const r = page.run;
    const charts = page.views.map((v) => ({ v, el: h('div', { class: 'vis', id: `chart-${v.id}` }) }));
    const trials = h('div', { id: 'trials' });
    mount(
      h('p', {}, h('a', { href: '#/runs' }, '← runs')),
      h(
        'h1',
        {},
        'Run ',
        h('span', { class: 'mono', id: 'run-id' }, r.runId),
        ' ',
        h('span', { class: `state ${r.state}`, id: 'run-state' }, r.state),
      ),
      h(
        'div',
        { class: 'cards' },
        card('space', r.space, r.dataset ?? ''),
        card('device', r.device),
        card('strategy', r.strategy),
        card('evaluated', `${r.counts.evaluated} / ${r.counts.budget}`, `${r.counts.failed} failed`, 'evaluated'),
        card('front', String(r.front.length)),
        card('hypervolume', r.hypervolume.toPrecision(5)),
      ),
      r.paused &&
        h(
          'p',
          { class: 'note' },
          `Paused for hand measurements (round ${r.paused.round} of ${r.paused.rounds}): fill ${r.paused.file}, then run hwnas runs resume ${r.runId}.`,
        ),
      h(
        'div',
        { class: 'grid' },
        ...charts.map(({ v, el }) => h('section', { class: 'chart' }, h('h2', {}, v.title), el, h('p', { class: 'caption' }, v.caption))),
      ),
      h('h2', {}, 'Trials'),
      trials,
      r.failed.length > 0 && h('h2', {}, `Failed trials (${r.failed.length})`),
      r.failed.length > 0 &&
        h(
          'ul',
          { id: 'failed-trials' },
          ...r.failed.slice(0, 50).map((f) => h('li', {}, `#${f.index} `, h('code', {}, f.arch), `: ${f.error}`)),
        ),
      h('h2', {}, 'Resolved config'),
      h('pre', { id: 'config' }, JSON.stringify(page.config, null, 2)),
    );
    drawTrials(trials);
    await Promise.all(
      charts.map(({ v, el }) =>
        embed(el, v.spec, v.id === 'pareto' ? (d) => typeof d.arch === 'string' && openArch(page!, d.arch) : undefined),
      ),
    );
    hooks.timings = { fetchMs: t1 - t0, drawMs: performance.now() - t1 };
    ready('run');
  };
  const refresh = throttled(draw, 1000);
  onRunsChanged = (ids) => ids.includes(id) && refresh();
  await draw();
}

function sortedRowsOf<R>(columns: Column<R>[], rows: R[], sort: string): R[] {
  const desc = sort.startsWith('-');
  const col = columns.find((c) => c.key === sort.replace(/^-/, ''));
  return col === undefined ? rows : [...rows].sort((a, b) => compare(col.value(a), col.value(b)) * (desc ? -1 : 1));
}

function markSorted(table: HTMLTableElement, sort: string): void {
  const key = sort.replace(/^-/, '');
  for (const th of table.querySelectorAll('th'))
    if (th.dataset.key === key) th.classList.add(sort.startsWith('-') ? 'sorted-desc' : 'sorted-asc');
}

function card(label: string, value: string, sub = '', id?: string): HTMLElement {
  return h(
    'div',
    { class: 'card', id: id === undefined ? undefined : `card-${id}` },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value' }, value),
    sub !== '' && h('div', { class: 'delta' }, sub),
  );
}

function openArch(page: RunPage, arch: string): void {
  const p = new URLSearchParams({ run: page.run.runId, space: page.run.space, arch, device: page.run.simulatedDevice ?? 'mobile-cpu' });
  if (page.run.dataset !== undefined) p.set('dataset', page.run.dataset);
  location.hash = routeHash(['arch'], p);
}

/** The what-if text of the controls, in the order `hwnas profile --what-if` takes them. */
function whatIfOf(p: URLSearchParams): string {
  const parts: string[] = [];
  const precision = p.get('precision');
  if (precision !== null && precision !== '') parts.push(precision);
  if (p.get('fuse') === '1') parts.push('fuse');
  const prune = Number(p.get('prune') ?? '0');
  if (prune > 0) parts.push(`prune:${prune}`);
  if (p.get('wbatch')) parts.push(`batch:${p.get('wbatch')}`);
  if (p.get('wres')) parts.push(`resolution:${p.get('wres')}`);
  return parts.join(',');
}

function profileParams(p: URLSearchParams, overrides: Record<string, string> = {}): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ['space', 'arch', 'model', 'device', 'dataset', 'batch', 'resolution']) {
    const v = overrides[k] ?? p.get(k);
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  q.set('whatif', whatIfOf(p));
  return q;
}

/** The `hwnas profile` command that prints the same numbers. */
function cliLine(p: URLSearchParams, v: ProfileView): string {
  const target = 'model' in v.target ? `--model ${v.target.name}` : `--space ${v.target.space} --arch '${v.target.arch}'`;
  const base = [
    p.get('dataset') && `--dataset ${p.get('dataset')}`,
    p.get('batch') && `--batch ${p.get('batch')}`,
    p.get('resolution') && `--resolution ${p.get('resolution')}`,
  ]
    .filter(Boolean)
    .join(' ');
  const whatIf = whatIfOf(p);
  return `hwnas profile ${target} --device ${v.device}${base === '' ? '' : ` ${base}`}${whatIf === '' ? '' : ` --what-if ${whatIf}`}`;
}

function layerChartSpec(): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 'container',
    height: 220,
    params: [{ name: 'selected', value: '' }],
    data: { name: 'layers' },
    mark: { type: 'bar', cursor: 'pointer' },
    encoding: {
      x: { field: 'order', type: 'ordinal', title: 'layer (model order)', axis: { labels: false, ticks: false } },
      y: { field: 'timeMs', type: 'quantitative', title: 'ms' },
      color: {
        condition: { test: 'datum.name === selected', value: '#ff7f0e' },
        field: 'bound',
        type: 'nominal',
        title: 'bound',
        scale: { domain: ['compute', 'memory', 'overhead', 'free'], range: ['#1f77b4', '#9467bd', '#8c8c8c', '#d9d9d9'] },
      },
      tooltip: [
        { field: 'name', title: 'layer' },
        { field: 'timeMs', title: 'ms', format: '.4f' },
        { field: 'bound', title: 'bound' },
      ],
    },
  };
}

function originText(o: LayerRow['origin']): string {
  const parts = [o.stage];
  if (o.block !== undefined) parts.push(`block ${o.block}`);
  if (o.cell !== undefined) parts.push(`cell ${o.cell}`);
  if (o.edge !== undefined) parts.push(`edge ${o.edge[0]}→${o.edge[1]}`);
  parts.push(o.op);
  return parts.join(' · ');
}

async function archView(kind: 'arch' | 'model'): Promise<void> {
  let p = currentRoute().params;
  const devices = await api<{ name: string; description: string }[]>('/api/devices');
  if (!p.get('device')) p.set('device', devices.some((d) => d.name === 'mobile-cpu') ? 'mobile-cpu' : (devices[0]?.name ?? ''));
  let chart: VegaView | undefined;
  let current: ProfileView | undefined;

  const totals = h('div', { class: 'cards', id: 'totals' });
  const note = h('p', { class: 'note', id: 'whatif-note' });
  const cli = h('p', { class: 'cli mono', id: 'cli-line' });
  const tableBox = h('div', { id: 'layers' });
  const chartBox = h('div', { id: 'layer-chart', style: 'width: 100%' });
  const compareBox = h('div', { id: 'compare' });
  const vsBox = h('div', { id: 'side-by-side' });

  const select = (name: string, from: 'table' | 'chart'): void => {
    p.set('sel', name);
    if (name === '') p.delete('sel');
    replaceState(p);
    for (const tr of tableBox.querySelectorAll('tr[data-layer]'))
      tr.classList.toggle('selected', (tr as HTMLElement).dataset.layer === name);
    if (from === 'chart') tableBox.querySelector(`tr.selected`)?.scrollIntoView({ block: 'nearest' });
    if (chart !== undefined) void chart.signal('selected', name).runAsync();
  };

  const drawTable = (): void => {
    if (current === undefined) return;
    const v = current;
    const sel = p.get('sel') ?? '';
    const slow = new Set(v.bottlenecks);
    const rows = v.layers.map((l, i) => ({ ...l, order: i }));
    type Row = (typeof rows)[number];
    const columns: Column<Row>[] = [
      { key: 'order', title: '#', num: true, value: (r) => r.order },
      { key: 'name', title: 'layer', cls: 'mono', value: (r) => r.name },
      { key: 'origin', title: 'origin', value: (r) => originText(r.origin) },
      { key: 'shape', title: 'output', value: (r) => r.outputShape.join('×') },
      { key: 'flops', title: 'MACs', num: true, value: (r) => r.flops },
      { key: 'params', title: 'params', num: true, value: (r) => r.params ?? null },
      { key: 'activation', title: 'activation bytes', num: true, value: (r) => r.activationBytes ?? null },
      { key: 'timeMs', title: 'ms', num: true, value: (r) => r.timeMs, cell: (r) => ms(r.timeMs) },
      { key: 'share', title: 'share', num: true, value: (r) => r.share, cell: (r) => pct(r.share) },
      { key: 'bound', title: 'bound', value: (r) => (r.fusedInto ? 'fused' : r.bound) },
    ];
    const sort = p.get('lsort') ?? 'order';
    const table = sortedTable(
      columns,
      rows,
      sort,
      (next) => {
        p.set('lsort', next);
        replaceState(p);
        drawTable();
      },
      (r: Row) => ({
        'data-layer': r.name,
        class: `clickable${slow.has(r.name) ? ' bottleneck' : ''}${r.name === sel ? ' selected' : ''}`,
        onclick: () => select(r.name === p.get('sel') ? '' : r.name, 'table'),
      }),
    );
    table.id = 'layer-table';
    tableBox.replaceChildren(table);
  };

  const update = async (): Promise<void> => {
    const t0 = performance.now();
    const v = await api<ProfileView>(`/api/profile?${profileParams(p).toString()}`);
    current = v;
    const b = v.baseline;
    const t = v.totals;
    totals.replaceChildren(
      h(
        'div',
        { class: 'card', id: 'total-latency', 'data-total-ms': String(t.latencyMs), 'data-baseline-ms': String(b.latencyMs) },
        h('div', { class: 'label' }, `latency on ${v.device}`),
        h('div', { class: 'value' }, `${ms(t.latencyMs)} ms`),
        h(
          'div',
          { class: 'delta' },
          v.whatIf === '' ? `at ${v.precision}` : `${signed(v.delta.ms, 4)} ms (${signed(v.delta.pct, 1)} %) vs ${ms(b.latencyMs)} ms`,
        ),
      ),
      card('MACs', `${(t.flops / 1e6).toFixed(3)} M`, v.whatIf === '' ? '' : `baseline ${(b.flops / 1e6).toFixed(3)} M`),
      card('bytes moved', `${mib(t.bytesMoved)} MiB`),
      card('memory', `${mib(t.memoryBytes)} MiB`, v.whatIf === '' ? 'weights + largest working set' : `${signed(v.delta.memoryPct, 1)} %`),
      card(
        'time by bound',
        Object.entries(t.byBound)
          .filter(([k, x]) => x > 0 && k !== 'inference')
          .map(([k, x]) => `${k} ${pct(x / t.latencyMs)}`)
          .join(', '),
      ),
      card(
        'input',
        `${v.scenarioInput.batchSize}×${v.scenarioInput.resolution}×${v.scenarioInput.resolution}×${v.scenarioInput.channels}`,
        v.source,
      ),
    );
    const precision = p.get('precision') ?? '';
    note.textContent =
      precision !== '' && !v.precisions.includes(precision)
        ? `${v.device} has no ${precision} peak: ${precision} runs at the fp32 rate here, only its bytes shrink.`
        : '';
    cli.textContent = cliLine(p, v);
    drawTable();
    const rows = v.layers.map((l, i) => ({ order: i, name: l.name, timeMs: l.timeMs, bound: l.fusedInto ? 'free' : l.bound }));
    if (chart === undefined) {
      const result = await vegaEmbed(chartBox, layerChartSpec(), { renderer: 'svg', actions: false, tooltip: true });
      chart = result.view;
      cleanup.push(() => result.finalize());
      chart.addEventListener('click', (_e, item) => {
        const name = item?.datum?.name;
        if (typeof name === 'string') select(name === p.get('sel') ? '' : name, 'chart');
      });
    }
    await chart
      .data('layers', rows)
      .signal('selected', p.get('sel') ?? '')
      .runAsync();
    hooks.timings = { updateMs: performance.now() - t0 };
    if (p.get('all') === '1') await drawCompare();
    else
      compareBox.replaceChildren(
        h('button', { class: 'button', id: 'compare-devices', onclick: () => setParam('all', '1') }, 'Compare all devices'),
      );
    if (kind === 'arch') await drawVs();
    ready(kind);
  };

  const drawCompare = async (): Promise<void> => {
    const rows = await api<{ device: string; baselineMs: number; latencyMs: number; memoryBytes: number; deltaPct: number }[]>(
      `/api/compare?${profileParams(p).toString()}`,
    );
    type R = (typeof rows)[number];
    const table = sortedTable<R>(
      [
        { key: 'device', title: 'device', value: (r) => r.device },
        { key: 'baselineMs', title: 'ms', num: true, value: (r) => r.baselineMs, cell: (r) => ms(r.baselineMs) },
        { key: 'latencyMs', title: 'ms with what-ifs', num: true, value: (r) => r.latencyMs, cell: (r) => ms(r.latencyMs) },
        { key: 'deltaPct', title: 'change', num: true, value: (r) => r.deltaPct, cell: (r) => `${signed(r.deltaPct, 1)} %` },
        { key: 'memoryBytes', title: 'memory MiB', num: true, value: (r) => r.memoryBytes, cell: (r) => mib(r.memoryBytes) },
      ],
      rows,
      'latencyMs',
      () => undefined,
      (r) => ({ class: `clickable${r.device === p.get('device') ? ' selected' : ''}`, onclick: () => setParam('device', r.device) }),
    );
    table.id = 'compare-table';
    compareBox.replaceChildren(h('button', { class: 'button', onclick: () => setParam('all', '') }, 'Hide device comparison'), table);
  };

  const drawVs = async (): Promise<void> => {
    const other = p.get('vs') ?? '';
    const input = h('input', { type: 'text', id: 'vs-arch', placeholder: 'another arch of the same space', value: other });
    const go = h('button', { class: 'button', onclick: () => setParam('vs', input.value.trim()) }, 'Compare');
    if (other === '' || current === undefined || 'model' in current.target)
      return void vsBox.replaceChildren(h('div', { class: 'toolbar' }, input, go));
    const w = await api<ProfileView>(`/api/profile?${profileParams(p, { arch: other }).toString()}`);
    const a = current;
    const byStage = (v: ProfileView): Map<string, number> => {
      const m = new Map<string, number>();
      for (const l of v.layers) m.set(l.origin.stage, (m.get(l.origin.stage) ?? 0) + l.timeMs);
      return m;
    };
    const sa = byStage(a);
    const sb = byStage(w);
    const stages = [...new Set([...sa.keys(), ...sb.keys()])];
    const row = (label: string, x: number, y: number, digits = 4): HTMLTableRowElement =>
      h(
        'tr',
        {},
        h('td', {}, label),
        h('td', { class: 'num' }, x.toFixed(digits)),
        h('td', { class: 'num' }, y.toFixed(digits)),
        h('td', { class: 'num' }, signed(y - x, digits)),
      );
    vsBox.replaceChildren(
      h('div', { class: 'toolbar' }, input, go),
      h(
        'table',
        { id: 'vs-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, ''),
            h('th', { class: 'num' }, 'this arch'),
            h('th', { class: 'num' }, 'other arch'),
            h('th', { class: 'num' }, 'difference'),
          ),
        ),
        h(
          'tbody',
          {},
          h(
            'tr',
            {},
            h('td', {}, 'arch'),
            h('td', { class: 'arch' }, 'arch' in a.target ? a.target.arch : ''),
            h('td', { class: 'arch' }, 'arch' in w.target ? w.target.arch : ''),
            h('td', {}, ''),
          ),
          row('latency ms', a.totals.latencyMs, w.totals.latencyMs),
          row('MACs M', a.totals.flops / 1e6, w.totals.flops / 1e6, 3),
          row('memory MiB', a.totals.memoryBytes / 2 ** 20, w.totals.memoryBytes / 2 ** 20, 3),
          ...stages.map((s) => row(`${s} ms`, sa.get(s) ?? 0, sb.get(s) ?? 0)),
        ),
      ),
    );
  };

  const setParam = (k: string, v: string): void => {
    if (v === '') p.delete(k);
    else p.set(k, v);
    replaceState(p);
    void update().catch((err: Error) => showError(err.message));
  };

  const deviceBox = h(
    'select',
    { id: 'device' },
    ...devices.map((d) => h('option', { value: d.name, selected: d.name === p.get('device') }, d.name)),
  );
  deviceBox.addEventListener('change', () => setParam('device', deviceBox.value));
  const precisionBox = h(
    'select',
    { id: 'precision' },
    ...['', 'fp32', 'fp16', 'int8'].map((x) =>
      h('option', { value: x, selected: x === (p.get('precision') ?? '') }, x === '' ? 'device default' : x),
    ),
  );
  precisionBox.addEventListener('change', () => setParam('precision', precisionBox.value));
  const fuseBox = h('input', { type: 'checkbox', id: 'fuse', checked: p.get('fuse') === '1' });
  fuseBox.addEventListener('change', () => setParam('fuse', fuseBox.checked ? '1' : ''));
  const pruneLabel = h('span', { id: 'prune-value' }, p.get('prune') ?? '0');
  const pruneBox = h('input', { type: 'range', id: 'prune', min: 0, max: 0.9, step: 0.05, value: p.get('prune') ?? '0' });
  pruneBox.addEventListener('input', () => {
    pruneLabel.textContent = pruneBox.value;
    setParam('prune', Number(pruneBox.value) > 0 ? pruneBox.value : '');
  });
  const numberBox = (id: string, key: string): HTMLInputElement => {
    const box = h('input', { type: 'number', id, min: 1, step: 1, value: p.get(key) ?? '', placeholder: 'as is' });
    box.addEventListener('change', () => setParam(key, box.value));
    return box;
  };

  const r = currentRoute().params;
  const title =
    kind === 'model'
      ? h('h1', {}, 'Model ', h('span', { class: 'mono', id: 'target-name' }, r.get('name') ?? r.get('model') ?? ''))
      : h(
          'h1',
          {},
          'Arch ',
          h('span', { class: 'mono', id: 'target-name' }, r.get('arch') ?? ''),
          h('span', { class: 'muted' }, ` (${r.get('space') ?? ''})`),
        );
  const run = r.get('run');
  const exportLinks =
    run !== null && kind === 'arch'
      ? h(
          'span',
          { id: 'export' },
          h(
            'a',
            {
              class: 'button',
              download: '',
              href: `/api/export?${new URLSearchParams({ run, arch: r.get('arch') ?? '', file: 'spec.json' }).toString()}`,
            },
            'Export spec.json',
          ),
          ' ',
          h(
            'a',
            {
              class: 'button',
              download: '',
              href: `/api/export?${new URLSearchParams({ run, arch: r.get('arch') ?? '', file: 'model.onnx' }).toString()}`,
            },
            'Export model.onnx',
          ),
        )
      : null;
  mount(
    h(
      'p',
      {},
      run !== null
        ? h('a', { href: routeHash(['run', run], new URLSearchParams()) }, `← run ${run}`)
        : h('a', { href: '#/runs' }, '← runs'),
    ),
    title,
    h('div', { class: 'toolbar' }, exportLinks),
    h(
      'div',
      { class: 'controls' },
      h('label', {}, 'device ', deviceBox),
      h('label', {}, 'precision ', precisionBox),
      h('label', {}, fuseBox, ' fuse conv+BN+ReLU'),
      h('label', {}, 'prune ', pruneBox, ' ', pruneLabel),
      h('label', {}, 'batch ', numberBox('wbatch', 'wbatch')),
      h('label', {}, 'resolution ', numberBox('wres', 'wres')),
    ),
    cli,
    note,
    totals,
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        {},
        h('h2', {}, 'Layers'),
        h('p', { class: 'muted' }, 'Bottlenecks (the five slowest layers) are highlighted; click a row or a bar to select it in both.'),
        tableBox,
      ),
      h('section', { class: 'chart' }, h('h2', {}, 'Latency per layer'), chartBox),
    ),
    h('h2', {}, 'All devices'),
    compareBox,
    kind === 'arch' && h('h2', {}, 'Side by side'),
    kind === 'arch' && vsBox,
  );
  onRunsChanged = undefined;
  await update();
  // Another view may have replaced the params object (e.g. a back navigation); keep reading the URL's.
  p = currentRoute().params;
}

async function openModelFile(file: File): Promise<void> {
  const body = await file.arrayBuffer();
  const model = await api<{ id: string; name: string }>('/api/models', {
    method: 'POST',
    body,
    headers: { 'x-file-name': encodeURIComponent(file.name) },
  });
  const device = currentRoute().params.get('device') ?? '';
  location.hash = routeHash(['model'], new URLSearchParams({ model: model.id, name: model.name, ...(device !== '' && { device }) }));
}

async function render(): Promise<void> {
  for (const f of cleanup) f();
  cleanup = [];
  onRunsChanged = undefined;
  showError(undefined);
  const r = currentRoute();
  try {
    if (r.path[0] === 'run' && r.path[1] !== undefined) await runView(r.path[1]);
    else if (r.path[0] === 'arch') await archView('arch');
    else if (r.path[0] === 'model') await archView('model');
    else await runsView();
  } catch (err) {
    showError((err as Error).message);
    ready('error');
  }
}

window.addEventListener('hashchange', () => void render());
document.getElementById('open-model')!.addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  if (file !== undefined) void openModelFile(file).catch((err: Error) => showError(err.message));
  input.value = '';
});
void render();
