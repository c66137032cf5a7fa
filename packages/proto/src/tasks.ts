/**
 * Task contracts between the scheduler and executors (the `*_json` fields of weft.proto),
 * and the per-node results a job accumulates.
 */
import { z } from 'zod';
import { DatasetSchemaSchema } from './dataset.js';
import { WorkflowNodeSchema } from './workflow.js';

export const TASK_KINDS = ['train_pipeline', 'predict'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** One node of a pipeline task, params already validated and defaulted. */
export const PipelineStepSchema = WorkflowNodeSchema.pick({ id: true, type: true, params: true });
export type PipelineStep = z.infer<typeof PipelineStepSchema>;

/**
 * A pipeline task: load the dataset, run `steps` in order (dataset → split → transforms →
 * model), then every evaluator in `evaluators` against the model's test part.
 */
export const TrainPipelineSpecSchema = z.object({
  kind: z.literal('train_pipeline'),
  jobId: z.string(),
  workspaceId: z.string().default('default'),
  seed: z.number().int(),
  dataset: z.object({ id: z.string(), objectKey: z.string(), rowCount: z.number().int(), schema: DatasetSchemaSchema }),
  steps: z.array(PipelineStepSchema),
  modelNodeId: z.string(),
  evaluators: z.array(PipelineStepSchema),
  /** Where the model artifact goes in the object store (chosen by the scheduler). */
  modelId: z.string(),
  artifactKey: z.string(),
});
export type TrainPipelineSpec = z.infer<typeof TrainPipelineSpecSchema>;

/** Batch prediction with a stored model over a stored dataset (or inline rows). */
export const PredictSpecSchema = z.object({
  kind: z.literal('predict'),
  jobId: z.string(),
  /** The workflow's predict node. */
  nodeId: z.string(),
  workspaceId: z.string().default('default'),
  modelId: z.string(),
  artifactKey: z.string(),
  dataset: z.object({ id: z.string(), objectKey: z.string(), rowCount: z.number().int(), schema: DatasetSchemaSchema }),
  /** Where to write predictions (JSON) in the object store. */
  outputKey: z.string(),
});
export type PredictSpec = z.infer<typeof PredictSpecSchema>;

export const TaskSpecSchema = z.discriminatedUnion('kind', [TrainPipelineSpecSchema, PredictSpecSchema]);
export type TaskSpec = z.infer<typeof TaskSpecSchema>;

/** Metric values: numbers, null where undefined (with a reason in `notes`), or a matrix. */
export const MetricValueSchema = z.union([z.number(), z.null(), z.array(z.array(z.number()))]);
export const MetricsSchema = z.record(z.string(), MetricValueSchema);
export type Metrics = z.infer<typeof MetricsSchema>;

/** What one node produced. */
export const NodeResultSchema = z.object({
  metrics: MetricsSchema.optional(),
  /** Why a metric is null or flagged, keyed by metric name. */
  notes: z.record(z.string(), z.string()).optional(),
  modelId: z.string().optional(),
  artifactKey: z.string().optional(),
  /** Class names in label order (classification). */
  classes: z.array(z.string()).optional(),
  /** Training loss per epoch/iteration. */
  lossCurve: z.array(z.number()).optional(),
  /** ROC curve points (binary): false/true positive rates. */
  roc: z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) }).optional(),
  warnings: z.array(z.string()).optional(),
  rowsTrain: z.number().int().optional(),
  rowsTest: z.number().int().optional(),
  durationMs: z.number().optional(),
  /** Predict nodes: where the predictions (JSON) were written and how many rows. */
  predictions: z.object({ outputKey: z.string(), rowCount: z.number().int() }).optional(),
});
export type NodeResult = z.infer<typeof NodeResultSchema>;

/** The result of a task attempt: one NodeResult per node it ran. */
export const TaskResultSchema = z.object({
  nodes: z.record(z.string(), NodeResultSchema),
  /** Model stored by a train task. */
  model: z
    .object({ id: z.string(), artifactKey: z.string(), nodeType: z.string(), task: z.enum(['classification', 'regression']), target: z.string(), metrics: MetricsSchema.optional() })
    .optional(),
  /** Predict tasks: where the predictions were written and how many rows. */
  predictions: z.object({ outputKey: z.string(), rowCount: z.number().int() }).optional(),
});
export type TaskResult = z.infer<typeof TaskResultSchema>;

/** Progress of a running task, sent on the ReportProgress RPC. */
export const TaskProgressSchema = z.object({
  nodeId: z.string(),
  phase: z.enum(['load', 'preprocess', 'train', 'evaluate', 'persist', 'predict']),
  /** 0..1 of this task's total work, when known. */
  fraction: z.number().min(0).max(1).optional(),
  epoch: z.number().int().optional(),
  epochs: z.number().int().optional(),
  loss: z.number().optional(),
  rowsPerSec: z.number().optional(),
  message: z.string().max(2000).optional(),
});
export type TaskProgress = z.infer<typeof TaskProgressSchema>;

/** A job's accumulated results: per node. */
export const JobResultSchema = z.object({ nodes: z.record(z.string(), NodeResultSchema) });
export type JobResult = z.infer<typeof JobResultSchema>;
