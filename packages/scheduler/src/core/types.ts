/**
 * Types of the pure scheduler core: snapshots of a job and its tasks (what the database
 * holds), the events the core accepts, and the decision it returns. No I/O here.
 */
import type { JobEventPayload, JobResult, JobState, Metrics, TaskProgress, TaskResult, TaskState } from '@weft/proto';

/** A job as the core sees it. Times are epoch milliseconds. */
export interface JobSnapshot {
  id: string;
  workspaceId: string;
  state: JobState;
  /** Every node id of the workflow graph (to close dangling nodes on completion). */
  nodeIds: string[];
  result: JobResult;
  errorCode: string | null;
  errorMessage: string | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
}

/** A task as the core sees it. Times are epoch milliseconds. */
export interface TaskSnapshot {
  id: string;
  jobId: string;
  kind: string;
  state: TaskState;
  attempt: number;
  maxAttempts: number;
  nodeIds: string[];
  executorId: string | null;
  leaseExpiresAtMs: number | null;
  availableAtMs: number;
  /** Dataset the task reads (for Model rows). */
  datasetId: string | null;
  /** Model node a train task fits (for Model rows); null for predict tasks. */
  modelNodeId: string | null;
  /** The task's spec (TaskSpec JSON); the distributed stage machine reads it. */
  spec?: unknown;
  result: TaskResult | null;
  errorCode: string | null;
  errorMessage: string | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
}

/** A job with all of its tasks: the unit the core decides on. */
export interface JobWithTasks {
  job: JobSnapshot;
  tasks: TaskSnapshot[];
}

/** Settings the core needs (from config). */
export interface CorePolicy {
  /** Lease length granted and renewed, milliseconds. */
  leaseTtlMs: number;
  /** Base of the exponential retry backoff, milliseconds: `retryBackoffMs · 2^(attempt-1)`. */
  retryBackoffMs: number;
  /** Most points a merged quantile sketch keeps (distributed preprocessing). Default 2048. */
  sketchSize?: number;
}

/** The events the core accepts. `nowMs` is always passed in (the core reads no clock). */
export type CoreEvent =
  | { type: 'lease_granted'; taskId: string; executorId: string; nowMs: number }
  | { type: 'heartbeat'; taskId: string; attempt: number; executorId: string; nowMs: number }
  | { type: 'progress'; taskId: string; attempt: number; executorId: string; progress: TaskProgress; nowMs: number }
  | { type: 'report_ok'; taskId: string; attempt: number; executorId: string; result: TaskResult; nowMs: number }
  | {
      type: 'report_failed';
      taskId: string;
      attempt: number;
      executorId: string;
      errorCode: string;
      errorMessage: string;
      retryable: boolean;
      /** The workflow node at fault, when the failure is node-specific. */
      errorNodeId?: string;
      nowMs: number;
    }
  /**
   * `renewal`: the holder's last heartbeat for this task as it arrived; a renewal that
   * arrived less than a lease ago keeps the lease alive even if it is not applied yet.
   */
  | { type: 'lease_expired'; taskId: string; nowMs: number; renewal?: { executorId: string; attempt: number; atMs: number } }
  | { type: 'executor_lost'; executorId: string; nowMs: number }
  | { type: 'cancel'; nowMs: number };

/** A Model row to insert (when a train task reports a model). */
export interface ModelInsert {
  id: string;
  workspaceId: string;
  jobId: string;
  nodeId: string;
  nodeType: string;
  task: 'classification' | 'regression' | 'clustering';
  target: string;
  datasetId: string;
  artifactKey: string;
  metrics: Metrics;
}

/** What the heartbeat answer should say about one task. */
export type LeaseVerdict = 'renewed' | 'lost' | 'cancel';

/**
 * The core's answer: the new state (only changed tasks are listed), events to store and
 * emit in order, models to insert. `accepted: false` means nothing is written.
 */
export interface Decision {
  accepted: boolean;
  /** Why a request was refused, starting with a stable code (e.g. `STALE_ATTEMPT: …`). */
  reason?: string;
  job: JobSnapshot;
  changedTasks: TaskSnapshot[];
  events: JobEventPayload[];
  models: ModelInsert[];
  /** Tasks to insert (the next stage of a distributed group), `pending`, available now. */
  newTasks: TaskSnapshot[];
  /** For heartbeat events: what to tell the executor about the task. */
  lease?: LeaseVerdict;
  /** True when tasks became available (the dispatcher should look for work). */
  wake: boolean;
}
