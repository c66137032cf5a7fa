/**
 * The api surface under hostile input: names with path traversal and control characters,
 * oversized uploads and quotas, formula injection in CSV exports, SQL metacharacters in
 * filters and sort parameters, rate limits per user and per IP, CORS from config.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobEntity, TaskEntity, loadConfig, newId, objectKeys, openDatabase, type DatabaseHandle } from '@weft/common';
import { csvCell, toCsv } from './csv-export.js';
import { CSV, FakeScheduler, csvForm, startTestApi, type TestApi } from './test-support.js';

async function json(t: TestApi, method: string, p: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const r = await t.fetch(p, init);
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed, headers: r.headers };
}

describe('hardening', function () {
  this.timeout(60_000);

  describe('names, paths and queries', () => {
    let t: TestApi;
    before(async () => {
      t = await startTestApi();
    });
    after(async () => {
      await t.close();
    });

    it('a traversal file name becomes a plain dataset name; the object stays under the workspace prefix', async () => {
      const r = await json(t, 'POST', '/api/datasets', csvForm(CSV.iris, {}, '../../../../etc/passwd.csv'));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.name, 'passwd');
      assert.match(r.body.objectKey, /^workspaces\/default\/datasets\/ds_[0-9a-f]{32}/);
      assert.ok(fs.existsSync(path.join(t.dataDir, 'objects', r.body.objectKey)));
      const named = await json(t, 'POST', '/api/datasets', csvForm(CSV.iris, { name: '../../x/../../y' }));
      assert.equal(named.status, 201);
      assert.equal(named.body.objectKey.includes('..'), false);
    });

    it('refuses control and bidi-override characters in names', async () => {
      for (const name of ['bad\u0000name', 'line\nbreak', 'esc\u001b[31m', 'rtl\u202eexe.csv']) {
        const up = await json(t, 'POST', '/api/datasets', csvForm(CSV.iris, { name }));
        assert.equal(up.status, 400, JSON.stringify(name));
        assert.equal(up.body.error.code, 'VALIDATION_FAILED');
        const wf = await json(t, 'POST', '/api/workflows', { name, graph: { nodes: [], edges: [] } });
        assert.equal(wf.status, 400, JSON.stringify(name));
      }
    });

    it('path parameters with traversal or SQL are just unknown ids', async () => {
      for (const id of ['..%2F..%2Fetc%2Fpasswd', "x'%20OR%20'1'%3D'1", 'ds_1%3B%20DROP%20TABLE%20datasets', '%00']) {
        const r = await json(t, 'GET', `/api/datasets/${id}`);
        assert.ok([400, 404].includes(r.status), `${id} → ${r.status}`);
      }
      assert.equal((await json(t, 'GET', '/api/datasets')).status, 200, 'the table is still there');
    });

    it('refuses SQL metacharacters in sort and filter parameters; a text filter is literal', async () => {
      for (const q of ['sort=name;DROP TABLE datasets', "sort=name'--", 'sort=created_at desc, (select 1)', "order=desc'", 'order=asc;']) {
        const r = await json(t, 'GET', `/api/datasets?${q.replace(/ /g, '%20')}`);
        assert.equal(r.status, 400, q);
        assert.equal(r.body.error.code, 'VALIDATION_FAILED');
      }
      for (const q of ["state=queued' OR 1=1 --", 'limit=1;DELETE', 'limit=-1']) {
        assert.equal((await json(t, 'GET', `/api/jobs?${q.replace(/ /g, '%20')}`)).status, 400, q);
      }
      const injected = await json(t, 'GET', `/api/datasets?name=${encodeURIComponent("' OR '1'='1")}`);
      assert.equal(injected.status, 200);
      assert.deepEqual(injected.body.datasets, []);
      const sorted = await json(t, 'GET', '/api/datasets?sort=name&order=asc');
      const names = sorted.body.datasets.map((d: any) => d.name);
      assert.deepEqual(names, [...names].sort());
    });

    it('refuses unknown body fields in auth bodies and oversized JSON', async () => {
      const r = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b.c', password: 'x', admin: true }) });
      assert.equal(r.status, 400);
      const big = await fetch(`${t.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2_000_000) }) });
      assert.equal(big.status, 413);
    });

    it('serves Swagger UI to browsers and the JSON document otherwise, with the auth routes documented', async () => {
      const html = await fetch(`${t.url}/api/docs`, { headers: { accept: 'text/html' } });
      assert.match(await html.text(), /swagger-ui/);
      assert.equal((await fetch(`${t.url}/api/docs/assets/swagger-ui-bundle.js`)).status, 200);
      const doc = (await (await fetch(`${t.url}/api/docs`)).json()) as any;
      for (const p of ['/api/auth/signup', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/auth/me', '/.well-known/jwks.json', '/api/workspaces/{id}/api-keys']) assert.ok(doc.paths[p], p);
      assert.ok(doc.components.securitySchemes.bearerToken);
      assert.deepEqual(doc.paths['/api/auth/login'].post.security, []);
      assert.ok(doc.paths['/api/datasets'].get.parameters.some((x: any) => x.name === 'X-Weft-Workspace' && x.in === 'header'));
    });
  });

  describe('CSV export neutralises formulas', () => {
    let dataDir: string;
    let db: DatabaseHandle;
    let fake: FakeScheduler;
    let t: TestApi;
    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-csv-'));
      db = await openDatabase(loadConfig({ WEFT_DATA_DIR: dataDir }));
      fake = new FakeScheduler(db);
      t = await startTestApi({ WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: await fake.start() });
    });
    after(async () => {
      await t.close();
      await fake.stop();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('prefixes cells starting with = + - @ tab CR by a quote; numbers stay numbers', () => {
      assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
      assert.equal(csvCell('+1'), "'+1");
      assert.equal(csvCell('-cmd'), "'-cmd");
      assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
      assert.equal(csvCell('\tx'), "'\tx");
      assert.equal(csvCell(-2.5), '-2.5');
      assert.equal(csvCell('benign'), 'benign');
      assert.equal(toCsv(['a'], [['=1']]), "a\r\n'=1\r\n");
    });

    it('GET /api/jobs/:id/predictions.csv exports a predict job safely', async () => {
      const jobId = await fake.createJob({ nodes: [], edges: [] }, 'completed', 'default');
      const preds = ['=1+2', '+SUM(A1:A9)', '-2+3', '@cmd', 'setosa', 3.5, -1];
      await t.api.deps.store.put(objectKeys.predictions('default', jobId), JSON.stringify({ predictions: preds }), 'application/json');
      const r = await t.fetch(`/api/jobs/${jobId}/predictions.csv`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /text\/csv/);
      const lines = (await r.text()).trim().split('\r\n');
      assert.deepEqual(lines, ['row,prediction', "1,'=1+2", "2,'+SUM(A1:A9)", "3,'-2+3", "4,'@cmd", '5,setosa', '6,3.5', '7,-1']);
      const running = await fake.createJob({ nodes: [], edges: [] }, 'running', 'default');
      assert.equal((await t.fetch(`/api/jobs/${running}/predictions.csv`)).status, 409);
    });
  });

  describe('quotas, upload limits, rate limits and CORS', () => {
    it('refuses an upload over the storage quota with 402 QUOTA_EXCEEDED before storing anything', async () => {
      const t = await startTestApi({ WEFT_QUOTA_STORAGE_BYTES: '100' });
      try {
        const r = await json(t, 'POST', '/api/datasets', csvForm(CSV.iris + '1,2,x\n'.repeat(50)));
        assert.equal(r.status, 402, JSON.stringify(r.body));
        assert.equal(r.body.error.code, 'QUOTA_EXCEEDED');
        assert.deepEqual((await json(t, 'GET', '/api/datasets')).body.datasets, []);
        const usage = await json(t, 'GET', '/api/workspaces/default/usage');
        assert.equal(usage.status, 200);
        assert.equal(usage.body.quotas.storageBytes, 100);
      } finally {
        await t.close();
      }
    });

    it('refuses a job once the workspace CPU-seconds are spent, and meters them', async () => {
      const t = await startTestApi({ WEFT_QUOTA_CPU_SECONDS: '1' });
      try {
        const em = t.api.deps.db.em();
        const jobId = newId('job');
        const at = new Date(Date.now() - 10_000);
        em.create(JobEntity, { id: jobId, workspaceId: 'default', workflowId: null, graph: { nodes: [], edges: [] } as never, state: 'completed', seed: 1, idempotencyKey: null, errorCode: null, errorMessage: null, result: { nodes: {} }, lastSeq: 0, createdAt: at, startedAt: at, finishedAt: new Date() });
        em.create(TaskEntity, { id: newId('task'), jobId, kind: 'train', state: 'succeeded', attempt: 1, maxAttempts: 3, spec: {}, nodeIds: ['model'], executorId: 'e1', leaseExpiresAt: null, availableAt: at, result: null, errorCode: null, errorMessage: null, createdAt: at, startedAt: at, finishedAt: new Date(at.getTime() + 2_500) });
        await em.flush();
        const usage = await json(t, 'GET', '/api/workspaces/default/usage');
        assert.ok(Math.abs(usage.body.cpuSeconds - 2.5) < 0.01, JSON.stringify(usage.body));
        const r = await json(t, 'POST', '/api/jobs', { workflow: { nodes: [], edges: [] } });
        assert.equal(r.status, 402);
        assert.equal(r.body.error.code, 'QUOTA_EXCEEDED');
      } finally {
        await t.close();
      }
    });

    it('answers 413 for a raw upload over WEFT_MAX_UPLOAD_BYTES', async () => {
      const t = await startTestApi({ WEFT_MAX_UPLOAD_BYTES: '1000' });
      try {
        const r = await t.fetch('/api/datasets', { method: 'POST', body: 'a,b\n' + '1,2\n'.repeat(1000), headers: { 'content-type': 'text/csv' } });
        assert.equal(r.status, 413);
        assert.equal(((await r.json()) as any).error.code, 'PAYLOAD_TOO_LARGE');
      } finally {
        await t.close();
      }
    });

    it('limits requests per user (429 RATE_LIMITED) and credential attempts per IP', async () => {
      const t = await startTestApi({ WEFT_RATE_LIMIT_USER_PER_MINUTE: '5', WEFT_AUTH_RATE_LIMIT_PER_MINUTE: '3' });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 7; i++) codes.push((await t.fetch('/api/workflows')).status);
        assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429]);
        const logins: number[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@y.z', password: 'guess' + i }) });
          logins.push(r.status);
        }
        assert.deepEqual(logins, [401, 401, 401, 429, 429]);
      } finally {
        await t.close();
      }
    });

    it('answers CORS only for the configured origins', async () => {
      const t = await startTestApi({ WEFT_CORS_ORIGINS: 'https://app.example' });
      try {
        const ok = await fetch(`${t.url}/api/datasets`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
        assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
        const evil = await fetch(`${t.url}/api/datasets`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
        assert.equal(evil.headers.get('access-control-allow-origin'), null);
      } finally {
        await t.close();
      }
    });
  });
});
