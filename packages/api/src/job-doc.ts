/**
 * The REST shape of a job: the gRPC Job message with its JSON fields parsed and times as
 * ISO strings (null when not reached yet).
 */
import type { Job__Output, JobEvent__Output, JobEventDoc, JobDoc, JobResult, JobState, TaskDoc, WorkflowGraph } from '@weft/proto';
import type { JobEventRow } from '@weft/common';

export type { JobDoc, TaskDoc };

const iso = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null);
const orNull = (s: string): string | null => (s === '' ? null : s);

function parseJson<T>(s: string, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/** Converts a gRPC Job into the REST job document. */
export function jobDoc(job: Job__Output, nowMs: number = Date.now()): JobDoc {
  const result = parseJson<JobResult>(job.resultJson, { nodes: {} });
  return {
    id: job.id,
    state: job.state as JobState,
    workflowId: orNull(job.workflowId),
    workflow: parseJson<WorkflowGraph | null>(job.workflowJson, null),
    errorCode: orNull(job.errorCode),
    errorMessage: orNull(job.errorMessage),
    createdAt: iso(job.createdAtMs),
    startedAt: iso(job.startedAtMs),
    finishedAt: iso(job.finishedAtMs),
    durationMs: job.startedAtMs > 0 ? (job.finishedAtMs > 0 ? job.finishedAtMs : nowMs) - job.startedAtMs : null,
    result: result && typeof result === 'object' && result.nodes ? result : { nodes: {} },
    tasks: (job.tasks ?? []).map((t) => ({
      id: t.id,
      kind: t.kind,
      state: t.state,
      attempt: t.attempt,
      executorId: orNull(t.executorId),
      nodeIds: t.nodeIds ?? [],
      errorCode: orNull(t.errorCode),
      errorMessage: orNull(t.errorMessage),
    })),
  };
}

/** A streamed gRPC JobEvent as the client-facing event document. */
export function eventDocFromGrpc(e: JobEvent__Output): JobEventDoc {
  const payload = parseJson<Record<string, unknown>>(e.payloadJson, { type: e.type });
  return { ...(payload as object), type: e.type, jobId: e.jobId, seq: Number(e.seq), tsMs: Number(e.tsMs) } as JobEventDoc;
}

/** A stored event row as the client-facing event document. */
export function eventDocFromRow(r: JobEventRow): JobEventDoc {
  const payload = (typeof r.payload === 'string' ? parseJson(r.payload, {}) : r.payload) as Record<string, unknown>;
  return { ...payload, type: r.type, jobId: r.jobId, seq: r.seq, tsMs: new Date(r.ts).getTime() } as JobEventDoc;
}
