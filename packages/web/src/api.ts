/** Minimal typed access to the Weft REST api for the page. */
import type { DatasetDoc } from '@weft/proto';

export type DatasetItem = Omit<DatasetDoc, 'profile'>;

export interface JobItem {
  id: string;
  state: string;
  workflow: { name?: string; nodes?: Array<{ id: string; type: string }> } | null;
  durationMs: number | null;
  createdAt: string | null;
  errorCode: string | null;
  result: { nodes: Record<string, { metrics?: Record<string, unknown> }> };
}

/** GETs a JSON document; throws an Error with the api's error code and message. */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`);
  return body as T;
}

export const listDatasets = () => getJson<{ datasets: DatasetItem[] }>('/api/datasets').then((r) => r.datasets);
export const listJobs = () => getJson<{ jobs: JobItem[] }>('/api/jobs?limit=50').then((r) => r.jobs);
export const getJob = (id: string) => getJson<JobItem>(`/api/jobs/${encodeURIComponent(id)}`);

/** Preferred metrics, in order, for the "best metric" column. */
const PREFERRED = ['accuracy', 'roc_auc', 'f1', 'r2', 'rmse', 'mae'];

/** The job's headline metric, e.g. "accuracy 0.9561 (evaluate)". */
export function bestMetric(job: JobItem): string {
  const nodes = Object.entries(job.result?.nodes ?? {});
  for (const name of PREFERRED) {
    for (const [nodeId, r] of nodes) {
      const v = r.metrics?.[name];
      if (typeof v === 'number') return `${name} ${v.toFixed(4)} (${nodeId})`;
    }
  }
  for (const [nodeId, r] of nodes) {
    const first = Object.entries(r.metrics ?? {}).find(([, v]) => typeof v === 'number');
    if (first) return `${first[0]} ${(first[1] as number).toFixed(4)} (${nodeId})`;
  }
  return '';
}
