/** Health, node catalogue and API documentation routes. */
import { catalogueAsJson } from '@weft/proto';
import type { ApiDeps } from '../deps.js';
import type { RouteRegistry } from '../registry.js';
import { HealthSchema } from '../schemas.js';
import { openApiDocument, openApiHtml, swaggerUiHtml } from '../openapi.js';

type PartState = 'ok' | 'down';

async function probe(fn: () => Promise<unknown>, timeoutMs = 2_000): Promise<PartState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const ok = await Promise.race([
      fn().then((v) => v !== false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    return ok ? 'ok' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Health of each part. The database and the object store are required (503 when down);
 * the scheduler and fan-out only degrade the status, since datasets and workflows still work.
 */
export async function checkHealth(deps: ApiDeps) {
  const [database, objectStore, scheduler, fanOut] = await Promise.all([
    probe(() => deps.db.ping()),
    probe(() => deps.store.ping()),
    probe(() => deps.scheduler.ping(1_000)),
    probe(() => deps.fanOut.ping()),
  ]);
  const required = database === 'ok' && objectStore === 'ok';
  const status = !required ? 'down' : scheduler === 'ok' && fanOut === 'ok' ? 'ok' : 'degraded';
  return { status, database, objectStore, scheduler, fanOut } as const;
}

/** Mounts /health, /api/catalogue and /api/docs(/ui). */
export function registerSystemRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add(
    {
      method: 'get',
      path: '/health',
      tag: 'system',
      access: 'public',
      summary: 'Health of the database, object store, scheduler and fan-out (503 when a required part is down)',
      responses: { 200: { description: 'Up (status ok or degraded)', schema: HealthSchema }, 503: { description: 'A required part is down', schema: HealthSchema } },
    },
    async (_req, res) => {
      const h = await checkHealth(deps);
      res.status(h.status === 'down' ? 503 : 200).json(h);
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/catalogue',
      tag: 'system',
      access: 'public',
      summary: 'Node catalogue: every node type with ports and a JSON Schema of its params',
      responses: { 200: { description: 'Array of node types' } },
    },
    (_req, res) => {
      res.json(catalogueAsJson());
    },
  );

  let cached: Record<string, unknown> | undefined;
  const doc = () => (cached ??= openApiDocument(r.routes));
  r.add(
    {
      method: 'get',
      path: '/api/docs',
      tag: 'system',
      access: 'public',
      summary: 'This OpenAPI 3.1 document (JSON); a browser asking for HTML gets Swagger UI',
      responses: { 200: { description: 'OpenAPI document, or the Swagger UI page' } },
    },
    (req, res) => {
      if (req.accepts(['json', 'html']) === 'html') res.type('html').send(swaggerUiHtml());
      else res.json(doc());
    },
  );
  r.add(
    {
      method: 'get',
      path: '/api/docs/ui',
      tag: 'system',
      access: 'public',
      summary: 'An HTML page listing every operation',
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
    },
    (_req, res) => {
      res.type('html').send(openApiHtml(doc()));
    },
  );
}
