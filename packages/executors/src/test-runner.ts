/**
 * TEST-ONLY runner (`WEFT_TEST_RUNNER=sleep`): reports a few progress events over
 * `WEFT_TEST_RUNNER_MS` (default 2000) milliseconds and returns a fixed TaskResult, so the
 * scheduler/executor protocol can be tested without the real pipeline. Honours abort.
 */
import { nodeTypeDef, type TaskResult, type TaskSpec } from '@weft/proto';
import type { TaskContext } from './types.js';

const STEPS = 4;

/** Sleeps `ms` or rejects when `signal` aborts. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    }, { once: true });
  });
}

/** The fixed result for a spec. */
export function sleepResult(spec: TaskSpec, executorId: string): TaskResult {
  if (spec.kind === 'predict') {
    return {
      nodes: { [spec.nodeId]: { predictions: { outputKey: spec.outputKey, rowCount: spec.dataset.rowCount }, warnings: [`test runner on ${executorId}`] } },
      predictions: { outputKey: spec.outputKey, rowCount: spec.dataset.rowCount },
    };
  }
  if (spec.kind === 'shard_map') return { nodes: {}, shard: { rowsTrain: 1, rowsTest: 0, droppedMissing: 0 } };
  if (spec.kind === 'finalize') return sleepResult({ kind: 'train_pipeline', ...spec.pipeline }, executorId);
  const nodes: TaskResult['nodes'] = {};
  for (const s of spec.steps) nodes[s.id] = {};
  const modelStep = spec.steps.find((s) => s.id === spec.modelNodeId)!;
  const task = nodeTypeDef(modelStep.type)?.task ?? 'regression';
  nodes[spec.modelNodeId] = { modelId: spec.modelId, artifactKey: spec.artifactKey, lossCurve: [1, 0.5, 0.25], warnings: [`test runner on ${executorId}`] };
  for (const e of spec.evaluators) nodes[e.id] = { metrics: task === 'classification' ? { accuracy: 1 } : { rmse: 0 } };
  const target = (spec.steps[0]!.params as { target?: string }).target ?? '';
  return { nodes, model: { id: spec.modelId, artifactKey: spec.artifactKey, nodeType: modelStep.type, task, target, metrics: {} } };
}

/** The test runner itself (same signature as the pipeline's runTask). */
export async function runTask(spec: TaskSpec, ctx: TaskContext): Promise<TaskResult> {
  const totalMs = Number(process.env.WEFT_TEST_RUNNER_MS ?? 2000);
  const nodeId = spec.kind === 'predict' ? spec.nodeId : spec.kind === 'train_pipeline' ? spec.modelNodeId : spec.pipeline.modelNodeId;
  for (let i = 1; i <= STEPS; i++) {
    await wait(totalMs / STEPS, ctx.signal);
    ctx.onProgress({ nodeId, phase: spec.kind === 'predict' ? 'predict' : 'train', fraction: i / STEPS, epoch: i, epochs: STEPS, loss: 1 / i });
  }
  return sleepResult(spec, ctx.executorId);
}
