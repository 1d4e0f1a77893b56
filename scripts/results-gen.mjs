// @ts-check
// Writes docs/results.md from the benchmark JSON committed in results/bench/: one section per benchmark with its
// tables as the benchmark printed them and its stamp (commit, date, versions, CPU, settings), so no figure on the
// page is copied by hand. `node scripts/results-gen.mjs --check` only compares (tests/docs/results.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(root, 'results', 'bench');
const TARGET = 'docs/results.md';

/**
 * The benchmarks in page order: the JSON each writes, how to run it, what it measures.
 * @type {{ file: string, title: string, command: string, about: string, cost?: string }[]}
 */
const BENCHMARKS = [
  {
    file: 'data',
    title: 'Data loaders',
    command: 'npm run bench:data',
    about: 'Loading the measured tables against reading and splitting the same CSV.',
  },
  {
    file: 'spaces',
    title: 'Search spaces',
    command: 'npm run bench:spaces',
    about: 'Enumerating NB201 with layer lists and FLOPs, and building + running TF.js models of both spaces.',
  },
  {
    file: 'hardware',
    title: 'Hardware simulator and calibration',
    command: 'npm run bench:hardware',
    about: 'Simulator speed, how differently the built-in profiles rank archs, calibration on every HELP device column, host measurement.',
  },
  {
    file: 'encodings',
    title: 'Encodings and samplers',
    command: 'npm run bench:encodings',
    about:
      'Encoding speed, the kNN encoding-quality probe per sampler, TF.js zero-cost proxies against the published tables, encoder training.',
    cost: 'about an hour on 2 cores (the ZCP agreement part alone is half of it)',
  },
  {
    file: 'predictor-speed',
    title: 'NASFLAT speed',
    command: 'npm run bench:predictor-speed',
    about: 'Pretraining, few-shot fitting and predicting every NB201 arch at default settings, NB201 task 0.',
  },
  {
    file: 'readout-rule',
    title: 'Readout rule, on source devices',
    command: 'npm run bench:readout-rule',
    about: "How NASFLAT's readout combines its candidates, decided by holding out each source device of every task in turn.",
  },
  {
    file: 'readout-rule-noise0.1',
    title: 'Readout rule, on noisy source measurements',
    command: 'BENCH_NOISE=0.1 npm run bench:readout-rule',
    about: 'The same hold-out with each of the few measurements off by log-normal noise of σ = 0.1 (about ±10 %).',
  },
  {
    file: 'nasflat-loso-nb201-0',
    title: 'NASFLAT readout variants, leave one source out',
    command: 'npm run bench:nasflat-loso',
    about: 'The readout variants with the GNN itself, each NB201 task-0 source held out in turn (one pretraining per source).',
    cost: 'about 45 minutes on 2 cores',
  },
  {
    file: 'transfer',
    title: 'Few-shot transfer (the paper table)',
    command: 'npm run bench:transfer',
    about: 'Spearman ρ at 5/10/20 target samples for NASFLAT and every baseline on NB201 task 0 and FBNet tasks 0–5.',
    cost: 'several hours on 2 cores (pieces can run in separate processes: BENCH_TASKS, BENCH_METHODS)',
  },
  {
    file: 'transfer-nasflat',
    title: 'Few-shot transfer, NASFLAT re-run after a readout change',
    command: 'BENCH_METHODS=nasflat BENCH_OUT_FILE=transfer-nasflat.json npm run bench:transfer',
    about:
      "NASFLAT alone (and the zero-sample proxies) in the same harness, with `zeroShotWhenWarned` (a readout chosen again among one-column zero-shot candidates when the measurements disagree) and intervals from nested leave-one-out; the other methods' columns are empty here, see the full table above. Run from 710fecc in two processes (the task reports stamp the commit checked out when each was written, 274de46 or 294df13; the code they run is the same). Every ρ equals that of the first run after `zeroShotWhenWarned` (613fea6, with the one record 5761557 changes re-run there): the nested intervals change no prediction, only the coverage column.",
    cost: 'the table is rebuilt from its task reports (BENCH_COMBINE_ONLY=1, hence a wall time of 0 s); the run itself took 101 min in two processes on 2 cores, beside the robustness bench and a fresh-clone check',
  },
  {
    file: 'robustness',
    title: 'Robustness on noisy devices',
    command: 'npm run bench:robustness',
    about: 'NASFLAT adapted from ten noisy measurements of each simulated profile: ranking, error, interval coverage, outliers named.',
    cost: 'about 17 min on 2 cores beside other benchmarks (six pretrainings, 7 targets × 4 noise levels × 5 seeds)',
  },
  {
    file: 'search',
    title: 'Search',
    command: 'npm run bench:search',
    about:
      'Quickstart wall time, search-loop throughput, accuracy proxies, and the paper experiment (HV ratio) with adaptive measurements.',
  },
  {
    file: 'runtimes',
    title: 'Real runtimes (ONNX Runtime and TF.js)',
    command: 'npm run bench:runtimes',
    about: 'ORT against TF.js on this machine, an ORT latency table, its repeatability, and few-shot transfer to it.',
  },
  {
    file: 'workers',
    title: 'Device workers',
    command: 'npm run bench:workers',
    about: 'What the BullMQ/Redis queue costs per measurement job, and how fast a SIGKILLed worker’s job is taken over.',
  },
  {
    file: 'dashboard',
    title: 'Dashboard',
    command: 'npm run bench:dashboard',
    about: 'Server and Chromium timings of the dashboard on a 20,000-trial run.',
  },
];

