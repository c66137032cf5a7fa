/**
 * Task contracts between the scheduler and executors (the `*_json` fields of weft.proto),
 * and the per-node results a job accumulates.
 */
import { z } from 'zod';
import { DatasetSchemaSchema } from './dataset.js';
import { WorkflowNodeSchema } from './workflow.js';
import { MODEL_TASKS } from './catalogue.js';

export const TASK_KINDS = ['train_pipeline', 'predict', 'shard_map', 'finalize'] as const;
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
  /**
   * Cross-validation fold (task-parallel CV): rows whose fold hash is `index` of `k` are the
   * test part, the others train; the task reports `result.fold` and writes no model.
   */
  fold: z.object({ k: z.number().int().min(2), index: z.number().int().min(0), group: z.string() }).optional(),
});
export type TrainPipelineSpec = z.infer<typeof TrainPipelineSpecSchema>;

/** A contiguous run of record batches `[batchStart, batchEnd)` of a dataset's Arrow file. */
export const ShardRefSchema = z.object({
  index: z.number().int().min(0),
  batchStart: z.number().int().min(0),
  batchEnd: z.number().int().min(1),
});
export type ShardRef = z.infer<typeof ShardRefSchema>;

/** Cache and locality key of a shard: `objectKey#batchStart-batchEnd`. */
export function shardKey(objectKey: string, shard: Pick<ShardRef, 'batchStart' | 'batchEnd'>): string {
  return `${objectKey}#${shard.batchStart}-${shard.batchEnd}`;
}

/**
 * Mergeable summary of one column over some rows. Numeric: present count `n`, `mean`, `m2`
 * (sum of squared deviations, merged with Chan et al.), `min`, `max`, an optional quantile
 * sketch (sorted `[value, weight]` pairs, weights summing to `n`). Categorical (or numeric
 * `most_frequent`): `counts` per value. `missing` counts absent values.
 */
export const ColumnSummarySchema = z.object({
  n: z.number(),
  missing: z.number(),
  mean: z.number(),
  m2: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  sketch: z.array(z.tuple([z.number(), z.number()])).optional(),
  counts: z.record(z.string(), z.number()).optional(),
});
export type ColumnSummary = z.infer<typeof ColumnSummarySchema>;

/**
 * What a shard task reports: small statistics the scheduler merges with plain arithmetic.
 * `scalars` and `vectors` are summed element-wise; `labelCounts`/`trainLabelCounts` summed
 * per key; `columns` merged per column (see ColumnSummary); `meta` is taken from any shard.
 */
export const ShardStatsSchema = z.object({
  rowsTrain: z.number().int(),
  rowsTest: z.number().int(),
  /** Rows dropped because the target is missing. */
  droppedMissing: z.number().int().default(0),
  labelCounts: z.record(z.string(), z.number()).optional(),
  trainLabelCounts: z.record(z.string(), z.number()).optional(),
  columns: z.record(z.string(), ColumnSummarySchema).optional(),
  scalars: z.record(z.string(), z.number()).optional(),
  vectors: z.record(z.string(), z.array(z.number())).optional(),
  meta: z.record(z.string(), z.union([z.number(), z.string(), z.array(z.string())])).optional(),
});
export type ShardStats = z.infer<typeof ShardStatsSchema>;

/** The pipeline a distributed group runs (a train pipeline without its kind). */
export const DistributedPipelineSchema = TrainPipelineSpecSchema.omit({ kind: true, fold: true });
export type DistributedPipeline = z.infer<typeof DistributedPipelineSchema>;

/**
 * Inputs every stage of a distributed group carries: merged statistics of the stages before
 * it. Executors turn them into fitted steps and models deterministically, so every shard
 * and the finalise task agree without another exchange.
 */
export const GroupStateSchema = z.object({
  /** Merged fit statistics, one per transform step fitted so far (in step order). */
  prep: z.array(ShardStatsSchema),
  /** Class names in label order (classification), fixed after the first fit stage. */
  classes: z.array(z.string()).optional(),
  /** Model parameters, row-major [P, nFeatures + 1] (logistic), when trained. */
  params: z.array(z.number()).optional(),
  /** Merged train statistics (linear regression: X^T X, X^T y, sums). */
  train: ShardStatsSchema.optional(),
  /** Mean training objective per round (logistic). */
  lossCurve: z.array(z.number()).default([]),
  /** Rounds of gradient evaluation used. */
  rounds: z.number().int().default(0),
  converged: z.boolean().optional(),
});
export type GroupState = z.infer<typeof GroupStateSchema>;

/**
 * A map task of a distributed group over one shard. `stage`: `fit` (statistics of transform
 * step `round` after the steps before it; round 0 also counts target labels), `train`
 * (linear: normal-equation sums; logistic: summed loss and gradient at `state.params`),
 * `eval` (confusion counts, score histograms, residual sums on the shard's test rows).
 * `driver` is the scheduler's optimiser state (opaque to executors).
 */
