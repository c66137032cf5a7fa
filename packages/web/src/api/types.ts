/**
 * REST shapes the web app reads. Contracts shared with the server come from @weft/proto as
 * types only (the proto runtime pulls in gRPC and must not reach the browser bundle).
 */
import type {
  ColumnRole,
  ColumnType,
  DatasetDoc,
  JobDoc,
  JobEventDoc,
  JobResult,
  JobState,
  NodeResult,
  PortDef,
  WorkflowGraph,
  WorkflowIssue,
  WorkflowNode,
  WorkflowEdge,
  TaskDoc,
} from '@weft/proto';

export type { ColumnRole, ColumnType, DatasetDoc, JobDoc, TaskDoc, JobEventDoc, JobResult, JobState, NodeResult, PortDef, WorkflowGraph, WorkflowIssue, WorkflowNode, WorkflowEdge };

/** A dataset as listed (the list omits profiles). */
export type DatasetItem = Omit<DatasetDoc, 'profile'> & { profile?: DatasetDoc['profile'] };

/** A JSON Schema fragment as produced by zod's toJSONSchema (the subset the forms read). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: Array<string | number>;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
}

/** One node type of `GET /api/catalogue`. */
export interface CatalogueNode {
  type: string;
  label: string;
  category: 'data' | 'transform' | 'model' | 'evaluate' | string;
  description: string;
  inputs: PortDef[];
  outputs: PortDef[];
  params: JsonSchema;
  task?: 'classification' | 'regression' | 'clustering';
  acceptsMissing?: boolean;
}

export interface WorkflowDoc {
  id: string;
  name: string;
  graph: WorkflowGraph;
  createdAt: string;
  updatedAt: string;
}

export interface ModelDoc {
  id: string;
  jobId: string;
  nodeId: string;
  nodeType: string;
  task: string;
  target: string;
  datasetId: string;
  metrics: Record<string, unknown>;
  createdAt: string;
}

export interface ValidateResponse {
  valid: boolean;
  issues: WorkflowIssue[];
}

/** The error envelope every api error uses. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const FINAL_JOB_STATES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);
