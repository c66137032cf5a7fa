/**
 * The planner: compiles a validated workflow graph into tasks. Pure (ids come from the
 * injected `newId`). One `train_pipeline` task per model node (its steps are the path from
 * the dataset node to the model; its evaluators the `evaluate` nodes fed by the model) and
 * one `predict` task per predict node. Nodes in no task end `completed` with no result.
 */
import { WeftError, type DatasetSchema, type PipelineStep, type TaskSpec, type TrainPipelineSpec, type WorkflowGraph, nodeTypeDef } from '@weft/proto';
import { objectKeys } from '@weft/common';
import { groupTaskId } from '../distributed/advance.js';

/** What the planner needs to know about a stored dataset. */
export interface PlanDataset {
  id: string;
  objectKey: string;
  rowCount: number;
  schema: DatasetSchema;
  /** Arrow record batches in the dataset file (default 1). */
  batchCount?: number;
}

/** What the planner needs to know about a stored model (predict nodes). */
export interface PlanModel {
  id: string;
  artifactKey: string;
}

export interface PlanInput {
  jobId: string;
  workspaceId: string;
  /** The graph as returned by `validateWorkflow` (params defaulted). */
  graph: WorkflowGraph;
  /** Edges as `source → target` (the validator's resolved edges). */
  edges: Array<{ source: string; target: string }>;
  seed: number;
  datasets: ReadonlyMap<string, PlanDataset>;
  models: ReadonlyMap<string, PlanModel>;
  newId: (prefix: 'task' | 'model') => string;
  /** Record batches per shard (WEFT_SHARD_BATCHES); default 4. */
  shardBatches?: number;
}

/** One task the planner produced. */
export interface PlannedTask {
  id: string;
  kind: TaskSpec['kind'];
  /** Every workflow node this task runs, in order. */
  nodeIds: string[];
  spec: TaskSpec;
  datasetId: string;
  /** The model node of a train task; null for predict. */
  modelNodeId: string | null;
}

/** The path of nodes from the dataset node to `nodeId` (inclusive), following single inputs. */
export function pathFromDataset(graph: WorkflowGraph, edges: PlanInput['edges'], nodeId: string): PipelineStep[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const inputOf = new Map<string, string>();
  for (const e of edges) inputOf.set(e.target, e.source);
  const path: PipelineStep[] = [];
  const seen = new Set<string>();
  let cur: string | undefined = nodeId;
  while (cur !== undefined && !seen.has(cur)) {
    seen.add(cur);
    const n = byId.get(cur);
    if (!n) break;
    path.unshift({ id: n.id, type: n.type, params: n.params });
    if (n.type === 'dataset') return path;
    cur = inputOf.get(cur);
  }
  throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}" is not connected to a dataset`, [{ code: 'MISSING_INPUT', nodeId, message: `Node "${nodeId}" is not connected to a dataset` }]);
}

function datasetOf(input: PlanInput, step: PipelineStep): PlanDataset {
  const id = (step.params as { datasetId?: string }).datasetId ?? '';
  const ds = input.datasets.get(id);
  if (!ds) throw new WeftError('NOT_FOUND', `Node "${step.id}": dataset "${id}" does not exist`, { nodeId: step.id, field: 'params.datasetId' });
  return ds;
}

/** Shards of a dataset of `batchCount` batches, `shardBatches` batches each (at least one shard). */
export function shardRanges(batchCount: number, shardBatches: number): Array<{ index: number; batchStart: number; batchEnd: number }> {
  const n = Math.max(1, batchCount);
  const out = [];
  for (let i = 0, b = 0; b < n; i++, b += shardBatches) out.push({ index: i, batchStart: b, batchEnd: Math.min(n, b + shardBatches) });
  return out;
}

/**
 * Compiles the graph into tasks. A model node becomes one `train_pipeline` task, or — when
 * its split asks for it or (auto) the dataset has more than one shard — the first round of
 * a distributed group (one `shard_map` fit task per shard; later stages are added by the
 * scheduler core as rounds complete). `folds: k` on the split adds k independent fold tasks.
 * @throws WeftError MODEL_NOT_FOUND when a predict node names an unknown model.
 */
