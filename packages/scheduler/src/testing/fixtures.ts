/** Test fixtures: datasets, workflow graphs, snapshots. Used by this package's tests only. */
import type { DatasetRow } from '@weft/common';
import type { WorkflowGraph } from '@weft/proto';
import type { JobWithTasks, TaskSnapshot } from '../core/index.js';

/** A small stored dataset row (columns x: float, y: categorical with two classes). */
export function datasetRow(id: string, over: Partial<DatasetRow> = {}): DatasetRow {
  return {
    id,
    workspaceId: 'default',
    name: `${id}.csv`,
    rowCount: 100,
    byteSize: 1000,
    batchCount: 1,
    schema: {
      columns: [
        { name: 'x', type: 'float', role: 'feature' },
        { name: 'y', type: 'categorical', role: 'feature', categories: ['a', 'b'] },
        { name: 'z', type: 'float', role: 'feature' },
      ],
    },
    profile: {
      columns: {
        x: { count: 100, missing: 0, distinct: 100 },
        y: { count: 100, missing: 0, distinct: 2, topCategories: [{ value: 'a', count: 50 }, { value: 'b', count: 50 }] },
        z: { count: 100, missing: 0, distinct: 90 },
      },
    },
    warnings: [],
    objectKey: `workspaces/default/datasets/${id}/data.arrow`,
    createdAt: new Date(),
    ...over,
  };
}

/** dataset → split → logistic regression → evaluate (classification on `y`). */
export function classificationGraph(datasetId: string, extraModels = 0): WorkflowGraph {
  const g: WorkflowGraph = {
    seed: 7,
    nodes: [
      { id: 'data', type: 'dataset', params: { datasetId, target: 'y' } },
      { id: 'split', type: 'split', params: {} },
      { id: 'model', type: 'logistic_regression', params: {} },
      { id: 'eval', type: 'evaluate', params: {} },
    ],
    edges: [
      { source: 'data', target: 'split' },
      { source: 'split', target: 'model' },
      { source: 'model', target: 'eval' },
    ],
  };
  for (let i = 0; i < extraModels; i++) {
    g.nodes.push({ id: `model${i + 2}`, type: 'logistic_regression', params: { C: 0.5 } });
    g.edges.push({ source: 'split', target: `model${i + 2}` });
  }
  return g;
}

/** A pending job with `n` pending tasks (core snapshots). */
export function jobWithTasks(n = 1, maxAttempts = 3): JobWithTasks {
  const tasks: TaskSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    tasks.push({
      id: `task_${i}`,
      jobId: 'job_1',
      kind: 'train_pipeline',
      state: 'pending',
      attempt: 0,
      maxAttempts,
      nodeIds: [`data`, `model${i}`],
      executorId: null,
      leaseExpiresAtMs: null,
      availableAtMs: 0,
      datasetId: 'ds_1',
      modelNodeId: `model${i}`,
      result: null,
      errorCode: null,
      errorMessage: null,
      startedAtMs: null,
      finishedAtMs: null,
    });
  }
  return {
    job: { id: 'job_1', workspaceId: 'default', state: 'queued', nodeIds: ['data', ...tasks.map((t) => t.modelNodeId!), 'dangling'], result: { nodes: {} }, errorCode: null, errorMessage: null, startedAtMs: null, finishedAtMs: null },
    tasks,
  };
}
