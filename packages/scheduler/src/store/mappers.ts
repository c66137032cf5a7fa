/** Conversions between database rows, core snapshots and gRPC messages. */
import type { JobRow, TaskRow } from '@weft/common';
import type { Job, TaskSpec, TaskSummary, TaskResult } from '@weft/proto';
import type { JobSnapshot, TaskSnapshot } from '../core/index.js';

const ms = (d: Date | null | undefined): number | null => (d ? new Date(d).getTime() : null);
const date = (m: number | null): Date | null => (m === null ? null : new Date(m));

/** Job row → core snapshot. */
export function jobSnapshot(row: JobRow): JobSnapshot {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    state: row.state,
    nodeIds: row.graph.nodes.map((n) => n.id),
    result: row.result ?? { nodes: {} },
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    startedAtMs: ms(row.startedAt),
    finishedAtMs: ms(row.finishedAt),
  };
}

/** Task row → core snapshot. */
export function taskSnapshot(row: TaskRow): TaskSnapshot {
  const spec = row.spec as TaskSpec;
  const pipeline = spec && 'pipeline' in spec ? spec.pipeline : null;
  return {
    id: row.id,
    jobId: row.jobId,
    kind: row.kind,
    state: row.state,
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    nodeIds: row.nodeIds,
    executorId: row.executorId,
    leaseExpiresAtMs: ms(row.leaseExpiresAt),
    availableAtMs: ms(row.availableAt) ?? 0,
    datasetId: (spec && 'dataset' in spec ? spec.dataset.id : pipeline?.dataset.id) ?? null,
    modelNodeId: spec?.kind === 'train_pipeline' ? spec.modelNodeId : (pipeline?.modelNodeId ?? null),
    spec: row.spec,
    result: (row.result as TaskResult | null) ?? null,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    startedAtMs: ms(row.startedAt),
    finishedAtMs: ms(row.finishedAt),
  };
}

/** Copies a job snapshot onto its (managed) row. */
export function applyJobSnapshot(row: JobRow, s: JobSnapshot): void {
  row.state = s.state;
  row.result = s.result;
  row.errorCode = s.errorCode;
  row.errorMessage = s.errorMessage;
  row.startedAt = date(s.startedAtMs);
  row.finishedAt = date(s.finishedAtMs);
}

/** Copies a task snapshot onto its (managed) row. */
export function applyTaskSnapshot(row: TaskRow, s: TaskSnapshot): void {
  row.state = s.state;
  row.attempt = s.attempt;
  row.executorId = s.executorId;
  row.leaseExpiresAt = date(s.leaseExpiresAtMs);
  row.availableAt = new Date(s.availableAtMs);
  row.result = s.result;
  row.errorCode = s.errorCode;
  row.errorMessage = s.errorMessage;
  row.startedAt = date(s.startedAtMs);
  row.finishedAt = date(s.finishedAtMs);
}

/** Task row → gRPC TaskSummary. */
export function taskSummary(t: TaskRow): TaskSummary {
  return {
    id: t.id,
    kind: t.kind,
    state: t.state,
    attempt: t.attempt,
    executorId: t.executorId ?? '',
    nodeIds: t.nodeIds,
    errorCode: t.errorCode ?? '',
    errorMessage: t.errorMessage ?? '',
  };
}

/** Job row (+ its tasks) → gRPC Job. */
export function jobMessage(j: JobRow, tasks: TaskRow[]): Job {
  return {
    id: j.id,
    state: j.state,
    workflowId: j.workflowId ?? '',
    workflowJson: JSON.stringify(j.graph),
    errorCode: j.errorCode ?? '',
    errorMessage: j.errorMessage ?? '',
    createdAtMs: ms(j.createdAt) ?? 0,
    startedAtMs: ms(j.startedAt) ?? 0,
    finishedAtMs: ms(j.finishedAt) ?? 0,
    resultJson: JSON.stringify(j.result ?? { nodes: {} }),
    tasks: [...tasks].sort((a, b) => a.id.localeCompare(b.id)).map(taskSummary),
    workspaceId: j.workspaceId,
  };
}