export function planJob(input: PlanInput): PlannedTask[] {
  const { graph, edges } = input;
  const tasks: PlannedTask[] = [];
  for (const node of graph.nodes) {
    const def = nodeTypeDef(node.type);
    if (def?.category === 'model') {
      const steps = pathFromDataset(graph, edges, node.id);
      const ds = datasetOf(input, steps[0]!);
      const evaluators: PipelineStep[] = edges
        .filter((e) => e.source === node.id)
        .map((e) => graph.nodes.find((n) => n.id === e.target)!)
        .filter((n) => n && n.type === 'evaluate')
        .map((n) => ({ id: n.id, type: n.type, params: n.params }));
      const modelId = input.newId('model');
      const pipeline: Omit<TrainPipelineSpec, 'kind' | 'fold'> = {
        jobId: input.jobId,
        workspaceId: input.workspaceId,
        seed: input.seed,
        dataset: { id: ds.id, objectKey: ds.objectKey, rowCount: ds.rowCount, schema: ds.schema },
        steps,
        modelNodeId: node.id,
        evaluators,
        modelId,
        artifactKey: objectKeys.model(input.workspaceId, ds.id, modelId),
      };
      const nodeIds = [...steps.map((s) => s.id), ...evaluators.map((s) => s.id)];
      const split = (steps[1]?.params ?? {}) as { distributed?: 'auto' | 'on' | 'off'; folds?: number };
      const shards = shardRanges(ds.batchCount ?? 1, input.shardBatches ?? 4);
      const mode = split.distributed ?? 'auto';
      // Models without a data-parallel form train on one executor, reading every shard.
      const dataParallel = nodeTypeDef(node.type)?.dataParallel === true;
      // A node without a map-reduce fit (target encoding, k-means) keeps the pipeline on one
      // executor under 'auto'; 'on' is refused (validation names it first).
      const unshardable = steps.find((s) => nodeTypeDef(s.type)?.shardable === false);
      if (unshardable && mode === 'on') {
        throw new WeftError('WORKFLOW_INVALID', `Node "${steps[1]?.id}": params.distributed is "on", but node "${unshardable.id}" (${unshardable.type}) has no distributed fit`, {
          nodeId: steps[1]?.id,
          field: 'params.distributed',
        });
      }
      if (dataParallel && !unshardable && steps[1]?.type === 'split' && (mode === 'on' || (mode === 'auto' && shards.length > 1))) {
        const group = input.newId('task');
        for (const shard of shards) {
          tasks.push({
            id: groupTaskId(group, 'fit', 0, shard.index),
            kind: 'shard_map',
            nodeIds: [],
            datasetId: ds.id,
            modelNodeId: node.id,
            spec: { kind: 'shard_map', group, stage: 'fit', round: 0, shardCount: shards.length, shard, pipeline, state: { prep: [], lossCurve: [], rounds: 0 } },
          });
        }
      } else {
        tasks.push({ id: input.newId('task'), kind: 'train_pipeline', nodeIds, datasetId: ds.id, modelNodeId: node.id, spec: { kind: 'train_pipeline', ...pipeline } });
      }
      const k = split.folds ?? 0;
      if (k >= 2) {
        const group = input.newId('task');
        for (let index = 0; index < k; index++) {
          tasks.push({ id: `${group}_cv${index}`, kind: 'train_pipeline', nodeIds: [], datasetId: ds.id, modelNodeId: node.id, spec: { kind: 'train_pipeline', ...pipeline, fold: { k, index, group } } });
        }
      }
    } else if (node.type === 'predict') {
      const steps = pathFromDataset(graph, edges, node.id);
      const ds = datasetOf(input, steps[0]!);
      const modelId = (node.params as { modelId: string }).modelId;
      const model = input.models.get(modelId);
      if (!model) {
        throw new WeftError('MODEL_NOT_FOUND', `Node "${node.id}": model "${modelId}" does not exist`, { nodeId: node.id, field: 'params.modelId' });
      }
      tasks.push({
        id: input.newId('task'),
        kind: 'predict',
        nodeIds: [node.id],
        datasetId: ds.id,
        modelNodeId: null,
        spec: {
          kind: 'predict',
          jobId: input.jobId,
          nodeId: node.id,
          workspaceId: input.workspaceId,
          modelId,
          artifactKey: model.artifactKey,
          dataset: { id: ds.id, objectKey: ds.objectKey, rowCount: ds.rowCount, schema: ds.schema },
          outputKey: objectKeys.predictions(input.workspaceId, input.jobId),
        },
      });
    }
  }
  return tasks;
}
