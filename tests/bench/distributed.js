#!/usr/bin/env node
/**
 * Distributed-execution benchmark (figures, not a timed test). Needs a build (`npm run build`).
 *
 *   node tests/bench/distributed.js            # 1,000,000 × 20 synthetic classification set
 *   BENCH_ROWS=200000 node tests/bench/distributed.js
 *
 * Reports: wall time and rows/s of one data-parallel logistic-regression job with 1, 2 and 4
 * executors; scheduler CPU ms per task and dispatch latency per task; p50/p99 job latency of
 * a 200-job burst (sleep runner, 4 executors); autocannon against the api's job submission
 * and job status routes beside a bare Express route in the same process run; and a model of
 * many executors from the measured per-task costs. Everything runs on loopback and every
 * spawned process is killed at the end. Env: BENCH_ROWS (default 1e6), BENCH_FEATURES (20),
 * BENCH_BATCH_ROWS (65,536), BENCH_SHARD_BATCHES (4), BENCH_BURST (200), BENCH_CANNON_S (8).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const h = require('../dist/integration/distributed-cluster.js');

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const FEATURES = Number(process.env.BENCH_FEATURES ?? 20);
const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 65_536);
const SHARD_BATCHES = Number(process.env.BENCH_SHARD_BATCHES ?? 4);
const BURST = Number(process.env.BENCH_BURST ?? 200);
const CANNON_S = Number(process.env.BENCH_CANNON_S ?? 8);
const ENV = { WEFT_LEASE_TTL_MS: '15000', WEFT_HEARTBEAT_MS: '1000', WEFT_SHARD_BATCHES: String(SHARD_BATCHES), WEFT_LOG_LEVEL: 'warn' };

/** CPU milliseconds (user + system) a process has used, from /proc. */
function cpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks (100 Hz)
}
const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const fmt = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(d));

async function trainRun(dir, nExec) {
  const port = await h.freePort();
  const sched = await h.startScheduler(dir, port, ENV);
  for (let i = 0; i < nExec; i++) h.startExecutor(dir, port, ENV);
  const jobs = new h.Jobs(port);
  // Warm-up job (module load, first shard reads) is not timed.
  await jobs.final((await jobs.submit(h.trainGraph('ds_bench', 'logistic_regression', {}, 1))).id, 600_000, 250);
  const cpu0 = cpuMs(sched.child.pid);
  const t0 = Date.now();
  const job = await jobs.final((await jobs.submit(h.trainGraph('ds_bench', 'logistic_regression'))).id, 600_000, 250);
  const wallMs = Date.now() - t0;
  const schedCpu = cpuMs(sched.child.pid) - cpu0;
  const result = JSON.parse(job.resultJson);
  const m = result.nodes.model ?? {};
  jobs.close();
  await h.killAll();
  return { nExec, state: job.state, wallMs, tasks: job.tasks.length, rounds: m.distributed?.rounds, shards: m.distributed?.shards, schedCpuPerTaskMs: schedCpu / job.tasks.length, acc: result.nodes.eval?.metrics?.accuracy };
}

async function burst(dir) {
  const port = await h.freePort();
  const env = { ...ENV, WEFT_TEST_RUNNER: 'sleep', WEFT_TEST_RUNNER_MS: '0' };
  const sched = await h.startScheduler(dir, port, env);
  for (let i = 0; i < 4; i++) h.startExecutor(dir, port, env);
  const jobs = new h.Jobs(port);
  await jobs.final((await jobs.submit(h.trainGraph('ds_tiny', 'logistic_regression'))).id, 60_000);
  const cpu0 = cpuMs(sched.child.pid);
  const t0 = Date.now();
  const submitted = await Promise.all(Array.from({ length: BURST }, () => jobs.submit(h.trainGraph('ds_tiny', 'logistic_regression'))));
  const done = await Promise.all(submitted.map((j) => jobs.final(j.id, 600_000, 250)));
  const wallMs = Date.now() - t0;
  const schedCpu = cpuMs(sched.child.pid) - cpu0;
  const lat = done.map((j) => Number(j.finishedAtMs) - Number(j.createdAtMs));
  jobs.close();
  await h.killAll();
  return { jobs: BURST, completed: done.filter((j) => j.state === 'completed').length, wallMs, p50: pct(lat, 0.5), p99: pct(lat, 0.99), schedCpuPerTaskMs: schedCpu / BURST, throughput: BURST / (wallMs / 1000) };
}

