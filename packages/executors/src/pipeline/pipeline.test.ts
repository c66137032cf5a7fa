import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Dictionary, Float64, Int32, Table, Utf8, Vector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { LocalObjectStore, createLogger } from '@weft/common';
import type { ColumnSchema, DatasetSchema, PipelineStep, TaskProgress, TrainPipelineSpec } from '@weft/proto';
import { NODE_CATALOGUE, WeftError } from '@weft/proto';
import { KMeans, adjusted_rand_score, splitMask } from '@weft/kernels';
import { runTask } from './index.js';
import type { PredictionsDoc } from './predict.js';
import { parseArtifact } from './artifact.js';
import { frameFromTable } from './dataset-frame.js';
import { gather } from './frame.js';
import { readArrowTable } from './load.js';
import { modelMatrix } from './matrix.js';
import { applyStep } from './transforms.js';
import { sortClasses } from './train.js';

const ROOT = path.resolve(__dirname, '../../../..');

/** Test helper: a CSV of numbers and strings → Arrow IPC (numbers Float64, strings dictionary). Empty = null. */
function csvToArrow(csvText: string): { bytes: Uint8Array; schema: DatasetSchema; rowCount: number } {
  const rows: string[][] = parse(csvText, { skip_empty_lines: true });
  const [header, ...body] = rows;
  const vectors: Record<string, Vector> = {};
  const columns: ColumnSchema[] = [];
  header.forEach((name, j) => {
    const raw = body.map((r) => (r[j] === '' || r[j] === 'NA' ? null : r[j]));
    const numeric = raw.every((v) => v === null || Number.isFinite(Number(v)));
    if (numeric) {
      vectors[name] = vectorFromArray(raw.map((v) => (v === null ? null : Number(v))), new Float64());
      columns.push({ name, type: 'float', role: 'feature' });
    } else {
      vectors[name] = vectorFromArray(raw, new Dictionary(new Utf8(), new Int32()));
      columns.push({ name, type: 'categorical', role: 'feature' });
    }
  });
  const table = new Table(vectors);
  return { bytes: tableToIPC(table, 'file'), schema: { columns }, rowCount: body.length };
}

function params(type: string, p: Record<string, unknown>): Record<string, unknown> {
  return (NODE_CATALOGUE as Record<string, { params: { parse(x: unknown): unknown } }>)[type].params.parse(p) as Record<string, unknown>;
}

