#!/usr/bin/env node
// Weft CSV ingest benchmark (issue 3). Usage: node tests/bench/ingest.js   (after `npm run build`)
// Env: BENCH_ROWS (default 1000000), BENCH_REPEAT (default 1: runs per measurement, best wall kept),
//      BENCH_ONLY (comma list of: ingest,ingest-js,papaparse,csv-parse,pandas), BENCH_FILES (comma list of: numeric,mixed),
//      BENCH_INGEST_DIR (another build of packages/api/dist/ingest, e.g. an older one to compare).
//
// Generates (seeded, into os.tmpdir(), reused when present) two CSV files:
//   numeric: BENCH_ROWS x 20 numeric columns (4 integer, 16 float with 5 decimals; ~174 MB at 1M rows)
//   mixed:   BENCH_ROWS rows of ints, floats, categoricals, booleans, dates, datetimes, zip codes with
//            leading zeros, quoted free text with commas, and missing values (NA, empty, ?)
// and, for each file, times in a fresh child process (so peak RSS is the measurement's own):
//   ingest     full Weft ingest: typing over all rows, profile, Arrow IPC file (packages/api/dist/ingest),
//              default engine (DuckDB fast path for all-numeric files; the engine used is printed)
//   ingest-js  the same with engine 'js' (the JavaScript path: papaparse, own typing)
//   papaparse  a plain papaparse parse of the same file (streaming, rows discarded)
//   csv-parse  a plain csv-parse parse of the same file (streaming, rows discarded)
//   pandas     pandas.read_csv of the same file (peer, only when /usr/bin/python3 imports pandas)
// Reported: MB/s of wall time, MB per CPU-second (user+system of that process: other work on the
// machine does not count), rows/s, CPU seconds, peak RSS, and ingest's ratio to each plain parse.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '../..');
const N = Number(process.env.BENCH_ROWS || 1_000_000);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT || 1));
const ONLY = (process.env.BENCH_ONLY || 'ingest,ingest-js,papaparse,csv-parse,pandas').split(',');
const FILES = (process.env.BENCH_FILES || 'numeric,mixed').split(',');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `rows` lines from `line(i)` after `header` (atomically: tmp file, then rename). */
function writeCsv(file, header, rows, line) {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let s = header + '\n';
  for (let i = 0; i < rows; i++) {
    s += line(i) + '\n';
    if (s.length > 1 << 20) {
      fs.writeSync(fd, s);
      s = '';
    }
  }
  fs.writeSync(fd, s);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

function numericFile(rows) {
  const file = path.join(os.tmpdir(), `weft-bench-ingest-numeric-${rows}.csv`);
  if (fs.existsSync(file)) return file;
  const r = mulberry32(42);
  const header = Array.from({ length: 20 }, (_, i) => `x${i}`).join(',');
  const a = new Array(20);
  writeCsv(file, header, rows, () => {
    for (let j = 0; j < 20; j++) a[j] = j < 4 ? String(Math.floor(r() * 100000)) : ((r() - 0.5) * 200).toFixed(5);
    return a.join(',');
  });
  return file;
}

const CITIES = ['Lisbon', 'Porto', 'Madrid', 'Paris', 'Lyon', 'Berlin', 'Munich', 'Vienna', 'Zurich', 'Milan', 'Rome', 'Oslo', 'Bergen', 'Dublin', 'Cork', 'Leeds', 'York', 'Ghent', 'Bruges', 'Turin'];
const SEGMENTS = ['consumer', 'corporate', 'home office', 'education', 'public'];
const WORDS = ['late', 'delivery', 'great', 'service', 'price', 'too', 'high', 'would', 'buy', 'again', 'box', 'damaged', 'fast', 'support', 'slow'];

function mixedFile(rows) {
  const file = path.join(os.tmpdir(), `weft-bench-ingest-mixed-${rows}.csv`);
  if (fs.existsSync(file)) return file;
  const r = mulberry32(7);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const pad = (n, w) => String(n).padStart(w, '0');
  const header = 'id,age,income,score,city,segment,active,churned,signup,last_seen,zip,comment,rating';
  writeCsv(file, header, rows, (i) => {
    const age = r() < 0.05 ? '' : String(18 + Math.floor(r() * 70));
    const income = r() < 0.03 ? 'NA' : (20000 + r() * 180000).toFixed(2);
    const score = r() < 0.01 ? '?' : (r() * 10 - 5).toFixed(4);
    const seg = r() < 0.02 ? '' : pick(SEGMENTS);
    const active = r() < 0.5 ? 'yes' : 'no';
    const churned = r() < 0.2 ? 'True' : 'False';
    const day = 1 + Math.floor(r() * 3650);
    const d = new Date(Date.UTC(2014, 0, day));
    const signup = d.toISOString().slice(0, 10);
    const seen = new Date(d.getTime() + Math.floor(r() * 400 * 86400000)).toISOString().slice(0, 19).replace('T', ' ');
    const zip = pad(Math.floor(r() * 99999), 5);
    let comment = '';
    if (r() < 0.7) {
      const n = 3 + Math.floor(r() * 8);
      const w = [];
      for (let k = 0; k < n; k++) w.push(pick(WORDS));
      comment = r() < 0.3 ? `"${w.slice(0, 3).join(' ')}, ${w.slice(3).join(' ')}"` : w.join(' ');
    }
    const rating = String(1 + Math.floor(r() * 5));
    return `${i},${age},${income},${score},${pick(CITIES)},${seg},${active},${churned},${signup},${seen},${zip},${comment},${rating}`;
  });
  return file;
}

// ---- child: one measurement ----
async function child(kind, file) {
  const size = fs.statSync(file).size;
  let load = () => undefined;
  if (kind === 'ingest' || kind === 'ingest-js') {
    const mod = require(path.join(process.env.BENCH_INGEST_DIR || path.join(ROOT, 'packages/api/dist/ingest'), 'index.js'));
    load = mod.ingestCsvFile;
  } else if (kind === 'papaparse') load = require('papaparse');
  else load = require('csv-parse').parse;
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  let rows = 0;
  let engine = '';
  if (kind === 'ingest' || kind === 'ingest-js') {
    const out = path.join(os.tmpdir(), `weft-bench-ingest-${process.pid}.arrow`);
    try {
      const r = await load(file, out, kind === 'ingest-js' ? { engine: 'js' } : {});
      rows = r.rowCount;
      engine = r.engine ?? 'js';
    } finally {
      fs.rmSync(out, { force: true });
    }
  } else if (kind === 'papaparse') {
    await new Promise((resolve, reject) =>
      load.parse(fs.createReadStream(file, { highWaterMark: 1 << 20 }), { step: () => void rows++, complete: resolve, error: reject }),
    );
    rows -= 1; // header
  } else {
    const p = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(load({ relax_column_count: true }));
    for await (const _rec of p) rows++;
    rows -= 1;
  }
  const wall = (performance.now() - w0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  process.stdout.write(JSON.stringify({ kind, size, rows, wall, cpu, engine, rssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

const PANDAS = `
import json, resource, sys, time
import pandas as pd
f = sys.argv[1]
w0 = time.perf_counter(); c0 = time.process_time()
df = pd.read_csv(f)
print(json.dumps({"kind": "pandas", "size": __import__("os").path.getsize(f), "rows": len(df), "wall": time.perf_counter() - w0,
  "cpu": time.process_time() - c0, "engine": "pandas " + pd.__version__, "rssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;
const hasPandas = () => spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;

function measure(kind, file) {
  let best = null;
  for (let i = 0; i < REPEAT; i++) {
    const r =
      kind === 'pandas'
        ? spawnSync('/usr/bin/python3', ['-c', PANDAS, file], { encoding: 'utf8', maxBuffer: 1 << 24 })
        : spawnSync(process.execPath, ['--max-old-space-size=4096', __filename, '--child', kind, file], { cwd: path.join(ROOT, 'packages/api'), encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr || r.stdout}`);
    const m = JSON.parse(r.stdout.trim().split('\n').pop());
    if (!best || m.wall < best.wall) best = { ...m, cpuBest: Math.min(m.cpu, best?.cpuBest ?? Infinity) };
    else best.cpuBest = Math.min(best.cpuBest, m.cpu);
  }
  return best;
}

function main() {
  console.log(`weft ingest bench: ${N.toLocaleString()} rows, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, best of ${REPEAT}`);
  const t0 = performance.now();
  const files = { numeric: numericFile(N), mixed: mixedFile(N) };
  console.log(`files ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${os.tmpdir()})`);
  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  const kinds = ONLY.filter((k) => k !== 'pandas' || hasPandas());
  console.log(`${pad('file', 9)}${pad('reader', 11)}${lpad('MB', 8)}${lpad('rows', 10)}${lpad('wall s', 8)}${lpad('MB/s', 8)}${lpad('CPU s', 8)}${lpad('MB/CPU-s', 10)}${lpad('rows/s', 11)}${lpad('peak RSS', 10)}  engine`);
  for (const name of FILES) {
    const file = files[name];
    const res = {};
    for (const kind of kinds) {
      const m = (res[kind] = measure(kind, file));
      const mb = m.size / 1e6;
      console.log(
        `${pad(name, 9)}${pad(kind, 11)}${lpad(mb.toFixed(0), 8)}${lpad(m.rows, 10)}${lpad(m.wall.toFixed(2), 8)}${lpad((mb / m.wall).toFixed(1), 8)}${lpad(m.cpuBest.toFixed(2), 8)}${lpad((mb / m.cpuBest).toFixed(1), 10)}${lpad(Math.round(m.rows / m.wall).toLocaleString(), 11)}${lpad(m.rssMb.toFixed(0) + ' MB', 10)}  ${m.engine || ''}`,
      );
    }
    if (res.ingest) {
      for (const base of ['ingest-js', 'pandas', 'papaparse', 'csv-parse']) {
        if (!res[base]) continue;
        console.log(`${pad(name, 9)}ingest / ${base}: ${(res[base].wall / res.ingest.wall).toFixed(2)}x wall speed, ${(res[base].cpuBest / res.ingest.cpuBest).toFixed(2)}x CPU speed (${base.startsWith('ingest') ? 'the JavaScript path' : `ingest types, profiles and writes Arrow; ${base} only parses`})`);
      }
    }
  }
  console.log('goal (issue 3): >= 100 MB/s, pandas read_csv ~110 MB/s on the numeric file');
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else main();
