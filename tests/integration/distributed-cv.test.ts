/**
 * k-fold cross-validation with real processes: `folds: 5` on the split adds five independent
 * fold tasks beside the model's own task; they are spread over the executors and, when all
 * have succeeded, the evaluator's result carries the mean and (population) standard deviation
 * of every scalar metric over the folds. Every spawned process is killed after the test.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Jobs, freePort, killAll, seedSynthetic, startExecutor, startScheduler, tempDataDir, trainGraph } from './distributed-cluster.js';

const ENV = { WEFT_LEASE_TTL_MS: '20000', WEFT_HEARTBEAT_MS: '1000', WEFT_RETRY_BACKOFF_MS: '100', WEFT_MAX_ATTEMPTS: '4', WEFT_LOG_LEVEL: 'warn' };

interface Cv {
  folds: number;
  mean: Record<string, number>;
  std: Record<string, number>;
  perFold: Array<Record<string, unknown>>;
}

describe('k-fold cross-validation (processes)', function () {
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

  it('folds: 5 runs 5 fold tasks over 3 executors and reports mean and std per metric on the evaluator', async () => {
    await seedSynthetic(dir, { id: 'ds_cv', rows: 6_000, features: 5, batchRows: 2_000, task: 'classification', seed: 3 });
    const port = await freePort();
    await startScheduler(dir, port, ENV);
    startExecutor(dir, port, ENV);
    startExecutor(dir, port, ENV);
    startExecutor(dir, port, ENV);
    jobs = new Jobs(port);
    const job = await jobs.final((await jobs.submit(trainGraph('ds_cv', 'logistic_regression', { folds: 5, distributed: 'off' }))).id, 540_000);
    assert.equal(job.state, 'completed', job.errorMessage);

    const folds = job.tasks.filter((t) => /_cv\d+$/.test(t.id));
    assert.equal(folds.length, 5, `fold tasks: ${job.tasks.map((t) => t.id).join(', ')}`);
    assert.deepEqual(folds.map((t) => Number(/_cv(\d+)$/.exec(t.id)![1])).sort(), [0, 1, 2, 3, 4]);
    assert.ok(folds.every((t) => t.state === 'succeeded' && t.kind === 'train_pipeline'));
    assert.equal(job.tasks.length, 6, 'the model task and 5 folds');
    const executors = new Set(folds.map((t) => t.executorId));
    assert.ok(executors.size >= 2, `fold tasks spread over executors (got ${[...executors].join(', ')})`);

    const nodes = (JSON.parse(job.resultJson) as { nodes: Record<string, { metrics?: Record<string, unknown>; crossValidation?: Cv }> }).nodes;
    const cv = nodes.eval?.crossValidation;
    assert.ok(cv, 'crossValidation on the evaluator node');
    assert.ok(nodes.eval?.metrics?.accuracy !== undefined, 'the holdout metrics are kept beside the CV summary');
    assert.equal(cv.folds, 5);
    assert.equal(cv.perFold.length, 5);
    for (const m of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss']) {
      const vals = cv.perFold.map((f) => f[m] as number);
      assert.ok(vals.every((v) => typeof v === 'number' && Number.isFinite(v)), `${m} per fold: ${vals.join(', ')}`);
      const mu = vals.reduce((a, b) => a + b, 0) / 5;
      const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mu) ** 2, 0) / 5);
      assert.ok(Math.abs(cv.mean[m]! - mu) < 1e-12, `${m} mean ${cv.mean[m]} vs ${mu}`);
      assert.ok(Math.abs(cv.std[m]! - sd) < 1e-12, `${m} std ${cv.std[m]} vs ${sd}`);
      assert.ok(cv.std[m]! > 0, `${m}: folds differ, so std > 0`);
    }
    assert.ok(cv.mean.accuracy! > 0.6, `mean accuracy ${cv.mean.accuracy}`);
    assert.ok(Math.abs(cv.mean.accuracy! - (nodes.eval!.metrics!.accuracy as number)) < 0.05, 'CV mean close to the holdout accuracy');
  });
});
