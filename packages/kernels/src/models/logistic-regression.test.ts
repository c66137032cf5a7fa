import * as assert from 'node:assert/strict';
import { LogisticRegression } from './logistic-regression.js';
import { logisticLossGradSums } from './logistic-loss.js';
import { accuracy } from '../metrics/classification.js';
import { log_loss, roc_auc } from '../metrics/probabilistic.js';
import { KernelError } from '../errors.js';
import { encodeLabels, fixture, lcg, prepare, readCsv } from '../testing/helpers.js';

/** Plain-TS reference for the wasm loss/gradient kernel (the conformance oracle). */
function referenceLossGrad(X: Float32Array, n: number, d: number, y: Int32Array, p: number, w: Float64Array) {
  const g = new Float64Array(w.length);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = new Float64Array(p);
    for (let c = 0; c < p; c++) {
      z[c] = w[c * (d + 1) + d];
      for (let j = 0; j < d; j++) z[c] += X[i * d + j] * w[c * (d + 1) + j];
    }
    const r = new Float64Array(p);
    if (p === 1) {
      const s = 1 / (1 + Math.exp(-z[0]));
      loss += -(y[i] ? Math.log(s) : Math.log(1 - s));
      r[0] = s - y[i];
    } else {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const se = e.reduce((a, b) => a + b, 0);
      loss += Math.log(se) + m - z[y[i]];
      for (let c = 0; c < p; c++) r[c] = e[c] / se - (c === y[i] ? 1 : 0);
    }
    for (let c = 0; c < p; c++) {
      for (let j = 0; j < d; j++) g[c * (d + 1) + j] += r[c] * X[i * d + j];
      g[c * (d + 1) + d] += r[c];
    }
  }
  return { loss, grad: g };
}

function dataset(name: string, target: string) {
  const data = readCsv(`${name}.csv`, target);
  const { y, classes } = encodeLabels(data.labels);
  const s = prepare(data);
  const ytr = Int32Array.from(s.trainIdx, (i) => y[i]);
  const yte = Int32Array.from(s.testIdx, (i) => y[i]);
  return { ...s, ytr, yte, classes };
}

