/**
 * The executor's pipeline: runs one task (train pipeline or batch prediction) against the
 * object store with the kernels. Pure of gRPC: the runtime calls `runTask` in a worker.
 */
import type { TaskResult, TaskSpec } from '@weft/proto';
import { runPredict } from './predict.js';
import { runTrainPipeline } from './train.js';
import { runShardMap } from './shard-map.js';
import { runFinalize } from './finalize.js';
import type { TaskContext } from './context.js';

export type { TaskContext } from './context.js';
export type { PredictionsDoc } from './predict.js';
export type { ModelArtifact } from './artifact.js';

/**
 * Runs a task to completion.
 * @throws WeftError for bad input (not retryable), KernelError('ABORTED') when ctx.signal fires.
 */
export async function runTask(spec: TaskSpec, ctx: TaskContext): Promise<TaskResult> {
  switch (spec.kind) {
    case 'train_pipeline':
      return runTrainPipeline(spec, ctx);
    case 'predict':
      return runPredict(spec, ctx);
    case 'shard_map':
      return runShardMap(spec, ctx);
    case 'finalize':
      return runFinalize(spec, ctx);
  }
}
