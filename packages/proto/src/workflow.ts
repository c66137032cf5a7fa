/**
 * The workflow graph: JSON `{ nodes: [{id, type, params}], edges: [{source, sourceHandle,
 * target, targetHandle}] }` as drawn on the canvas or sent over REST/gRPC.
 */
import { z } from 'zod';

/** Upper bounds on graph size, so an untrusted graph cannot exhaust memory. */
export const WORKFLOW_LIMITS = { maxNodes: 200, maxEdges: 1000, maxIdLength: 64 } as const;

export const NodeIdSchema = z
  .string()
  .min(1)
  .max(WORKFLOW_LIMITS.maxIdLength)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'node ids use letters, digits and _ . : - only');

export const WorkflowNodeSchema = z.object({
  id: NodeIdSchema,
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).default({}),
  /** View-only fields kept for the canvas; ignored by the planner. */
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  label: z.string().max(200).optional(),
});
export type WorkflowNode = z.infer<typeof WorkflowNodeSchema>;

export const WorkflowEdgeSchema = z.object({
  id: z.string().max(200).optional(),
  source: NodeIdSchema,
  /** Output port name on the source node; defaults to its only output. */
  sourceHandle: z.string().max(64).nullish(),
  target: NodeIdSchema,
  /** Input port name on the target node; defaults to its only input. */
  targetHandle: z.string().max(64).nullish(),
});
export type WorkflowEdge = z.infer<typeof WorkflowEdgeSchema>;

export const WorkflowGraphSchema = z.object({
  name: z.string().max(200).optional(),
  description: z.string().max(5000).optional(),
  /** Seed for every random choice in the job (split, initialisation); default 42. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  nodes: z.array(WorkflowNodeSchema).max(WORKFLOW_LIMITS.maxNodes),
  edges: z.array(WorkflowEdgeSchema).max(WORKFLOW_LIMITS.maxEdges),
});
export type WorkflowGraph = z.infer<typeof WorkflowGraphSchema>;
