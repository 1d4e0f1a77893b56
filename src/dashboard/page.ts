// The dashboard's HTML shell and stylesheet. The page is drawn by app.js (src/dashboard/client/app.ts) from the
// JSON API; the shell only loads the vendored Vega bundles and the app, all from the dashboard's own server.

/** The single page: a header, a banner for errors, the view. */
export function indexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hwnas dashboard</title>
<link rel="stylesheet" href="/style.css">
<script src="/vendor/vega.js"></script>
<script src="/vendor/vega-lite.js"></script>
<script src="/vendor/vega-embed.js"></script>
<script type="module" src="/app.js"></script>
</head>
<body>
<header>
  <a class="brand" href="#/runs">hwnas dashboard</a>
  <nav><a href="#/runs">Runs</a></nav>
  <label class="open-model">Open a model (.onnx or TF.js model.json)
    <input type="file" id="open-model" accept=".onnx,.json,application/octet-stream,application/json">
  </label>
</header>
<div id="banner" role="alert" hidden></div>
<main id="view"><p class="muted">Loading…</p></main>
</body>
</html>
`;
}

export const STYLESHEET = `
:root { --fg: #1d2733; --muted: #6b7785; --line: #dde3ea; --accent: #d62728; --hi: #fff4d6; --sel: #ffe0b3; --bg: #f7f9fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 24px; align-items: center; padding: 10px 20px; background: #1d2733; color: #fff; }
header a { color: #fff; text-decoration: none; }
header .brand { font-weight: 600; font-size: 16px; }
header nav { flex: 1; }
.open-model { font-size: 13px; color: #cfd8e3; }
.open-model input { margin-left: 8px; color: #cfd8e3; }
main { padding: 16px 20px 40px; max-width: 1400px; }
h1 { font-size: 20px; margin: 4px 0 8px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
.muted { color: var(--muted); }
.mono, td.arch, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
#banner { margin: 10px 20px 0; padding: 8px 12px; border: 1px solid #e5a3a3; background: #fdecec; color: #8a1c1c; border-radius: 4px; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; white-space: nowrap; }
th.sortable { cursor: pointer; user-select: none; }
th.sorted-asc::after { content: " ▲"; font-size: 10px; }
th.sorted-desc::after { content: " ▼"; font-size: 10px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.arch { max-width: 520px; overflow-wrap: anywhere; }
tr.clickable { cursor: pointer; }
tr.clickable:hover td { background: #f0f5fb; }
tr.bottleneck td { background: var(--hi); }
tr.selected td { background: var(--sel) !important; }
.state { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; background: #e8edf2; }
.state.running { background: #dff3e4; color: #1c6b33; }
.state.complete { background: #e3ecfa; color: #1d4e99; }
.state.interrupted, .state.paused { background: #fff1d6; color: #8a5a00; }
.state.broken, .state.failed { background: #fdecec; color: #8a1c1c; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 4px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card .label { font-size: 12px; color: var(--muted); }
.card .value { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .delta { font-size: 12px; color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(620px, 1fr)); gap: 16px; }
section.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
section.chart h2 { margin-top: 0; }
.caption { font-size: 12px; color: var(--muted); max-width: 640px; }
.controls { display: flex; flex-wrap: wrap; gap: 14px 22px; align-items: center; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.controls label { white-space: nowrap; }
.controls input[type=number] { width: 72px; }
.controls input[type=text] { width: 340px; }
.cli { margin-top: 6px; font-size: 12px; color: var(--muted); }
.toolbar { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
.pager button { margin: 0 2px; }
.note { font-size: 12px; color: #8a5a00; }
#layers { max-height: 640px; overflow: auto; border: 1px solid var(--line); }
#layers table { border: 0; width: 100%; font-size: 12px; }
#layers td { white-space: nowrap; }
#layers th { position: sticky; top: 0; z-index: 1; }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(360px, 2fr); gap: 16px; align-items: start; }
pre { background: #fff; border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 420px; font-size: 12px; }
a.button, button.button { display: inline-block; padding: 4px 10px; border: 1px solid #9fb0c3; border-radius: 4px; background: #fff; color: var(--fg); text-decoration: none; cursor: pointer; font-size: 13px; }
.vega-embed { width: auto; }
`;
