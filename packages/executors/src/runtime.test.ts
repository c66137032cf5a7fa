import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLogger, loadConfig, type Config } from '@weft/common';
import { WeftError, type TaskSpec } from '@weft/proto';
import { startExecutor } from './runtime.js';
import { sleepResult } from './test-runner.js';
import { Jobs, freePort, graph, killAll, seededDataDir, startSchedulerProc } from './testing/procs.js';
import type { ExecutorHandle, TaskRunnerFn } from './types.js';
import { ProgressThrottle } from './progress-throttle.js';
import { failureOf, serializeError } from './errors.js';

describe('executor runtime (in-process executor, scheduler process)', function () {
  this.timeout(40_000);
  let dir: string;
  let port: number;
  let jobs: Jobs;
  let cfg: Config;
  let ex: ExecutorHandle | undefined;

  before(async () => {
    dir = await seededDataDir();
    port = await freePort();
    await startSchedulerProc(dir, port, { WEFT_LEASE_TTL_MS: '1500', WEFT_HEARTBEAT_MS: '300', WEFT_RETRY_BACKOFF_MS: '100' });
    jobs = new Jobs(port);
    cfg = loadConfig({ WEFT_DATA_DIR: dir, WEFT_SCHEDULER_URL: `127.0.0.1:${port}`, WEFT_HEARTBEAT_MS: '300', WEFT_LEASE_TTL_MS: '1500' });
  });
  afterEach(async () => {
    await ex?.close();
    ex = undefined;
  });
  after(async () => {
    jobs?.close();
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (runTask: Parameters<typeof startExecutor>[0]['runTask']) =>
    (ex = startExecutor({ config: cfg, runTask, log: createLogger('executor-test', 'silent'), progressIntervalMs: 50 }));

  it('runs an injected runner, forwards progress and reports the result', async () => {
    let progressed = 0;
    const runner: TaskRunnerFn = async (spec, ctx) => {
      for (let i = 0; i < 5; i++) {
        ctx.onProgress({ nodeId: 'model', phase: 'train', epoch: i });
        progressed++;
      }
      return sleepResult(spec, ctx.executorId);
    };
    start(runner);
    const job = await jobs.submit(graph(1));
    const done = await jobs.final(job.id);
    assert.equal(done.state, 'completed');
    assert.equal(done.tasks.length, 2);
    assert.ok(done.tasks.every((t) => t.attempt === 1 && t.executorId === ex!.executorId));
    assert.equal(progressed, 10);
    assert.deepEqual(JSON.parse(done.resultJson).nodes.eval, { metrics: { accuracy: 1 } });
  });

  it('reports a WeftError as a non-retryable failure with its code', async () => {
    start(async () => {
      throw new WeftError('NO_FEATURES', 'no feature columns are left after ignoring');
    });
    const done = await jobs.final((await jobs.submit(graph())).id);
    assert.equal(done.state, 'failed');
    assert.equal(done.errorCode, 'NO_FEATURES');
    assert.equal(done.tasks[0]!.attempt, 1);
  });

  it('aborts a running task when its job is cancelled, and does not report it', async () => {
    let aborted = false;
    let started = false;
    start(
      (spec: TaskSpec, ctx) =>
        new Promise((_, reject) => {
          started = true;
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
          void spec;
        }),
    );
    const job = await jobs.submit(graph());
    while (!started) await new Promise((r) => setTimeout(r, 20));
    await jobs.cancel(job.id);
    const until = Date.now() + 3_000;
    while (!aborted && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(aborted, true);
    const j = await jobs.get(job.id);
    assert.equal(j.state, 'cancelled');
    assert.equal(j.tasks[0]!.state, 'cancelled');
  });

  it('runs a worker-thread runner (the sleep test runner) to completion', async () => {
    process.env.WEFT_TEST_RUNNER_MS = '400';
    start({ modulePath: path.join(__dirname, 'test-runner.js') });
    const done = await jobs.final((await jobs.submit(graph())).id);
    assert.equal(done.state, 'completed');
    assert.ok(JSON.parse(done.resultJson).nodes.model.warnings[0].includes(ex!.executorId));
  });
});

describe('executor helpers', () => {
  it('maps runner errors: WeftError keeps its code, KernelError → KERNEL_ERROR, others INTERNAL retryable', () => {
    assert.deepEqual(failureOf(serializeError(new WeftError('TARGET_HAS_MISSING', 'm'))), { kind: 'failed', code: 'TARGET_HAS_MISSING', message: 'm', retryable: false });
    const ke = Object.assign(new Error('SINGULAR: x'), { name: 'KernelError', code: 'SINGULAR', retryable: false });
    assert.equal(failureOf(serializeError(ke)).code, 'KERNEL_ERROR');
    assert.deepEqual(failureOf(serializeError(new TypeError('x is undefined'))), { kind: 'failed', code: 'INTERNAL', message: 'TypeError: x is undefined', retryable: true });
  });

  it('throttles progress to one per interval and always sends the last value', async () => {
    const sent: number[] = [];
    const t = new ProgressThrottle(async (p) => void sent.push(p.epoch!), 100);
    for (let i = 0; i < 50; i++) t.push({ nodeId: 'm', phase: 'train', epoch: i });
    await new Promise((r) => setTimeout(r, 150));
    await t.flush();
    assert.ok(sent.length <= 3, `sent ${sent.length}`);
    assert.equal(sent.at(-1), 49);
  });
});
