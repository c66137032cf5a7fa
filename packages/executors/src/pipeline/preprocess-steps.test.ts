/**
 * The preprocessing nodes of issue 4 (ordinal, target_encode, datetime_features, clip,
 * variance_threshold) through the executor pipeline: a workflow using all of them trains,
 * saves its fitted steps and predicts from the artifact exactly as it evaluated; the sharded
 * (map-reduce) fit gives the same fitted steps as the single-task fit; target encoding is
 * out of fold on the train part and refused on the sharded path.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dictionary, Float64, Int32, RecordBatchFileWriter, Table, TimestampMillisecond, Utf8, vectorFromArray } from 'apache-arrow';
import { LocalObjectStore, createLogger } from '@weft/common';
import { r2, splitMask } from '@weft/kernels';
import { DATETIME_FEATURE_NAMES, NODE_CATALOGUE, WeftError, type ColumnSummary, type DatasetSchema, type PipelineStep, type ShardStats, type TaskSpec, type TrainPipelineSpec } from '@weft/proto';
import { DATETIME_FEATURES } from '@weft/kernels';
import { runTask } from './index.js';
import { parseArtifact, type ModelArtifact } from './artifact.js';
import type { PredictionsDoc } from './predict.js';
import { applyStep, fitTransformStep } from './transforms.js';
import type { Frame } from './frame.js';

function params(type: string, p: Record<string, unknown>): Record<string, unknown> {
  return (NODE_CATALOGUE as Record<string, { params: { parse(x: unknown): unknown } }>)[type]!.params.parse(p) as Record<string, unknown>;
}
const step = (id: string, type: string, p: Record<string, unknown> = {}): PipelineStep => ({ id, type, params: params(type, p) });

/** Seeded uniform [0, 1) (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Rows {
  x1: Array<number | null>;
  x2: Array<number | null>;
  flat: Array<number | null>;
  grade: Array<string | null>;
  city: Array<string | null>;
  when: Array<number | null>;
  y: Array<number | string | null>;
}

const SCHEMA: DatasetSchema = {
  columns: [
    { name: 'x1', type: 'float', role: 'feature' },
    { name: 'x2', type: 'float', role: 'feature' },
    { name: 'flat', type: 'float', role: 'feature' },
    { name: 'grade', type: 'categorical', role: 'feature' },
    { name: 'city', type: 'categorical', role: 'feature' },
    { name: 'when', type: 'datetime', role: 'feature' },
    { name: 'y', type: 'float', role: 'feature' },
  ],
};

/**
 * n rows: y = 1.5·x1 (x1 with 0.5 % huge outliers, which clipping at the 99th percentile tames) + a per-city effect
 * + 3 in the afternoon (UTC) + 0.5·grade index + noise; `flat` is constant (variance
 * threshold drops it); x2, grade, city and when have missing values.
 */
function regressionRows(n: number, seed: number): Rows {
  const r = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const cities = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
  const effect = [0, 4, -3, 8, 1, -6, 2, 5];
  const grades = ['low', 'mid', 'high'];
  const rows: Rows = { x1: [], x2: [], flat: [], grade: [], city: [], when: [], y: [] };
  const t0 = Date.UTC(2015, 0, 1);
  for (let i = 0; i < n; i++) {
    const x1 = g() * 3;
    const c = Math.floor(r() * r() * cities.length);
    const gi = Math.floor(r() * 3);
    const when = t0 + Math.floor(r() * 8 * 365 * 86_400_000);
    const hour = new Date(when).getUTCHours();
    rows.x1.push(i % 200 === 7 ? 1000 : x1);
    rows.x2.push(i % 13 === 5 ? null : g());
    rows.flat.push(7);
    rows.grade.push(i % 17 === 3 ? null : grades[gi]!);
    rows.city.push(i % 19 === 11 ? null : cities[c]!);
    rows.when.push(i % 23 === 9 ? null : when);
    rows.y.push(1.5 * x1 + effect[c]! + (hour >= 12 ? 3 : 0) + 0.5 * gi + 0.3 * g());
  }
  return rows;
}