describe('kernels/LogisticRegression', () => {
  for (const [name, target] of [['breast_cancer', 'diagnosis'], ['iris', 'species']] as const) {
    it(`${name}: holdout accuracy within 0.01 of scikit-learn on the same split`, () => {
      const f = fixture(`${name}.json`);
      const d = dataset(name, target);
      assert.deepEqual(d.classes, f.classes);
      assert.deepEqual(d.testIdx, f.test_row_ids);
      const epochs: number[] = [];
      const m = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr, { C: 1.0 }, { onEpoch: (e) => epochs.push(e.loss) });
      assert.ok(m.trainInfo!.converged, JSON.stringify(m.trainInfo));
      assert.ok(epochs.length > 0 && epochs[epochs.length - 1] <= epochs[0]);
      const acc = accuracy(d.yte, m.predict(d.Xte, d.nTest));
      const proba = m.predictProba(d.Xte, d.nTest);
      const auc = roc_auc(d.yte, proba).value!;
      const ll = log_loss(d.yte, proba);
      console.log(`      ${name}: accuracy ours ${acc.toFixed(4)} vs sklearn ${f.holdout.accuracy.toFixed(4)}; roc_auc ${auc.toFixed(4)} vs ${f.holdout.roc_auc.toFixed(4)}; log_loss ${ll.toFixed(4)} vs ${f.holdout.log_loss.toFixed(4)}`);
      assert.ok(Math.abs(acc - f.holdout.accuracy) <= 0.01, `accuracy ${acc} vs ${f.holdout.accuracy}`);
      assert.ok(Math.abs(auc - f.holdout.roc_auc) <= 0.01);
      assert.ok(Math.abs(ll - f.holdout.log_loss) <= 0.02, `log_loss ${ll} vs ${f.holdout.log_loss}`);
      // same optimum as sklearn (which stops at its own tol): coefficients agree closely
      const coef = m.coef.flat();
      const ref = (f.coef as number[][]).flat();
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(coef[i] - ref[i]));
      assert.ok(maxDiff < 0.05, `max |coef - sklearn| = ${maxDiff}`);
      // rows of predictProba sum to 1
      for (let i = 0; i < d.nTest; i++) {
        let s = 0;
        for (let c = 0; c < m.nClasses; c++) s += proba[i * m.nClasses + c];
        assert.ok(Math.abs(s - 1) < 1e-12);
      }
    });
  }

  it('wasm loss/gradient kernel matches the plain-TS reference (binary and softmax)', () => {
    const rnd = lcg(3);
    const n = 37;
    const d = 7; // not a multiple of 4: exercises the SIMD tail
    const X = Float32Array.from({ length: n * d }, () => rnd() * 4 - 2);
    for (const k of [2, 4]) {
      const p = k === 2 ? 1 : k;
      const y = Int32Array.from({ length: n }, () => Math.floor(rnd() * k));
      const w = Float64Array.from({ length: p * (d + 1) }, () => rnd() - 0.5);
      const got = logisticLossGradSums(X, n, d, y, k, w);
      const ref = referenceLossGrad(X, n, d, y, p, w);
      assert.ok(Math.abs(got.loss - ref.loss) < 1e-9 * ref.loss);
      for (let i = 0; i < w.length; i++) assert.ok(Math.abs(got.grad[i] - ref.grad[i]) < 1e-9, `grad[${i}]`);
    }
  });

  it('is deterministic: same inputs and seed give identical bytes (L-BFGS and Adam)', () => {
    const d = dataset('iris', 'species');
    const a = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr);
    const b = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr);
    assert.deepEqual(Buffer.from(a.params.buffer), Buffer.from(b.params.buffer));
    const opts = { solver: 'adam' as const, epochs: 30, batchSize: 16, learningRate: 0.05, seed: 9 };
    const c = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr, opts);
    const e = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr, opts);
    assert.deepEqual(Buffer.from(c.params.buffer), Buffer.from(e.params.buffer));
    const other = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr, { ...opts, seed: 10 });
    assert.notDeepEqual(Buffer.from(c.params.buffer), Buffer.from(other.params.buffer));
  });

  it('Adam: zero padding columns are exact (d = 7 trains like the same rows with a zero 8th column)', () => {
    const rnd = lcg(8);
    const n = 203;
    const X7 = Float32Array.from({ length: n * 7 }, () => rnd() * 4 - 2);
    const X8 = new Float32Array(n * 8);
    for (let i = 0; i < n; i++) X8.set(X7.subarray(i * 7, i * 7 + 7), i * 8);
    const y = Int32Array.from({ length: n }, (_, i) => (X7[i * 7] - X7[i * 7 + 3] + rnd() - 0.5 > 0 ? 1 : 0));
    const opts = { solver: 'adam' as const, epochs: 7, batchSize: 21, learningRate: 0.05, seed: 4 };
    const a = LogisticRegression.fit(X7, n, 7, y, opts);
    const b = LogisticRegression.fit(X8, n, 8, y, opts);
    assert.deepEqual(a.coef[0], b.coef[0].slice(0, 7));
    assert.equal(b.coef[0][7], 0);
    assert.equal(a.intercept[0], b.intercept[0]);
    assert.equal(a.trainInfo!.loss, b.trainInfo!.loss);
  });

  it('Adam (mini-batch) reaches sklearn-level accuracy on breast_cancer', () => {
    const f = fixture('breast_cancer.json');
    const d = dataset('breast_cancer', 'diagnosis');
    const losses: number[] = [];
    const m = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr, { solver: 'adam', epochs: 200, batchSize: 32, learningRate: 0.01, seed: 1 }, { onEpoch: (e) => losses.push(e.loss) });
    assert.equal(losses.length, 200);
    assert.ok(losses[199] < losses[0]);
    const acc = accuracy(d.yte, m.predict(d.Xte, d.nTest));
    console.log(`      breast_cancer adam: accuracy ${acc.toFixed(4)} vs sklearn lbfgs ${f.holdout.accuracy.toFixed(4)}`);
    assert.ok(acc >= f.holdout.accuracy - 0.03);
  });

  it('toJSON / fromJSON round-trips exactly', () => {
    const d = dataset('iris', 'species');
    const m = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr);
    const back = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(m)));
    assert.deepEqual(back.params, m.params);
    assert.deepEqual(back.predictProba(d.Xte, d.nTest), m.predictProba(d.Xte, d.nTest));
    assert.throws(() => LogisticRegression.fromJSON({ kind: 'linear_regression' }), /INVALID_ARTIFACT/);
    assert.throws(() => LogisticRegression.fromJSON({ ...m.toJSON(), coef: [[1]] }), /INVALID_ARTIFACT/);
  });

  it('aborts: pre-aborted signal, abort from onEpoch, and abort from a timer during fitAsync', async () => {
    const d = dataset('breast_cancer', 'diagnosis');
    const pre = new AbortController();
    pre.abort();
    assert.throws(() => LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr, {}, { signal: pre.signal }), (e: unknown) => e instanceof KernelError && e.code === 'ABORTED');
    const ac = new AbortController();
    let seen = 0;
    assert.throws(
      () => LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr, {}, { signal: ac.signal, onEpoch: () => ++seen === 3 && ac.abort() }),
      /ABORTED: LogisticRegression.fit aborted/,
    );
    assert.equal(seen, 3);
    const timer = new AbortController();
    setTimeout(() => timer.abort(new Error('user cancelled')), 30);
    await assert.rejects(
      LogisticRegression.fitAsync(d.Xtr, d.nTrain, d.nFeatures, d.ytr, { solver: 'adam', epochs: 100000 }, { signal: timer.signal }),
      /ABORTED: .*user cancelled/,
    );
  });

  it('fitAsync gives the same model as fit', async () => {
    const d = dataset('iris', 'species');
    const a = LogisticRegression.fit(d.Xtr, d.nTrain, d.nFeatures, d.ytr);
    const b = await LogisticRegression.fitAsync(d.Xtr, d.nTrain, d.nFeatures, d.ytr);
    assert.deepEqual(a.params, b.params);
  });

  it('rejects bad input with clear INVALID_INPUT errors', () => {
    const X = new Float32Array([1, 2, 3, 4]);
    assert.throws(() => LogisticRegression.fit(X, 2, 3, new Int32Array([0, 1])), /INVALID_INPUT: .*expected nRows\*nFeatures/);
    assert.throws(() => LogisticRegression.fit(X, 2, 2, new Int32Array([0, 0])), /at least 2 classes/);
    assert.throws(() => LogisticRegression.fit(X, 2, 2, new Int32Array([0, -1])), /negative/);
    assert.throws(() => LogisticRegression.fit(new Float32Array([1, NaN, 3, 4]), 2, 2, new Int32Array([0, 1])), /X\[0, 1\] is NaN/);
    assert.throws(() => LogisticRegression.fit(X, 2, 2, new Int32Array([0, 1]), { C: 0 }), /C must be a positive/);
  });

  it('handles a constant feature and an absent class via nClasses', () => {
    const rnd = lcg(5);
    const n = 60;
    const X = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      X[2 * i] = rnd() * 2 - 1;
      X[2 * i + 1] = 0; // constant (scaled) column
      y[i] = X[2 * i] > 0 ? 1 : 0;
    }
    const m = LogisticRegression.fit(X, n, 2, y, { nClasses: 3 });
    assert.equal(m.nClasses, 3);
    assert.ok(m.params.every(Number.isFinite));
    assert.ok(accuracy(y, m.predict(X, n)) > 0.9);
  });
});
