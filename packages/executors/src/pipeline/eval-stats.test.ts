import * as assert from 'node:assert/strict';
import type { NodeResult, ShardStats } from '@weft/proto';
import { NodeResultSchema } from '@weft/proto';
import { classificationEvalStats, classificationMetricsFromStats } from './eval-stats.js';
import { evaluateClassification } from './train.js';

/** Deterministic uniform [0, 1) numbers (a 32-bit LCG), so the test needs no fixture. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A synthetic classifier's output: labels, argmax predictions, probabilities [n, K]. */
function synthetic(n: number, K: number, seed: number, classesInTest = K) {
  const rnd = lcg(seed);
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  const proba = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const y = Math.floor(rnd() * classesInTest);
    yTrue[i] = y;
    let sum = 0;
    for (let c = 0; c < K; c++) {
      const logit = (c === y ? 1.2 : 0) + 2 * rnd() - (c >= classesInTest ? 3 : 0);
      sum += proba[i * K + c] = Math.exp(logit);
    }
    for (let c = 0; c < K; c++) proba[i * K + c] /= sum;
    // Some rows sit exactly on calibration bin edges (0.3, 0.7, 1.0, 0.5, 0).
    if (K === 2 && i % 50 === 0) {
      const p = [0.3, 0.7, 1, 0.5, 0][(i / 50) % 5]!;
      proba[2 * i + 1] = p;
      proba[2 * i] = 1 - p;
    }
    let best = 0;
    for (let c = 1; c < K; c++) if (proba[i * K + c]! > proba[i * K + best]!) best = c;
    yPred[i] = best;
  }
  return { yTrue, yPred, proba };
}

/** Map over `shards` contiguous parts, then merge as the scheduler does (scalars and vectors summed element-wise). */
function distributed(d: ReturnType<typeof synthetic>, K: number, shards: number): ShardStats {
  const n = d.yTrue.length;
  const merged: ShardStats = { rowsTrain: 0, rowsTest: n, droppedMissing: 0, scalars: {}, vectors: {} };
  for (let s = 0; s < shards; s++) {
    const lo = Math.floor((s * n) / shards);
    const hi = Math.floor(((s + 1) * n) / shards);
    const part = classificationEvalStats(d.yTrue.slice(lo, hi), d.yPred.slice(lo, hi), d.proba.slice(lo * K, hi * K), K);
    for (const [k, v] of Object.entries(part.scalars ?? {})) merged.scalars![k] = (merged.scalars![k] ?? 0) + v;
    for (const [k, v] of Object.entries(part.vectors ?? {})) {
      const acc = (merged.vectors![k] ??= new Array<number>(v.length).fill(0));
      v.forEach((x, i) => (acc[i]! += x));
    }
  }
  return merged;
}

/** Asserts the distributed result matches the single-task one: exact metrics exactly, histogram ones within `tol`. */
function assertConsistent(single: Partial<NodeResult>, dist: Partial<NodeResult>, tol: number) {
  const sm = single.metrics!;
  const dm = dist.metrics!;
  assert.deepEqual(Object.keys(dm).sort(), Object.keys(sm).sort(), 'same metric names');
  for (const [k, v] of Object.entries(sm)) {
    const w = dm[k];
    if (Array.isArray(v)) assert.deepEqual(w, v, k);
    else if (v === null || w === null) assert.equal(w, v, `${k}: both null or neither`);
    else {
      const approx = k === 'roc_auc' || k === 'pr_auc';
      const eps = approx ? tol : 1e-12;
      assert.ok(Math.abs((w as number) - v) <= eps, `${k}: distributed ${w} vs single ${v} (tolerance ${eps})`);
    }
  }
  assert.deepEqual(Object.keys(dist.notes ?? {}).sort(), Object.keys(single.notes ?? {}).sort(), 'notes on the same metrics');
  assert.equal(Boolean(dist.roc), Boolean(single.roc), 'roc present in both or neither');
  assert.equal(Boolean(dist.pr), Boolean(single.pr), 'pr present in both or neither');
  const sc = single.calibration;
  const dc = dist.calibration;
  assert.ok(sc && dc, 'calibration bins in both');
  assert.equal(dc.kind, sc.kind);
  assert.equal(dc.nBins, sc.nBins);
  assert.deepEqual(dc.bin, sc.bin, 'same non-empty bins');
  assert.deepEqual(dc.count, sc.count, 'same bin counts');
  assert.deepEqual(dc.fractionPositive, sc.fractionPositive, 'same observed fractions');
  dc.meanPredicted.forEach((v, i) => assert.ok(Math.abs(v - sc.meanPredicted[i]!) <= 1e-12, `meanPredicted[${i}] ${v} vs ${sc.meanPredicted[i]}`));
  NodeResultSchema.parse(single);
  NodeResultSchema.parse(dist);
}

