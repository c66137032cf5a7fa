import * as assert from 'node:assert/strict';
import { WeftError, type ShardMapSpec, type ShardStats, type TaskResult } from '@weft/proto';
import { advanceGroup, groupTaskId, type GroupTask } from './advance.js';
import { foldSummary } from './cv.js';
import { lbfgsStep, type LbfgsDriverState } from './lbfgs-driver.js';
import { mergeAll, mergeColumn } from './merge.js';
import { compressSketch, mergeSketches } from './sketch.js';
import { planJob } from '../plan/planner.js';
import { relatedTaskIds } from '../store/job-store.js';
import { classificationGraph, datasetRow } from '../testing/fixtures.js';

const moments = (xs: number[]) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  return { n, missing: 0, mean, m2: xs.reduce((a, b) => a + (b - mean) ** 2, 0), min: Math.min(...xs), max: Math.max(...xs) };
};

describe('distributed reduce (pure)', () => {
  it('Chan merge of moments equals the moments of the union, even with far-off means', () => {
    const a = Array.from({ length: 1000 }, (_, i) => 1e9 + Math.sin(i));
    const b = Array.from({ length: 37 }, (_, i) => 1e9 + 5 + Math.cos(i));
    const m = mergeColumn(moments(a), moments(b), 2048);
    const all = moments([...a, ...b]);
    assert.equal(m.n, all.n);
    assert.ok(Math.abs(m.mean - all.mean) < 1e-6);
    assert.ok(Math.abs(m.m2 - all.m2) / all.m2 < 1e-6); // the two-pass reference itself carries ~1e-7 relative error at 1e9
    assert.equal(m.min, all.min);
    assert.equal(m.max, all.max);
  });

  it('sketch merge keeps total weight and bounds size; medians within 1/size of rank', () => {
    const xs = Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 20_000);
    const sk = (v: number[]) => compressSketch(v.sort((p, q) => p - q).map((x) => [x, 1] as [number, number]), 256);
    const merged = mergeSketches(sk(xs.slice(0, 12_000)), sk(xs.slice(12_000)), 256);
    assert.ok(merged.length <= 256);
    assert.ok(Math.abs(merged.reduce((a, [, w]) => a + w, 0) - 20_000) < 1e-6);
    let cum = 0;
    const median = merged.find(([, w]) => (cum += w) >= 10_000)![0];
    assert.ok(Math.abs(median - 10_000) < 20_000 / 256 + 1, `median ${median}`);
  });

  it('sums vectors and scalars, refuses mismatched vector lengths', () => {
    const s = (g: number[]): ShardStats => ({ rowsTrain: 1, rowsTest: 0, droppedMissing: 0, vectors: { grad: g }, scalars: { loss: 1 } });
    const m = mergeAll([s([1, 2]), s([3, 4]), s([5, 6])], 16);
    assert.deepEqual(m.vectors!.grad, [9, 12]);
    assert.equal(m.scalars!.loss, 3);
    assert.equal(m.rowsTrain, 3);
    assert.throws(() => mergeAll([s([1]), s([1, 2])], 16), /SHARD_STATS_MISMATCH/);
  });

  it('L-BFGS driver minimises a separable quadratic presented as summed loss/gradient', () => {
    // loss sum = n · Σ (w_i − t_i)² / 2 ⇒ mean objective minimiser w = t (C large: no penalty).
    const t = [3, -2, 0.5];
    const n = 10;
    const evalAt = (w: number[]) => ({ loss: (n * w.reduce((a, v, i) => a + (v - t[i]!) ** 2, 0)) / 2, grad: w.map((v, i) => n * (v - t[i]!)) });
    let trial = [0, 0, 0];
    let state: LbfgsDriverState | null = null;
    for (let round = 0; round < 50; round++) {
      const e = evalAt(trial);
      const out = lbfgsStep(state, trial, e.loss, e.grad, { C: 1e12, tol: 1e-8, maxIter: 100, nFeatures: 3, nRows: n });
      if (out.done) {
        assert.ok(out.converged);
        out.x.forEach((v, i) => assert.ok(Math.abs(v - t[i]!) < 1e-6));
        return;
      }
      trial = out.trial;
      state = out.state;
    }
    assert.fail('did not converge in 50 rounds');
  });
});

