/**
 * Database entities (MikroORM EntitySchema, no decorators). The same entities serve SQLite
 * and PostgreSQL. Timestamps are `Date`; JSON documents are typed by @weft/proto schemas.
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { AUTH_ENTITIES } from './auth-entities.js';
import type { JobState, TaskState, DatasetSchema, DatasetProfile, DatasetWarning, WorkflowGraph, JobResult, Metrics } from '@weft/proto';

export interface DatasetRow {
  id: string;
  workspaceId: string;
  name: string;
  rowCount: number;
  byteSize: number;
  batchCount: number;
  schema: DatasetSchema;
  profile: DatasetProfile;
  warnings: DatasetWarning[];
  objectKey: string;
  createdAt: Date;
}

export const DatasetEntity = new EntitySchema<DatasetRow>({
  name: 'Dataset',
  tableName: 'datasets',
  // api: list a workspace's datasets newest first.
  indexes: [{ properties: ['workspaceId', 'createdAt'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    workspaceId: { type: 'string', length: 64 },
    name: { type: 'string', length: 256 },
    rowCount: { type: 'integer' },
    byteSize: { type: new BigIntType('number') },
    batchCount: { type: 'integer' },
    schema: { type: 'json' },
    profile: { type: 'json' },
    warnings: { type: 'json' },
    objectKey: { type: 'string', length: 512 },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export interface WorkflowRow {
  id: string;
  workspaceId: string;
  name: string;
  graph: WorkflowGraph;
  createdAt: Date;
  updatedAt: Date;
}

export const WorkflowEntity = new EntitySchema<WorkflowRow>({
  name: 'Workflow',
  tableName: 'workflows',
  // api: list a workspace's workflows, most recently updated first.
  indexes: [{ properties: ['workspaceId', 'updatedAt'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    workspaceId: { type: 'string', length: 64 },
    name: { type: 'string', length: 256 },
    graph: { type: 'json' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export interface JobRow {
  id: string;
  workspaceId: string;
  workflowId: string | null;
  graph: WorkflowGraph;
  state: JobState;
  seed: number;
  idempotencyKey: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  result: JobResult;
  /** Last event sequence number written for this job. */
  lastSeq: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const JobEntity = new EntitySchema<JobRow>({
  name: 'Job',
  tableName: 'jobs',
  // scheduler List: a workspace's jobs newest first, keyset-paged on (createdAt, id); jobs by state.
  indexes: [{ properties: ['workspaceId', 'createdAt', 'id'] }, { properties: ['state'] }],
  uniques: [{ properties: ['workspaceId', 'idempotencyKey'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    workspaceId: { type: 'string', length: 64 },
    workflowId: { type: 'string', length: 64, nullable: true },
    graph: { type: 'json' },
    state: { type: 'string', length: 16 },
    seed: { type: 'integer' },
    idempotencyKey: { type: 'string', length: 128, nullable: true },
    errorCode: { type: 'string', length: 64, nullable: true },
    errorMessage: { type: 'text', nullable: true },
    result: { type: 'json' },
    lastSeq: { type: 'integer', default: 0 },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    startedAt: { type: 'datetime', nullable: true },
    finishedAt: { type: 'datetime', nullable: true },
  },
});

export interface TaskRow {
  id: string;
  jobId: string;
  kind: string;
  state: TaskState;
  /** Attempt number of the current/last lease, starting at 1 once leased. */
  attempt: number;
  maxAttempts: number;
  spec: unknown;
  nodeIds: string[];
  executorId: string | null;
  leaseExpiresAt: Date | null;
  /** Earliest time the task may be leased again (retry backoff). */
  availableAt: Date;
  result: unknown | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const TaskEntity = new EntitySchema<TaskRow>({
  name: 'Task',
  tableName: 'tasks',
  // scheduler: tasks of a job; next pending task (leaseNext, hasAvailable); expired leases
  // (sweeper); tasks an executor holds (heldCount).
  indexes: [
    { properties: ['jobId'] },
    { properties: ['state', 'availableAt'] },
    { properties: ['state', 'leaseExpiresAt'] },
    { properties: ['executorId', 'state'] },
  ],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    jobId: { type: 'string', length: 64 },
    kind: { type: 'string', length: 32 },
    state: { type: 'string', length: 16 },
    attempt: { type: 'integer', default: 0 },
    maxAttempts: { type: 'integer' },
    spec: { type: 'json' },
    nodeIds: { type: 'json' },
    executorId: { type: 'string', length: 128, nullable: true },
    leaseExpiresAt: { type: 'datetime', nullable: true },
    availableAt: { type: 'datetime' },
    result: { type: 'json', nullable: true },
    errorCode: { type: 'string', length: 64, nullable: true },
    errorMessage: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    startedAt: { type: 'datetime', nullable: true },
    finishedAt: { type: 'datetime', nullable: true },
  },
});

export interface JobEventRow {
  id?: number;
  jobId: string;
  seq: number;
  type: string;
  payload: unknown;
  ts: Date;
}

export const JobEventEntity = new EntitySchema<JobEventRow>({
  name: 'JobEvent',
  tableName: 'job_events',
  uniques: [{ properties: ['jobId', 'seq'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    jobId: { type: 'string', length: 64 },
    seq: { type: 'integer' },
    type: { type: 'string', length: 32 },
    payload: { type: 'json' },
    ts: { type: 'datetime' },
  },
});

export interface ModelRow {
  id: string;
  workspaceId: string;
  jobId: string;
  nodeId: string;
  nodeType: string;
  task: 'classification' | 'regression' | 'clustering';
  /** "" for a clustering model trained without a target. */
  target: string;
  datasetId: string;
  artifactKey: string;
  metrics: Metrics;
  createdAt: Date;
}

export const ModelEntity = new EntitySchema<ModelRow>({
  name: 'Model',
  tableName: 'models',
  indexes: [{ properties: ['workspaceId', 'createdAt'] }, { properties: ['jobId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    workspaceId: { type: 'string', length: 64 },
    jobId: { type: 'string', length: 64 },
    nodeId: { type: 'string', length: 64 },
    nodeType: { type: 'string', length: 64 },
    task: { type: 'string', length: 16 },
    target: { type: 'string', length: 256 },
    datasetId: { type: 'string', length: 64 },
    artifactKey: { type: 'string', length: 512 },
    metrics: { type: 'json' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export interface ExecutorRow {
  id: string;
  host: string;
  slots: number;
  registeredAt: Date;
  lastHeartbeatAt: Date;
}

export const ExecutorEntity = new EntitySchema<ExecutorRow>({
  name: 'Executor',
  tableName: 'executors',
  properties: {
    id: { type: 'string', primary: true, length: 128 },
    host: { type: 'string', length: 256 },
    slots: { type: 'integer' },
    registeredAt: { type: 'datetime' },
    lastHeartbeatAt: { type: 'datetime' },
  },
});

export const ALL_ENTITIES = [DatasetEntity, WorkflowEntity, JobEntity, TaskEntity, JobEventEntity, ModelEntity, ExecutorEntity, ...AUTH_ENTITIES];
