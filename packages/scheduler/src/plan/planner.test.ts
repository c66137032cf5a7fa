import * as assert from 'node:assert/strict';
import { WeftError, validateWorkflow } from '@weft/proto';
import { planJob, type PlanInput } from './planner.js';
import { checkTrainingData } from './training-checks.js';
import { classificationGraph, datasetRow } from '../testing/fixtures.js';

function input(graph: unknown, over: Partial<PlanInput> = {}): PlanInput {
  const ds = datasetRow('ds_1');
  const v = validateWorkflow(graph, { datasetSchema: (id) => (id === 'ds_1' ? ds.schema : undefined) });
  assert.equal(v.valid, true, JSON.stringify(v.issues));
  let n = 0;
  return {
    jobId: 'job_1',
    workspaceId: 'default',
    graph: v.graph!,
    edges: v.edges!,
    seed: 7,
    datasets: new Map([['ds_1', ds]]),
    models: new Map([['model_old', { id: 'model_old', artifactKey: 'workspaces/default/datasets/ds_1/models/model_old.json' }]]),
    newId: (p) => `${p}_${++n}`,
    ...over,
  };
}

describe('planner', () => {
  it('compiles a chain into one train_pipeline task with its evaluators', () => {
    const tasks = planJob(input(classificationGraph('ds_1')));
    assert.equal(tasks.length, 1);
    const t = tasks[0]!;
    assert.equal(t.kind, 'train_pipeline');
    assert.deepEqual(t.nodeIds, ['data', 'split', 'model', 'eval']);
    assert.equal(t.spec.kind, 'train_pipeline');
    if (t.spec.kind !== 'train_pipeline') return;
    assert.deepEqual(t.spec.steps.map((s) => s.id), ['data', 'split', 'model']);
    assert.deepEqual(t.spec.evaluators.map((s) => s.id), ['eval']);
    assert.equal(t.spec.modelNodeId, 'model');
    assert.equal(t.spec.seed, 7);
    assert.equal(t.spec.artifactKey, `workspaces/default/datasets/ds_1/models/${t.spec.modelId}.json`);
    assert.equal((t.spec.steps[1]!.params as { testFraction: number }).testFraction, 0.2, 'params defaulted');
  });

  it("k-means trains on one executor under distributed 'auto', even over many shards", () => {
    const g = classificationGraph('ds_1');
    g.nodes = g.nodes.map((n) => (n.id === 'model' ? { ...n, type: 'kmeans', params: { nClusters: 2 } } : n.id === 'data' ? { ...n, params: { datasetId: 'ds_1', ignore: ['y'] } } : n));
    const tasks = planJob(input(g, { datasets: new Map([['ds_1', datasetRow('ds_1', { batchCount: 16 })]]), shardBatches: 2 }));
    assert.deepEqual(tasks.map((t) => t.kind), ['train_pipeline']);
    assert.deepEqual(tasks[0]!.nodeIds, ['data', 'split', 'model', 'eval']);
    const on = { ...g, nodes: g.nodes.map((n) => (n.id === 'split' ? { ...n, params: { distributed: 'on' } } : n)) };
    assert.equal(validateWorkflow(on, { datasetSchema: () => datasetRow('ds_1').schema }).valid, false, "validation refuses 'on'");
  });

  it('makes one independent task per model node', () => {
    const tasks = planJob(input(classificationGraph('ds_1', 2)));
    assert.equal(tasks.length, 3);
    assert.equal(new Set(tasks.map((t) => (t.spec.kind === 'train_pipeline' ? t.spec.modelId : ''))).size, 3);
    assert.deepEqual(tasks[1]!.nodeIds, ['data', 'split', 'model2']);
  });

  it('plans predict nodes with the stored model artifact, and rejects unknown models', () => {
    const g = { nodes: [{ id: 'data', type: 'dataset', params: { datasetId: 'ds_1' } }, { id: 'p', type: 'predict', params: { modelId: 'model_old' } }], edges: [{ source: 'data', target: 'p' }] };
    const [t] = planJob(input(g));
    assert.equal(t!.spec.kind, 'predict');
    if (t!.spec.kind !== 'predict') return;
    assert.equal(t!.spec.artifactKey, 'workspaces/default/datasets/ds_1/models/model_old.json');
    assert.equal(t!.spec.outputKey, 'workspaces/default/predictions/job_1.json');
    assert.equal(t!.spec.nodeId, 'p');
    assert.throws(() => planJob(input(g, { models: new Map() })), (e: unknown) => e instanceof WeftError && e.code === 'MODEL_NOT_FOUND');
  });

  it('leaves a dangling split in no task', () => {
    const g = classificationGraph('ds_1');
    g.nodes.push({ id: 'split2', type: 'split', params: {} });
    g.edges.push({ source: 'data', target: 'split2' });
    const tasks = planJob(input(g));
    assert.ok(!tasks.some((t) => t.nodeIds.includes('split2')));
  });

  it('training checks: empty dataset and single-class target, naming the column and value', () => {
    const tasks = planJob(input(classificationGraph('ds_1')));
    assert.throws(
      () => checkTrainingData(tasks, new Map([['ds_1', datasetRow('ds_1', { rowCount: 0 })]])),
      (e: unknown) => e instanceof WeftError && e.code === 'DATASET_EMPTY' && /ds_1 .*has no rows/.test(e.message),
    );
    const single = datasetRow('ds_1');
    single.profile.columns.y = { count: 100, missing: 3, distinct: 1, topCategories: [{ value: 'a', count: 97 }] };
    assert.throws(
      () => checkTrainingData(tasks, new Map([['ds_1', single]])),
      (e: unknown) => e instanceof WeftError && e.code === 'TARGET_SINGLE_CLASS' && /"y".*"a"/.test(e.message),
    );
    assert.doesNotThrow(() => checkTrainingData(tasks, new Map([['ds_1', datasetRow('ds_1')]])));
  });
});
