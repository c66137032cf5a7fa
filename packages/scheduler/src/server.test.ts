import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { DatasetEntity, ModelEntity, createLogger, loadConfig, openDatabase, type Config, type DatabaseHandle } from '@weft/common';
import { fromGrpcError, type ExecutorServiceClient, type Job__Output, type JobServiceClient, type HeartbeatResponse__Output, type Ack__Output, type RegisterResponse__Output } from '@weft/proto';
import { startScheduler, type SchedulerHandle } from './server.js';
import { AssignmentQueue, call, executorClient, jobClient, secretMetadata, waitFor, watchAll } from './testing/clients.js';
import { classificationGraph, datasetRow } from './testing/fixtures.js';

const okResult = (spec: { modelId: string; artifactKey: string }) =>
  JSON.stringify({
    nodes: { model: { modelId: spec.modelId }, eval: { metrics: { accuracy: 0.75 } } },
    model: { id: spec.modelId, artifactKey: spec.artifactKey, nodeType: 'logistic_regression', task: 'classification', target: 'y' },
  });

describe('scheduler gRPC server (integration, SQLite)', function () {
  this.timeout(30_000);
  let dir: string;
  let cfg: Config;
  let db: DatabaseHandle;
  let sched: SchedulerHandle;
  let jobs: JobServiceClient;
  let exec: ExecutorServiceClient;
  const queues: AssignmentQueue[] = [];

  async function boot(over: Record<string, string> = {}): Promise<void> {
    cfg = loadConfig({ WEFT_DATA_DIR: dir, WEFT_LEASE_TTL_MS: '800', WEFT_RETRY_BACKOFF_MS: '20', WEFT_MAX_ATTEMPTS: '3', WEFT_HEARTBEAT_MS: '200', ...over });
    sched = await startScheduler(cfg, { host: '127.0.0.1', port: 0, log: createLogger('scheduler-test', 'silent'), sweepIntervalMs: 100, debugInvariants: true });
    jobs = jobClient(sched.port);
    exec = executorClient(sched.port);
  }

  async function shutdown(): Promise<void> {
    for (const q of queues.splice(0)) q.close();
    jobs?.close();
    exec?.close();
    await sched?.close();
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-sched-'));
    db = await openDatabase(loadConfig({ WEFT_DATA_DIR: dir }));
    const em = db.em();
    em.create(DatasetEntity, datasetRow('ds_1'));
    const single = datasetRow('ds_single');
    single.profile.columns.y = { count: 10, missing: 0, distinct: 1, topCategories: [{ value: 'a', count: 10 }] };
    em.create(DatasetEntity, single);
    em.create(DatasetEntity, datasetRow('ds_empty', { rowCount: 0 }));
    await em.flush();
    await boot();
  });

  afterEach(async () => {
    await shutdown();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const submit = (graph: unknown, extra: Record<string, string> = {}) => call<unknown, Job__Output>(jobs, 'Submit', { workflowJson: JSON.stringify(graph), ...extra });
  const get = (jobId: string) => call<unknown, Job__Output>(jobs, 'Get', { jobId });
  const register = (id: string, slots = 1, c: ExecutorServiceClient = exec) => call<unknown, RegisterResponse__Output>(c, 'Register', { executorId: id, host: 'test', slots });
  const heartbeat = (id: string, leases: Array<{ taskId: string; attempt: number }>) => call<unknown, HeartbeatResponse__Output>(exec, 'Heartbeat', { executorId: id, leases });
  const report = (body: Record<string, unknown>) => call<unknown, Ack__Output>(exec, 'Report', body);
  async function connect(id: string, slots = 1): Promise<AssignmentQueue> {
    await register(id, slots);
    const q = new AssignmentQueue(exec, id);
    queues.push(q);
    return q;
  }

  it('rejects invalid workflows and failed training checks with a decodable error', async () => {
    const bad = classificationGraph('ds_1');
    bad.nodes[0]!.params.target = 'nope';
    const e1 = await submit(bad).then(() => null, (e: grpc.ServiceError) => e);
    assert.equal(e1?.code, 3 /* INVALID_ARGUMENT */);
    const w1 = fromGrpcError(e1);
    assert.equal(w1.code, 'WORKFLOW_INVALID');
    assert.ok(Array.isArray(w1.details) && (w1.details as Array<{ code: string }>).some((i) => i.code === 'UNKNOWN_COLUMN'));
    const e2 = fromGrpcError(await submit(classificationGraph('ds_single')).catch((e: unknown) => e));
    assert.equal(e2.code, 'TARGET_SINGLE_CLASS');
    assert.match(e2.message, /"y".*"a"/);
    assert.equal(fromGrpcError(await submit(classificationGraph('ds_empty')).catch((e: unknown) => e)).code, 'DATASET_EMPTY');
    assert.equal(fromGrpcError(await call(jobs, 'Submit', { workflowJson: '{nope' }).catch((e: unknown) => e)).code, 'WORKFLOW_INVALID');
    assert.equal(fromGrpcError(await get('job_missing').catch((e: unknown) => e)).code, 'NOT_FOUND');
  });

  it('returns the existing job for a repeated idempotency key', async () => {
    const a = await submit(classificationGraph('ds_1'), { idempotencyKey: 'k1' });
    const b = await submit(classificationGraph('ds_1'), { idempotencyKey: 'k1' });
    assert.equal(a.id, b.id);
    assert.equal(a.state, 'queued');
  });

  it('leases, renews by heartbeat, accepts progress and the report; the job completes with a model row', async () => {
    const q = await connect('e1');
    const job = await submit(classificationGraph('ds_1'));
    const a = await q.next();
    assert.equal(a.jobId, job.id);
    assert.equal(a.attempt, 1);
    assert.ok(a.leaseExpiresAtMs > Date.now());
    const spec = JSON.parse(a.specJson) as { modelId: string; artifactKey: string };
    const hb = await heartbeat('e1', [{ taskId: a.taskId, attempt: 1 }]);
    assert.deepEqual([hb.lostTaskIds, hb.cancelTaskIds, hb.reregister], [[], [], false]);
    assert.equal((await get(job.id)).tasks[0]!.state, 'running');
    const p = await call<unknown, Ack__Output>(exec, 'ReportProgress', { taskId: a.taskId, attempt: 1, executorId: 'e1', progressJson: JSON.stringify({ nodeId: 'model', phase: 'train', epoch: 1 }) });
    assert.equal(p.accepted, true);
    const ack = await report({ taskId: a.taskId, attempt: 1, executorId: 'e1', ok: true, resultJson: okResult(spec) });
    assert.equal(ack.accepted, true);
    const done = await get(job.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(JSON.parse(done.resultJson).nodes.eval, { metrics: { accuracy: 0.75 } });
    const model = await db.em().findOne(ModelEntity, { id: spec.modelId });
    assert.equal(model?.jobId, job.id);
    assert.equal(model?.nodeId, 'model');
    const again = await report({ taskId: a.taskId, attempt: 1, executorId: 'e1', ok: true, resultJson: okResult(spec) });
    assert.equal(again.accepted, false, 'no result is written twice');
  });

  it('expires an unrenewed lease, re-leases with attempt+1 elsewhere and refuses the stale report', async () => {
    const q1 = await connect('e1');
    const job = await submit(classificationGraph('ds_1'));
    const a1 = await q1.next();
    q1.close();
    const q2 = await connect('e2');
    const a2 = await q2.next(5_000);
    assert.equal(a2.taskId, a1.taskId);
    assert.equal(a2.attempt, 2);
    const spec = JSON.parse(a2.specJson) as { modelId: string; artifactKey: string };
    const stale = await report({ taskId: a1.taskId, attempt: 1, executorId: 'e1', ok: true, resultJson: okResult(spec) });
    assert.equal(stale.accepted, false);
    assert.match(stale.reason, /^STALE_ATTEMPT/);
    const hb = await heartbeat('e1', [{ taskId: a1.taskId, attempt: 1 }]);
    assert.deepEqual(hb.lostTaskIds, [a1.taskId]);
    assert.equal((await report({ taskId: a2.taskId, attempt: 2, executorId: 'e2', ok: true, resultJson: okResult(spec) })).accepted, true);
    const done = await get(job.id);
    assert.equal(done.state, 'completed');
    assert.equal(done.tasks[0]!.attempt, 2);
    assert.equal(done.tasks[0]!.executorId, 'e2');
  });

  it('fails the job with TASK_RETRIES_EXHAUSTED after maxAttempts expiries', async () => {
    await shutdown();
    await boot({ WEFT_MAX_ATTEMPTS: '2' });
    const q = await connect('e1');
    const job = await submit(classificationGraph('ds_1'));
    assert.equal((await q.next()).attempt, 1);
    assert.equal((await q.next(5_000)).attempt, 2);
    const failed = await waitFor(async () => {
      const j = await get(job.id);
      return j.state === 'failed' && j;
    });
    assert.equal(failed.errorCode, 'TASK_RETRIES_EXHAUSTED');
    assert.match(failed.errorMessage, /2 time\(s\).*e1/);
  });

  it('fails the job at once on a non-retryable report', async () => {
    const q = await connect('e1');
    const job = await submit(classificationGraph('ds_1'));
    const a = await q.next();
    await report({ taskId: a.taskId, attempt: 1, executorId: 'e1', ok: false, errorCode: 'NO_FEATURES', errorMessage: 'no feature columns left', retryable: false });
    const j = await get(job.id);
    assert.equal(j.state, 'failed');
    assert.equal(j.errorCode, 'NO_FEATURES');
  });

  it('cancels: the holder is told via heartbeat, a second cancel returns the job unchanged', async () => {
    const q = await connect('e1');
    const job = await submit(classificationGraph('ds_1', 1));
    const a = await q.next();
    const c = await call<unknown, Job__Output>(jobs, 'Cancel', { jobId: job.id });
    assert.equal(c.state, 'cancelled');
    assert.ok(c.tasks.every((t) => t.state === 'cancelled'));
    const hb = await heartbeat('e1', [{ taskId: a.taskId, attempt: 1 }]);
    assert.deepEqual(hb.cancelTaskIds, [a.taskId]);
    const c2 = await call<unknown, Job__Output>(jobs, 'Cancel', { jobId: job.id });
    assert.equal(c2.finishedAtMs, c.finishedAtMs);
    const events = await watchAll(jobs, job.id);
    assert.equal(JSON.parse(events.at(-1)!.payloadJson).state, 'cancelled');
  });

  it('runs several model nodes as parallel tasks on different executors; Watch replays and ends', async () => {
    const q1 = await connect('e1');
    const q2 = await connect('e2');
    const job = await submit(classificationGraph('ds_1', 1));
    const live = watchAll(jobs, job.id);
    const [a1, a2] = await Promise.all([q1.next(), q2.next()]);
    assert.notEqual(a1.taskId, a2.taskId);
    for (const [a, e] of [[a1, 'e1'], [a2, 'e2']] as const) {
      const spec = JSON.parse(a.specJson) as { modelId: string; artifactKey: string };
      assert.equal((await report({ taskId: a.taskId, attempt: 1, executorId: e, ok: true, resultJson: okResult(spec) })).accepted, true);
    }
    const events = await live;
    assert.deepEqual(events.map((e) => Number(e.seq)), events.map((_, i) => i + 1));
    assert.deepEqual(JSON.parse(events.at(-1)!.payloadJson), { type: 'job_state', state: 'completed' });
    const replay = await watchAll(jobs, job.id, 3);
    assert.equal(Number(replay[0]!.seq), 4);
    assert.equal(replay.length, events.length - 3);
  });

  it('lists jobs newest first with a cursor and a state filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submit(classificationGraph('ds_1'))).id);
    const p1 = await call<unknown, { jobs: Job__Output[]; nextCursor: string }>(jobs, 'List', { limit: 2 });
    assert.equal(p1.jobs.length, 2);
    assert.ok(p1.nextCursor);
    const p2 = await call<unknown, { jobs: Job__Output[]; nextCursor: string }>(jobs, 'List', { limit: 2, cursor: p1.nextCursor });
    assert.equal(p2.jobs.length, 1);
    assert.equal(p2.nextCursor, '');
    assert.deepEqual(new Set([...p1.jobs, ...p2.jobs].map((j) => j.id)), new Set(ids));
    const none = await call<unknown, { jobs: Job__Output[] }>(jobs, 'List', { state: 'completed' });
    assert.equal(none.jobs.length, 0);
  });

  it('recovers after a restart: leases survive, queued jobs continue', async () => {
    const q = await connect('e1');
    const job = await submit(classificationGraph('ds_1'));
    const a = await q.next();
    q.close();
    await shutdown();
    await boot({ WEFT_LEASE_TTL_MS: '5000' });
    const queued = await submit(classificationGraph('ds_1'));
    const hb = await heartbeat('e1', [{ taskId: a.taskId, attempt: 1 }]);
    assert.equal(hb.reregister, true, 'the new process does not know e1');
    assert.deepEqual(hb.lostTaskIds, [], 'its lease is still valid');
    const spec = JSON.parse(a.specJson) as { modelId: string; artifactKey: string };
    assert.equal((await report({ taskId: a.taskId, attempt: 1, executorId: 'e1', ok: true, resultJson: okResult(spec) })).accepted, true);
    assert.equal((await get(job.id)).state, 'completed');
    const q2 = await connect('e1');
    const b = await q2.next();
    assert.equal(b.jobId, queued.id);
    const events = await watchAll(jobs, job.id);
    assert.equal(new Set(events.map((e) => Number(e.seq))).size, events.length, 'no event written twice');
  });

  it('requires the executor secret when configured', async () => {
    await shutdown();
    await boot({ WEFT_EXECUTOR_SECRET: 's3cret' });
    const err = fromGrpcError(await register('e1').catch((e: unknown) => e));
    assert.equal(err.code, 'UNAUTHENTICATED');
    const ok = await call<unknown, RegisterResponse__Output>(exec, 'Register', { executorId: 'e1', host: 'h', slots: 1 }, secretMetadata('s3cret'));
    assert.equal(ok.executorId, 'e1');
  });
});
