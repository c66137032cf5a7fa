/** Dataset routes: upload (multipart or text/csv), list, get, delete, schema roles. */
import * as fs from 'node:fs';
import { DatasetEntity, type DatasetRow } from '@weft/common';
import { DatasetSchemaDoc, WeftError, type ColumnSchema, type ColumnType } from '@weft/proto';
import type { Request, Response } from 'express';
import { validationError } from '../errors.js';
import { workspaceOf, type ApiDeps } from '../deps.js';
import { parseBody, parseParams, parseQuery, type RouteRegistry } from '../registry.js';
import {
  decodeDatasetCursor,
  encodeDatasetCursor,
  ErrorEnvelopeSchema,
  IdParams,
  ListDatasetsQuery,
  PatchSchemaBody,
  UploadFormSchema,
  UploadOptionsSchema,
  type DatasetCursor,
  type DatasetSort,
  type UploadOptions,
} from '../schemas.js';
import { checkStorageQuota } from '../usage.js';
import { abandonRequest } from '../upload.js';
import { receiveCsv } from '../upload.js';
import { datasetCacheFor } from '../dataset-cache.js';
import { createDatasetFromCsv, datasetDoc, findDataset, nameFromFile, tmpDirOf } from '../dataset-store.js';

const err = (description: string) => ({ description, schema: ErrorEnvelopeSchema });

/** Type changes the stored Arrow file already satisfies (same physical column). */
const SAME_STORAGE: ReadonlyArray<[ColumnType, ColumnType]> = [
  ['text', 'identifier'],
  ['identifier', 'text'],
];

/**
 * Checks a type change requested through PATCH …/schema.
 * @throws WeftError VALIDATION_FAILED when the change needs a re-ingest or is impossible
 */
export function checkTypeChange(col: ColumnSchema, to: ColumnType): void {
  if (col.type === to || SAME_STORAGE.some(([a, b]) => a === col.type && b === to)) return;
  const numeric = new Set<ColumnType>(['integer', 'float', 'boolean']);
  const impossible = !numeric.has(col.type) && numeric.has(to);
  throw new WeftError(
    'VALIDATION_FAILED',
    impossible
      ? `Column "${col.name}" holds ${col.type} values, which cannot be read as ${to}`
      : `Changing column "${col.name}" from ${col.type} to ${to} needs a new upload: upload again with typeOverrides {"${col.name}": "${to}"}`,
    { column: col.name, from: col.type, to, reason: impossible ? 'impossible' : 'needs_reingest' },
  );
}

/** The value of `sort` of a dataset row, as a keyset cursor holds it (dates as epoch milliseconds). */
function sortValueOf(row: Omit<DatasetRow, 'profile'>, sort: DatasetSort): string | number {
  if (sort === 'createdAt') return new Date(row.createdAt).getTime();
  return row[sort];
}

/**
 * The upload options of a request: the form fields (multipart; for a raw body they are the query
 * string itself) together with the query string, each validated by UploadOptionsSchema.
 * @throws WeftError VALIDATION_FAILED when either is invalid, or when an option is given in both
 *   with different values (naming it)
 */
export function uploadOptionsOf(fields: Record<string, string>, query: Request['query']): UploadOptions {
  const fromQuery: Record<string, string> = {};
  for (const [k, v] of Object.entries(query ?? {})) {
    if (!(k in UploadOptionsSchema.shape)) continue;
    if (typeof v !== 'string') {
      const message = 'give this option once, as text';
      throw new WeftError('VALIDATION_FAILED', `Invalid request query: ${k}: ${message}`, { issues: [{ path: k, message, code: 'custom' }] });
    }
    fromQuery[k] = v;
  }
  const q = UploadOptionsSchema.safeParse(fromQuery);
  if (!q.success) throw validationError('query', q.error);
  const f = UploadOptionsSchema.safeParse(fields);
  if (!f.success) throw validationError('fields', f.error);
  const merged: Record<string, unknown> = { ...q.data };
  for (const [k, v] of Object.entries(f.data)) {
    if (v === undefined) continue;
    if (k in merged && merged[k] !== undefined && JSON.stringify(merged[k]) !== JSON.stringify(v)) {
      const message = `"${k}" is given both as a form field and in the query string, with different values`;
      throw new WeftError('VALIDATION_FAILED', `Invalid request: ${message}`, {
        option: k,
        issues: [{ path: k, message, code: 'custom' }],
      });
    }
    merged[k] = v;
  }
  return merged as UploadOptions;
}

