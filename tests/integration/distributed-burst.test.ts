/**
 * 200 small jobs submitted at once to 4 executor processes (sleep test runner, 100 ms per
 * task): every job completes, and the database shows each task succeeded exactly once and
 * one model row per job (none lost, none run twice to completion).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { JobEventEntity, ModelEntity, TaskEntity, loadConfig, openDatabase } from '@weft/common';
import { Jobs, freePort, killAll, seedSynthetic, startExecutor, startScheduler, tempDataDir, trainGraph } from './distributed-cluster.js';

const ENV = { WEFT_LEASE_TTL_MS: '5000', WEFT_HEARTBEAT_MS: '500', WEFT_RETRY_BACKOFF_MS: '100', WEFT_TEST_RUNNER: 'sleep', WEFT_TEST_RUNNER_MS: '100', WEFT_LOG_LEVEL: 'warn' };
const JOBS = 200;

describe('job burst (processes)', function () {
  this.timeout(300_000);
  let dir: string;
  let jobs: Jobs | undefined;
  afterEach(async () => {
    jobs?.close();
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('200 jobs at once on 4 executors: all complete, each task succeeds exactly once, one model per job', async () => {
    dir = tempDataDir();
    const port = await freePort();
    await seedSynthetic(dir, { id: 'ds_small', rows: 200, features: 3, batchRows: 1_000, task: 'classification' });
    const sched = await startScheduler(dir, port, ENV);
    for (let i = 0; i < 4; i++) startExecutor(dir, port, ENV);
    jobs = new Jobs(port);
    const submitted = await Promise.all(Array.from({ length: JOBS }, () => jobs!.submit(trainGraph('ds_small', 'logistic_regression'))));
    assert.equal(new Set(submitted.map((j) => j.id)).size, JOBS);
    const done = await Promise.all(submitted.map((j) => jobs!.final(j.id, 240_000, 500)));
    assert.deepEqual(done.filter((j) => j.state !== 'completed').map((j) => `${j.id}: ${j.state} ${j.errorMessage}`), []);
    const executors = new Set(done.flatMap((j) => j.tasks.map((t) => t.executorId)));
    assert.equal(executors.size, 4, `work spread over ${executors.size} executors`);
    sched.child.kill('SIGTERM');
    await sched.exited;
    const db = await openDatabase(loadConfig({ WEFT_DATA_DIR: dir }));
    try {
      const em = db.em();
      const ids = submitted.map((j) => j.id);
      const tasks = await em.find(TaskEntity, { jobId: { $in: ids } });
      assert.equal(tasks.length, JOBS);
      assert.ok(tasks.every((t) => t.state === 'succeeded'));
      const models = await em.find(ModelEntity, { jobId: { $in: ids } });
      assert.equal(models.length, JOBS, 'one model row per job');
      assert.equal(new Set(models.map((m) => m.jobId)).size, JOBS);
      const events = await em.find(JobEventEntity, { jobId: { $in: ids }, type: 'task_state' });
      const succeeded = new Map<string, number>();
      for (const e of events) {
        const p = e.payload as { taskId: string; state: string };
        if (p.state === 'succeeded') succeeded.set(p.taskId, (succeeded.get(p.taskId) ?? 0) + 1);
      }
      assert.equal(succeeded.size, JOBS);
      assert.ok([...succeeded.values()].every((n) => n === 1), 'a task succeeded twice');
    } finally {
      await db.close();
    }
  });
});