describe('distributed group stages (pure)', () => {
  const pipeline = (): ShardMapSpec['pipeline'] => ({
    jobId: 'job_1',
    workspaceId: 'default',
    seed: 7,
    dataset: { id: 'ds', objectKey: 'k', rowCount: 10, schema: { columns: [] } },
    steps: [
      { id: 'data', type: 'dataset', params: { datasetId: 'ds', target: 'y' } },
      { id: 'split', type: 'split', params: { testFraction: 0.2 } },
      { id: 'model', type: 'linear_regression', params: { alpha: 0 } },
    ],
    modelNodeId: 'model',
    evaluators: [{ id: 'eval', type: 'evaluate', params: {} }],
    modelId: 'model_1',
    artifactKey: 'a',
  });
  const shardTask = (stage: ShardMapSpec['stage'], round: number, i: number, state: string, shard?: ShardStats): GroupTask => ({
    id: groupTaskId('g', stage, round, i),
    kind: 'shard_map',
    state,
    spec: { kind: 'shard_map', group: 'g', stage, round, shardCount: 2, shard: { index: i, batchStart: i, batchEnd: i + 1 }, pipeline: pipeline(), state: { prep: [], lossCurve: [], rounds: 0 } },
    result: shard ? ({ nodes: {}, shard } as TaskResult) : null,
  });
  const stats = (n: number): ShardStats => ({ rowsTrain: n, rowsTest: 1, droppedMissing: 0, vectors: { xtx: [n], xty: [n], sumX: [n] }, scalars: { sumY: n, sumYY: n }, meta: { nFeatures: 1 } });

  it('waits for every shard of the round, then plans the next stage with merged state', () => {
    const t0 = shardTask('fit', 0, 0, 'succeeded', stats(4));
    const t1 = shardTask('fit', 0, 1, 'running');
    assert.equal(advanceGroup([t0, t1], t0, 64).type, 'wait');
    const t1done = shardTask('fit', 0, 1, 'succeeded', stats(5));
    const a = advanceGroup([t0, t1done], t1done, 64);
    assert.equal(a.type, 'next');
    const next = (a as { tasks: Array<{ id: string; spec: ShardMapSpec }> }).tasks;
    assert.deepEqual(next.map((t) => t.id), ['g_t0_0', 'g_t0_1']);
    // train (linear) → eval with merged sums
    const tr = [shardTask('train', 0, 0, 'succeeded', stats(4)), shardTask('train', 0, 1, 'succeeded', stats(5))];
    const b = advanceGroup(tr, tr[1]!, 64) as { type: 'next'; tasks: Array<{ id: string; spec: ShardMapSpec }> };
    assert.deepEqual(b.tasks.map((t) => t.id), ['g_e0_0', 'g_e0_1']);
    assert.deepEqual(b.tasks[0]!.spec.state.train!.vectors!.xtx, [9]);
    const ev = [shardTask('eval', 0, 0, 'succeeded', stats(4)), shardTask('eval', 0, 1, 'succeeded', stats(5))];
    const c = advanceGroup(ev, ev[0]!, 64) as { type: 'next'; tasks: Array<{ id: string; kind: string; nodeIds: string[] }> };
    assert.deepEqual(c.tasks.map((t) => [t.id, t.kind]), [['g_final', 'finalize']]);
    assert.deepEqual(c.tasks[0]!.nodeIds, ['data', 'split', 'model', 'eval']);
  });

  it('fails the group when the merged target has a single class', () => {
    const p = pipeline();
    p.steps[2] = { id: 'model', type: 'logistic_regression', params: {} };
    const mk = (i: number): GroupTask => {
      const t = shardTask('fit', 0, i, 'succeeded', { rowsTrain: 3, rowsTest: 1, droppedMissing: 0, labelCounts: { a: 4 }, trainLabelCounts: { a: 3 } });
      (t.spec as ShardMapSpec).pipeline = p;
      return t;
    };
    const ts = [mk(0), mk(1)];
    const r = advanceGroup(ts, ts[0]!, 64);
    assert.equal(r.type, 'fail');
    assert.equal((r as { code: string }).code, 'TARGET_SINGLE_CLASS');
  });

  it('cross-validation: mean and std over folds once all have reported', () => {
    const fold = (i: number, acc: number, state = 'succeeded'): GroupTask => ({
      id: `cv${i}`,
      kind: 'train_pipeline',
      state,
      spec: { fold: { k: 3, index: i, group: 'cvg' } },
      result: state === 'succeeded' ? ({ nodes: {}, fold: { index: i, metrics: { accuracy: acc } } } as TaskResult) : null,
    });
    assert.equal(foldSummary([fold(0, 0.8), fold(1, 0.9, 'running')], 'cvg'), null);
    const s = foldSummary([fold(0, 0.8), fold(1, 0.9), fold(2, 1.0)], 'cvg')!;
    assert.equal(s.folds, 3);
    assert.ok(Math.abs((s.mean.accuracy as number) - 0.9) < 1e-12);
    assert.ok(Math.abs((s.std.accuracy as number) - Math.sqrt(0.02 / 3)) < 1e-12);
  });

  it('planner: a multi-shard dataset becomes fit tasks per shard (auto); folds add k fold tasks', () => {
    let n = 0;
    const g = classificationGraph('ds_1');
    g.nodes[1]!.params = { testFraction: 0.2, stratify: false, folds: 3 };
    const tasks = planJob({
      jobId: 'job_1',
      workspaceId: 'default',
      graph: g,
      edges: g.edges,
      seed: 7,
      datasets: new Map([['ds_1', { ...datasetRow('ds_1'), batchCount: 10 }]]),
      models: new Map(),
      newId: (p) => `${p}_${++n}`,
      shardBatches: 4,
    });
    assert.deepEqual(tasks.filter((t) => t.kind === 'shard_map').map((t) => (t.spec as ShardMapSpec).shard), [
      { index: 0, batchStart: 0, batchEnd: 4 },
      { index: 1, batchStart: 4, batchEnd: 8 },
      { index: 2, batchStart: 8, batchEnd: 10 },
    ]);
    assert.equal(tasks.filter((t) => t.kind === 'train_pipeline' && (t.spec as { fold?: unknown }).fold).length, 3);
    assert.equal(tasks.filter((t) => t.kind === 'train_pipeline' && !(t.spec as { fold?: unknown }).fold).length, 0);
  });

  it('planner: target encoding (no map-reduce fit) keeps a multi-shard pipeline on one executor under auto, and refuses "on"', () => {
    const plan = (distributed: 'auto' | 'on') => {
      let n = 0;
      const g = classificationGraph('ds_1');
      g.nodes[1]!.params = { testFraction: 0.2, stratify: false, distributed };
      g.nodes.splice(2, 0, { id: 'te', type: 'target_encode', params: { smooth: 'auto', cv: 5 } });
      g.edges = [
        { source: 'data', target: 'split' },
        { source: 'split', target: 'te' },
        { source: 'te', target: 'model' },
        { source: 'model', target: 'eval' },
      ];
      return planJob({ jobId: 'job_1', workspaceId: 'default', graph: g, edges: g.edges, seed: 7, datasets: new Map([['ds_1', { ...datasetRow('ds_1'), batchCount: 10 }]]), models: new Map(), newId: (p) => `${p}_${++n}`, shardBatches: 4 });
    };
    assert.deepEqual(plan('auto').map((t) => t.kind), ['train_pipeline']);
    assert.throws(() => plan('on'), (e: unknown) => e instanceof WeftError && (e.details as { field?: string }).field === 'params.distributed' && /node "te"/.test(e.message));
  });

  it('store: a succeeded task loads its round siblings and every id the next stage may insert (not older rounds)', () => {
    const spec = (stage: ShardMapSpec['stage'], round: number) => ({ kind: 'shard_map', group: 'g', stage, round, shardCount: 3 });
    const ids = (stage: ShardMapSpec['stage'], round: number) => relatedTaskIds({ id: groupTaskId('g', stage, round, 1), kind: 'shard_map', spec: spec(stage, round) });
    const train7 = ids('train', 7);
    for (const i of [0, 1, 2]) {
      assert.ok(train7.includes(groupTaskId('g', 'train', 7, i)));
      assert.ok(train7.includes(groupTaskId('g', 'train', 8, i)));
      assert.ok(train7.includes(groupTaskId('g', 'eval', 0, i)));
      assert.ok(!train7.includes(groupTaskId('g', 'train', 6, i)));
    }
    assert.ok(train7.includes(groupTaskId('g', 'finalize', 0, 0)));
    assert.equal(train7.length, 10);
    const fit0 = ids('fit', 0);
    for (const id of [groupTaskId('g', 'fit', 1, 2), groupTaskId('g', 'train', 0, 0), groupTaskId('g', 'eval', 0, 0)]) assert.ok(fit0.includes(id), id);
    assert.deepEqual(ids('eval', 0), [0, 1, 2].map((i) => groupTaskId('g', 'eval', 0, i)).concat(groupTaskId('g', 'finalize', 0, 0)));
    assert.deepEqual(relatedTaskIds({ id: 'c_cv1', kind: 'train_pipeline', spec: { kind: 'train_pipeline', fold: { k: 3, index: 1, group: 'c' } } }), ['c_cv0', 'c_cv1', 'c_cv2']);
    assert.deepEqual(relatedTaskIds({ id: 't', kind: 'train_pipeline', spec: { kind: 'train_pipeline' } }), []);
  });
});