describe('executor pipeline (real kernels, local object store)', function () {
  this.timeout(60_000);
  let dir: string;
  let store: LocalObjectStore;
  const log = createLogger('test', 'silent');
  const progress: TaskProgress[] = [];
  const ctx = () => ({ store, signal: new AbortController().signal, onProgress: (p: TaskProgress) => progress.push(p), log, executorId: 'test' });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-pipeline-'));
    store = new LocalObjectStore(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function putDataset(id: string, csvPath: string) {
    const { bytes, schema, rowCount } = csvToArrow(fs.readFileSync(csvPath, 'utf8'));
    const objectKey = `datasets/${id}.arrow`;
    await store.put(objectKey, Buffer.from(bytes));
    return { id, objectKey, rowCount, schema };
  }

  function spec(dataset: TrainPipelineSpec['dataset'], target: string, model: string, modelParams: Record<string, unknown>, extra: PipelineStep[] = [], stratify = false): TrainPipelineSpec {
    return {
      kind: 'train_pipeline',
      jobId: 'job_test',
      workspaceId: 'default',
      seed: 42,
      dataset,
      steps: [
        { id: 'data', type: 'dataset', params: params('dataset', { datasetId: dataset.id, target }) },
        { id: 'split', type: 'split', params: params('split', { testFraction: 0.2, seed: 42, stratify }) },
        ...extra,
        { id: 'model', type: model, params: params(model, modelParams) },
      ],
      modelNodeId: 'model',
      evaluators: [{ id: 'eval', type: 'evaluate', params: {} }],
      modelId: `model_${dataset.id}`,
      artifactKey: `models/${dataset.id}.json`,
    };
  }
  const scale: PipelineStep = { id: 'scale', type: 'scale', params: params('scale', {}) };
  const impute: PipelineStep = { id: 'impute', type: 'impute', params: params('impute', {}) };

  for (const [name, target] of [['breast_cancer', 'diagnosis'], ['iris', 'species']] as const) {
    it(`${name}: holdout metrics within 0.01 of scikit-learn on the same split`, async () => {
      const fx = JSON.parse(fs.readFileSync(path.join(ROOT, `packages/kernels/fixtures/${name}.json`), 'utf8'));
      const ds = await putDataset(name, path.join(ROOT, `examples/datasets/${name}.csv`));
      const r = await runTask(spec(ds, target, 'logistic_regression', { C: 1, maxIter: 1000 }, [impute, scale]), ctx());
      const m = r.nodes.eval.metrics!;
      assert.ok(Math.abs((m.accuracy as number) - fx.holdout.accuracy) <= 0.01, `accuracy ${m.accuracy} vs sklearn ${fx.holdout.accuracy}`);
      assert.ok(Math.abs((m.f1 as number) - fx.holdout.f1) <= 0.02, `f1 ${m.f1} vs sklearn ${fx.holdout.f1}`);
      assert.equal(r.nodes.split.rowsTest, fx.test_row_ids.length);
      const cm = m.confusion_matrix as number[][];
      assert.equal(cm.length, fx.classes.length);
      assert.deepEqual(r.nodes.model.classes, fx.classes);
      assert.ok(r.nodes.model.lossCurve!.length > 1, 'a loss per iteration');
      assert.ok(progress.some((p) => p.phase === 'train' && p.nodeId === 'model' && typeof p.loss === 'number'));
      const stored = JSON.parse((await store.get(`models/${name}.json`)).toString());
      assert.equal(stored.format, 'weft.model/1');
      assert.equal(stored.steps.length, 2);
    });
  }

  it('diabetes: linear regression R² within 0.02 of scikit-learn', async () => {
    const fx = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages/kernels/fixtures/diabetes.json'), 'utf8'));
    const ds = await putDataset('diabetes', path.join(ROOT, 'examples/datasets/diabetes.csv'));
    const r = await runTask(spec(ds, 'progression', 'linear_regression', {}, [impute, scale]), ctx());
    const m = r.nodes.eval.metrics!;
    assert.ok(Math.abs((m.r2 as number) - fx.holdout.r2) <= 0.02, `r2 ${m.r2} vs ${fx.holdout.r2}`);
    assert.ok(Math.abs((m.rmse as number) - fx.holdout.rmse) / fx.holdout.rmse <= 0.02);
  });

  const models: Array<[string, string, string, (m: Record<string, unknown>) => number, number]> = [
    ['gaussian_nb', 'iris', 'species', (m) => m.accuracy as number, 0.85],
    ['decision_tree_classifier', 'iris', 'species', (m) => m.accuracy as number, 0.85],
    ['random_forest_classifier', 'breast_cancer', 'diagnosis', (m) => m.accuracy as number, 0.93],
    ['gradient_boosting_classifier', 'breast_cancer', 'diagnosis', (m) => m.accuracy as number, 0.93],
    ['mlp_classifier', 'breast_cancer', 'diagnosis', (m) => m.accuracy as number, 0.95],
    ['lasso', 'diabetes', 'progression', (m) => m.r2 as number, 0.3],
    ['elastic_net', 'diabetes', 'progression', (m) => m.r2 as number, 0.2],
    ['decision_tree_regressor', 'diabetes', 'progression', (m) => m.r2 as number, 0.0],
    ['random_forest_regressor', 'diabetes', 'progression', (m) => m.r2 as number, 0.3],
    ['gradient_boosting_regressor', 'diabetes', 'progression', (m) => m.r2 as number, 0.2],
  ];
  for (const [type, name, target, score, min] of models) {
    it(`${type} trains through the pipeline on ${name}, is saved, and predicts again from its artifact`, async () => {
      const ds = await putDataset(`${name}-${type}`, path.join(ROOT, `examples/datasets/${name}.csv`));
      const s = spec(ds, target, type as 'linear_regression', {}, [impute, scale]);
      const r = await runTask(s, ctx());
      const got = score(r.nodes.eval.metrics!);
      assert.ok(got >= min, `${type} on ${name}: ${got} < ${min}`);
      if (type.includes('tree') || type.includes('forest') || type.includes('boosting')) {
        assert.equal(r.nodes.model.featureImportances!.values.length, r.nodes.model.featureImportances!.names.length);
      }
      const out = await runTask(
        { kind: 'predict', jobId: 'job_p', workspaceId: 'default', nodeId: 'predict', modelId: s.modelId, artifactKey: s.artifactKey, dataset: ds, outputKey: `predictions/${type}.json` },
        ctx(),
      );
      assert.equal(out.predictions!.rowCount, ds.rowCount);
    });
  }

  it('gradient boosting takes missing values without an impute node (they follow learned directions)', async () => {
    const ds = await putDataset('penguins-gb', path.join(ROOT, 'examples/datasets/penguins.csv'));
    const r = await runTask(spec(ds, 'Species', 'gradient_boosting_classifier' as 'linear_regression', { nEstimators: 30 }, [{ id: 'onehot', type: 'one_hot', params: params('one_hot', {}) }], true), ctx());
    assert.ok((r.nodes.eval.metrics!.accuracy as number) > 0.9, JSON.stringify(r.nodes.eval.metrics));
  });

  it('missing values reaching a model without imputation fail with MISSING_VALUES_REACH_MODEL naming the column', async () => {
    const ds = await putDataset('missing', path.join(ROOT, 'tests/cases/ingest/24-missing-vs-zero.csv'));
    const target = ds.schema.columns[ds.schema.columns.length - 1].name;
    const feature = ds.schema.columns.find((c) => c.name !== target && c.type === 'float')!.name;
    const model = ds.schema.columns.find((c) => c.name === target)!.type === 'float' ? 'linear_regression' : 'logistic_regression';
    await assert.rejects(
      runTask(spec(ds, target, model, {}), ctx()),
      (e: unknown) => e instanceof WeftError && e.code === 'MISSING_VALUES_REACH_MODEL' && e.message.includes(feature),
    );
  });

  it('unseen and missing categories at prediction time map to all-zero one-hot rows and are reported', async () => {
    const train = await putDataset('cat-train', path.join(ROOT, 'tests/cases/ingest/19-train.csv'));
    const cols = train.schema.columns;
    const target = cols[cols.length - 1].name;
    const s = spec(train, target, 'linear_regression', { alpha: 0.1 }, [{ id: 'onehot', type: 'one_hot', params: params('one_hot', {}) }]);
    s.steps[1].params = params('split', { testFraction: 0.01, seed: 1 });
    await runTask(s, ctx());
    const pred = await putDataset('cat-pred', path.join(ROOT, 'tests/cases/ingest/19-predict.csv'));
    const out = await runTask(
      { kind: 'predict', jobId: 'job_p', workspaceId: 'default', nodeId: 'predict', modelId: s.modelId, artifactKey: s.artifactKey, dataset: pred, outputKey: 'predictions/p.json' },
      ctx(),
    );
    const doc = JSON.parse((await store.get('predictions/p.json')).toString()) as PredictionsDoc;
    assert.equal(doc.predictions.length, pred.rowCount);
    assert.equal(out.predictions!.rowCount, pred.rowCount);
    const unseen = Object.values(doc.unseenCategories);
    assert.ok(unseen.length >= 1 && unseen[0].count >= 1, `unseen categories reported: ${JSON.stringify(doc.unseenCategories)}`);
    assert.ok(doc.predictions.every((p) => typeof p === 'number' && Number.isFinite(p)));
    assert.equal(doc.missingCategories.color, 1);
  });

  describe('k-means (clustering)', () => {
    const kmSpec = (ds: TrainPipelineSpec['dataset'], dsParams: Record<string, unknown>, extra: PipelineStep[], km: Record<string, unknown> = { nClusters: 3 }): TrainPipelineSpec => ({
      ...spec(ds, 'unused', 'kmeans' as 'linear_regression', km, extra),
      steps: [
        { id: 'data', type: 'dataset', params: params('dataset', { datasetId: ds.id, ...dsParams }) },
        { id: 'split', type: 'split', params: params('split', { testFraction: 0.2, seed: 42 }) },
        ...extra,
        { id: 'model', type: 'kmeans', params: params('kmeans', km) },
      ],
    });

    it('iris (impute, scale, k = 3): inertia equals KMeans on the same preprocessed train rows, ARI ≈ 0.6, predicts from its artifact', async () => {
      const ds = await putDataset('iris-kmeans', path.join(ROOT, 'examples/datasets/iris.csv'));
      const s = kmSpec(ds, { target: 'species' }, [impute, scale]);
      const r = await runTask(s, ctx());
      const model = r.nodes.model!;
      const ev = r.nodes.eval!;
      assert.equal(r.model!.task, 'clustering');
      assert.equal(model.rowsTrain! + model.rowsTest!, 150);
      assert.equal(model.clusterSizes!.length, 3);
      assert.equal(model.clusterSizes!.reduce((a, b) => a + b, 0), model.rowsTrain);
      assert.equal(ev.clusterSizes!.reduce((a, b) => a + b, 0), ev.rowsTest);
      assert.equal(model.classes, undefined, 'the target is not a class list of the model');

      // The same train rows, preprocessed by the saved steps, clustered directly.
      const artifact = parseArtifact(JSON.parse((await store.get(s.artifactKey)).toString('utf8')));
      assert.deepEqual(artifact.featureNames.length, 4, 'species is not a feature');
      const table = readArrowTable(await store.get(ds.objectKey));
      const mask = splitMask(0, table.numRows, 42, 0.2);
      const trainRows = Int32Array.from([...mask.keys()].filter((i) => !mask[i]));
      let frame = gather(frameFromTable(table, artifact.inputColumns), trainRows);
      for (const step of artifact.steps) frame = applyStep(step, frame);
      const X = modelMatrix(frame, false);
      const direct = KMeans.fit(X.X, X.nRows, X.nFeatures, { nClusters: 3, nInit: 3, maxIter: 300, tol: 1e-4, seed: 42 });
      const inertia = model.metrics!.inertia as number;
      assert.ok(Math.abs(inertia - direct.inertia) <= 1e-9 * direct.inertia, `pipeline inertia ${inertia} vs direct ${direct.inertia}`);
      assert.ok(Math.abs((model.metrics!.inertia_per_row as number) - direct.inertia / X.nRows) < 1e-9);

      const m = ev.metrics!;
      // The test part is only 23 rows here, so its ARI is noisy (0.40 on this split); the
      // all-rows ARI from the saved artifact is checked against ≈ 0.6 below.
      assert.ok((m.adjusted_rand as number) > 0.3 && (m.adjusted_rand as number) < 0.95, `test ARI ${m.adjusted_rand}`);
      assert.ok((m.silhouette as number) > 0.2 && (m.silhouette as number) < 0.8, `silhouette ${m.silhouette}`);
      assert.ok((m.inertia as number) > 0 && (m.inertia as number) < inertia, 'test inertia (fewer rows) below train inertia');
      assert.deepEqual(r.model!.metrics, m);

      const out = await runTask(
        { kind: 'predict', jobId: 'job_p', workspaceId: 'default', nodeId: 'predict', modelId: s.modelId, artifactKey: s.artifactKey, dataset: ds, outputKey: 'predictions/kmeans.json' },
        ctx(),
      );
      assert.equal(out.predictions!.rowCount, 150);
      const doc = JSON.parse((await store.get('predictions/kmeans.json')).toString()) as PredictionsDoc;
      assert.equal(doc.task, 'clustering');
      assert.equal(doc.classes, null);
      assert.ok(doc.predictions.every((c) => c === 0 || c === 1 || c === 2));
      assert.equal(doc.distances!.length, 150);
      // Summed squared distances of the train rows = train inertia (float32 distances).
      let ss = 0;
      for (const i of trainRows) ss += doc.distances![i]! ** 2;
      assert.ok(Math.abs(ss - inertia) / inertia < 1e-4, `Σ distance² ${ss} vs inertia ${inertia}`);
      // Scaled iris, k = 3: ARI ≈ 0.62 over all rows (scikit-learn: 0.620 on the full data).
      const species = sortClasses(fs.readFileSync(path.join(ROOT, 'examples/datasets/iris.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').pop()!));
      const truth = fs.readFileSync(path.join(ROOT, 'examples/datasets/iris.csv'), 'utf8').trim().split('\n').slice(1).map((l) => species.indexOf(l.split(',').pop()!));
      const ariAll = adjusted_rand_score(truth, doc.predictions as number[]);
      assert.ok(ariAll > 0.5 && ariAll < 0.75, `all-rows ARI ${ariAll}`);
      const labels = direct.predict(X.X, X.nRows);
      trainRows.forEach((row, k) => assert.equal(doc.predictions[row], labels[k]));
    });

    it('trains without a target (ARI null with a note) when the class column is ignored', async () => {
      const ds = await putDataset('iris-kmeans-notarget', path.join(ROOT, 'examples/datasets/iris.csv'));
      const r = await runTask(kmSpec(ds, { ignore: ['species'] }, [scale], { nClusters: 4, nInit: 1 }), ctx());
      assert.equal(r.model!.target, '');
      assert.equal(r.nodes.eval!.metrics!.adjusted_rand, null);
      assert.match(r.nodes.eval!.notes!.adjusted_rand!, /no target/);
      assert.equal(r.nodes.model!.clusterSizes!.length, 4);
    });

    it('refuses missing values (MISSING_VALUES_REACH_MODEL) and categorical features (CATEGORICAL_REACHES_MODEL)', async () => {
      const miss = await putDataset('kmeans-missing', path.join(ROOT, 'tests/cases/ingest/24-missing-vs-zero.csv'));
      const floats = miss.schema.columns.filter((c) => c.type === 'float').map((c) => c.name);
      await assert.rejects(runTask(kmSpec(miss, { features: floats }, [], { nClusters: 2 }), ctx()), (e: unknown) => e instanceof WeftError && e.code === 'MISSING_VALUES_REACH_MODEL' && e.message.includes('"model"'));
      const iris = await putDataset('iris-kmeans-cat', path.join(ROOT, 'examples/datasets/iris.csv'));
      await assert.rejects(runTask(kmSpec(iris, {}, [scale]), ctx()), (e: unknown) => e instanceof WeftError && e.code === 'CATEGORICAL_REACHES_MODEL' && e.message.includes('species'));
    });
  });
});