/** Arrow IPC file of `rows` in `batches` record batches (the sharded path reads batch ranges). */
function arrowFile(rows: Rows, targetType: 'float' | 'categorical', batches = 1): Uint8Array {
  const dict = () => new Dictionary(new Utf8(), new Int32());
  const table = new Table({
    x1: vectorFromArray(rows.x1, new Float64()),
    x2: vectorFromArray(rows.x2, new Float64()),
    flat: vectorFromArray(rows.flat, new Float64()),
    grade: vectorFromArray(rows.grade, dict()),
    city: vectorFromArray(rows.city, dict()),
    when: vectorFromArray(rows.when, new TimestampMillisecond()),
    y: targetType === 'float' ? vectorFromArray(rows.y as Array<number | null>, new Float64()) : vectorFromArray(rows.y as Array<string | null>, dict()),
  });
  const size = Math.ceil(table.numRows / batches);
  const parts = Array.from({ length: batches }, (_, b) => table.slice(b * size, Math.min(table.numRows, (b + 1) * size)).batches).flat();
  return RecordBatchFileWriter.writeAll(parts).toUint8Array(true);
}

/** Test-side reduce of shard statistics (the scheduler's `mergeAll`; sketches kept exact). */
function mergeColumn(a: ColumnSummary, b: ColumnSummary): ColumnSummary {
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  const mean = a.n === 0 ? b.mean : b.n === 0 ? a.mean : a.mean + (delta * b.n) / n;
  const m2 = a.n === 0 ? b.m2 : b.n === 0 ? a.m2 : a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  const pick = (x: number | null, y: number | null, f: (u: number, v: number) => number) => (x === null ? y : y === null ? x : f(x, y));
  const out: ColumnSummary = { n, missing: a.missing + b.missing, mean, m2, min: pick(a.min, b.min, Math.min), max: pick(a.max, b.max, Math.max) };
  if (a.sketch || b.sketch) out.sketch = [...(a.sketch ?? []), ...(b.sketch ?? [])].sort((u, v) => u[0] - v[0]);
  if (a.counts || b.counts) {
    out.counts = { ...(a.counts ?? {}) };
    for (const [k, v] of Object.entries(b.counts ?? {})) out.counts[k] = (out.counts[k] ?? 0) + v;
  }
  return out;
}
function mergeStats(parts: ShardStats[]): ShardStats {
  const out: ShardStats = { rowsTrain: 0, rowsTest: 0, droppedMissing: 0 };
  for (const p of parts) {
    out.rowsTrain += p.rowsTrain;
    out.rowsTest += p.rowsTest;
    out.droppedMissing += p.droppedMissing ?? 0;
    for (const [k, c] of Object.entries(p.columns ?? {})) {
      out.columns ??= {};
      out.columns[k] = out.columns[k] ? mergeColumn(out.columns[k]!, c) : c;
    }
    for (const [k, v] of Object.entries(p.scalars ?? {})) (out.scalars ??= {})[k] = (out.scalars?.[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.vectors ?? {})) {
      out.vectors ??= {};
      out.vectors[k] = out.vectors[k] ? out.vectors[k]!.map((x, i) => x + v[i]!) : [...v];
    }
    if (p.meta) out.meta = { ...p.meta, ...(out.meta ?? {}) };
  }
  return out;
}

/** Deep equality with numbers compared to a relative tolerance. */
function assertClose(a: unknown, b: unknown, where: string, tol = 1e-9): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, `${where}: length`);
    a.forEach((x, i) => assertClose(x, b[i], `${where}[${i}]`, tol));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${where}: keys`);
    for (const k of Object.keys(a)) assertClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`, tol);
    return;
  }
  assert.deepEqual(a, b, where);
}

