import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Jobs, freePort, graph, killAll, seededDataDir, startExecutorProc, startSchedulerProc, until, type Proc } from './testing/procs.js';

/** Short leases so failures are detected fast; the sleep runner takes 3 s per task. */
const ENV = { WEFT_LEASE_TTL_MS: '1500', WEFT_HEARTBEAT_MS: '300', WEFT_RETRY_BACKOFF_MS: '100', WEFT_MAX_ATTEMPTS: '3', WEFT_TEST_RUNNER_MS: '3000' };

/** The spawned executor whose id (`host-pid-rand`) names `executorId`. */
function owner(procs: Proc[], executorId: string): Proc {
  const p = procs.find((x) => executorId.includes(`-${x.child.pid}-`));
  assert.ok(p, `no process for executor ${executorId}`);
  return p;
}

describe('scheduler + executor processes (sleep test runner)', function () {
  this.timeout(60_000);
  let dir: string;
  let port: number;
  let jobs: Jobs | undefined;

  beforeEach(async () => {
    dir = await seededDataDir();
    port = await freePort();
  });
  afterEach(async () => {
    jobs?.close();
    jobs = undefined;
    await killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function runningTask(j: Jobs, jobId: string): Promise<{ executorId: string; attempt: number }> {
    let t: { executorId: string; attempt: number; state: string } | undefined;
    await until(async () => {
      t = (await j.get(jobId)).tasks[0];
      return t?.state === 'running';
    }, 15_000, 'task to run');
    return t!;
  }

  it('kill -9 of the executor mid-task: re-leased to another with attempt 2, job completes', async () => {
    await startSchedulerProc(dir, port, ENV);
    const execs = [startExecutorProc(dir, port, ENV), startExecutorProc(dir, port, ENV)];
    jobs = new Jobs(port);
    const job = await jobs.submit(graph());
    const first = await runningTask(jobs, job.id);
    const victim = owner(execs, first.executorId);
    victim.child.kill('SIGKILL');
    const done = await jobs.final(job.id);
    assert.equal(done.state, 'completed', done.errorMessage);
    assert.equal(done.tasks[0]!.attempt, 2);
    assert.notEqual(done.tasks[0]!.executorId, first.executorId);
  });

  it('SIGSTOP past the lease: re-run elsewhere; after SIGCONT the stale executor is refused', async () => {
    await startSchedulerProc(dir, port, ENV);
    const execs = [startExecutorProc(dir, port, ENV), startExecutorProc(dir, port, ENV)];
    jobs = new Jobs(port);
    const job = await jobs.submit(graph());
    const first = await runningTask(jobs, job.id);
    const frozen = owner(execs, first.executorId);
    frozen.child.kill('SIGSTOP');
    const done = await jobs.final(job.id);
    assert.equal(done.state, 'completed', done.errorMessage);
    assert.equal(done.tasks[0]!.attempt, 2);
    const winner = done.tasks[0]!.executorId;
    assert.notEqual(winner, first.executorId);
    const resultBefore = done.resultJson;
    frozen.child.kill('SIGCONT');
    // The woken executor either learns from its heartbeat that the lease is lost (and stops
    // the task unreported) or sends its late report, which is refused. Either way, nothing changes.
    await until(() => /lease lost|report refused/.test(frozen.stderr()), 10_000, 'stale executor to be fenced');
    const after = await jobs.get(job.id);
    assert.equal(after.tasks[0]!.executorId, winner);
    assert.equal(after.tasks[0]!.attempt, 2);
    assert.equal(after.resultJson, resultBefore);
    // And it keeps serving: a new job runs (on either executor).
    const next = await jobs.final((await jobs.submit(graph())).id);
    assert.equal(next.state, 'completed');
  });

  it('scheduler restart mid-job: executors reconnect and the job completes', async () => {
    let sched = await startSchedulerProc(dir, port, ENV);
    startExecutorProc(dir, port, ENV);
    jobs = new Jobs(port);
    const job = await jobs.submit(graph(1));
    await runningTask(jobs, job.id);
    sched.child.kill('SIGKILL');
    await sched.exited;
    sched = await startSchedulerProc(dir, port, ENV);
    const done = await jobs.final(job.id, 45_000);
    assert.equal(done.state, 'completed', done.errorMessage);
    assert.ok(done.tasks.every((t) => t.state === 'succeeded'));
  });

  it('SIGTERM: scheduler and executor exit 0 promptly', async () => {
    const sched = await startSchedulerProc(dir, port, ENV);
    const ex = startExecutorProc(dir, port, ENV);
    jobs = new Jobs(port);
    const job = await jobs.submit(graph());
    await runningTask(jobs, job.id);
    const t0 = Date.now();
    ex.child.kill('SIGTERM');
    assert.equal(await ex.exited, 0);
    assert.ok(Date.now() - t0 < 3_000);
    sched.child.kill('SIGTERM');
    assert.equal(await sched.exited, 0);
  });
});
