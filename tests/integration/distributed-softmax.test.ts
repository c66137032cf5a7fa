/**
 * Multiclass (softmax) logistic regression trained data-parallel with real processes: a
 * seeded 3-class set split into 4 shards, trained by 3 executors (L-BFGS rounds driven by
 * the scheduler), against a one-executor single-task run on the same seed. Every spawned
 * process is killed after the test.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Jobs, evalMetrics, freePort, killAll, seedSynthetic, startExecutor, startScheduler, tempDataDir, trainGraph } from './distributed-cluster.js';

const ENV = { WEFT_LEASE_TTL_MS: '20000', WEFT_HEARTBEAT_MS: '1000', WEFT_RETRY_BACKOFF_MS: '100', WEFT_MAX_ATTEMPTS: '4', WEFT_SHARD_BATCHES: '3', WEFT_LOG_LEVEL: 'warn' };
const ROWS = 40_000;
const BATCH_ROWS = 4_096; // 10 batches, 3 per shard → 4 shards
const CLASSES = 3;

/**
 * Tolerance: both runs minimise the same convex softmax objective (mean cross-entropy +
 * ||W||²/(2Cn), intercepts unpenalised) on the same hash split, each to a gradient tol of
 * 1e-6, so predicted probabilities agree to optimiser noise. 0.002 absolute on accuracy,
 * macro precision / recall / F1 and log loss (≈ 16 of ~8,000 test rows); 0.003 on one-vs-rest
 * ROC AUC, which the distributed evaluator computes from 512-bin score histograms per class.
 */
const TOL = 0.002;
const TOL_AUC = 0.003;

describe('distributed softmax regression (processes)', function () {
  this.timeout(600_000);
  let dir: string;
  let jobs: Jobs | undefined;

  beforeEach(() => {
    dir = tempDataDir();
  });
  afterEach(async () => {
    jobs?.close();
    jobs = undefined;
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('3 classes, 4 shards on 3 executors: metrics match a one-executor single-task run (±0.002, AUC ±0.003)', async () => {
    const batches = await seedSynthetic(dir, { id: 'ds_k3', rows: ROWS, features: 6, batchRows: BATCH_ROWS, task: 'classification', classes: CLASSES, seed: 11 });
    assert.equal(batches, 10);
    const port = await freePort();
    await startScheduler(dir, port, ENV);
    startExecutor(dir, port, ENV);
    jobs = new Jobs(port);
    const single = await jobs.final((await jobs.submit(trainGraph('ds_k3', 'logistic_regression', { distributed: 'off' }))).id, 240_000);
    assert.equal(single.state, 'completed', single.errorMessage);
    assert.equal(single.tasks.length, 1);
    startExecutor(dir, port, ENV);
    startExecutor(dir, port, ENV);
    const dist = await jobs.final((await jobs.submit(trainGraph('ds_k3', 'logistic_regression'))).id, 540_000);
    assert.equal(dist.state, 'completed', dist.errorMessage);

    const res = JSON.parse(dist.resultJson) as { nodes: Record<string, { classes?: string[]; distributed?: { shards: number; rounds: number; converged?: boolean } }> };
    assert.deepEqual(res.nodes.model?.classes, ['0', '1', '2']);
    assert.equal(res.nodes.model?.distributed?.shards, 4);
    assert.equal(res.nodes.model?.distributed?.converged, true, `not converged after ${res.nodes.model?.distributed?.rounds} rounds`);
    const shardTasks = dist.tasks.filter((t) => t.kind === 'shard_map');
    assert.ok(shardTasks.some((t) => /_t\d+_3$/.test(t.id)), 'training rounds ran on shard 3');
    assert.ok(new Set(shardTasks.map((t) => t.executorId)).size >= 2, 'shard tasks spread over executors');

    const a = evalMetrics(single);
    const b = evalMetrics(dist);
    assert.ok((a.accuracy as number) > 0.5 && (a.accuracy as number) < 0.99, `accuracy ${a.accuracy}: the set should be neither trivial nor hopeless`);
    for (const m of ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'f1_weighted', 'log_loss']) {
      assert.ok(Math.abs((a[m] as number) - (b[m] as number)) <= TOL, `${m}: single ${a[m]} vs distributed ${b[m]}`);
    }
    assert.ok(Math.abs((a.roc_auc as number) - (b.roc_auc as number)) <= TOL_AUC, `roc_auc: single ${a.roc_auc} vs distributed ${b.roc_auc}`);
    assert.ok(Math.abs((a.pr_auc as number) - (b.pr_auc as number)) <= TOL_AUC, `pr_auc: single ${a.pr_auc} vs distributed ${b.pr_auc}`);
    const ca = a.confusion_matrix as number[][];
    const cb = b.confusion_matrix as number[][];
    assert.equal(cb.length, CLASSES);
    assert.equal(cb.flat().reduce((x, y) => x + y, 0), ca.flat().reduce((x, y) => x + y, 0), 'same test rows');
  });
});
