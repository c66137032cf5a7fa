/**
 * A small client of the Weft REST api for the CLI: JSON requests, CSV uploads streamed
 * from disk, and the api's error envelope turned into `ApiError` (code, message, details).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetDoc, JobDoc, JobEventDoc, NodeResult, WorkflowGraph } from '@weft/proto';

/** An error answered by the api (or UNAVAILABLE when it cannot be reached). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A node's outputs in a job result. */
export type NodeResultDoc = NodeResult;

/** The job document the api returns. */
export type { JobDoc };

export interface HealthDoc {
  status: 'ok' | 'degraded' | 'down';
  database: string;
  objectStore: string;
  scheduler: string;
  fanOut: string;
}

export interface UploadOptions {
  name?: string;
  skipBadRows?: boolean;
}

/** The default api URL: `http://127.0.0.1:${WEFT_PORT || 8080}`. */
export function defaultServer(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.WEFT_PORT || 8080}`;
}

/** REST client bound to one api base URL, authenticating with an API key or access token. */
export class ApiClient {
  readonly base: string;
  /** Bearer credential (API key or access token); also sent in the Socket.IO handshake. */
  readonly token: string | undefined;
  constructor(server: string, token?: string) {
    this.base = server.replace(/\/+$/, '');
    this.token = token;
  }

  private authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** Sends a request; parses JSON; throws ApiError on an error status or no connection. */
  async request<T>(method: string, p: string, body?: unknown, timeoutMs = 60_000): Promise<T> {
    const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs), headers: this.authHeaders() };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...this.authHeaders(), 'content-type': 'application/json' };
    }
    let res: Response;
    try {
      res = await fetch(this.base + p, init);
    } catch (err) {
      const c = (err as { cause?: { code?: string; errors?: Array<{ code?: string }> } }).cause;
      const cause = c?.code ?? c?.errors?.[0]?.code ?? (err as Error).message;
      throw new ApiError('UNAVAILABLE', `Cannot reach the Weft api at ${this.base} (${cause}). Is it running? Start it with \`weft up\`.`, 0);
    }
    const text = await res.text();
    let doc: unknown = undefined;
    if (text) {
      try {
        doc = JSON.parse(text);
      } catch {
        doc = text;
      }
    }
    if (!res.ok) {
      const e = (doc as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      if (res.status === 401 && !this.token) {
        throw new ApiError('UNAUTHENTICATED', `${e?.message ?? 'Not signed in'}. Pass --api-key, set WEFT_API_KEY, or start the platform with \`weft up\` (it writes .weft/credentials.json)`, 401, e?.details);
      }
      throw new ApiError(e?.code ?? `HTTP_${res.status}`, e?.message ?? `${method} ${p} answered ${res.status}`, res.status, e?.details);
    }
    return doc as T;
  }

  /** Uploads a CSV file (streamed from disk) as a new dataset. */
  async uploadCsv(file: string, opts: UploadOptions = {}): Promise<DatasetDoc> {
    const form = await csvForm(file);
    if (opts.name) form.append('name', opts.name);
    if (opts.skipBadRows) form.append('skipBadRows', 'true');
    return this.request<DatasetDoc>('POST', '/api/datasets', form, 30 * 60_000);
  }

  /** Batch prediction with a stored model over a CSV file. */
  async predictCsv(modelId: string, file: string): Promise<PredictDoc> {
    return this.request<PredictDoc>('POST', `/api/models/${encodeURIComponent(modelId)}/predict`, await csvForm(file), 30 * 60_000);
  }

  submitJob(workflow: unknown): Promise<JobDoc> {
    return this.request<JobDoc>('POST', '/api/jobs', { workflow });
  }

  getJob(id: string): Promise<JobDoc> {
    return this.request<JobDoc>('GET', `/api/jobs/${encodeURIComponent(id)}`);
  }

  events(id: string, afterSeq = 0): Promise<{ events: JobEventDoc[]; lastSeq: number }> {
    return this.request('GET', `/api/jobs/${encodeURIComponent(id)}/events?afterSeq=${afterSeq}`);
  }

  /** The health document, or undefined when nothing answers. */
  async health(timeoutMs = 2_000): Promise<HealthDoc | undefined> {
    try {
      const res = await fetch(`${this.base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      return (await res.json()) as HealthDoc;
    } catch {
      return undefined;
    }
  }
}

export interface PredictDoc {
  modelId: string;
  jobId: string;
  datasetId: string;
  rowCount: number;
  predictions: unknown[];
  /** Clustering models: the cluster id is the prediction; this is each row's distance to its cluster centre. */
  distances?: number[];
  /** Per column: how many rows had categories training never saw, and (some of) those values. */
  unseenCategories: Record<string, { count: number; values: string[] }>;
  /** Per column: values that did not fit its type (read as missing), with the first CSV lines (older servers: absent). */
  invalidValues?: Record<string, { type: string; count: number; lines: number[]; rows?: number[] }>;
}

async function csvForm(file: string): Promise<FormData> {
  let blob: Blob;
  try {
    blob = await fs.openAsBlob(file, { type: 'text/csv' });
  } catch (err) {
    throw new ApiError('FILE_NOT_READABLE', `Cannot read ${file}: ${(err as Error).message}`, 0);
  }
  const form = new FormData();
  form.append('file', blob, path.basename(file));
  return form;
}
