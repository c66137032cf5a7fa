/**
 * Tenancy, table-driven over the router's route list: workspace B's ids used from workspace A
 * answer 404 on every route. A route with no case here fails the suite, so a new route has to
 * say how it keeps workspaces apart. Also over Socket.IO.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io as connect } from 'socket.io-client';
import { ModelEntity, loadConfig, newId, openDatabase, type DatabaseHandle } from '@weft/common';
import { accessOf, type RouteSpec } from './registry.js';
import { CSV, FakeScheduler, csvForm, startTestApi, type TestApi } from './test-support.js';

interface Res {
  status: number;
  body: any;
}

describe('tenancy: another workspace’s objects are invisible on every route', function () {
  this.timeout(60_000);
  let dataDir: string;
  let db: DatabaseHandle;
  let fake: FakeScheduler;
  let t: TestApi;
  /** Workspace B's objects. */
  const b: Record<string, string> = {};
  let tokenB = '';

  const as = async (token: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> => {
    const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
    let payload: RequestInit['body'];
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    const r = await fetch(t.url + p, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // CSV or HTML
    }
    return { status: r.status, body: parsed };
  };
  const asA = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => as(t.apiKey, method, p, body, headers);

  const graphOf = (datasetId: string) => ({
    nodes: [
      { id: 'data', type: 'dataset', params: { datasetId, target: 'species' } },
      { id: 'split', type: 'split', params: {} },
      { id: 'model', type: 'logistic_regression', params: {} },
    ],
    edges: [
      { source: 'data', target: 'split' },
      { source: 'split', target: 'model' },
    ],
  });

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-tenancy-'));
    db = await openDatabase(loadConfig({ WEFT_DATA_DIR: dataDir }));
    fake = new FakeScheduler(db);
    const addr = await fake.start();
    t = await startTestApi({ WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: addr, WEFT_AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    // Workspace B: a separate account with one of everything.
    const s = await fetch(`${t.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bee@example.test', password: 'correct horse battery' }),
    });
    const signup = (await s.json()) as any;
    tokenB = signup.accessToken;
    b.workspace = signup.workspace.id;
    b.user = signup.user.id;
    const ds = await as(tokenB, 'POST', '/api/datasets', csvForm(CSV.iris, { name: 'secret of B' }));
    assert.equal(ds.status, 201, JSON.stringify(ds.body));
    b.dataset = ds.body.id;
    b.workflow = (await as(tokenB, 'POST', '/api/workflows', { graph: graphOf(b.dataset) })).body.id;
    b.job = await fake.createJob(graphOf(b.dataset), 'completed', b.workspace);
    b.apiKey = (await as(tokenB, 'POST', `/api/workspaces/${b.workspace}/api-keys`, { name: 'b key' })).body.apiKey.id;
    const em = db.em();
    b.model = newId('model');
    em.create(ModelEntity, {
      id: b.model,
      workspaceId: b.workspace,
      jobId: b.job,
      nodeId: 'model',
      nodeType: 'logistic_regression',
      task: 'classification',
      target: 'species',
      datasetId: b.dataset,
      artifactKey: `workspaces/${b.workspace}/models/${b.model}.json`,
      metrics: {},
      createdAt: new Date(),
    });
    await em.flush();
  });
  after(async () => {
    await t?.close();
    await fake?.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** B's id for a path parameter of a route. */
  function bIdFor(route: RouteSpec, param: string): string {
    if (param === 'keyId') return b.apiKey!;
    if (param === 'userId') return b.user!;
    const area = route.path.split('/')[2];
    const byArea: Record<string, string> = { datasets: b.dataset!, workflows: b.workflow!, jobs: b.job!, models: b.model!, workspaces: b.workspace! };
    const id = byArea[area ?? ''];
    assert.ok(id, `no B object for ${route.method} ${route.path} :${param}`);
    return id;
  }

  /** A body that passes validation for routes that take one (so the 404 is not masked by a 400). */
  const validBodies: Record<string, unknown> = {
    'patch /api/datasets/:id/schema': { columns: { species: { role: 'target' } } },
    'put /api/workflows/:id': { graph: { nodes: [], edges: [] } },
    'post /api/models/:id/predict': { rows: [{ sepal_length: 1, sepal_width: 2 }] },
    'post /api/workspaces/:id/members': { email: 'bee@example.test', role: 'viewer' },
    'post /api/workspaces/:id/api-keys': { name: 'stolen' },
  };

  /**
   * Routes without an object id in the path: how each keeps workspaces apart. Every such route
   * must be listed (the suite fails on one that is not).
   */
  const collectionChecks: Record<string, () => Promise<void>> = {
    'get /api/datasets': async () => assert.ok(!JSON.stringify((await asA('GET', '/api/datasets')).body).includes(b.dataset!)),
    'post /api/datasets': async () => {
      const r = await asA('POST', '/api/datasets', csvForm(CSV.iris, { name: 'mine' }));
      assert.equal(r.status, 201);
      assert.ok(!JSON.stringify((await as(tokenB, 'GET', '/api/datasets')).body).includes(r.body.id), 'A’s upload is not in B');
    },
    'get /api/workflows': async () => assert.ok(!JSON.stringify((await asA('GET', '/api/workflows')).body).includes(b.workflow!)),
    'post /api/workflows': async () => {
      const r = await asA('POST', '/api/workflows', { graph: { nodes: [], edges: [] } });
      assert.equal((await as(tokenB, 'GET', `/api/workflows/${r.body.id}`)).status, 404);
    },
    'post /api/workflows/validate': async () => {
      const r = await asA('POST', '/api/workflows/validate', { graph: graphOf(b.dataset!) });
      assert.equal(r.body.valid, false, 'B’s dataset is unknown to A');
      assert.ok(r.body.issues.some((i: any) => i.nodeId === 'data' && i.field === 'params.datasetId'), JSON.stringify(r.body));
    },
    'post /api/jobs': async () => {
      assert.equal((await asA('POST', '/api/jobs', { workflowId: b.workflow })).status, 404);
      const r = await asA('POST', '/api/jobs', { workflow: graphOf(b.dataset!) });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'WORKFLOW_INVALID');
    },
    'get /api/jobs': async () => assert.ok(!JSON.stringify((await asA('GET', '/api/jobs')).body).includes(b.job!)),
    'get /api/models': async () => assert.ok(!JSON.stringify((await asA('GET', '/api/models')).body).includes(b.model!)),
    'get /api/workspaces': async () => assert.ok(!JSON.stringify((await asA('GET', '/api/workspaces')).body).includes(b.workspace!)),
    'post /api/workspaces': async () => {
      const r = await as(tokenB, 'POST', '/api/workspaces', { name: 'second' });
      assert.equal(r.status, 201);
      assert.equal((await asA('GET', '/api/datasets', undefined, { 'x-weft-workspace': r.body.id })).status, 404);
    },
    'get /api/auth/me': async () => assert.ok(!JSON.stringify((await asA('GET', '/api/auth/me')).body).includes(b.workspace!)),
  };

  /** Routes that are public on purpose (no workspace data behind them). */
  const PUBLIC = new Set([
    'get /health',
    'get /api/catalogue',
    'get /api/docs',
    'get /api/docs/ui',
    'get /.well-known/jwks.json',
    'post /api/auth/signup',
    'post /api/auth/login',
    'post /api/auth/refresh',
    'post /api/auth/logout',
    'get /api/auth/oidc/:provider/start',
    'get /api/auth/oidc/:provider/callback',
  ]);

  it('covers every route of the router', () => {
    const routes = t.api.routes;
    assert.ok(routes.length >= 30, `${routes.length} routes`);
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      if (accessOf(r) === 'public') assert.ok(PUBLIC.has(key), `${key} is public but not in the PUBLIC list: is that intended?`);
      else if (!r.path.includes(':')) assert.ok(collectionChecks[key], `${key} has no tenancy check in this suite`);
    }
  });

  it('answers 404 for B’s ids on every route with an id, from A (API key)', async () => {
    const failures: string[] = [];
    for (const r of t.api.routes) {
      if (accessOf(r) === 'public' || !r.path.includes(':')) continue;
      const p = r.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(bIdFor(r, name)));
      const res = await asA(r.method.toUpperCase(), p, validBodies[`${r.method} ${r.path}`]);
      const code = res.body?.error?.code;
      if (res.status !== 404 || !['NOT_FOUND', 'MODEL_NOT_FOUND'].includes(code)) failures.push(`${r.method.toUpperCase()} ${p} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    assert.deepEqual(failures, []);
    // Nothing of B changed.
    const ds = await as(tokenB, 'GET', `/api/datasets/${b.dataset}`);
    assert.equal(ds.status, 200);
    assert.equal(ds.body.schema.columns.find((c: any) => c.name === 'species').role, 'feature');
    assert.equal((await as(tokenB, 'GET', `/api/workflows/${b.workflow}`)).status, 200);
  });

  it('answers 404 for B’s ids from A signed in as a user too', async () => {
    const login = (await (await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@weft.local', password: JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')).password }) })).json()) as any;
    assert.ok(login.accessToken, JSON.stringify(login));
    for (const p of [`/api/datasets/${b.dataset}`, `/api/workflows/${b.workflow}`, `/api/jobs/${b.job}`, `/api/jobs/${b.job}/events`, `/api/models/${b.model}`, `/api/workspaces/${b.workspace}/members`]) {
      assert.equal((await as(login.accessToken, 'GET', p)).status, 404, p);
    }
  });

  it('runs every collection check', async () => {
    for (const [key, check] of Object.entries(collectionChecks)) {
      try {
        await check();
      } catch (e) {
        throw new Error(`${key}: ${(e as Error).message}`);
      }
    }
  });

  it('refuses B’s job room over Socket.IO (NOT_FOUND) and an unauthenticated handshake', async () => {
    const s = connect(t.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, auth: { token: t.apiKey } });
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      const ack = await new Promise<any>((resolve) => s.emit('job:watch', { jobId: b.job!, afterSeq: 0 }, resolve));
      assert.equal(ack.ok, false);
      assert.equal(ack.error.code, 'NOT_FOUND');
      const mine = await fake.createJob({ nodes: [], edges: [] }, 'completed', 'default');
      assert.deepEqual(await new Promise<any>((resolve) => s.emit('job:watch', { jobId: mine, afterSeq: 0 }, resolve)), { ok: true });
    } finally {
      s.close();
    }
    for (const auth of [{}, { token: 'weft_nope' }, { token: t.apiKey, workspaceId: b.workspace }]) {
      const anon = connect(t.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, auth });
      const e = await new Promise<any>((resolve) => {
        anon.once('connect', () => resolve(new Error('connected')));
        anon.once('connect_error', resolve);
      });
      anon.close();
      assert.ok(['UNAUTHENTICATED', 'NOT_FOUND'].includes(e.data?.code), `${JSON.stringify(auth)} → ${e.message}`);
    }
  });
});
