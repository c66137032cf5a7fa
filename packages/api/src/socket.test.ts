/** The Socket.IO gateway: job:watch acks, replay, one shared Watch stream per job. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig, openDatabase, type DatabaseHandle } from '@weft/common';
import type { ClientToServerEvents, JobEventDoc, ServerToClientEvents } from '@weft/proto';
import { FakeScheduler, startTestApi, type TestApi } from './test-support.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** API key of the running test api's `default` workspace. */
let currentKey = '';

function client(url: string, token: string = currentKey): Promise<Client> {
  const s: Client = connect(url, { path: '/socket.io', transports: ['websocket'], reconnection: false, auth: { token } });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function watch(s: Client, jobId: string, afterSeq = 0) {
  return new Promise<Parameters<Parameters<ClientToServerEvents['job:watch']>[1]>[0]>((resolve) => s.emit('job:watch', { jobId, afterSeq }, resolve));
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Socket.IO job gateway', function () {
  this.timeout(30_000);
  let dataDir: string;
  let db: DatabaseHandle;
  let fake: FakeScheduler;
  let t: TestApi;
  const sockets: Client[] = [];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-socket-test-'));
    db = await openDatabase(loadConfig({ WEFT_DATA_DIR: dataDir }));
    fake = new FakeScheduler(db);
    const addr = await fake.start();
    t = await startTestApi({ WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: addr });
    currentKey = t.apiKey;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => {
    await t.close();
    await fake.stop();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('acks NOT_FOUND for an unknown job', async () => {
    const s = await client(t.url);
    sockets.push(s);
    const ack = await watch(s, 'job_00000000000000000000000000000000');
    assert.deepEqual(ack.ok, false);
    assert.equal(!ack.ok && ack.error.code, 'NOT_FOUND');
  });

  it('acks VALIDATION_FAILED for a malformed request', async () => {
    const s = await client(t.url);
    sockets.push(s);
    const ack = await new Promise<any>((resolve) => (s.emit as any)('job:watch', { jobId: 42 }, resolve));
    assert.equal(ack.error.code, 'VALIDATION_FAILED');
  });

  it('replays stored events, relays live ones over ONE Watch stream, and closes it when the room empties', async () => {
    const jobId = await fake.createJob({ nodes: [], edges: [] });
    await fake.emit(jobId, { type: 'job_state', state: 'running' });
    const callsBefore = fake.watchCalls;

    const a = await client(t.url);
    const b = await client(t.url);
    sockets.push(a, b);
    const gotA: JobEventDoc[] = [];
    const gotB: JobEventDoc[] = [];
    a.on('job:event', (e) => gotA.push(e));
    b.on('job:event', (e) => gotB.push(e));

    assert.deepEqual(await watch(a, jobId), { ok: true });
    await until(() => gotA.length === 1);
    assert.equal(gotA[0]!.seq, 1);
    assert.equal(gotA[0]!.type, 'job_state');
    assert.equal(gotA[0]!.jobId, jobId);

    await until(() => fake.openWatches(jobId) === 1);
    await fake.emit(jobId, { type: 'node_state', nodeId: 'data', state: 'running' });
    await until(() => gotA.length === 2);

    // A late joiner gets the replay from afterSeq, then live events, on the same stream.
    assert.deepEqual(await watch(b, jobId, 0), { ok: true });
    await until(() => gotB.length === 2);
    await fake.emit(jobId, { type: 'progress', taskId: 't1', nodeId: 'model', phase: 'train', epoch: 1, loss: 0.5 });
    await until(() => gotA.length === 3 && gotB.length === 3);
    assert.deepEqual(gotB.map((e) => e.seq), [1, 2, 3]);
    assert.equal(fake.watchCalls - callsBefore, 1, 'one Watch stream for both sockets');
    assert.equal(fake.openWatches(jobId), 1);

    a.emit('job:unwatch', { jobId });
    b.close();
    await until(() => fake.openWatches(jobId) === 0);
    assert.equal(t.api.hub.openStreams, 0);
  });

  it('ends the stream with the job and replays a finished job without a stream', async () => {
    const jobId = await fake.createJob({ nodes: [], edges: [] });
    const s = await client(t.url);
    sockets.push(s);
    const got: JobEventDoc[] = [];
    s.on('job:event', (e) => got.push(e));
    assert.deepEqual(await watch(s, jobId), { ok: true });
    await until(() => fake.openWatches(jobId) === 1);
    await fake.emit(jobId, { type: 'job_state', state: 'running' });
    await fake.emit(jobId, { type: 'job_state', state: 'completed' });
    await until(() => got.length === 2);
    await until(() => t.api.hub.openStreams === 0);

    const late = await client(t.url);
    sockets.push(late);
    const gotLate: JobEventDoc[] = [];
    late.on('job:event', (e) => gotLate.push(e));
    const calls = fake.watchCalls;
    assert.deepEqual(await watch(late, jobId, 1), { ok: true });
    await until(() => gotLate.length === 1);
    assert.equal(gotLate[0]!.seq, 2);
    assert.equal(fake.watchCalls, calls, 'no stream for a final job');
  });

  it('serves job routes through the scheduler client', async () => {
    const jobId = await fake.createJob({ name: 'x', nodes: [], edges: [] });
    await fake.emit(jobId, { type: 'job_state', state: 'running' });
    const job = (await (await t.fetch(`/api/jobs/${jobId}`)).json()) as any;
    assert.equal(job.id, jobId);
    assert.equal(job.state, 'running');
    assert.deepEqual(job.result, { nodes: {} });
    assert.equal(job.workflow.name, 'x');
    assert.match(job.createdAt, /^\d{4}-\d\d-\d\dT/);
    const missing = await t.fetch(`/api/jobs/job_00000000000000000000000000000000`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as any).error.code, 'NOT_FOUND');
    const events = (await (await t.fetch(`/api/jobs/${jobId}/events?afterSeq=0`)).json()) as any;
    assert.deepEqual(events.events.map((e: JobEventDoc) => e.seq), [1]);
    assert.equal(events.events[0].state, 'running');
  });
});