describe('executor pipeline: ordinal, target encoding, datetime features, clipping, variance threshold', function () {
  this.timeout(60_000);
  let dir: string;
  let store: LocalObjectStore;
  const log = createLogger('test', 'silent');
  const ctx = () => ({ store, signal: new AbortController().signal, onProgress: () => {}, log, executorId: 'test' });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-steps-'));
    store = new LocalObjectStore(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function putDataset(id: string, bytes: Uint8Array, rowCount: number, schema: DatasetSchema = SCHEMA) {
    const objectKey = `datasets/${id}.arrow`;
    await store.put(objectKey, Buffer.from(bytes));
    return { id, objectKey, rowCount, schema };
  }

  function trainSpec(dataset: TrainPipelineSpec['dataset'], model: string, transforms: PipelineStep[], stratify = false): TrainPipelineSpec {
    return {
      kind: 'train_pipeline',
      jobId: 'job_steps',
      workspaceId: 'default',
      seed: 42,
      dataset,
      steps: [step('data', 'dataset', { datasetId: dataset.id, target: 'y' }), step('split', 'split', { testFraction: 0.2, seed: 42, stratify }), ...transforms, step('model', model)],
      modelNodeId: 'model',
      evaluators: [{ id: 'eval', type: 'evaluate', params: {} }],
      modelId: `model_${dataset.id}`,
      artifactKey: `models/${dataset.id}.json`,
    };
  }

  async function predict(modelSpec: TrainPipelineSpec, dataset: TrainPipelineSpec['dataset'], key: string): Promise<PredictionsDoc> {
    await runTask({ kind: 'predict', jobId: 'job_p', workspaceId: 'default', nodeId: 'predict', modelId: modelSpec.modelId, artifactKey: modelSpec.artifactKey, dataset, outputKey: key }, ctx());
    return JSON.parse((await store.get(key)).toString()) as PredictionsDoc;
  }

  const artifactOf = async (s: { artifactKey: string }): Promise<ModelArtifact> => parseArtifact(JSON.parse((await store.get(s.artifactKey)).toString()));

  const ALL = () => [
    step('dt', 'datetime_features', { features: ['month', 'day_of_week', 'hour', 'epoch_seconds'] }),
    step('clip', 'clip', { lowerQuantile: 0.01, upperQuantile: 0.99 }),
    step('ord', 'ordinal', { columns: ['grade'] }),
    step('te', 'target_encode', { columns: ['city'] }),
    step('imp', 'impute', {}),
    step('vt', 'variance_threshold', {}),
    step('scale', 'scale', {}),
  ];

  it('the datetime features of the catalogue are the kernel\'s', () => {
    assert.deepEqual([...DATETIME_FEATURE_NAMES], [...DATETIME_FEATURES]);
  });

  it('a workflow with every new node trains, saves its steps, and predicts from the artifact exactly as it evaluated', async () => {
    const rows = regressionRows(1000, 1);
    const ds = await putDataset('steps-reg', arrowFile(rows, 'float'), 1000);
    const s = trainSpec(ds, 'linear_regression', ALL());
    const r = await runTask(s, ctx());
    const evalR2 = r.nodes.eval!.metrics!.r2 as number;
    assert.ok(evalR2 > 0.8, `holdout R² ${evalR2}`);

    const art = await artifactOf(s);
    assert.deepEqual(art.steps.map((x) => x.type), ['datetime_features', 'clip', 'ordinal', 'target_encode', 'impute', 'variance_threshold', 'scale']);
    assert.deepEqual(art.inputColumns.find((c) => c.name === 'when'), { name: 'when', kind: 'datetime', type: 'datetime' });
    assert.ok(!art.featureNames.includes('flat'), 'the constant column is dropped by the variance threshold');
    for (const f of ['x1', 'x2', 'grade', 'city', 'when__month', 'when__day_of_week', 'when__hour', 'when__epoch_seconds']) assert.ok(art.featureNames.includes(f), `${f} in ${art.featureNames}`);
    const vt = art.steps.find((x) => x.type === 'variance_threshold')!;
    assert.deepEqual(vt.type === 'variance_threshold' && vt.columns.filter((c) => !c.keep).map((c) => c.name), ['flat']);
    const clip = art.steps.find((x) => x.type === 'clip')!;
    const x1Bounds = clip.type === 'clip' ? clip.columns.find((c) => c.name === 'x1')!.state : null;
    assert.ok(x1Bounds && x1Bounds.upper! < 20, `x1 outliers clipped at the 99th percentile: ${JSON.stringify(x1Bounds)}`);

    // Prediction replays the saved steps: on the test rows it reproduces the holdout R².
    const doc = await predict(s, ds, 'predictions/steps-reg.json');
    assert.equal(doc.predictions.length, 1000);
    const isTest = splitMask(0, 1000, 42, 0.2);
    const yTrue: number[] = [];
    const yPred: number[] = [];
    for (let i = 0; i < 1000; i++) if (isTest[i]) (yTrue.push(rows.y[i] as number), yPred.push(doc.predictions[i] as number));
    assert.equal(yTrue.length, r.nodes.split!.rowsTest);
    assert.ok(Math.abs(r2(Float64Array.from(yTrue), Float64Array.from(yPred)) - evalR2) < 1e-9, 'predict-time R² on the test rows equals the evaluated R²');

    // New rows: unseen categories, a missing timestamp; the target may be left out.
    const fresh: Rows = { x1: [1, 2, -1], x2: [0, null, 1], flat: [7, 7, 7], grade: ['mid', 'top', null], city: ['c1', 'zz', 'c3'], when: [Date.UTC(2024, 5, 1, 15), null, Date.UTC(2020, 0, 1, 3)], y: [null, null, null] };
    const freshDs = await putDataset('steps-reg-new', arrowFile(fresh, 'float'), 3);
    const out = await predict(s, freshDs, 'predictions/steps-reg-new.json');
    assert.ok(out.predictions.every((p) => typeof p === 'number' && Number.isFinite(p)), JSON.stringify(out.predictions));
    assert.deepEqual(out.unseenCategories.city, { count: 1, values: ['zz'], encodedAs: 'the target mean' });
    assert.deepEqual(out.unseenCategories.grade, { count: 1, values: ['top'], encodedAs: '-1' });
  });

  it('multiclass target encoding: one column per class, trains a classifier, predicts with unseen categories', async () => {
    const r = rng(5);
    const n = 600;
    const classes = ['A', 'B', 'C'];
    const rows: Rows = { x1: [], x2: [], flat: [], grade: [], city: [], when: [], y: [] };
    for (let i = 0; i < n; i++) {
      const c = Math.floor(r() * 6);
      const k = r() < 0.8 ? c % 3 : Math.floor(r() * 3);
      rows.x1.push(r());
      rows.x2.push(r());
      rows.flat.push(1);
      rows.grade.push('g');
      rows.city.push(`city${c}`);
      rows.when.push(0);
      rows.y.push(classes[k]!);
    }
    const schema: DatasetSchema = { columns: SCHEMA.columns.map((c) => (c.name === 'y' ? { ...c, type: 'categorical' } : c)) };
    const ds = await putDataset('steps-multi', arrowFile(rows, 'categorical'), n, schema);
    const s = trainSpec(ds, 'logistic_regression', [step('te', 'target_encode', { columns: ['city'], cv: 3 }), step('vt', 'variance_threshold', {})], true);
    s.steps[0]!.params = params('dataset', { datasetId: ds.id, target: 'y', features: ['x1', 'city', 'flat'] });
    const res = await runTask(s, ctx());
    assert.ok((res.nodes.eval!.metrics!.accuracy as number) > 0.7, JSON.stringify(res.nodes.eval!.metrics));
    const art = await artifactOf(s);
    assert.deepEqual(art.featureNames, ['x1', 'city__target=A', 'city__target=B', 'city__target=C']);
    const fresh: Rows = { x1: [0.5, 0.5], x2: [0, 0], flat: [1, 1], grade: ['g', 'g'], city: ['city1', 'nowhere'], when: [0, 0], y: [null, null] };
    const out = await predict(s, await putDataset('steps-multi-new', arrowFile(fresh, 'categorical'), 2, schema), 'predictions/steps-multi.json');
    assert.equal(out.predictions[0], 'B');
    assert.equal(out.unseenCategories.city!.count, 1);
    assert.equal(out.probabilities![1]!.length, 3);
  });

  it('target encoding encodes the train part out of fold and the test part with the full-train encoder', () => {
    const n = 200;
    const codes = Int32Array.from({ length: n }, (_, i) => i % 10);
    const train: Frame = { nRows: n, features: [{ name: 'c', kind: 'categorical', column: { codes, dictionary: Array.from({ length: 10 }, (_, k) => `k${k}`), valid: null } }] };
    const values = Float64Array.from({ length: n }, (_, i) => (i % 10) + Math.sin(i));
    const target = { task: 'regression' as const, values, rowIds: Int32Array.from({ length: n }, (_, i) => i), seed: 3 };
    const { step: st, train: encoded } = fitTransformStep('target_encode', 'te', params('target_encode', {}), train, target);
    const oof = (encoded.features[0]!.column as { values: Float64Array }).values;
    const full = (applyStep(st, train).features[0]!.column as { values: Float64Array }).values;
    assert.equal(encoded.features[0]!.name, 'c');
    assert.ok(oof.some((v, i) => Math.abs(v - full[i]!) > 1e-6), 'out-of-fold encodings differ from the full-train ones');
    // Same seed and rows → same folds → same encodings.
    const again = fitTransformStep('target_encode', 'te', params('target_encode', {}), train, target).train;
    assert.deepEqual((again.features[0]!.column as { values: Float64Array }).values, oof);
    assert.throws(() => fitTransformStep('target_encode', 'te', params('target_encode', {}), train), (e: unknown) => e instanceof WeftError && /needs the model's target/.test(e.message));
  });

  it('bad columns and params are named: wrong kind, unknown value clash, nothing above the variance threshold', async () => {
    const rows = regressionRows(200, 2);
    const ds = await putDataset('steps-bad', arrowFile(rows, 'float'), 200);
    const fails = async (t: PipelineStep[], field: string, re: RegExp) => {
      const s = trainSpec(ds, 'linear_regression', t);
      s.steps[0]!.params = params('dataset', { datasetId: ds.id, target: 'y', features: ['x1', 'flat', 'grade', 'city'] });
      await assert.rejects(runTask(s, ctx()), (e: unknown) => {
        assert.ok(e instanceof WeftError, String(e));
        assert.equal((e.details as { field?: string }).field, field, e.message);
        assert.match(e.message, re);
        return true;
      });
    };
    await fails([step('ord', 'ordinal', { columns: ['x1'] })], 'params.columns.0', /column "x1" is numeric; ordinal encoding takes categorical columns/);
    await fails([step('ord', 'ordinal', { columns: ['grade'], unknownValue: 1 })], 'params.unknownValue', /unknownValue 1 is the code of seen category "low"/);
    await fails([step('clip', 'clip', { columns: ['city'], upper: 1 })], 'params.columns.0', /clipping takes numeric columns/);
    await fails([step('ord', 'ordinal', {}), step('vt', 'variance_threshold', { threshold: 1e9 })], 'params.threshold', /no feature has a train variance above the threshold/);
  });

  describe('sharded (map-reduce) fit', () => {
    /** Runs the fit rounds, the linear-regression train round and finalize over `shards` in process, merging as the scheduler does. */
    async function runSharded(ds: TrainPipelineSpec['dataset'], transforms: PipelineStep[], shards: Array<{ index: number; batchStart: number; batchEnd: number }>) {
      const { kind: _kind, ...pipeline } = trainSpec(ds, 'linear_regression', transforms);
      void _kind;
      pipeline.artifactKey = `models/${ds.id}-sharded.json`;
      const state = { prep: [] as ShardStats[], lossCurve: [] as number[], rounds: 0, train: undefined as ShardStats | undefined };
      const round = async (stage: 'fit' | 'train', r: number) =>
        mergeStats(
          await Promise.all(
            shards.map(async (shard) => (await runTask({ kind: 'shard_map', group: 'g', stage, round: r, shardCount: shards.length, shard, pipeline, state: structuredClone(state) } as TaskSpec, ctx())).shard!),
          ),
        );
      for (let r = 0; r < transforms.length; r++) state.prep.push(await round('fit', r));
      state.train = await round('train', 0);
      await runTask({ kind: 'finalize', group: 'g', shardCount: shards.length, pipeline, state } as TaskSpec, ctx());
      return { artifactKey: pipeline.artifactKey };
    }

    it('gives the fitted steps of the single-task fit (ordinal, datetime, quantile and value clip, variance threshold)', async () => {
      const rows = regressionRows(1200, 3);
      const ds = await putDataset('steps-sharded', arrowFile(rows, 'float', 4), 1200);
      const transforms = [
        step('dt', 'datetime_features', { features: ['year', 'hour', 'is_weekend'] }),
        step('clipq', 'clip', { lowerQuantile: 0.05, upperQuantile: 0.95, columns: ['x1', 'x2'] }),
        step('clipv', 'clip', { lower: -2, upper: 2, columns: ['x2'] }),
        step('ord', 'ordinal', { encodedMissingValue: -2 }),
        step('imp', 'impute', {}),
        step('vt', 'variance_threshold', { threshold: 0.01 }),
      ];
      const single = trainSpec(ds, 'linear_regression', transforms);
      await runTask(single, ctx());
      const sharded = await runSharded(ds, transforms, [
        { index: 0, batchStart: 0, batchEnd: 2 },
        { index: 1, batchStart: 2, batchEnd: 4 },
      ]);
      const a = await artifactOf(single);
      const b = await artifactOf(sharded);
      assert.deepEqual(b.featureNames, a.featureNames);
      assert.deepEqual(b.inputColumns, a.inputColumns);
      assertClose(b.steps, a.steps, 'steps');
      const vt = b.steps.find((x) => x.type === 'variance_threshold')!;
      assert.ok(vt.type === 'variance_threshold' && vt.columns.some((c) => c.name === 'flat' && !c.keep));
    });

    it('refuses target encoding, naming the node', async () => {
      const ds = await putDataset('steps-sharded-te', arrowFile(regressionRows(100, 4), 'float', 2), 100);
      await assert.rejects(runSharded(ds, [step('te', 'target_encode', {})], [{ index: 0, batchStart: 0, batchEnd: 1 }]), (e: unknown) => e instanceof WeftError && /Node "te": target encoding has no distributed fit/.test(e.message));
    });
  });
});
