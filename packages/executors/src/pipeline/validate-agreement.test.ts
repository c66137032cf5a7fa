/**
 * The validator's CATEGORICAL_REACHES_MODEL (proto validate.ts) agrees with the executor:
 * a workflow fails at run time with that code exactly when validation reports it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Dictionary, Float64, Int32, Table, Utf8, Vector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { LocalObjectStore, createLogger } from '@weft/common';
import { WeftError, validateWorkflow, type ColumnSchema, type DatasetSchema, type TaskProgress, type TrainPipelineSpec } from '@weft/proto';
import { runTask } from './index.js';

const ROOT = path.resolve(__dirname, '../../../..');

/** A CSV of numbers and strings → Arrow IPC (numbers float, strings categorical). Empty or NA = null. */
function csvToArrow(csvText: string): { bytes: Uint8Array; schema: DatasetSchema; rowCount: number } {
  const rows: string[][] = parse(csvText, { skip_empty_lines: true });
  const [header, ...body] = rows;
  const vectors: Record<string, Vector> = {};
  const columns: ColumnSchema[] = [];
  header!.forEach((name, j) => {
    const raw = body.map((r) => (r[j] === '' || r[j] === 'NA' ? null : r[j]!));
    if (raw.every((v) => v === null || Number.isFinite(Number(v)))) {
      vectors[name] = vectorFromArray(raw.map((v) => (v === null ? null : Number(v))), new Float64());
      columns.push({ name, type: 'float', role: 'feature' });
    } else {
      vectors[name] = vectorFromArray(raw, new Dictionary(new Utf8(), new Int32()));
      columns.push({ name, type: 'categorical', role: 'feature' });
    }
  });
  return { bytes: tableToIPC(new Table(vectors), 'file'), schema: { columns }, rowCount: body.length };
}

type Steps = Array<[string, Record<string, unknown>]>;

/** dataset → split → steps → model → evaluate, as the canvas would send it. */
function workflow(datasetId: string, dsParams: Record<string, unknown>, steps: Steps, model: string, modelParams: Record<string, unknown>) {
  const ids = ['data', 'split', ...steps.map((_, i) => `t${i}`), 'model', 'eval'];
  return {
    seed: 42,
    nodes: [
      { id: 'data', type: 'dataset', params: { datasetId, ...dsParams } },
      { id: 'split', type: 'split', params: { testFraction: 0.2, seed: 42, stratify: false } },
      ...steps.map(([type, params], i) => ({ id: `t${i}`, type, params })),
      { id: 'model', type: model, params: modelParams },
      { id: 'eval', type: 'evaluate', params: {} },
    ],
    edges: ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id })),
  };
}

describe('validator and executor agree on CATEGORICAL_REACHES_MODEL', function () {
  this.timeout(120_000);
  let dir: string;
  let store: LocalObjectStore;
  const datasets = new Map<string, TrainPipelineSpec['dataset']>();
  const log = createLogger('test', 'silent');
  const ctx = () => ({ store, signal: new AbortController().signal, onProgress: (_p: TaskProgress) => undefined, log, executorId: 'test' });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-agree-'));
    store = new LocalObjectStore(dir);
    for (const name of ['iris', 'penguins']) {
      const { bytes, schema, rowCount } = csvToArrow(fs.readFileSync(path.join(ROOT, `examples/datasets/${name}.csv`), 'utf8'));
      const objectKey = `datasets/${name}.arrow`;
      await store.put(objectKey, Buffer.from(bytes));
      datasets.set(name, { id: name, objectKey, rowCount, schema });
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<{ name: string; ds: string; dsParams: Record<string, unknown>; steps: Steps; model: string; modelParams: Record<string, unknown>; expect: boolean }> = [
    { name: 'iris k-means, species a feature', ds: 'iris', dsParams: {}, steps: [['impute', {}], ['scale', {}]], model: 'kmeans', modelParams: { nClusters: 3, nInit: 1 }, expect: true },
    { name: 'iris k-means, one-hot before', ds: 'iris', dsParams: {}, steps: [['one_hot', {}], ['scale', {}]], model: 'kmeans', modelParams: { nClusters: 3, nInit: 1 }, expect: false },
    { name: 'iris k-means, ordinal before', ds: 'iris', dsParams: {}, steps: [['ordinal', { columns: ['species'] }]], model: 'kmeans', modelParams: { nClusters: 3, nInit: 1 }, expect: false },
    { name: 'iris k-means, species ignored', ds: 'iris', dsParams: { ignore: ['species'] }, steps: [['scale', {}]], model: 'kmeans', modelParams: { nClusters: 3, nInit: 1 }, expect: false },
    { name: 'penguins linear regression, categorical features', ds: 'penguins', dsParams: { target: 'Body Mass (g)' }, steps: [['impute', {}], ['scale', {}]], model: 'linear_regression', modelParams: {}, expect: true },
    { name: 'penguins linear regression, target encoding before', ds: 'penguins', dsParams: { target: 'Body Mass (g)' }, steps: [['impute', {}], ['target_encode', {}], ['scale', {}]], model: 'linear_regression', modelParams: {}, expect: false },
    {
      name: 'penguins linear regression, only Island one-hot encoded',
      ds: 'penguins',
      dsParams: { target: 'Body Mass (g)' },
      steps: [['impute', {}], ['one_hot', { columns: ['Island'] }]],
      model: 'linear_regression',
      modelParams: {},
      expect: true,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.expect ? 'both report' : 'neither reports'} CATEGORICAL_REACHES_MODEL`, async () => {
      const ds = datasets.get(c.ds)!;
      const v = validateWorkflow(workflow(ds.id, c.dsParams, c.steps, c.model, c.modelParams), { datasetSchema: (id) => datasets.get(id)?.schema, requireModel: true });
      const reported = v.issues.filter((i) => i.code === 'CATEGORICAL_REACHES_MODEL');
      assert.deepEqual(v.issues.filter((i) => i.code !== 'CATEGORICAL_REACHES_MODEL'), [], 'no other issue');
      assert.equal(reported.length, c.expect ? 1 : 0, JSON.stringify(v.issues));
      // The executor runs the validated graph (defaults filled in) along the chain, as the planner does.
      const nodes = v.graph!.nodes;
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const chain = ['data', 'split', ...c.steps.map((_, i) => `t${i}`), 'model'].map((id) => ({ id, type: byId.get(id)!.type, params: byId.get(id)!.params }));
      const spec: TrainPipelineSpec = {
        kind: 'train_pipeline',
        jobId: 'job_agree',
        workspaceId: 'default',
        seed: 42,
        dataset: ds,
        steps: chain,
        modelNodeId: 'model',
        evaluators: [{ id: 'eval', type: 'evaluate', params: {} }],
        modelId: `model_${c.ds}`,
        artifactKey: `models/agree-${c.ds}.json`,
      };
      let runErr: unknown;
      try {
        await runTask(spec, ctx());
      } catch (err) {
        runErr = err;
      }
      const runCode = runErr instanceof WeftError ? runErr.code : runErr ? String(runErr) : null;
      if (c.expect) {
        assert.equal(runCode, 'CATEGORICAL_REACHES_MODEL');
        const col = (runErr as WeftError).details as { nodeId?: string; column?: string };
        assert.equal(col.nodeId, reported[0]!.nodeId);
        assert.ok(reported[0]!.message.includes(`"${col.column}"`), `${reported[0]!.message} names ${col.column}`);
      } else {
        assert.equal(runCode, null, `run failed: ${String(runErr)}`);
      }
    });
  }
});
