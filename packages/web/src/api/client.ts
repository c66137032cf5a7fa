/**
 * Typed access to the Weft REST api. Every request carries the bearer token when there is
 * one; a 401 UNAUTHENTICATED is answered by one refresh attempt, then by asking the user to
 * sign in. Without auth on the server (no token, no 401) everything just works.
 */
import { authStore, type AuthUser, type Workspace } from './auth-store';
import type {
  CatalogueNode,
  DatasetDoc,
  DatasetItem,
  ErrorBody,
  JobDoc,
  JobEventDoc,
  ModelDoc,
  ValidateResponse,
  WorkflowDoc,
  WorkflowGraph,
  ColumnRole,
  ColumnType,
} from './types';

/** An api error: the envelope's stable code, message and details, plus the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function toApiError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as ErrorBody | null;
  if (body?.error) return new ApiError(res.status, body.error.code, body.error.message, body.error.details);
  return new ApiError(res.status, `HTTP_${res.status}`, `${res.status} ${res.statusText}`);
}

/** Header naming the workspace a request acts in. */
export const WORKSPACE_HEADER = 'x-weft-workspace';

function authHeader(): Record<string, string> {
  const { accessToken, workspaceId } = authStore.get();
  return { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...(accessToken && workspaceId ? { [WORKSPACE_HEADER]: workspaceId } : {}) };
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh token for new tokens; false when there is none or it was refused. */
export function refreshTokens(): Promise<boolean> {
  const rt = authStore.get().refreshToken;
  if (!rt) return Promise.resolve(false);
  refreshing ??= fetch('/api/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ refreshToken: rt }),
  })
    .then(async (res) => {
      if (!res.ok) return false;
      const b = (await res.json()) as { accessToken: string; refreshToken?: string; user?: AuthUser };
      authStore.set({ accessToken: b.accessToken, refreshToken: b.refreshToken ?? rt, ...(b.user ? { user: b.user } : {}) });
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** Sends a request; JSON in and out. Throws ApiError on any non-2xx answer. */
export async function request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeader() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 401) {
    const err = await toApiError(res);
    if (err.code === 'UNAUTHENTICATED' && !path.startsWith('/api/auth/')) {
      if (!retried && (await refreshTokens())) return request<T>(method, path, body, true);
      authStore.clear(true);
    }
    throw err;
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface UploadHandle {
  promise: Promise<DatasetDoc>;
  abort: () => void;
}

/**
 * Uploads a CSV as multipart field `file` with XMLHttpRequest, so upload progress can be
 * shown. `onProgress` gets (bytes sent, total bytes); the promise resolves with the dataset
 * once the server has ingested it.
 */
export function uploadDataset(file: File, onProgress: (sent: number, total: number) => void, name?: string): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<DatasetDoc>((resolve, reject) => {
    const form = new FormData();
    if (name) form.append('name', name);
    form.append('file', file, file.name);
    xhr.open('POST', '/api/datasets');
    xhr.setRequestHeader('accept', 'application/json');
    for (const [k, v] of Object.entries(authHeader())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload failed: the server could not be reached'));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', 'Upload cancelled'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as DatasetDoc);
      const e = (body as ErrorBody | null)?.error;
      if (xhr.status === 401 && e?.code === 'UNAUTHENTICATED') authStore.clear(true);
      reject(new ApiError(xhr.status, e?.code ?? `HTTP_${xhr.status}`, e?.message ?? `Upload failed (${xhr.status})`, e?.details));
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

export interface LoginResult {
  accessToken: string;
  refreshToken: string;
  user: AuthUser;
  workspaces: Workspace[];
}

export const api = {
  login: (email: string, password: string) => request<LoginResult>('POST', '/api/auth/login', { email, password }),
  signup: (email: string, password: string, name?: string) => request<LoginResult>('POST', '/api/auth/signup', { email, password, ...(name ? { name } : {}) }),
  logout: (refreshToken: string) => request<void>('POST', '/api/auth/logout', { refreshToken }),
  me: () => request<{ user?: AuthUser; workspaces?: Workspace[] } & AuthUser>('GET', '/api/auth/me'),

  catalogue: () => request<CatalogueNode[]>('GET', '/api/catalogue'),

  /** Every dataset of the workspace, newest first (pages of 500 followed, at most 20 pages). */
  datasets: async () => {
    const out: DatasetItem[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const r: { datasets: DatasetItem[]; nextCursor?: string | null } = await request('GET', `/api/datasets?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      out.push(...r.datasets);
      cursor = r.nextCursor ?? null;
      if (!cursor) break;
    }
    return out;
  },
  dataset: (id: string) => request<DatasetDoc>('GET', `/api/datasets/${encodeURIComponent(id)}`),
  deleteDataset: (id: string) => request<void>('DELETE', `/api/datasets/${encodeURIComponent(id)}`),
  patchSchema: (id: string, columns: Record<string, { role?: ColumnRole; type?: ColumnType }>) =>
    request<DatasetDoc>('PATCH', `/api/datasets/${encodeURIComponent(id)}/schema`, { columns }),

  workflows: () => request<{ workflows: WorkflowDoc[] }>('GET', '/api/workflows').then((r) => r.workflows),
  workflow: (id: string) => request<WorkflowDoc>('GET', `/api/workflows/${encodeURIComponent(id)}`),
  createWorkflow: (name: string, graph: WorkflowGraph) => request<WorkflowDoc>('POST', '/api/workflows', { name, graph }),
  updateWorkflow: (id: string, name: string, graph: WorkflowGraph) => request<WorkflowDoc>('PUT', `/api/workflows/${encodeURIComponent(id)}`, { name, graph }),
  deleteWorkflow: (id: string) => request<void>('DELETE', `/api/workflows/${encodeURIComponent(id)}`),
  validate: (graph: WorkflowGraph, requireModel = false) => request<ValidateResponse>('POST', '/api/workflows/validate', { graph, requireModel }),

  submitJob: (workflow: WorkflowGraph, workflowId?: string) =>
    request<JobDoc>('POST', '/api/jobs', workflowId ? { workflow, workflowId } : { workflow }),
  jobs: (limit = 50) => request<{ jobs: JobDoc[]; nextCursor: string | null }>('GET', `/api/jobs?limit=${limit}`).then((r) => r.jobs),
  job: (id: string) => request<JobDoc>('GET', `/api/jobs/${encodeURIComponent(id)}`),
  cancelJob: (id: string) => request<JobDoc>('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`),
  jobEvents: (id: string, afterSeq = 0) =>
    request<{ events: JobEventDoc[]; lastSeq: number }>('GET', `/api/jobs/${encodeURIComponent(id)}/events?afterSeq=${afterSeq}`),

  models: () => request<{ models: ModelDoc[] }>('GET', '/api/models').then((r) => r.models),
};
