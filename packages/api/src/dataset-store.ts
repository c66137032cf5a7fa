/**
 * Turning an uploaded CSV into a stored dataset: ingest (schema, profile, Arrow IPC file),
 * put the Arrow file in the object store, then insert the row. The row is written only
 * after the object is complete; on any failure the temp files and the object are removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetEntity, newId, objectKeys, type DatasetRow } from '@weft/common';
import type { ColumnType, DatasetDoc } from '@weft/proto';
import { ingestCsvFileInWorker } from './ingest/index.js';
import type { ApiDeps } from './deps.js';

/** Options the client may set on an upload (besides the configured limits). */
export interface DatasetIngestOptions {
  name: string;
  skipBadRows?: boolean;
  delimiter?: string;
  nullTokens?: string[];
  /** Per column (final name): its own null tokens instead of `nullTokens`. */
  columnNullTokens?: Record<string, string[]>;
  typeOverrides?: Record<string, ColumnType>;
  signal?: AbortSignal;
}

/** Directory for upload temp files. */
export function tmpDirOf(deps: ApiDeps): string {
  return path.join(deps.cfg.dataDir, 'tmp');
}

/**
 * Ingests `csvPath` into a new dataset of `workspaceId`. Removes `csvPath` whatever happens.
 * @throws WeftError from ingest (CSV_*), or store/database errors
 */
export async function createDatasetFromCsv(deps: ApiDeps, workspaceId: string, csvPath: string, opts: DatasetIngestOptions): Promise<DatasetRow> {
  const id = newId('ds');
  const arrowPath = `${csvPath}.arrow`;
  const key = objectKeys.dataset(workspaceId, id);
  let stored = false;
  try {
    const result = await ingestCsvFileInWorker(csvPath, arrowPath, {
      batchRows: deps.cfg.batchRows,
      maxColumns: deps.cfg.maxColumns,
      maxFieldBytes: deps.cfg.maxFieldBytes,
      ...(opts.skipBadRows !== undefined ? { skipBadRows: opts.skipBadRows } : {}),
      ...(opts.delimiter !== undefined ? { delimiter: opts.delimiter } : {}),
      ...(opts.nullTokens !== undefined ? { nullTokens: opts.nullTokens } : {}),
      ...(opts.columnNullTokens !== undefined ? { columnNullTokens: opts.columnNullTokens } : {}),
      ...(opts.typeOverrides !== undefined ? { typeOverrides: opts.typeOverrides } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    opts.signal?.throwIfAborted();
    const info = await deps.store.putFile(key, arrowPath, 'application/vnd.apache.arrow.file');
    stored = true;
    const em = deps.db.em();
    const row = em.create(DatasetEntity, {
      id,
      workspaceId,
      name: opts.name,
      rowCount: result.rowCount,
      byteSize: info.size,
      batchCount: result.batchCount,
      schema: result.schema,
      profile: result.profile,
      warnings: result.warnings,
      objectKey: key,
      createdAt: new Date(),
    });
    await em.flush();
    return row;
  } catch (err) {
    if (stored) await deps.store.delete(key).catch(() => undefined);
    throw err;
  } finally {
    await Promise.all([fs.promises.rm(csvPath, { force: true }), fs.promises.rm(arrowPath, { force: true })]);
  }
}

/** Finds a dataset of the workspace, or undefined. */
export async function findDataset(deps: ApiDeps, workspaceId: string, id: string): Promise<DatasetRow | undefined> {
  return (await deps.db.em().findOne(DatasetEntity, { id, workspaceId })) ?? undefined;
}

/** The REST document of a dataset row. */
export function datasetDoc(row: DatasetRow): DatasetDoc {
  return {
    id: row.id,
    name: row.name,
    rowCount: row.rowCount,
    byteSize: Number(row.byteSize),
    batchCount: row.batchCount,
    schema: row.schema,
    profile: row.profile,
    warnings: row.warnings ?? [],
    objectKey: row.objectKey,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** A default dataset name from an uploaded file name: "iris.csv" → "iris". */
export function nameFromFile(fileName: string | undefined, fallback = 'dataset'): string {
  const base = fileName ? path.basename(fileName).replace(/\.(csv|tsv|txt)$/i, '').trim() : '';
  return (base || fallback).slice(0, 256);
}
