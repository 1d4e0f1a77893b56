// The dashboard's HTTP server (node:http, no framework): the page, its script, the vendored Vega bundles, a JSON
// API over `api.ts`, and server-sent events that say when a run changed. Everything is served from the package
// (no CDN); run databases are only ever opened read-only.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../core/config/paths.js';
import { HwnasError, UsageError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  compareDevices,
  exportFile,
  listRuns,
  ModelShelf,
  profileView,
  runPage,
  runStamps,
  simulatedDevices,
  type DashboardSources,
  type ProfileQuery,
  type ProfileTarget,
} from './api.js';
import { indexHtml, STYLESHEET } from './page.js';

/** How the dashboard is started. */
export interface DashboardOptions extends DashboardSources {
  port: number;
  host: string;
  /** How often the results folder is checked for changes while a page listens, ms (default 1000). */
  pollMs?: number;
  log?: Logger;
}

/** A running dashboard. */
export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/** Largest model file the "open a model" upload accepts. */
const MAX_UPLOAD_BYTES = 256 * 2 ** 20;

/** Files served as they are, by URL (a fixed table: no request path ever reaches the file system). */
function staticFiles(): Map<string, { file: string; type: string }> {
  const require = createRequire(import.meta.url);
  const vegaDir = path.dirname(require.resolve('vega/package.json'));
  const vegaLiteDir = path.dirname(require.resolve('vega-lite/package.json'));
  // vega-embed exports only its entry points: its UMD bundle sits beside the CommonJS one.
  const vegaEmbedDir = path.dirname(require.resolve('vega-embed'));
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['/app.js', { file: path.join(packageRoot(), 'dist', 'dashboard', 'client', 'app.js'), type: js }],
    ['/vendor/vega.js', { file: path.join(vegaDir, 'build', 'vega.min.js'), type: js }],
    ['/vendor/vega-lite.js', { file: path.join(vegaLiteDir, 'build', 'vega-lite.min.js'), type: js }],
    ['/vendor/vega-embed.js', { file: path.join(vegaEmbedDir, 'vega-embed.min.js'), type: js }],
  ]);
}

/** An error the client caused (bad parameter, unknown name): 4xx with its one-line message. */
class RequestError extends HwnasError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function optionalInt(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new RequestError(400, `${name} must be a positive integer, got '${raw}'`);
  return n;
}

function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') throw new RequestError(400, `missing parameter '${name}'`);
  return v;
}

function profileQuery(params: URLSearchParams): Omit<ProfileQuery, 'device'> {
  const model = params.get('model');
  const target: ProfileTarget =
    model !== null && model !== '' ? { model } : { space: required(params, 'space'), arch: required(params, 'arch') };
  return {
    target,
    dataset: params.get('dataset') ?? undefined,
    batch: optionalInt(params, 'batch'),
    resolution: optionalInt(params, 'resolution'),
    whatIf: params.get('whatif') ?? '',
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_UPLOAD_BYTES) {
        reject(new RequestError(413, `model file larger than ${MAX_UPLOAD_BYTES / 2 ** 20} MiB`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Start the dashboard; resolves once it listens. @throws UsageError when the port is taken */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const sources: DashboardSources = { results: options.results, devicesDir: options.devicesDir };
  const shelf = new ModelShelf();
  const files = staticFiles();
  const listeners = new Set<http.ServerResponse>();
  let stamps = runStamps(sources);
  const poll = setInterval(() => {
    if (listeners.size === 0) return;
    const next = runStamps(sources);
    const changed = [...new Set([...next.keys(), ...stamps.keys()])].filter((id) => next.get(id) !== stamps.get(id));
    stamps = next;
    if (changed.length === 0) return;
    const event = `event: change\ndata: ${JSON.stringify({ runs: changed })}\n\n`;
    for (const res of listeners) res.write(event);
  }, options.pollMs ?? 1000);
  poll.unref();

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const p = url.searchParams;
    if (req.method === 'POST' && url.pathname === '/api/models') {
      const name = decodeURIComponent(String(req.headers['x-file-name'] ?? 'model'));
      const { id, model } = await shelf.add(new Uint8Array(await readBody(req)), name);
      return sendJson(res, 200, { id, name: model.name, format: model.format, layers: model.layers(model.input).length });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new RequestError(405, `method ${req.method} not allowed`);
    switch (url.pathname) {
      case '/':
      case '/index.html': {
        const body = indexHtml();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        return void res.end(body);
      }
      case '/favicon.ico':
        res.writeHead(204);
        return void res.end();
      case '/style.css':
        res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
        return void res.end(STYLESHEET);
      case '/api/runs':
        return sendJson(res, 200, listRuns(sources));
      case '/api/run':
        return sendJson(res, 200, runPage(sources, required(p, 'id')));
      case '/api/devices':
        return sendJson(
          res,
          200,
          simulatedDevices(sources).map((d) => ({ name: d.name, description: d.description })),
        );
      case '/api/profile':
        return sendJson(res, 200, profileView(sources, shelf, { ...profileQuery(p), device: required(p, 'device') }));
      case '/api/compare':
        return sendJson(res, 200, compareDevices(sources, shelf, profileQuery(p)));
      case '/api/export': {
        const file = required(p, 'file');
        if (file !== 'spec.json' && file !== 'model.onnx')
          throw new RequestError(400, `file must be spec.json or model.onnx, got '${file}'`);
        const d = await exportFile(sources, required(p, 'run'), required(p, 'arch'), file);
        res.writeHead(200, { 'content-type': d.type, 'content-disposition': `attachment; filename="${d.name}"` });
        return void res.end(d.body);
      }
      case '/api/events': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': hwnas dashboard events\n\n');
        listeners.add(res);
        req.on('close', () => listeners.delete(res));
        return;
      }
    }
    const asset = files.get(url.pathname);
    if (asset === undefined) throw new RequestError(404, `not found: ${url.pathname}`);
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'max-age=300' });
    fs.createReadStream(asset.file)
      .on('error', (err) => {
        options.log?.warn(`dashboard: cannot read ${asset.file}: ${err.message}`);
        res.destroy();
      })
      .pipe(res);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // Bad requests and unknown names are the client's (4xx); hwnas' own errors about a broken run or model file
      // are reported the same way, one line; anything else is the server's (500) and is logged.
      const status = err instanceof RequestError ? err.status : err instanceof UsageError ? 400 : err instanceof HwnasError ? 422 : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 500)
        options.log?.warn(`dashboard: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? message) : message}`);
      if (res.headersSent) return void res.destroy();
      sendJson(res, status, { error: message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' ? new UsageError(`port ${options.port} on ${options.host} is in use; pick another with --port`) : err,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(poll);
        for (const res of listeners) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