async function cannon(dir) {
  let autocannon;
  let express;
  try {
    autocannon = require('autocannon');
    express = require('express');
  } catch {
    return { skipped: 'autocannon or express not installed (npm i -D autocannon)' };
  }
  const port = await h.freePort();
  const apiPort = await h.freePort();
  const env = { ...ENV, WEFT_TEST_RUNNER: 'sleep', WEFT_TEST_RUNNER_MS: '0', WEFT_RATE_LIMIT_IP_PER_MINUTE: '100000000', WEFT_RATE_LIMIT_USER_PER_MINUTE: '100000000' };
  await h.startScheduler(dir, port, env);
  h.startExecutor(dir, port, env);
  // Credentials: the launcher's mechanism (an API key in <dataDir>/credentials.json), when the api has it.
  let headers = { 'content-type': 'application/json' };
  try {
    const api = require(path.resolve(__dirname, '../../packages/api/dist/index.js'));
    const { loadConfig } = require('@weft/common');
    if (api.ensureLocalOwner) {
      const r = await api.ensureLocalOwner(loadConfig({ ...process.env, WEFT_DATA_DIR: dir }));
      headers = { ...headers, authorization: `Bearer ${r.credentials.apiKey}` };
    }
  } catch (err) {
    console.error('no credentials bootstrap:', err.message);
  }
  const { spawn } = require('node:child_process');
  const apiProc = spawn(process.execPath, [path.resolve(__dirname, '../../packages/api/dist/main.js')], {
    env: { ...process.env, ...env, WEFT_DATA_DIR: dir, WEFT_SCHEDULER_URL: `127.0.0.1:${port}`, WEFT_PORT: String(apiPort), WEFT_HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${apiPort}`;
  try {
    await h.until(async () => (await fetch(`${base}/api/health`, { headers }).catch(() => ({ ok: false }))).ok || (await fetch(`${base}/health`).catch(() => ({ ok: false }))).ok, 30_000, 'api');
    const body = JSON.stringify({ workflow: h.trainGraph('ds_tiny', 'logistic_regression') });
    const first = await (await fetch(`${base}/api/jobs`, { method: 'POST', headers, body })).json();
    const jobId = first.id ?? first.job?.id;
    const app = express();
    app.get('/bare', (_req, res) => res.json({ ok: true }));
    const bare = await new Promise((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const run = (opts) => new Promise((resolve, reject) => autocannon({ connections: 10, duration: CANNON_S, ...opts }, (e, r) => (e ? reject(e) : resolve(r))));
    const out = {};
    const s1 = await run({ url: `http://127.0.0.1:${bare.address().port}/bare` });
    out.bare = s1;
    out.status = await run({ url: `${base}/api/jobs/${jobId}`, headers });
    out.submit = await run({ url: `${base}/api/jobs`, method: 'POST', headers, body, connections: 4 });
    bare.close();
    const pick = (r) => ({ rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
    return { bare: pick(out.bare), status: pick(out.status), submit: pick(out.submit) };
  } finally {
    apiProc.kill('SIGKILL');
    await h.killAll();
  }
}

async function main() {
  const t0 = Date.now();
  const dir = h.tempDataDir();
  try {
    process.stdout.write(`generating ${ROWS} × ${FEATURES} (seed 1, ${BATCH_ROWS}-row batches)… `);
    const batches = await h.seedSynthetic(dir, { id: 'ds_bench', rows: ROWS, features: FEATURES, batchRows: BATCH_ROWS, task: 'classification', seed: 1 });
    await h.seedSynthetic(dir, { id: 'ds_tiny', rows: 200, features: 3, batchRows: 1000, task: 'classification' });
    console.log(`${batches} batches, ${Math.ceil(batches / SHARD_BATCHES)} shards, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const runs = [];
    for (const n of [1, 2, 4]) {
      const r = await trainRun(dir, n);
      runs.push(r);
      console.log(`train ${n} executor(s): ${r.state} in ${fmt(r.wallMs / 1000, 2)} s, ${fmt(ROWS / (r.wallMs / 1000), 0)} rows/s, ${r.tasks} tasks (${r.shards} shards × ${r.rounds} rounds + fit/eval/final), scheduler CPU ${fmt(r.schedCpuPerTaskMs, 2)} ms/task, accuracy ${fmt(r.acc, 4)}`);
    }
    const b = await burst(dir);
    console.log(`burst: ${b.completed}/${b.jobs} completed in ${fmt(b.wallMs / 1000, 2)} s (${fmt(b.throughput, 1)} jobs/s); job latency p50 ${b.p50} ms, p99 ${b.p99} ms; scheduler CPU ${fmt(b.schedCpuPerTaskMs, 2)} ms per task (lease + heartbeats + report + Get polling)`);
    const c = await cannon(dir);
    if (c.skipped) console.log(`autocannon: skipped (${c.skipped})`);
    else for (const k of ['bare', 'status', 'submit']) console.log(`autocannon ${k.padEnd(6)}: ${fmt(c[k].rps, 0)} req/s, p99 ${c[k].p99} ms, non-2xx ${c[k].non2xx}, errors ${c[k].errors}`);

    // Model of many executors: per round, shard tasks run in parallel (≤ executors), the
    // scheduler handles every task serially (its CPU cost per task), so the round time is
    // max(ceil(shards / E) · t_task, shards · c_sched) + t_round_overhead.
    const one = runs[0];
    const tasksPerJob = one.tasks;
    const tTask = (one.wallMs / tasksPerJob); // one executor runs every task in sequence
    const cSched = Math.max(...runs.map((r) => r.schedCpuPerTaskMs), b.schedCpuPerTaskMs);
    console.log(`model: per-task time on 1 executor ${fmt(tTask, 1)} ms (includes dispatch), scheduler cost ${fmt(cSched, 2)} ms/task`);
    for (const E of [1, 2, 4, 8, 16, 32, 64]) {
      const shards = E; // one shard per executor (WEFT_SHARD_BATCHES chosen so)
      const rowsPerShard = ROWS / shards;
      const perTask = tTask * (rowsPerShard / (ROWS / (one.shards || 1)));
      const round = Math.max(perTask, shards * cSched);
      const rounds = (one.rounds || 1) + 3;
      console.log(`  E=${String(E).padStart(2)}: round ≈ ${fmt(round, 1)} ms, job ≈ ${fmt((round * rounds) / 1000, 2)} s, ${fmt(ROWS / ((round * rounds) / 1000), 0)} rows/s`);
    }
    console.log(`  the scheduler saturates when shards · ${fmt(cSched, 2)} ms ≥ per-shard compute, i.e. at ≈ ${fmt(Math.sqrt((tTask * (one.shards || 1)) / cSched), 0)} executors for this job, or ${fmt(1000 / cSched, 0)} tasks/s overall`);
    console.log(`total bench time ${fmt((Date.now() - t0) / 1000, 1)} s`);
  } finally {
    await h.killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(async (err) => {
  console.error(err);
  await h.killAll();
  process.exit(1);
});
