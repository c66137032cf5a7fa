/**
 * Data-parallel training with real processes on loopback: metrics of a data-parallel job
 * (several shards, several executors) match a one-executor single-task run on the same seed;
 * an executor killed mid-training does not change the result; an executor joining mid-job
 * receives work. Every spawned process is killed after each test.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Jobs, evalMetrics, freePort, killAll, seedSynthetic, startExecutor, startScheduler, tempDataDir, trainGraph, until } from './distributed-cluster.js';

/** Short leases so a killed executor is noticed fast; 4 record batches (of 8,192 rows) per shard. */
const ENV = { WEFT_LEASE_TTL_MS: '3000', WEFT_HEARTBEAT_MS: '500', WEFT_RETRY_BACKOFF_MS: '100', WEFT_MAX_ATTEMPTS: '4', WEFT_SHARD_BATCHES: '4', WEFT_LOG_LEVEL: 'info' };
const ROWS = 120_000;
const BATCH_ROWS = 8_192; // 15 batches → 4 shards

/**
 * Tolerance of data-parallel vs single-task metrics: both minimise the same convex objective
 * (to tol 1e-6 on the gradient) on the same split, so predictions agree up to optimiser
 * noise; ROC AUC comes from 4096-bin histograms. 0.002 absolute on every metric.
 */
const TOL = 0.002;

describe('distributed training (processes)', function () {
  this.timeout(240_000);
  let dir: string;
  let port: number;
  let jobs: Jobs | undefined;

  beforeEach(async () => {
    dir = tempDataDir();
    port = await freePort();
  });
  afterEach(async () => {
    jobs?.close();
    jobs = undefined;
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logistic regression: 4-shard data-parallel metrics match a one-executor run (±0.002), and so does linear regression', async () => {
    await seedSynthetic(dir, { id: 'ds_cls', rows: ROWS, features: 10, batchRows: BATCH_ROWS, task: 'classification' });
    await seedSynthetic(dir, { id: 'ds_reg', rows: ROWS, features: 10, batchRows: BATCH_ROWS, task: 'regression' });
    await startScheduler(dir, port, ENV);
    startExecutor(dir, port, ENV);
    jobs = new Jobs(port);
    const single = await jobs.final((await jobs.submit(trainGraph('ds_cls', 'logistic_regression', { distributed: 'off' }))).id, 120_000);
    const singleReg = await jobs.final((await jobs.submit(trainGraph('ds_reg', 'linear_regression', { distributed: 'off' }))).id, 120_000);
    assert.equal(single.state, 'completed', single.errorMessage);
    startExecutor(dir, port, ENV);
    startExecutor(dir, port, ENV);
    const dist = await jobs.final((await jobs.submit(trainGraph('ds_cls', 'logistic_regression'))).id, 180_000);
    assert.equal(dist.state, 'completed', dist.errorMessage);
    assert.ok(dist.tasks.length > 8, `expected shard tasks, got ${dist.tasks.length}`);
    assert.ok(dist.tasks.some((t) => t.kind === 'finalize'));
    const a = evalMetrics(single);
    const b = evalMetrics(dist);
    for (const m of ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'f1_macro', 'f1_weighted', 'roc_auc', 'pr_auc', 'log_loss']) {
      assert.ok(Math.abs((a[m] as number) - (b[m] as number)) <= TOL, `${m}: single ${a[m]} vs distributed ${b[m]}`);
    }
    const calibrationOf = (job: typeof single) => (JSON.parse(job.resultJson) as { nodes: Record<string, { calibration?: { kind: string; count: number[] } }> }).nodes.eval?.calibration;
    const [ca, cb] = [calibrationOf(single), calibrationOf(dist)];
    assert.equal(ca?.kind, 'positive_class');
    assert.equal(cb?.kind, 'positive_class');
    assert.equal(cb!.count.reduce((x, y) => x + y, 0), ca!.count.reduce((x, y) => x + y, 0), 'calibration bins count the same test rows');
    const distReg = await jobs.final((await jobs.submit(trainGraph('ds_reg', 'linear_regression'))).id, 180_000);
    assert.equal(distReg.state, 'completed', distReg.errorMessage);
    const ra = evalMetrics(singleReg);
    const rb = evalMetrics(distReg);
    for (const m of ['r2', 'rmse', 'mae']) assert.ok(Math.abs((ra[m] as number) - (rb[m] as number)) <= 1e-6 * Math.max(1, Math.abs(ra[m] as number)), `${m}: ${ra[m]} vs ${rb[m]}`);
  });

  it('kill -9 of an executor mid-training: the job completes with exactly the metrics of a run without the fault', async () => {
    await seedSynthetic(dir, { id: 'ds_cls', rows: ROWS, features: 10, batchRows: BATCH_ROWS, task: 'classification' });
    await startScheduler(dir, port, ENV);
    const execs = [startExecutor(dir, port, ENV), startExecutor(dir, port, ENV), startExecutor(dir, port, ENV)];
    jobs = new Jobs(port);
    const clean = await jobs.final((await jobs.submit(trainGraph('ds_cls', 'logistic_regression'))).id, 180_000);
    assert.equal(clean.state, 'completed', clean.errorMessage);
    // A training round can finish between two polls on a quiet machine: submit again until one
    // is caught holding a training task (bounded), so the kill always lands mid-training.
    let victimId = '';
    let job = await jobs.submit(trainGraph('ds_cls', 'logistic_regression'));
    for (let tries = 0; tries < 5 && !victimId; tries++) {
      if (tries > 0) job = await jobs.submit(trainGraph('ds_cls', 'logistic_regression'));
      await until(async () => {
        const j = await jobs!.get(job.id);
        const t = j.tasks.find((x) => x.kind === 'shard_map' && (x.state === 'running' || x.state === 'leased') && x.id.includes('_t'));
        victimId = t?.executorId ?? '';
        return !!t || ['completed', 'failed', 'cancelled'].includes(j.state);
      }, 120_000, 'a training round to run');
    }
    assert.ok(victimId, 'caught a training round in flight within 5 jobs');
    const victim = execs.find((p) => victimId.includes(`-${p.child.pid}-`));
    assert.ok(victim, `no process for ${victimId}`);
    victim.child.kill('SIGKILL');
    const done = await jobs.final(job.id, 180_000);
    assert.equal(done.state, 'completed', done.errorMessage);
    assert.ok(done.tasks.some((t) => t.attempt >= 2 || t.executorId === victimId), 'the victim held a task');
    assert.deepEqual(evalMetrics(done), evalMetrics(clean));
  });

  it('an executor that joins mid-job receives work', async () => {
    await seedSynthetic(dir, { id: 'ds_cls', rows: ROWS, features: 10, batchRows: BATCH_ROWS, task: 'classification' });
    await startScheduler(dir, port, ENV);
    startExecutor(dir, port, ENV);
    jobs = new Jobs(port);
    const job = await jobs.submit(trainGraph('ds_cls', 'logistic_regression'));
    await until(async () => (await jobs!.get(job.id)).tasks.some((t) => t.kind === 'shard_map' && t.id.includes('_t') && t.state === 'succeeded'), 120_000, 'training to start');
    const late = startExecutor(dir, port, ENV);
    const done = await jobs.final(job.id, 180_000);
    assert.equal(done.state, 'completed', done.errorMessage);
    const lateIds = new Set(done.tasks.map((t) => t.executorId).filter((id) => id.includes(`-${late.child.pid}-`)));
    assert.ok(lateIds.size === 1, `the late executor (pid ${late.child.pid}) ran no task`);
  });
});
