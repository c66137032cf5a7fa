/**
 * The OpenAPI 3.1 document, generated from the route declarations and their zod schemas
 * (JSON Schema draft 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import { accessOf, type RouteSpec } from './registry.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema of a zod schema as a request/response would be written (input side). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete js.$schema;
  return js;
}

/** `/api/jobs/:id` → `/api/jobs/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const js = jsonSchemaOf(schema);
  const props = (js.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function operationId(r: RouteSpec): string {
  const words = r.path
    .replace(/^\/api\//, '')
    .split('/')
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by_${w.slice(1)}` : w));
  return [r.method, ...words].join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

/** Builds the OpenAPI 3.1 document for `routes`. */
export function openApiDocument(routes: readonly RouteSpec[], info: { title?: string; version?: string } = {}): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const content: Record<string, unknown> = {};
    if (r.body) content['application/json'] = { schema: jsonSchemaOf(r.body) };
    if (r.multipart) content['multipart/form-data'] = { schema: jsonSchemaOf(r.multipart) };
    if (r.acceptsCsv) content['text/csv'] = { schema: { type: 'string' } };
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: jsonSchemaOf(spec.schema) } } } : {}),
      };
    }
    const p = openApiPath(r.path);
    const access = accessOf(r);
    const secured = access !== 'public';
    const workspaceHeader =
      secured && access !== 'authenticated' && !r.workspaceParam
        ? [{ name: 'X-Weft-Workspace', in: 'header', required: false, description: "Workspace to act in (default: the caller's first; an API key is bound to its own)", schema: { type: 'string' } }]
        : [];
    if (secured) {
      responses['401'] ??= { description: 'UNAUTHENTICATED: missing, expired or invalid credentials' };
      if (access !== 'authenticated') responses['403'] ??= { description: `FORBIDDEN: needs the ${access} role` };
    }
    paths[p] ??= {};
    paths[p][r.method] = {
      operationId: operationId(r),
      summary: r.summary,
      tags: [r.tag],
      ...(secured ? { security: [{ bearerToken: [] }, { apiKey: [] }], 'x-weft-access': access } : { security: [] }),
      parameters: [...parametersOf(r.params, 'path'), ...parametersOf(r.query, 'query'), ...workspaceHeader],
      ...(Object.keys(content).length > 0 ? { requestBody: { required: true, content } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Weft API',
      version: info.version ?? '0.1.0',
      description:
        'Datasets, workflows, jobs and models. Send `Authorization: Bearer <access token or API key>`; choose the workspace with `X-Weft-Workspace`. Errors are `{ "error": { "code", "message", "details" } }`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerToken: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from /api/auth/login, /signup, /refresh or OIDC (ES256, 15 min)' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'Workspace API key `weft_ak_…` (POST /api/workspaces/{id}/api-keys)' },
      },
    },
    paths,
  };
}

/** A small HTML page listing every operation of the document (no scripts: CSP-safe). */
export function openApiHtml(doc: JsonSchema): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const rows: string[] = [];
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string; tags?: string[] }>>)) {
    for (const [m, op] of Object.entries(ops)) {
      rows.push(`<tr><td>${esc(op.tags?.[0] ?? '')}</td><td class="m">${m.toUpperCase()}</td><td><code>${esc(p)}</code></td><td>${esc(op.summary ?? '')}</td></tr>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weft API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{padding:.35rem .7rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.m{font-weight:600}</style>
</head><body><h1>Weft API</h1><p>Machine-readable document: <a href="/api/docs">/api/docs</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>Area</th><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>${rows.join('')}</tbody></table></body></html>`;
}

/** The Swagger UI page (assets served from swagger-ui-dist under /api/docs/assets; no inline script, CSP-safe). */
export function swaggerUiHtml(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weft API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/api/docs/assets/swagger-ui-bundle.js"></script><script src="/api/docs/assets/weft-init.js"></script></body></html>`;
}

/** Starts Swagger UI on the document at /api/docs. */
export const SWAGGER_INIT_JS = `window.ui = SwaggerUIBundle({ url: '/api/docs', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false });\n`;