/** Receives a CSV (multipart or raw) and stores it as a dataset; shared with model predict. */
export async function uploadDataset(
  deps: ApiDeps,
  req: Request,
  res: Response,
  extra: {
    defaultName?: string;
    /** Types forced on top of the client's typeOverrides, computed from the received file. */
    forcedTypes?: (csvPath: string, delimiter: string | undefined) => Promise<Record<string, ColumnType>>;
  } = {},
) {
  const ws = workspaceOf(req);
  const declared = Number(req.headers['content-length'] ?? 0);
  try {
    await checkStorageQuota(deps, ws, Number.isFinite(declared) ? declared : 0);
  } catch (e) {
    abandonRequest(req, res);
    throw e;
  }
  const upload = await receiveCsv(req, res, { tmpDir: tmpDirOf(deps), maxBytes: deps.cfg.maxUploadBytes });
  let o: UploadOptions;
  try {
    o = uploadOptionsOf(upload.fields, req.query);
  } catch (e) {
    await fs.promises.rm(upload.csvPath, { force: true });
    throw e;
  }
  let typeOverrides = o.typeOverrides;
  if (extra.forcedTypes) {
    try {
      typeOverrides = { ...(o.typeOverrides ?? {}), ...(await extra.forcedTypes(upload.csvPath, o.delimiter)) };
    } catch (e) {
      await fs.promises.rm(upload.csvPath, { force: true });
      throw e;
    }
  }
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort(new WeftError('VALIDATION_FAILED', 'The client went away'));
  };
  res.once('close', onClose);
  try {
    return await createDatasetFromCsv(deps, ws, upload.csvPath, {
      name: o.name ?? extra.defaultName ?? nameFromFile(upload.fileName),
      ...(o.skipBadRows !== undefined ? { skipBadRows: o.skipBadRows } : {}),
      ...(o.delimiter !== undefined ? { delimiter: o.delimiter } : {}),
      ...(o.nullTokens !== undefined ? { nullTokens: o.nullTokens } : {}),
      ...(o.columnNullTokens !== undefined ? { columnNullTokens: o.columnNullTokens } : {}),
      ...(typeOverrides !== undefined ? { typeOverrides } : {}),
      signal: abort.signal,
    });
  } finally {
    res.off('close', onClose);
  }
}

