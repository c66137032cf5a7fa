/**
 * Job events: what the scheduler's Watch stream carries (JobEvent.payload_json) and what
 * the api relays to Socket.IO rooms (one room per job).
 */
import { z } from 'zod';
import { JOB_STATES, TASK_STATES } from './states.js';
import { NodeResultSchema, TaskProgressSchema } from './tasks.js';

export const NODE_RUN_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type NodeRunState = (typeof NODE_RUN_STATES)[number];

export const JobEventPayloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job_state'), state: z.enum(JOB_STATES), errorCode: z.string().optional(), errorMessage: z.string().optional() }),
  z.object({
    type: z.literal('task_state'),
    taskId: z.string(),
    state: z.enum(TASK_STATES),
    attempt: z.number().int(),
    executorId: z.string().optional(),
    nodeIds: z.array(z.string()),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
  }),
  z.object({ type: z.literal('node_state'), nodeId: z.string(), state: z.enum(NODE_RUN_STATES), errorCode: z.string().optional(), errorMessage: z.string().optional() }),
  TaskProgressSchema.extend({ type: z.literal('progress'), taskId: z.string() }),
  z.object({ type: z.literal('node_result'), nodeId: z.string(), result: NodeResultSchema }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
]);
export type JobEventPayload = z.infer<typeof JobEventPayloadSchema>;

/** A job event as delivered to clients (REST, Socket.IO, CLI). */
export type JobEventDoc = JobEventPayload & { jobId: string; seq: number; tsMs: number };

/** Socket.IO events the server sends. */
export interface ServerToClientEvents {
  'job:event': (e: JobEventDoc) => void;
}

/** Socket.IO events a client sends; acks carry `{ ok }` or an error envelope. */
export interface ClientToServerEvents {
  'job:watch': (req: { jobId: string; afterSeq?: number }, ack: (res: { ok: true } | { ok: false; error: { code: string; message: string } }) => void) => void;
  'job:unwatch': (req: { jobId: string }) => void;
}

/** Name of the Socket.IO room for a job. */
export function jobRoom(jobId: string): string {
  return `job:${jobId}`;
}