export const ShardMapSpecSchema = z.object({
  kind: z.literal('shard_map'),
  group: z.string(),
  stage: z.enum(['fit', 'train', 'eval']),
  round: z.number().int().min(0),
  shardCount: z.number().int().min(1),
  shard: ShardRefSchema,
  pipeline: DistributedPipelineSchema,
  state: GroupStateSchema,
  driver: z.unknown().optional(),
});
export type ShardMapSpec = z.infer<typeof ShardMapSpecSchema>;

/** The last task of a distributed group: model, metrics and artifact from merged statistics. */
export const FinalizeSpecSchema = z.object({
  kind: z.literal('finalize'),
  group: z.string(),
  shardCount: z.number().int().min(1),
  pipeline: DistributedPipelineSchema,
  state: GroupStateSchema,
  /** Merged evaluation statistics (absent when the pipeline has no evaluator). */
  eval: ShardStatsSchema.optional(),
});
export type FinalizeSpec = z.infer<typeof FinalizeSpecSchema>;

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

export const TaskSpecSchema = z.discriminatedUnion('kind', [TrainPipelineSpecSchema, PredictSpecSchema, ShardMapSpecSchema, FinalizeSpecSchema]);
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
  /** The model's own feature importances (trees: impurity decrease or gain), per input feature. */
  featureImportances: z.object({ names: z.array(z.string()), values: z.array(z.number()) }).optional(),
  /** Training loss per epoch/iteration. */
  lossCurve: z.array(z.number()).optional(),
  /** Clustering: rows per cluster (model node: train part; evaluators: test part), index = cluster id. */
  clusterSizes: z.array(z.number().int()).optional(),
  /** Regression evaluators: a deterministic sample (at most 1,000 test rows) of predictions and residuals (actual − predicted). */
  residuals: z.object({ predicted: z.array(z.number()), residual: z.array(z.number()) }).optional(),
  /** ROC curve points (binary): false/true positive rates. */
  roc: z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) }).optional(),
  /** Precision–recall curve points (binary), by decreasing threshold; at most ~1,000 points. */
  pr: z.object({ precision: z.array(z.number()), recall: z.array(z.number()) }).optional(),
  /**
   * Calibration (reliability diagram) bins: `nBins` uniform bins over [0, 1], bin b covering
   * (b/nBins, (b+1)/nBins] (bin 0 also holds 0); only non-empty bins are listed, ascending,
   * as scikit-learn's calibration_curve(strategy='uniform'). `kind` 'positive_class' (binary):
   * the predicted probability of the positive class against being positive; 'top_class'
   * (multiclass): the top-class confidence against the top class being right.
   */
  calibration: z
    .object({
      kind: z.enum(['positive_class', 'top_class']),
      nBins: z.number().int().min(1),
      /** Bin index of each listed bin. */
      bin: z.array(z.number().int()),
      /** Mean predicted probability of the bin's rows. */
      meanPredicted: z.array(z.number()),
      /** Fraction of the bin's rows that are positive (or right, for 'top_class'). */
      fractionPositive: z.array(z.number()),
      /** Test rows in the bin. */
      count: z.array(z.number()),
    })
    .optional(),
  warnings: z.array(z.string()).optional(),
  rowsTrain: z.number().int().optional(),
  rowsTest: z.number().int().optional(),
  durationMs: z.number().optional(),
  /** Predict nodes: where the predictions (JSON) were written and how many rows. */
  predictions: z.object({ outputKey: z.string(), rowCount: z.number().int() }).optional(),
  /** k-fold cross-validation of the model: mean and standard deviation of each metric over folds. */
  crossValidation: z
    .object({ folds: z.number().int(), mean: MetricsSchema, std: MetricsSchema, perFold: z.array(MetricsSchema) })
    .optional(),
  /** Data-parallel training: shards and rounds used. */
  distributed: z.object({ shards: z.number().int(), rounds: z.number().int(), converged: z.boolean().optional() }).optional(),
});
export type NodeResult = z.infer<typeof NodeResultSchema>;

/** The result of a task attempt: one NodeResult per node it ran. */
export const TaskResultSchema = z.object({
  nodes: z.record(z.string(), NodeResultSchema),
  /** Model stored by a train task; `target` is "" for a clustering model trained without one. */
  model: z
    .object({ id: z.string(), artifactKey: z.string(), nodeType: z.string(), task: z.enum(MODEL_TASKS), target: z.string(), metrics: MetricsSchema.optional() })
    .optional(),
  /** Predict tasks: where the predictions were written and how many rows. */
  predictions: z.object({ outputKey: z.string(), rowCount: z.number().int() }).optional(),
  /** Shard map tasks: the statistics to merge. */
  shard: ShardStatsSchema.optional(),
  /** Cross-validation fold tasks: the fold's holdout metrics (model node id → metrics of its evaluator). */
  fold: z.object({ index: z.number().int(), metrics: MetricsSchema }).optional(),
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
