/**
 * Batch prediction: the new rows are ingested as a dataset typed like the model's training
 * data, a `dataset → predict` job runs, and the predictions are read back from the object
 * store once the job is final.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { FINAL_JOB_STATES, WeftError, isJobState, type ColumnType, type DatasetSchema, type Job__Output, type TaskResult } from '@weft/proto';
import { TaskEntity, objectKeys, type DatasetRow, type ModelRow } from '@weft/common';
import type { ApiDeps } from './deps.js';
import { tmpDirOf } from './dataset-store.js';

/** Longest a predict request waits for its job, ms. */
export const PREDICT_TIMEOUT_MS = 120_000;
const POLL_MS = 250;

/** Writes JSON rows `{col: value}` to a CSV file (header = keys in first-seen order). */
export async function rowsToCsv(deps: ApiDeps, rows: Array<Record<string, string | number | boolean | null>>): Promise<string> {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), cols.push(k));
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))];
  const dir = tmpDirOf(deps);
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `predict-${randomUUID()}.csv`);
  await fs.promises.writeFile(file, lines.join('\n') + '\n', 'utf8');
  return file;
}

/**
 * Column names of a CSV's header line (RFC 4180 quoting; the delimiter is the most frequent
 * of `, ; \t |` outside quotes). Reads at most the first 1 MiB.
 */
export async function readCsvHeader(csvPath: string, delimiter?: string): Promise<string[]> {
  const fh = await fs.promises.open(csvPath, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    let inQ = false;
    let end = text.length;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') inQ = !inQ;
      else if (!inQ && (ch === '\n' || ch === '\r')) {
        end = i;
        break;
      }
    }
    text = text.slice(0, end);
    const delim =
      delimiter ??
      [',', ';', '\t', '|'].map((d) => [d, text.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
    const out: string[] = [];
    let cur = '';
    inQ = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (inQ) {
        if (ch === '"' && text[i + 1] === '"') (cur += '"', i++);
        else if (ch === '"') inQ = false;
        else cur += ch;
      } else if (ch === '"') inQ = true;
      else if (ch === delim) (out.push(cur.trim()), (cur = ''));
      else cur += ch;
    }
    out.push(cur.trim());
    return out;
  } finally {
    await fh.close();
  }
}

/** Types to force on the prediction CSV: the training schema's, for the columns present, target excluded. */
export function overridesFromTraining(training: DatasetSchema, target: string, header: string[]): Record<string, ColumnType> {
  const present = new Set(header);
  const out: Record<string, ColumnType> = {};
  for (const c of training.columns) if (c.name !== target && present.has(c.name)) out[c.name] = c.type;
  return out;
}

/**
 * Categorical values in the new data the training data never had, per column, from the two
 * schemas (used when the predict task's own row counts are not available: `count` is then
 * the number of distinct unseen values, a lower bound on the rows).
 */
export function unseenCategories(training: DatasetSchema, fresh: DatasetSchema): Record<string, { count: number; values: string[] }> {
  const out: Record<string, { count: number; values: string[] }> = {};
  for (const t of training.columns) {
    if (t.type !== 'categorical' || !t.categories) continue;
    const f = fresh.columns.find((c) => c.name === t.name);
    if (!f?.categories) continue;
    const known = new Set(t.categories);
    const unseen = f.categories.filter((v) => !known.has(v));
    if (unseen.length > 0) out[t.name] = { count: unseen.length, values: unseen };
  }
  return out;
}

/** Invalid values of one column of the rows to predict (they were read as missing). */
export interface InvalidValuesReport {
  /** The column's type (from the training data). */
  type: ColumnType;
  /** Values that could not be read as `type`. */
  count: number;
  /** 1-based CSV lines of the first of them (line 1 is the header). */
  lines: number[];
  /** JSON input: 0-based indices into `rows` of the first of them. */
  rows?: number[];
}

/**
 * Values of the rows to predict that did not fit their column's type (e.g. "four" in a numeric
 * column, "garbage" in a datetime one): ingest stores them as missing, counts them and warns
 * (INVALID_VALUES with the first lines). Only columns the model reads (training columns but
 * the target) are reported; `lineToRow` maps a CSV line to a JSON row index when the rows came
 * as JSON.
 */
