/** The OpenAPI document must list every route the Express app serves (table-driven). */
import * as assert from 'node:assert/strict';
import { openApiPath } from './openapi.js';
import { startTestApi, type TestApi } from './test-support.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** `METHOD /path` of every route mounted on the Express app. */
function expressRoutes(t: TestApi): string[] {
  const app = t.api.app as unknown as { router: { stack: Layer[] } };
  const out: string[] = [];
  for (const layer of app.router.stack) {
    if (!layer.route) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) {
      if (on && m !== '_all') out.push(`${m.toUpperCase()} ${openApiPath(layer.route.path)}`);
    }
  }
  return out.sort();
}

describe('OpenAPI document', function () {
  this.timeout(20_000);
  let t: TestApi;
  let doc: { openapi: string; paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string; in: string }> }>> };
  before(async () => {
    t = await startTestApi();
    doc = (await (await fetch(`${t.url}/api/docs`)).json()) as typeof doc;
  });
  after(async () => {
    await t.close();
  });

  it('is OpenAPI 3.1', () => {
    assert.equal(doc.openapi, '3.1.0');
  });

  it('documents exactly the routes Express serves', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const served = expressRoutes(t).filter((r) => r !== 'GET /'); // `/` is the web app, not the api
    assert.ok(served.length >= 20, `found only ${served.length} routes`);
    assert.deepEqual(documented, served);
  });

  const expected: Array<[string, string]> = [
    ['post', '/api/datasets'],
    ['get', '/api/datasets'],
    ['get', '/api/datasets/{id}'],
    ['delete', '/api/datasets/{id}'],
    ['patch', '/api/datasets/{id}/schema'],
    ['post', '/api/workflows'],
    ['get', '/api/workflows'],
    ['get', '/api/workflows/{id}'],
    ['put', '/api/workflows/{id}'],
    ['delete', '/api/workflows/{id}'],
    ['post', '/api/workflows/validate'],
    ['post', '/api/jobs'],
    ['get', '/api/jobs'],
    ['get', '/api/jobs/{id}'],
    ['post', '/api/jobs/{id}/cancel'],
    ['get', '/api/jobs/{id}/events'],
    ['get', '/api/models'],
    ['get', '/api/models/{id}'],
    ['post', '/api/models/{id}/predict'],
    ['get', '/api/catalogue'],
    ['get', '/health'],
    ['get', '/api/docs'],
    ['post', '/api/auth/signup'],
    ['post', '/api/auth/login'],
    ['post', '/api/auth/refresh'],
    ['post', '/api/auth/logout'],
    ['get', '/api/auth/me'],
    ['get', '/.well-known/jwks.json'],
    ['get', '/api/auth/oidc/{provider}/start'],
    ['get', '/api/auth/oidc/{provider}/callback'],
    ['post', '/api/workspaces/{id}/api-keys'],
    ['get', '/api/workspaces/{id}/api-keys'],
    ['delete', '/api/workspaces/{id}/api-keys/{keyId}'],
    ['get', '/api/workspaces/{id}/usage'],
    ['get', '/api/jobs/{id}/predictions.csv'],
  ];
  for (const [method, p] of expected) {
    it(`documents ${method.toUpperCase()} ${p}`, () => {
      const op = doc.paths[p]?.[method];
      assert.ok(op, `${method} ${p} missing`);
      assert.ok(op.operationId);
      for (const name of p.match(/\{(\w+)\}/g) ?? []) {
        assert.ok(op.parameters.some((x) => x.in === 'path' && `{${x.name}}` === name), `${p}: path parameter ${name} undocumented`);
      }
    });
  }

  it('has unique operation ids', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('renders the HTML listing', async () => {
    const res = await fetch(`${t.url}/api/docs/ui`);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /\/api\/jobs\/\{id\}\/cancel/);
  });
});