/** Mounts the dataset routes. */
export function registerDatasetRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const cache = datasetCacheFor(deps);
  r.add(
    {
      method: 'post',
      path: '/api/datasets',
      tag: 'datasets',
      summary:
        'Upload a CSV (multipart field "file", or a text/csv body); options as form fields or in the query string (both: they must agree); infers schema and profile',
      multipart: UploadFormSchema,
      acceptsCsv: true,
      query: UploadOptionsSchema,
      responses: {
        201: { description: 'The stored dataset', schema: DatasetSchemaDoc },
        400: err('Bad CSV (CSV_* codes name row/line/column) or missing file'),
        402: err('QUOTA_EXCEEDED: the workspace storage quota is reached'),
        413: err('Upload larger than WEFT_MAX_UPLOAD_BYTES, too many columns or a field too long'),
      },
    },
    async (req, res) => {
      const row = await uploadDataset(deps, req, res);
      res.status(201).json(datasetDoc(row));
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/datasets',
      tag: 'datasets',
      summary: 'List datasets, newest first by default, a page at a time (profiles omitted: GET one for it); `nextCursor` pages on',
      query: ListDatasetsQuery,
      responses: { 200: { description: '`{ datasets, nextCursor }`' }, 400: err('Unknown sort column or order, or a bad cursor') },
    },
    async (req, res) => {
      const q = parseQuery(ListDatasetsQuery, req);
      let after: DatasetCursor | undefined;
      if (q.cursor !== undefined) {
        const c = decodeDatasetCursor(q.cursor, q.sort);
        if (typeof c === 'string') {
          throw new WeftError('VALIDATION_FAILED', `Invalid request query: cursor: ${c}`, { issues: [{ path: 'cursor', message: c, code: 'custom' }] });
        }
        after = c;
      }
      // Keyset paging: the next page is every row strictly after (sort value, id) of the last row
      // returned, in the requested order, so rows added or deleted between pages shift nothing.
      // The sort column comes from an enum and values are bound parameters: nothing of the query string reaches SQL text.
      // The profile (the large part of a row) is not read from the database.
      const where: Record<string, unknown> = { workspaceId: workspaceOf(req) };
      if (after) {
        const op = q.order === 'asc' ? '$gt' : '$lt';
        const v = q.sort === 'createdAt' ? new Date(after.value as number) : after.value;
        where.$or = [{ [q.sort]: { [op]: v } }, { [q.sort]: v, id: { [op]: after.id } }];
      }
      const order = { orderBy: { [q.sort]: q.order, id: q.order }, exclude: ['profile'] as const };
      let rows: Array<Omit<DatasetRow, 'profile'>>;
      if (q.name) {
        // a literal substring: filtered here (SQL LIKE would read % and _ as wildcards), over rows without profiles
        rows = (await deps.db.em().find(DatasetEntity, where as never, order)).filter((r) => r.name.includes(q.name!));
      } else {
        rows = await deps.db.em().find(DatasetEntity, where as never, { ...order, limit: q.limit + 1 });
      }
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const nextCursor = rows.length > q.limit && last ? encodeDatasetCursor({ value: sortValueOf(last, q.sort), id: last.id }) : null;
      res.json({ datasets: page.map((r) => ({ ...datasetDoc({ ...r, profile: { columns: {} } }), profile: undefined })), nextCursor });
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/datasets/:id',
      tag: 'datasets',
      summary: 'One dataset with schema, profile and warnings',
      params: IdParams,
      responses: { 200: { description: 'The dataset', schema: DatasetSchemaDoc }, 404: err('No such dataset') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const ws = workspaceOf(req);
      const cached = await cache.get(ws, id);
      if (cached) {
        res.json(cached);
        return;
      }
      const row = await findDataset(deps, ws, id);
      if (!row) throw new WeftError('NOT_FOUND', `Dataset "${id}" does not exist`, { datasetId: id });
      const doc = datasetDoc(row);
      await cache.set(ws, id, doc);
      res.json(doc);
    },
  );

  r.add(
    {
      method: 'delete',
      path: '/api/datasets/:id',
      tag: 'datasets',
      summary: 'Delete a dataset (row, then its Arrow object)',
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, 404: err('No such dataset') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const ws = workspaceOf(req);
      const row = await findDataset(deps, ws, id);
      if (!row) throw new WeftError('NOT_FOUND', `Dataset "${id}" does not exist`, { datasetId: id });
      // Row first: a dataset never points at a missing object; an orphan object is harmless.
      await deps.db.em().nativeDelete(DatasetEntity, { id, workspaceId: ws });
      await cache.invalidate(ws, id);
      await deps.store.delete(row.objectKey);
      res.status(204).end();
    },
  );

  r.add(
    {
      method: 'patch',
      path: '/api/datasets/:id/schema',
      tag: 'datasets',
      summary: 'Set column roles (feature/target/ignore); type changes other than text↔identifier are refused (re-upload with typeOverrides)',
      params: IdParams,
      body: PatchSchemaBody,
      responses: { 200: { description: 'The updated dataset', schema: DatasetSchemaDoc }, 400: err('Unknown column or type change refused'), 404: err('No such dataset') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const body = parseBody(PatchSchemaBody, req);
      const ws = workspaceOf(req);
      const em = deps.db.em();
      const row = await em.findOne(DatasetEntity, { id, workspaceId: ws });
      if (!row) throw new WeftError('NOT_FOUND', `Dataset "${id}" does not exist`, { datasetId: id });
      const columns = row.schema.columns.map((c) => ({ ...c }));
      for (const [name, change] of Object.entries(body.columns)) {
        const col = columns.find((c) => c.name === name);
        if (!col) throw new WeftError('VALIDATION_FAILED', `Dataset "${id}" has no column "${name}"`, { column: name });
        if (change.type) {
          checkTypeChange(col, change.type);
          col.type = change.type;
        }
        if (change.role) col.role = change.role;
      }
      const targets = columns.filter((c) => c.role === 'target').map((c) => c.name);
      if (targets.length > 1) {
        throw new WeftError('VALIDATION_FAILED', `Only one column may be the target (got ${targets.join(', ')})`, { columns: targets });
      }
      row.schema = { ...row.schema, columns };
      await em.flush();
      await cache.invalidate(ws, id);
      res.json(datasetDoc(row));
    },
  );
}
