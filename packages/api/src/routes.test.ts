/** Route tests against a real api (SQLite + local object store in a temp dir) over HTTP. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CSV, csvForm, startTestApi, type TestApi } from './test-support.js';

interface Envelope {
  error: { code: string; message: string; details?: any };
}

async function call(t: TestApi, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit = { method, headers: { ...t.headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...t.headers, 'content-type': 'application/json' };
  }
  const res = await fetch(t.url + p, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function assertEnvelope(body: unknown, code: string): Envelope['error'] {
  const e = (body as Envelope).error;
  assert.ok(e, `expected an error envelope, got ${JSON.stringify(body)}`);
  assert.equal(e.code, code, e.message);
  assert.equal(typeof e.message, 'string');
  return e;
}

describe('api routes', function () {
  this.timeout(30_000);
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(async () => {
    await t.close();
  });

  describe('datasets', () => {
    it('uploads (multipart), lists, gets and deletes a dataset', async () => {
      const up = await call(t, 'POST', '/api/datasets', csvForm(CSV.iris, { name: 'Iris sample' }));
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const ds = up.body;
      assert.match(ds.id, /^ds_[0-9a-f]{32}$/);
      assert.equal(ds.name, 'Iris sample');
      assert.equal(ds.rowCount, 5);
      assert.deepEqual(
        ds.schema.columns.map((c: { name: string }) => c.name),
        ['sepal_length', 'sepal_width', 'species'],
      );
      assert.equal(ds.schema.columns[0].type, 'float');
      assert.ok(ds.byteSize > 0);
      assert.ok(fs.existsSync(path.join(t.dataDir, 'objects', ds.objectKey)), 'the Arrow object is stored');

      const list = await call(t, 'GET', '/api/datasets');
      assert.equal(list.status, 200);
      assert.ok(list.body.datasets.some((d: { id: string }) => d.id === ds.id));

      const one = await call(t, 'GET', `/api/datasets/${ds.id}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.id, ds.id);
      assert.ok(one.body.profile.columns.sepal_length);

      const del = await t.fetch(`/api/datasets/${ds.id}`, { method: 'DELETE' });
      assert.equal(del.status, 204);
      assert.ok(!fs.existsSync(path.join(t.dataDir, 'objects', ds.objectKey)), 'the object is removed');
      assertEnvelope((await call(t, 'GET', `/api/datasets/${ds.id}`)).body, 'NOT_FOUND');
    });

    it('names a dataset after its file by default and leaves no temp files', async () => {
      const up = await call(t, 'POST', '/api/datasets', csvForm(CSV.iris, {}, 'flowers.csv'));
      assert.equal(up.status, 201);
      assert.equal(up.body.name, 'flowers');
      assert.deepEqual(fs.readdirSync(path.join(t.dataDir, 'tmp')), []);
    });

    it('accepts a raw text/csv body with options in the query', async () => {
      const res = await t.fetch(`/api/datasets?name=raw`, { method: 'POST', body: CSV.iris, headers: { 'content-type': 'text/csv' } });
      const body = (await res.json()) as any;
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.equal(body.name, 'raw');
      assert.equal(body.rowCount, 5);
    });

    it('lists datasets a page at a time, without profiles; a bad cursor is a 400', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await call(t, 'POST', '/api/datasets', csvForm(CSV.iris, { name: `page-${i}` }))).status, 201);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: { status: number; body: any } = await call(t, 'GET', `/api/datasets?name=page-&sort=name&order=asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200);
        assert.ok(r.body.datasets.length <= 2);
        for (const d of r.body.datasets) {
          assert.equal(d.profile, undefined);
          assert.ok(d.schema.columns.length > 0);
          seen.push(d.name);
        }
        cursor = r.body.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
      const all = await call(t, 'GET', '/api/datasets?limit=3');
      assert.equal(all.body.datasets.length, 3);
      assert.equal(typeof all.body.nextCursor, 'string');
      assert.match(all.body.nextCursor, /^[A-Za-z0-9_-]+$/, 'an opaque, URL-safe cursor');
      assert.ok(!('profile' in all.body.datasets[0]));
      const next = await call(t, 'GET', `/api/datasets?limit=3&cursor=${all.body.nextCursor}`);
      assert.equal(next.status, 200);
      assert.ok(!next.body.datasets.some((d: { id: string }) => all.body.datasets.some((a: { id: string }) => a.id === d.id)));
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      for (const bad of ['abc', '-1', '1e3', '9999999999', 'a%2Bb', b64([1]), b64(['x', 'ds_1']), b64([1, 'bad id!']), b64({ a: 1 })]) {
        assertEnvelope((await call(t, 'GET', `/api/datasets?cursor=${bad}`)).body, 'VALIDATION_FAILED');
      }
      // a cursor made for one sort column is refused for another
      assertEnvelope((await call(t, 'GET', `/api/datasets?sort=name&cursor=${all.body.nextCursor}`)).body, 'VALIDATION_FAILED');
      assertEnvelope((await call(t, 'GET', '/api/datasets?limit=1001')).body, 'VALIDATION_FAILED');
    });

    it('pages without skipping or repeating datasets added or deleted between pages', async function () {
      this.timeout(120_000);
      const upload = async (name: string): Promise<string> => {
        const r = await call(t, 'POST', '/api/datasets', csvForm(CSV.iris, { name }));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id;
      };
      const remove = async (id: string) => assert.equal((await t.fetch(`/api/datasets/${id}`, { method: 'DELETE' })).status, 204);
      // name asc + a name filter (filtered in JS), rowCount asc (all tie: the id decides), createdAt desc (the default)
      for (const query of ['name=ks-&sort=name&order=asc', 'name=ks-&sort=name&order=desc', 'sort=rowCount&order=asc', 'sort=createdAt&order=desc', 'sort=createdAt&order=asc']) {
        const initial = new Map<string, string>();
        for (let i = 0; i < 6; i++) initial.set(await upload(`ks-${i}`), `ks-${i}`);
        const seen: string[] = [];
        const deletedUnseen = new Set<string>();
        let cursor: string | null = null;
        let pages = 0;
        do {
          const r: { status: number; body: any } = await call(t, 'GET', `/api/datasets?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          seen.push(...r.body.datasets.map((d: { id: string }) => d.id));
          cursor = r.body.nextCursor;
          pages++;
          if (pages === 1 && cursor) {
            // between pages: delete a dataset already returned and one not yet returned, add others
            await remove(seen[0]!);
            const unseen = [...initial.keys()].filter((id) => !seen.includes(id));
            const victim = unseen[Math.floor(unseen.length / 2)]!;
            await remove(victim);
            deletedUnseen.add(victim);
            await upload('ks-00');
            await upload('ks-99');
          }
        } while (cursor && pages < 100);
        assert.equal(new Set(seen).size, seen.length, `${query}: no dataset repeated`);
        for (const id of initial.keys()) {
          if (deletedUnseen.has(id)) assert.ok(!seen.includes(id), `${query}: a deleted dataset is not listed`);
          else assert.ok(seen.includes(id), `${query}: ${initial.get(id)} was skipped`);
        }
        // clean up so the next ordering starts from known rows
        const rest = (await call(t, 'GET', '/api/datasets?name=ks-&limit=1000')).body.datasets as Array<{ id: string }>;
        for (const d of rest) await remove(d.id);
      }
    });

    it('honours upload options in the query string of a multipart upload, validated as form fields are', async () => {
      const named = await call(t, 'POST', '/api/datasets?name=from-query&nullTokens=%5B%22setosa%22%5D', csvForm(CSV.iris, {}, 'q.csv'));
      assert.equal(named.status, 201, JSON.stringify(named.body));
      assert.equal(named.body.name, 'from-query');
      const one = await call(t, 'GET', `/api/datasets/${named.body.id}`);
      assert.ok(one.body.profile.columns.species.missing > 0, 'nullTokens from the query applied: ' + JSON.stringify(one.body.profile.columns.species));
      const bad = await call(t, 'POST', '/api/datasets?name=X&columnNullTokens=notjson', csvForm(CSV.iris, {}, 'q.csv'));
      assert.equal(bad.status, 400);
      const e = assertEnvelope(bad.body, 'VALIDATION_FAILED');
      assert.ok(e.details.issues.some((i: { path: string }) => i.path === 'columnNullTokens'), JSON.stringify(e));
      // the same option in both places: equal values are fine, different values are refused naming it
      const same = await call(t, 'POST', '/api/datasets?name=both', csvForm(CSV.iris, { name: 'both' }));
      assert.equal(same.status, 201, JSON.stringify(same.body));
      assert.equal(same.body.name, 'both');
      const clash = await call(t, 'POST', '/api/datasets?name=one', csvForm(CSV.iris, { name: 'other' }));
      assert.equal(clash.status, 400);
      const c = assertEnvelope(clash.body, 'VALIDATION_FAILED');
      assert.match(c.message, /name/);
      assert.equal(c.details.option, 'name');
      // a form field and a different query option combine
      const mixed = await call(t, 'POST', '/api/datasets?name=mixed', csvForm(CSV.iris, { skipBadRows: 'true' }));
      assert.equal(mixed.status, 201, JSON.stringify(mixed.body));
      assert.equal(mixed.body.name, 'mixed');
      assert.deepEqual(fs.readdirSync(path.join(t.dataDir, 'tmp')), []);
    });

    it('answers 400 UPLOAD_MISSING_FILE without a file field', async () => {
      const form = new FormData();
      form.append('name', 'nothing');
      const res = await call(t, 'POST', '/api/datasets', form);
      assert.equal(res.status, 400);
      assertEnvelope(res.body, 'UPLOAD_MISSING_FILE');
    });

    it('answers 400 CSV_RAGGED_ROWS naming the line, and stores nothing', async () => {
      const before = (await call(t, 'GET', '/api/datasets')).body.datasets.length;
      const res = await call(t, 'POST', '/api/datasets', csvForm(CSV.ragged, {}, 'ragged.csv'));
      assert.equal(res.status, 400);
      const e = assertEnvelope(res.body, 'CSV_RAGGED_ROWS');
      assert.equal(e.details.rows[0].line, 3, JSON.stringify(e));
      assert.equal((await call(t, 'GET', '/api/datasets')).body.datasets.length, before);
      assert.deepEqual(fs.readdirSync(path.join(t.dataDir, 'tmp')), []);
    });

    it('rejects bad upload options with VALIDATION_FAILED', async () => {
      const res = await call(t, 'POST', '/api/datasets', csvForm(CSV.iris, { typeOverrides: '{"species": "colour"}' }));
      assert.equal(res.status, 400);
      const e = assertEnvelope(res.body, 'VALIDATION_FAILED');
      assert.ok(Array.isArray(e.details.issues));
    });

    it('sets column roles and refuses impossible type changes', async () => {
      const ds = (await call(t, 'POST', '/api/datasets', csvForm(CSV.iris))).body;
      const ok = await call(t, 'PATCH', `/api/datasets/${ds.id}/schema`, { columns: { species: { role: 'target' }, sepal_width: { role: 'ignore' } } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const roles = Object.fromEntries(ok.body.schema.columns.map((c: { name: string; role: string }) => [c.name, c.role]));
      assert.deepEqual(roles, { sepal_length: 'feature', sepal_width: 'ignore', species: 'target' });
      const species = ok.body.schema.columns.find((c: { name: string }) => c.name === 'species');
      const bad = await call(t, 'PATCH', `/api/datasets/${ds.id}/schema`, { columns: { species: { type: species.type === 'float' ? 'text' : 'float' } } });
      assert.equal(bad.status, 400);
      assertEnvelope(bad.body, 'VALIDATION_FAILED');
      const unknown = await call(t, 'PATCH', `/api/datasets/${ds.id}/schema`, { columns: { nope: { role: 'ignore' } } });
      assertEnvelope(unknown.body, 'VALIDATION_FAILED');
    });
  });

  describe('upload limit', () => {
    let small: TestApi;
    before(async () => {
      small = await startTestApi({ WEFT_MAX_UPLOAD_BYTES: '2000' });
    });
    after(async () => {
      await small.close();
    });

    it('answers 413 PAYLOAD_TOO_LARGE past WEFT_MAX_UPLOAD_BYTES and removes the temp file', async () => {
      const big = 'a,b\n' + '123456,654321\n'.repeat(400);
      const res = await call(small, 'POST', '/api/datasets', csvForm(big));
      assert.equal(res.status, 413);
      assertEnvelope(res.body, 'PAYLOAD_TOO_LARGE');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(fs.readdirSync(path.join(small.dataDir, 'tmp')), []);
      assert.equal((await call(small, 'GET', '/api/datasets')).body.datasets.length, 0);
    });

    it('still accepts an upload under the limit', async () => {
      const res = await call(small, 'POST', '/api/datasets', csvForm(CSV.iris));
      assert.equal(res.status, 201);
    });
  });

  describe('workflows', () => {
    const graph = (datasetId: string, target = 'species') => ({
      name: 'iris',
      nodes: [
        { id: 'data', type: 'dataset', params: { datasetId, target } },
        { id: 'split', type: 'split', params: { testFraction: 0.2 } },
        { id: 'model', type: 'logistic_regression', params: {} },
        { id: 'eval', type: 'evaluate', params: {} },
      ],
      edges: [
        { source: 'data', target: 'split' },
        { source: 'split', target: 'model' },
        { source: 'model', target: 'eval' },
      ],
    });

    it('validates: a cycle is reported with its node', async () => {
      const g = {
        nodes: [
          { id: 'a', type: 'impute', params: {} },
          { id: 'b', type: 'scale', params: {} },
        ],
        edges: [
          { source: 'a', target: 'b' },
          { source: 'b', target: 'a' },
        ],
      };
      const res = await call(t, 'POST', '/api/workflows/validate', { graph: g });
      assert.equal(res.status, 200);
      assert.equal(res.body.valid, false);
      const cycle = res.body.issues.find((i: { code: string }) => i.code === 'CYCLE');
      assert.ok(cycle, JSON.stringify(res.body.issues));
      assert.ok(['a', 'b'].includes(cycle.nodeId));
    });

    it('validates: an unknown column is reported with node and field', async () => {
      const ds = (await call(t, 'POST', '/api/datasets', csvForm(CSV.iris))).body;
      const res = await call(t, 'POST', '/api/workflows/validate', graph(ds.id, 'colour'));
      assert.equal(res.body.valid, false);
      const issue = res.body.issues.find((i: { code: string }) => i.code === 'UNKNOWN_COLUMN');
      assert.deepEqual({ nodeId: issue.nodeId, field: issue.field }, { nodeId: 'data', field: 'params.target' });
      const good = await call(t, 'POST', '/api/workflows/validate', { graph: graph(ds.id) });
      assert.deepEqual(good.body, { valid: true, issues: [] });
    });

    it('validates: an unknown dataset is reported on params.datasetId', async () => {
      const res = await call(t, 'POST', '/api/workflows/validate', graph('ds_00000000000000000000000000000000'));
      const issue = res.body.issues.find((i: { code: string }) => i.code === 'UNKNOWN_DATASET');
      assert.equal(issue.field, 'params.datasetId');
    });

    it('creates, lists, gets, replaces and deletes a workflow', async () => {
      const created = await call(t, 'POST', '/api/workflows', { graph: graph('ds_x') });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.name, 'iris');
      const id = created.body.id;
      assert.ok((await call(t, 'GET', '/api/workflows')).body.workflows.some((w: { id: string }) => w.id === id));
      assert.equal((await call(t, 'GET', `/api/workflows/${id}`)).body.graph.nodes.length, 4);
      const put = await call(t, 'PUT', `/api/workflows/${id}`, { name: 'renamed', graph: graph('ds_y') });
      assert.equal(put.body.name, 'renamed');
      assert.equal(put.body.graph.nodes[0].params.datasetId, 'ds_y');
      assert.equal((await t.fetch(`/api/workflows/${id}`, { method: 'DELETE' })).status, 204);
      assertEnvelope((await call(t, 'GET', `/api/workflows/${id}`)).body, 'NOT_FOUND');
    });

    it('refuses a malformed workflow body with VALIDATION_FAILED and zod issues', async () => {
      const res = await call(t, 'POST', '/api/workflows', { graph: { nodes: 'no' } });
      assert.equal(res.status, 400);
      const e = assertEnvelope(res.body, 'VALIDATION_FAILED');
      assert.ok(e.details.issues.some((i: { path: string }) => i.path.startsWith('graph')));
    });
  });

  describe('jobs (scheduler unreachable)', () => {
    it('refuses an invalid workflow with WORKFLOW_INVALID naming node and field', async () => {
      const res = await call(t, 'POST', '/api/jobs', {
        workflow: { nodes: [{ id: 'data', type: 'dataset', params: { datasetId: 'ds_missing' } }, { id: 's', type: 'split', params: { testFraction: 3 } }], edges: [{ source: 'data', target: 's' }] },
      });
      assert.equal(res.status, 400);
      const e = assertEnvelope(res.body, 'WORKFLOW_INVALID');
      assert.ok(e.details.issues.some((i: { nodeId?: string; field?: string }) => i.nodeId === 's' && i.field === 'params.testFraction'));
    });

    it('answers 503 UNAVAILABLE for a valid workflow while the scheduler is down', async () => {
      const ds = (await call(t, 'POST', '/api/datasets', csvForm(CSV.iris))).body;
      const res = await call(t, 'POST', '/api/jobs', {
        workflow: {
          nodes: [
            { id: 'data', type: 'dataset', params: { datasetId: ds.id, target: 'species' } },
            { id: 'split', type: 'split', params: {} },
            { id: 'model', type: 'logistic_regression', params: {} },
          ],
          edges: [
            { source: 'data', target: 'split' },
            { source: 'split', target: 'model' },
          ],
        },
      });
      assert.equal(res.status, 503);
      assertEnvelope(res.body, 'UNAVAILABLE');
    });

    it('needs workflow or workflowId', async () => {
      assertEnvelope((await call(t, 'POST', '/api/jobs', {})).body, 'VALIDATION_FAILED');
      assertEnvelope((await call(t, 'POST', '/api/jobs', { workflowId: 'wf_nope' })).body, 'NOT_FOUND');
    });

    it('GET events of an unknown job is 404', async () => {
      assertEnvelope((await call(t, 'GET', '/api/jobs/job_nope/events')).body, 'NOT_FOUND');
    });
  });

  describe('models', () => {
    it('lists none and answers MODEL_NOT_FOUND for an unknown model', async () => {
      assert.deepEqual((await call(t, 'GET', '/api/models')).body, { models: [] });
      const res = await call(t, 'POST', '/api/models/model_nope/predict', { rows: [{ a: 1 }] });
      assert.equal(res.status, 404);
      assertEnvelope(res.body, 'MODEL_NOT_FOUND');
    });
  });

  describe('system', () => {
    it('answers 404 NOT_FOUND with the envelope for unknown routes', async () => {
      const res = await call(t, 'GET', '/api/nope');
      assert.equal(res.status, 404);
      assertEnvelope(res.body, 'NOT_FOUND');
      assertEnvelope((await call(t, 'DELETE', '/api/catalogue')).body, 'NOT_FOUND');
    });

    it('answers VALIDATION_FAILED for a JSON body that does not parse, 413 past 1 MiB', async () => {
      const bad = await t.fetch(`/api/workflows`, { method: 'POST', body: '{"graph":', headers: { 'content-type': 'application/json' } });
      assert.equal(bad.status, 400);
      assertEnvelope(await bad.json(), 'VALIDATION_FAILED');
      const huge = await t.fetch(`/api/workflows`, { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } });
      assert.equal(huge.status, 413);
      assertEnvelope(await huge.json(), 'PAYLOAD_TOO_LARGE');
    });

    it('reports health: required parts ok, scheduler down → degraded 200', async () => {
      const res = await call(t, 'GET', '/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'degraded', database: 'ok', objectStore: 'ok', scheduler: 'down', fanOut: 'ok' });
    });

    it('serves the node catalogue', async () => {
      const res = await call(t, 'GET', '/api/catalogue');
      const types = res.body.map((d: { type: string }) => d.type);
      assert.ok(types.includes('logistic_regression') && types.includes('dataset'));
      assert.equal(res.body.find((d: { type: string }) => d.type === 'split').params.type, 'object');
    });

    it('sets security headers', async () => {
      const res = await t.fetch(`/api/catalogue`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('x-powered-by'), null);
    });
  });
});