/** @param {unknown} text */
const cell = (text) =>
  String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|');
/** @param {string[]} header @param {string[][]} rows */
const table = (header, rows) =>
  [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
/** @param {number} seconds */
function duration(seconds) {
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
/** @param {string | null} commit @param {number} dirty */
const commitText = (commit, dirty) =>
  `${commit ? `\`${commit.slice(0, 7)}\`` : 'unknown commit'}${dirty > 0 ? ` + ${dirty} uncommitted file${dirty > 1 ? 's' : ''}` : ''}`;

/** The stamp of a benchmark as a short list. @param {any} stamp */
function stampLines(stamp) {
  const packages = Object.entries({ ...stamp.packages, ...stamp.versions })
    .filter(([, v]) => v)
    .map(([k, v]) => `${k.replace('@tensorflow/', '')} ${v}`)
    .join(', ');
  const backend = stamp.backend
    ? `; TF.js backend ${stamp.backend.name} (${stamp.backend.threads} thread${stamp.backend.threads > 1 ? 's' : ''})`
    : '';
  const m = stamp.machine;
  const lines = [
    `- **Run:** commit ${commitText(stamp.commit, stamp.dirty.length)}, ${stamp.date.slice(0, 10)}, wall time ${duration(stamp.wallSeconds)}${stamp.parts && stamp.env?.BENCH_PARTS ? ` (the run of ${stamp.env.BENCH_PARTS})` : ''}`,
    `- **Versions:** hwnas ${stamp.hwnas}, Node ${stamp.node}, ${packages}${backend}`,
    `- **Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; load average ${m.loadAverage.start.toFixed(1)} at the start, ${m.loadAverage.end.toFixed(1)} at the end`,
    `- **Settings:** \`${JSON.stringify(stamp.config)}\``,
  ];
  const env = Object.entries(stamp.env ?? {});
  // BENCH_* settings other than where outputs go change what ran: the page says the run was reduced or altered
  // (BENCH_PARTS only chooses which parts a run adds to the others kept, each stamped below).
  const neutral = ['BENCH_OUT', 'BENCH_CACHE', ...(stamp.parts ? ['BENCH_PARTS'] : [])];
  const overrides = env.filter(([k]) => k.startsWith('BENCH_') && !neutral.includes(k));
  lines.push(
    `- **Environment:** ${env.length > 0 ? env.map(([k, v]) => `\`${k}=${v}\``).join(' ') : 'none'}${
      overrides.length > 0
        ? ' — **not the default run**: these settings reduce or change it'
        : env.some(([k]) => k === 'BENCH_PARTS')
          ? ' (the default settings, its parts run separately)'
          : ' (the default run)'
    }`,
  );
  const parts = Object.entries(stamp.parts ?? {});
  const runs = new Set(parts.map(([, p]) => `${p.commit} ${p.date}`));
  if (runs.size > 1)
    lines.push(
      `- **Parts from different runs:** ${parts.map(([name, p]) => `${name} (${commitText(p.commit, p.dirtyFiles)}, ${p.date.slice(0, 16).replace('T', ' ')} UTC)`).join(', ')}`,
    );
  for (const c of stamp.caches ?? [])
    lines.push(`- **Cache:** ${c.name} ${c.reused ? 'reused' : 'built in this run'} (fingerprint \`${c.fingerprint}\`)`);
  return lines;
}

