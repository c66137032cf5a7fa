/**
 * The whole platform on production backends, as separate processes: scheduler, two
 * executors and the api with DATABASE_URL (a fresh PostgreSQL database), REDIS_URL (the
 * shared Redis) and S3_* (an s3rver started here with a fresh bucket). Runs the bundled
 * breast-cancer workflow through the CLI, then checks the rows are in PostgreSQL and the
 * objects in the S3 server (and nothing went to the embedded SQLite file or local
 * directory). Then kill -9 the api and the scheduler in the middle of a second job, start
 * them again, and check the job finishes and no dataset, job or model was lost.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { S3ObjectStore } from '@weft/common';
import { ROOT, startCluster, type Cluster, type Proc } from '../helpers/cluster.js';
import { REDIS_URL, createPgDatabase, pgClient, pgUnavailable, redisUnavailable, startS3, waitFor, type OwnS3, type PgClient, type TempPgDatabase } from '../helpers/backends.js';

const API_MAIN = path.join(ROOT, 'packages/api/dist/main.js');

function killHard(p: Proc): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });
}

/** Starts another api process with the cluster's environment; `stop()` kills it with the rest. */
function startApi(c: Cluster): Proc {
  const child = spawn(process.execPath, [API_MAIN], { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { name: 'api', child, output: [] };
  const keep = (b: Buffer) => {
    p.output.push(b.toString());
    if (p.output.length > 400) p.output.splice(0, 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  c.procs.push(p);
  return p;
}

/** The cluster's API key (the local owner's), sent as a bearer token. */
let token: string | undefined;

async function request(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  const r = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.json().catch(() => null) };
}
const getJson = (url: string) => request(url);

/** `weft run WORKFLOW --data CSV --json` through the CLI (it finds the cluster's API key in the data directory). */
async function runWorkflow(c: Cluster, workflow: string, csv: string): Promise<any> {
  const r = await c.cli(['run', workflow, '--data', csv, '--json']);
  assert.equal(r.code, 0, `weft run: exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout);
}

async function waitForJob(c: Cluster, jobId: string, timeoutMs: number): Promise<any> {
  return waitFor(
    async () => {
      const j = await getJson(`${c.url}/api/jobs/${jobId}`);
      return ['completed', 'failed', 'cancelled'].includes(j.body?.state) ? j.body : null;
    },
    timeoutMs,
    `job ${jobId} to finish`,
    300,
  );
}

describe('full stack on PostgreSQL + Redis + S3 (separate processes)', function () {
  this.timeout(180_000);
  let pg: TempPgDatabase | undefined;
  let s3: OwnS3 | undefined;
  let c: Cluster | undefined;
  let sql: PgClient | undefined;
  let store: S3ObjectStore;
  let first: { jobId: string; datasetId: string; modelId: string } | undefined;

  before(async function () {
    const why = (await pgUnavailable()) ?? (await redisUnavailable());
    if (why) {
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    pg = await createPgDatabase('weft_stack');
    s3 = await startS3();
    store = new S3ObjectStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    c = await startCluster({ executors: 2, env: { DATABASE_URL: pg.url, REDIS_URL, ...s3.env, WEFT_LEASE_TTL_MS: '3000', WEFT_HEARTBEAT_MS: '500' } });
    sql = await pgClient(pg.url);
    token = c.apiKey;
  });
  after(async () => {
    await sql?.end().catch(() => undefined);
    await c?.stop();
    await s3?.stop();
    await pg?.drop();
  });

  it('health reports every part up on the production backends', async () => {
    const h = await getJson(`${c!.url}/health`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.equal(h.body.status, 'ok', JSON.stringify(h.body));
  });

  it('weft run breast_cancer --json completes; rows are in PostgreSQL, objects in S3, nothing embedded', async () => {
    const job = await runWorkflow(c!, 'examples/workflows/breast_cancer.json', 'examples/datasets/breast_cancer.csv');
    assert.equal(job.state, 'completed', JSON.stringify(job).slice(0, 2000));
    const modelId: string = job.result.nodes.model.modelId;
    assert.ok(modelId);

    const jobs = await sql!.query<{ id: string; state: string }>('select id, state from jobs where id = $1', [job.id]);
    assert.deepEqual(jobs.rows, [{ id: job.id, state: 'completed' }]);
    const tasks = await sql!.query<{ state: string }>('select state from tasks where job_id = $1', [job.id]);
    assert.ok(tasks.rows.length > 0 && tasks.rows.every((t) => t.state === 'succeeded'), JSON.stringify(tasks.rows));
    const events = await sql!.query<{ n: string }>('select count(*) as n from job_events where job_id = $1', [job.id]);
    assert.ok(Number(events.rows[0]!.n) > 0);
    const models = await sql!.query<{ id: string; dataset_id: string; artifact_key: string }>('select id, dataset_id, artifact_key from models where job_id = $1', [job.id]);
    assert.equal(models.rows.length, 1);
    assert.equal(models.rows[0]!.id, modelId);
    const datasets = await sql!.query<{ id: string; object_key: string; byte_size: string }>('select id, object_key, byte_size from datasets where id = $1', [models.rows[0]!.dataset_id]);
    assert.equal(datasets.rows.length, 1);

    const ds = datasets.rows[0]!;
    const dsObj = await store.head(ds.object_key);
    assert.ok(dsObj, `dataset object ${ds.object_key} is in the S3 bucket`);
    assert.equal(dsObj.size, Number(ds.byte_size));
    assert.ok(await store.head(models.rows[0]!.artifact_key), `model artifact ${models.rows[0]!.artifact_key} is in the S3 bucket`);
    assert.ok(models.rows[0]!.artifact_key.startsWith(ds.object_key.replace(/[^/]+$/, '')), 'the model is stored beside its dataset');

    assert.ok(!fs.existsSync(path.join(c!.dataDir, 'weft.sqlite')), 'no embedded SQLite database was used');
    const local = path.join(c!.dataDir, 'objects');
    assert.ok(!fs.existsSync(local) || fs.readdirSync(local).length === 0, 'no object went to the local directory');
    first = { jobId: job.id, datasetId: ds.id, modelId };
  });

  it('kill -9 of api and scheduler during a job, then restart: the job finishes and nothing is lost', async function () {
    if (!first) this.skip();
    const before = await counts(sql!);
    const graph = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/workflows/breast_cancer.json'), 'utf8'));
    for (const n of graph.nodes) if (n.type === 'dataset') n.params.datasetId = first!.datasetId;
    const sub = await request(`${c!.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workflow: graph }) });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    const jobId: string = sub.body.id;
    await waitFor(async () => (await sql!.query<{ state: string }>('select state from tasks where job_id = $1', [jobId])).rows.some((t) => t.state !== 'pending'), 20_000, 'a task of the second job to be leased', 50);

    const victims = c!.procs.filter((p) => p.name === 'api' || p.name === 'scheduler');
    assert.equal(victims.length, 2);
    await Promise.all(victims.map(killHard));

    c!.startScheduler();
    startApi(c!);
    await waitFor(async () => (await getJson(`${c!.url}/health`)).body?.scheduler === 'ok', 30_000, 'the restarted api to see the restarted scheduler', 200);

    const done = await waitForJob(c!, jobId, 90_000);
    assert.equal(done.state, 'completed', JSON.stringify(done).slice(0, 2000));

    // nothing lost: the first job, its dataset and model are still served, and every row count only grew
    const j1 = await getJson(`${c!.url}/api/jobs/${first!.jobId}`);
    assert.equal(j1.status, 200);
    assert.equal(j1.body.state, 'completed');
    const ds = await getJson(`${c!.url}/api/datasets/${first!.datasetId}`);
    assert.equal(ds.status, 200);
    const m = await getJson(`${c!.url}/api/models/${first!.modelId}`);
    assert.equal(m.status, 200);
    const after = await counts(sql!);
    assert.equal(after.datasets, before.datasets);
    assert.equal(after.jobs, before.jobs + 1);
    assert.equal(after.models, before.models + 1, 'the second job stored exactly one model (no result written twice)');
    const dup = await sql!.query('select job_id, seq from job_events group by job_id, seq having count(*) > 1');
    assert.equal(dup.rows.length, 0);
    const objects = await store.list('workspaces/');
    assert.equal(objects.filter((o) => o.key.endsWith('/data.arrow')).length, after.datasets, 'one S3 object per dataset row');
  });
});

async function counts(sql: PgClient): Promise<{ datasets: number; jobs: number; models: number }> {
  const r = await sql.query<{ datasets: string; jobs: string; models: string }>(
    'select (select count(*) from datasets) as datasets, (select count(*) from jobs) as jobs, (select count(*) from models) as models',
  );
  const row = r.rows[0]!;
  return { datasets: Number(row.datasets), jobs: Number(row.jobs), models: Number(row.models) };
}
