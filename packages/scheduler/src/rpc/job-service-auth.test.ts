/**
 * JobService authentication: API keys as `authorization` metadata (verified against the
 * database, workspace forced, role checked), WEFT_INTERNAL_SECRET for the api, and another
 * workspace's job answering NOT_FOUND over gRPC.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ApiKeyEntity, DatasetEntity, INTERNAL_SECRET_METADATA, createLogger, generateApiKey, loadConfig, openDatabase, type DatabaseHandle, type WorkspaceRole } from '@weft/common';
import { fromGrpcError, type Job__Output, type JobServiceClient, type ListJobsResponse__Output } from '@weft/proto';
import { startScheduler, type SchedulerHandle } from '../server.js';
import { call, jobClient } from '../testing/clients.js';
import { classificationGraph, datasetRow } from '../testing/fixtures.js';

function keyMd(key: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${key}`);
  return md;
}

describe('JobService authentication (API keys, internal secret)', function () {
  this.timeout(30_000);
  let dir: string;
  let db: DatabaseHandle;
  let sched: SchedulerHandle;
  let jobs: JobServiceClient;
  const keys: Record<string, string> = {};

  async function addKey(name: string, workspaceId: string, role: WorkspaceRole, revoked = false): Promise<void> {
    const k = generateApiKey();
    const em = db.em();
    em.create(ApiKeyEntity, { id: k.id, workspaceId, name, role, keyHash: k.keyHash, createdBy: null, createdAt: new Date(), lastUsedAt: null, revokedAt: revoked ? new Date() : null });
    await em.flush();
    keys[name] = k.key;
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-sched-auth-'));
    const cfg = loadConfig({ WEFT_DATA_DIR: dir, WEFT_INTERNAL_SECRET: 'internal-secret-for-tests' });
    db = await openDatabase(cfg);
    const em = db.em();
    em.create(DatasetEntity, datasetRow('ds_a', { workspaceId: 'ws_a' }));
    em.create(DatasetEntity, datasetRow('ds_b', { workspaceId: 'ws_b' }));
    await em.flush();
    await addKey('aEditor', 'ws_a', 'editor');
    await addKey('aViewer', 'ws_a', 'viewer');
    await addKey('bEditor', 'ws_b', 'editor');
    await addKey('aRevoked', 'ws_a', 'owner', true);
    sched = await startScheduler(cfg, { host: '127.0.0.1', port: 0, log: createLogger('scheduler-test', 'silent') });
    jobs = jobClient(sched.port);
  });
  after(async () => {
    jobs?.close();
    await sched?.close();
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const submit = (md: grpc.Metadata, datasetId: string, workspaceId = '') =>
    call<unknown, Job__Output>(jobs as unknown as grpc.Client, 'Submit', { workflowJson: JSON.stringify(classificationGraph(datasetId)), workflowId: '', idempotencyKey: '', workspaceId }, md);
  const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: unknown) => fromGrpcError(e).code);

  it('submits with an API key in the key’s workspace, whatever workspace_id says', async () => {
    const job = await submit(keyMd(keys.aEditor!), 'ds_a', 'ws_b');
    assert.equal(job.workspaceId, 'ws_a');
    assert.equal(await codeOf(submit(keyMd(keys.aEditor!), 'ds_b', 'ws_b')), 'WORKFLOW_INVALID', 'B’s dataset does not exist for A');
  });

  it('answers NOT_FOUND for another workspace’s job on Get, Cancel and Watch; List shows only the key’s jobs', async () => {
    const bJob = await submit(keyMd(keys.bEditor!), 'ds_b');
    const md = keyMd(keys.aEditor!);
    assert.equal(await codeOf(call(jobs as unknown as grpc.Client, 'Get', { jobId: bJob.id, workspaceId: 'ws_b' }, md)), 'NOT_FOUND');
    assert.equal(await codeOf(call(jobs as unknown as grpc.Client, 'Cancel', { jobId: bJob.id, workspaceId: 'ws_b' }, md)), 'NOT_FOUND');
    const watchErr = await new Promise<string>((resolve) => {
      const s = jobs.Watch({ jobId: bJob.id, afterSeq: 0, workspaceId: 'ws_b' }, md);
      s.on('data', () => resolve('DATA'));
      s.on('error', (e) => resolve(fromGrpcError(e).code));
      s.on('end', () => resolve('END'));
    });
    assert.equal(watchErr, 'NOT_FOUND');
    const list = await call<unknown, ListJobsResponse__Output>(jobs as unknown as grpc.Client, 'List', { workspaceId: 'ws_b', limit: 50 }, md);
    assert.ok(list.jobs.length > 0 && list.jobs.every((j) => j.workspaceId === 'ws_a'));
    assert.equal((await call<unknown, Job__Output>(jobs as unknown as grpc.Client, 'Get', { jobId: bJob.id, workspaceId: '' }, keyMd(keys.bEditor!))).id, bJob.id);
  });

  it('refuses a bad or revoked key (UNAUTHENTICATED) and a viewer key’s Submit (FORBIDDEN)', async () => {
    assert.equal(await codeOf(submit(keyMd('weft_ak_000000000000000000000000_' + 'x'.repeat(43)), 'ds_a')), 'UNAUTHENTICATED');
    assert.equal(await codeOf(submit(keyMd(keys.aRevoked!), 'ds_a')), 'UNAUTHENTICATED');
    assert.equal(await codeOf(submit(keyMd('not a key'), 'ds_a')), 'UNAUTHENTICATED');
    assert.equal(await codeOf(submit(keyMd(keys.aViewer!), 'ds_a')), 'FORBIDDEN');
    assert.equal(await codeOf(call(jobs as unknown as grpc.Client, 'List', { workspaceId: '', limit: 5 }, keyMd(keys.aViewer!))), 'OK');
  });

  it('with WEFT_INTERNAL_SECRET set, a call with neither a key nor the secret is refused', async () => {
    assert.equal(await codeOf(submit(new grpc.Metadata(), 'ds_a', 'ws_a')), 'UNAUTHENTICATED');
    const md = new grpc.Metadata();
    md.set(INTERNAL_SECRET_METADATA, 'wrong');
    assert.equal(await codeOf(submit(md, 'ds_a', 'ws_a')), 'UNAUTHENTICATED');
    md.set(INTERNAL_SECRET_METADATA, 'internal-secret-for-tests');
    assert.equal((await submit(md, 'ds_a', 'ws_a')).workspaceId, 'ws_a');
  });
});
