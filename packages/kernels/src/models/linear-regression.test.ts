import * as assert from 'node:assert/strict';
import { LinearRegression } from './linear-regression.js';
import { linearStats, mergeLinearStats } from './linear-stats.js';
import { mae, r2, rmse } from '../metrics/regression.js';
import { fixture, lcg, prepare, readCsv } from '../testing/helpers.js';

describe('kernels/LinearRegression', () => {
  it('diabetes: holdout R² within 0.02 of scikit-learn on the same split, same coefficients', () => {
    const f = fixture('diabetes.json');
    const data = readCsv('diabetes.csv', 'progression');
    const y = Float64Array.from(data.labels, Number);
    const s = prepare(data);
    assert.deepEqual(s.testIdx, f.test_row_ids);
    const ytr = Float64Array.from(s.trainIdx, (i) => y[i]);
    const yte = Float64Array.from(s.testIdx, (i) => y[i]);
    let epochs = 0;
    const m = LinearRegression.fit(s.Xtr, s.nTrain, s.nFeatures, ytr, {}, { onEpoch: () => epochs++ });
    assert.equal(epochs, 1);
    const pred = m.predict(s.Xte, s.nTest);
    const ours = { r2: r2(yte, pred), rmse: rmse(yte, pred), mae: mae(yte, pred) };
    console.log(`      diabetes: R² ours ${ours.r2.toFixed(4)} vs sklearn ${f.holdout.r2.toFixed(4)}; RMSE ${ours.rmse.toFixed(3)} vs ${f.holdout.rmse.toFixed(3)}`);
    assert.ok(Math.abs(ours.r2 - f.holdout.r2) <= 0.02);
    assert.ok(Math.abs(ours.rmse - f.holdout.rmse) <= 0.5);
    for (let j = 0; j < s.nFeatures; j++) assert.ok(Math.abs(m.coef[j] - f.coef[j]) < 0.05 * Math.max(1, Math.abs(f.coef[j])), `coef[${j}] ${m.coef[j]} vs ${f.coef[j]}`);
    assert.ok(Math.abs(m.intercept - f.intercept) < 1e-3);
  });

  it('linearStats matches a plain-TS reference (exact float32 products, float64 sums), every width and across kernel chunks', () => {
    const rnd = lcg(5);
    for (const [n, d] of [[1, 1], [37, 2], [101, 7], [64, 20], [9000, 33]]) {
      // columns with a large mean and a small spread: the uncentred sums must stay exact enough
      const X = Float32Array.from({ length: n * d }, (_, i) => (i % d === 0 ? 1000 : 0) + rnd() * 4 - 2);
      const y = Float64Array.from({ length: n }, () => rnd() * 10 - 3);
      const s = linearStats(X, n, d, y);
      const xtx = new Float64Array(d * d);
      const xty = new Float64Array(d);
      const sumX = new Float64Array(d);
      let sumY = 0;
      let sumYY = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) {
          sumX[j] += X[i * d + j];
          xty[j] += X[i * d + j] * y[i];
          for (let k = 0; k < d; k++) xtx[j * d + k] += X[i * d + j] * X[i * d + k];
        }
        sumY += y[i];
        sumYY += y[i] * y[i];
      }
      const close = (a: number, b: number, scale: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * scale, `n=${n} d=${d} ${what}: ${a} vs ${b}`);
      for (let j = 0; j < d; j++) {
        for (let k = 0; k < d; k++) close(s.xtx[j * d + k], xtx[j * d + k], Math.sqrt(xtx[j * d + j] * xtx[k * d + k]), `xtx[${j},${k}]`);
        close(s.xty[j], xty[j], Math.sqrt(xtx[j * d + j] * sumYY), `xty[${j}]`);
        close(s.sumX[j], sumX[j], Math.sqrt(n * xtx[j * d + j]), `sumX[${j}]`);
      }
      close(s.sumY, sumY, Math.sqrt(n * sumYY), 'sumY');
      close(s.sumYY, sumYY, sumYY, 'sumYY');
      assert.equal(s.nRows, n);
    }
  });

  it('merged shard statistics give the same model as one pass', () => {
    const rnd = lcg(11);
    const n = 301;
    const d = 5;
    const X = Float32Array.from({ length: n * d }, () => rnd() * 10 - 5);
    const y = Float64Array.from({ length: n }, (_, i) => 3 + X[i * d] * 2 - X[i * d + 4] + rnd() * 0.01);
    const whole = LinearRegression.fit(X, n, d, y);
    const cut = 120;
    const merged = LinearRegression.fromStats(
      mergeLinearStats(linearStats(X.subarray(0, cut * d), cut, d, y.subarray(0, cut)), linearStats(X.subarray(cut * d), n - cut, d, y.subarray(cut))),
    );
    for (let j = 0; j < d; j++) assert.ok(Math.abs(whole.coef[j] - merged.coef[j]) < 1e-9);
    assert.ok(Math.abs(whole.coef[0] - 2) < 0.01 && Math.abs(whole.intercept - 3) < 0.01);
  });

  it('collinear and constant columns fall back to a tiny ridge instead of failing', () => {
    const rnd = lcg(2);
    const n = 50;
    const X = new Float32Array(n * 3);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[3 * i] = rnd();
      X[3 * i + 1] = X[3 * i]; // duplicate column
      X[3 * i + 2] = 7; // constant column
      y[i] = 4 * X[3 * i] + 1;
    }
    const m = LinearRegression.fit(X, n, 3, y);
    assert.ok(m.coef.every(Number.isFinite));
    assert.ok(Math.abs(m.coef[0] + m.coef[1] - 4) < 1e-3);
    assert.ok(r2(y, m.predict(X, n)) > 0.999999);
  });

  it('ridge alpha shrinks coefficients; JSON round-trips', () => {
    const rnd = lcg(4);
    const n = 40;
    const X = Float32Array.from({ length: n * 2 }, () => rnd());
    const y = Float64Array.from({ length: n }, (_, i) => 5 * X[2 * i] + rnd() * 0.1);
    const ols = LinearRegression.fit(X, n, 2, y);
    const ridge = LinearRegression.fit(X, n, 2, y, { alpha: 10 });
    assert.ok(Math.abs(ridge.coef[0]) < Math.abs(ols.coef[0]));
    const back = LinearRegression.fromJSON(JSON.parse(JSON.stringify(ridge)));
    assert.deepEqual(back.predict(X, n), ridge.predict(X, n));
    assert.throws(() => LinearRegression.fromJSON({ kind: 'x' }), /INVALID_ARTIFACT/);
  });

  it('aborts with a pre-aborted signal', () => {
    const ac = new AbortController();
    ac.abort();
    assert.throws(() => LinearRegression.fit(new Float32Array([1, 2]), 2, 1, new Float64Array([1, 2]), {}, { signal: ac.signal }), /ABORTED/);
  });
});