/** The section of one benchmark. @param {(typeof BENCHMARKS)[number]} bench @param {any} json */
function section(bench, json) {
  const lines = [`## ${bench.title}`, '', `${bench.about} \`${bench.command}\` → \`results/bench/${bench.file}.json\`.`, ''];
  if (json === undefined) {
    lines.push(
      `*Not in this commit.* ${bench.cost ? `It takes ${bench.cost} here, so it was not run for this page; ` : ''}run \`${bench.command}\`, commit the JSON and run \`npm run docs:results\`.`,
      '',
    );
    return lines;
  }
  if (json.stamp?.smoke) throw new Error(`results/bench/${bench.file}.json is a smoke run (BENCH_SMOKE=1): its figures mean nothing`);
  if (json.stamp === undefined) throw new Error(`results/bench/${bench.file}.json has no stamp: rerun \`${bench.command}\``);
  lines.push(...stampLines(json.stamp), '');
  for (const item of json.report ?? []) {
    if (item.text !== undefined) lines.push(item.text, '');
    else lines.push(`**${item.title}**`, '', table(item.header, item.rows), '');
  }
  return lines;
}

export function generateResults() {
  const present = new Set(
    fs.existsSync(RESULTS)
      ? fs
          .readdirSync(RESULTS)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.replace(/\.json$/, ''))
      : [],
  );
  const others = [...present].filter((f) => !BENCHMARKS.some((b) => b.file === f)).sort();
  const benches = [
    ...BENCHMARKS,
    ...others.map((file) => ({ file, title: file, command: 'see the benchmark named in its file', about: 'Another run of a benchmark.' })),
  ];
  const read = (/** @type {string} */ file) =>
    present.has(file) ? JSON.parse(fs.readFileSync(path.join(RESULTS, `${file}.json`), 'utf8')) : undefined;
  return [
    '# Benchmark results',
    '',
    '<!-- Generated by `npm run docs:results` (scripts/results-gen.mjs) from results/bench/*.json: do not edit by hand. -->',
    '',
    'The figures of every benchmark as it printed them, generated from the JSON it wrote (committed in',
    '`results/bench/`), each with its stamp: the commit it ran, date, versions, CPU and its settings. Times are wall',
    'clock on a shared 2-core machine; compare them within a run, not across runs. To update a section: run its',
    'command, commit the JSON, run `npm run docs:results` (`tests/docs/results.test.ts` fails while this page is stale).',
    '`npm run bench:smoke` runs every benchmark in a tiny mode to keep them working; its output never comes here.',
    'Why each setting was chosen from these figures: [design](design.md).',
    '',
    ...benches.map((b) => `- [${b.title}](#${anchor(b.title)})${present.has(b.file) ? '' : ' (not in this commit)'}`),
    '',
    ...benches.flatMap((b) => section(b, read(b.file))),
  ].join('\n');
}

/** GitHub's heading anchor. @param {string} title */
const anchor = (title) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = generateResults();
  const target = path.join(root, TARGET);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (current !== text) {
      process.stderr.write(`${TARGET} differs from results/bench/*.json: run \`npm run docs:results\` and commit the result\n`);
      process.exit(1);
    }
  } else if (current !== text) {
    fs.writeFileSync(target, text);
    console.log(`wrote ${TARGET}`);
  }
}