describe('distributed evaluation statistics vs the single-task evaluator', () => {
  it('binary: exact counts-based metrics and calibration bins, AUCs within histogram error', () => {
    const d = synthetic(3000, 2, 7);
    const classes = ['no', 'yes'];
    const single = evaluateClassification(d.yTrue, d.yPred, d.proba, classes);
    const dist = classificationMetricsFromStats(distributed(d, 2, 3), classes);
    assertConsistent(single, dist, 2e-3);
    const m = single.metrics!;
    for (const k of ['balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted', 'pr_auc']) {
      assert.equal(typeof m[k], 'number', `${k} reported`);
    }
    assert.equal(single.calibration!.kind, 'positive_class');
    assert.ok(single.calibration!.count.reduce((a, b) => a + b, 0) === 3000);
  });

  it('binary with positiveClass = the first class: calibration of P(first class), same in both paths', () => {
    const d = synthetic(2000, 2, 11);
    const classes = ['a', 'b'];
    const single = evaluateClassification(d.yTrue, d.yPred, d.proba, classes, 'a');
    const dist = classificationMetricsFromStats(distributed(d, 2, 4), classes, 'a');
    assertConsistent(single, dist, 2e-3);
    const flipped = evaluateClassification(d.yTrue, d.yPred, d.proba, classes);
    assert.notDeepEqual(single.calibration!.fractionPositive, flipped.calibration!.fractionPositive);
  });

  it('multiclass: top-class calibration, one-vs-rest PR AUC, macro over the labels present', () => {
    const d = synthetic(3000, 3, 5);
    const classes = ['x', 'y', 'z'];
    const single = evaluateClassification(d.yTrue, d.yPred, d.proba, classes);
    const dist = classificationMetricsFromStats(distributed(d, 3, 3), classes);
    assertConsistent(single, dist, 1e-2);
    assert.equal(single.calibration!.kind, 'top_class');
  });

  it('multiclass with a class absent from the test part: macro averages leave it out, AUCs null with notes', () => {
    const d = synthetic(1500, 4, 3, 3);
    const classes = ['a', 'b', 'c', 'd'];
    const single = evaluateClassification(d.yTrue, d.yPred, d.proba, classes);
    const dist = classificationMetricsFromStats(distributed(d, 4, 2), classes);
    assertConsistent(single, dist, 1e-2);
    assert.equal(single.metrics!.pr_auc, null);
    assert.match(dist.notes!.pr_auc!, /class 3/);
  });

  it('a probability outside [0, 1] leaves calibration out with a note in both paths', () => {
    const d = synthetic(200, 2, 1);
    d.proba[3] = 1.5;
    d.proba[2] = -0.5;
    const classes = ['0', '1'];
    const single = evaluateClassification(d.yTrue, d.yPred, d.proba, classes);
    const dist = classificationMetricsFromStats(distributed(d, 2, 2), classes);
    assert.equal(single.calibration, undefined);
    assert.equal(dist.calibration, undefined);
    assert.match(single.notes!.calibration!, /outside \[0, 1\]/);
    assert.match(dist.notes!.calibration!, /outside \[0, 1\]/);
  });

  it('stats from an older executor without calibration sums still reduce (no calibration bins)', () => {
    const d = synthetic(300, 2, 2);
    const st = distributed(d, 2, 1);
    for (const k of Object.keys(st.vectors!)) if (k.startsWith('cal_')) delete st.vectors![k];
    const dist = classificationMetricsFromStats(st, ['0', '1']);
    assert.equal(dist.calibration, undefined);
    assert.equal(typeof dist.metrics!.balanced_accuracy, 'number');
  });
});
