/**
 * REST documents shared by the api (which produces them), the web app and the CLI (which
 * read them): the job as `GET /api/jobs/:id` returns it.
 */
import type { JobState } from './states.js';
import type { JobResult } from './tasks.js';
import type { WorkflowGraph } from './workflow.js';

/** One task of a job. */
export interface TaskDoc {
  id: string;
  kind: string;
  state: string;
  attempt: number;
  executorId: string | null;
  nodeIds: string[];
  errorCode: string | null;
  errorMessage: string | null;
}

/** The gRPC Job with its JSON fields parsed and times as ISO strings (null when not reached yet). */
export interface JobDoc {
  id: string;
  state: JobState;
  workflowId: string | null;
  workflow: WorkflowGraph | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** finishedAt − startedAt (or now − startedAt while running), ms; null before start. */
  durationMs: number | null;
  result: JobResult;
  tasks: TaskDoc[];
}