export function invalidValues(
  fresh: { schema: DatasetSchema; warnings: ReadonlyArray<{ code: string; column?: string; rows?: number[] }> },
  training?: { schema: DatasetSchema; target: string },
  lineToRow?: (line: number) => number | undefined,
): Record<string, InvalidValuesReport> {
  const reads = training ? new Set(training.schema.columns.filter((c) => c.name !== training.target).map((c) => c.name)) : undefined;
  const out: Record<string, InvalidValuesReport> = {};
  for (const c of fresh.schema.columns) {
    if (!c.invalidCount || (reads && !reads.has(c.name))) continue;
    const lines = fresh.warnings.find((w) => w.code === 'INVALID_VALUES' && w.column === c.name)?.rows ?? [];
    const report: InvalidValuesReport = { type: c.type, count: c.invalidCount, lines: [...lines] };
    if (lineToRow) report.rows = lines.map(lineToRow).filter((r): r is number => r !== undefined);
    out[c.name] = report;
  }
  return out;
}

/**
 * The CSV line each JSON row starts on, as {@link rowsToCsv} writes them (header on line 1):
 * a map from line to the row's 0-based index.
 */
export function jsonRowLines(rows: Array<Record<string, unknown>>): (line: number) => number | undefined {
  const starts = new Map<number, number>();
  let line = 2;
  rows.forEach((r, i) => {
    starts.set(line, i);
    for (const v of Object.values(r)) if (typeof v === 'string') line += (v.match(/\r\n|\r|\n/g) ?? []).length;
    line++;
  });
  return (l) => starts.get(l);
}

/** Training columns (features) the new data lacks. */
export function missingColumns(training: DatasetSchema, target: string, fresh: DatasetSchema): string[] {
  const have = new Set(fresh.columns.map((c) => c.name));
  return training.columns.filter((c) => c.name !== target && c.role !== 'ignore' && !have.has(c.name)).map((c) => c.name);
}

/**
 * Polls the scheduler until the job is final or `timeoutMs` passes.
 * @throws WeftError UNAVAILABLE on timeout
 */
export async function waitForJob(deps: ApiDeps, jobId: string, workspaceId: string, timeoutMs = PREDICT_TIMEOUT_MS, signal?: AbortSignal): Promise<Job__Output> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await deps.scheduler.get(jobId, workspaceId);
    if (isJobState(job.state) && FINAL_JOB_STATES.has(job.state)) return job;
    if (Date.now() > until) throw new WeftError('UNAVAILABLE', `Job "${jobId}" did not finish within ${timeoutMs} ms (state ${job.state})`, { jobId, state: job.state });
    if (signal?.aborted) throw new WeftError('UNAVAILABLE', 'The client went away', { jobId });
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Where the predictions of a finished predict job are: node result, task result, or the default key. */
export async function predictionsKey(deps: ApiDeps, job: Job__Output, workspaceId: string): Promise<string> {
  try {
    const result = JSON.parse(job.resultJson || '{}') as { nodes?: Record<string, { predictions?: { outputKey?: string } }> };
    const k = result.nodes?.predict?.predictions?.outputKey;
    if (k) return k;
  } catch {
    // fall through
  }
  const tasks = await deps.db.em().find(TaskEntity, { jobId: job.id, kind: 'predict' });
  for (const t of tasks) {
    const k = (t.result as TaskResult | null)?.predictions?.outputKey;
    if (k) return k;
  }
  return objectKeys.predictions(workspaceId, job.id);
}

/** Reads the predictions document; accepts a bare array or `{ predictions: [...] }`. */
export async function readPredictions(deps: ApiDeps, key: string): Promise<{ predictions: unknown[]; extra: Record<string, unknown> }> {
  const doc = JSON.parse((await deps.store.get(key)).toString('utf8')) as unknown;
  if (Array.isArray(doc)) return { predictions: doc, extra: {} };
  const o = doc as { predictions?: unknown } & Record<string, unknown>;
  if (Array.isArray(o?.predictions)) {
    const { predictions, ...extra } = o;
    return { predictions: predictions as unknown[], extra };
  }
  throw new WeftError('INTERNAL', `Predictions at "${key}" are not in a known form`);
}

/** The graph of a prediction job. */
export function predictGraph(datasetId: string, modelId: string) {
  return {
    name: `predict ${modelId}`,
    nodes: [
      { id: 'data', type: 'dataset', params: { datasetId } },
      { id: 'predict', type: 'predict', params: { modelId } },
    ],
    edges: [{ source: 'data', target: 'predict' }],
  };
}

export type { DatasetRow, ModelRow };
