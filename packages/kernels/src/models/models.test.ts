// Behaviour tests shared by the issue-4 models: JSON round trips, determinism, hooks/abort,
// input errors, missing values in trees, permutation importance.
import * as assert from 'node:assert/strict';
import { syntheticClassification, syntheticRegression } from '../data/synthetic.js';
import { permutationImportance } from '../inspect/permutation-importance.js';
import { accuracy } from '../metrics/classification.js';
import { adjusted_rand_score } from '../metrics/clustering.js';
import { r2 } from '../metrics/regression.js';
import { KernelError } from '../errors.js';
import { GaussianNB } from './gaussian-nb.js';
import { ElasticNet, Lasso } from './elastic-net.js';
import { KMeans } from './kmeans.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';
import { DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor } from './tree/forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './tree/gradient-boosting.js';

const n = 2000;
const d = 8;
const c = syntheticClassification(n, d, 3);
const r = syntheticRegression(n, d, 3);

type Fitted = { toJSON(): unknown; predict(X: Float32Array, n: number): ArrayLike<number> };
const cases: [string, () => Fitted, (j: unknown) => Fitted][] = [
  ['GaussianNB', () => GaussianNB.fit(c.X, n, d, c.y), GaussianNB.fromJSON],
  ['ElasticNet', () => ElasticNet.fit(r.X, n, d, r.y, { alpha: 0.05 }), ElasticNet.fromJSON],
  ['KMeans', () => KMeans.fit(c.X, n, d, { nClusters: 4 }), KMeans.fromJSON],
  ['DecisionTreeClassifier', () => DecisionTreeClassifier.fit(c.X, n, d, c.y, { maxDepth: 5 }), DecisionTreeClassifier.fromJSON],
  ['DecisionTreeRegressor', () => DecisionTreeRegressor.fit(r.X, n, d, r.y, { maxDepth: 5 }), DecisionTreeRegressor.fromJSON],
  ['RandomForestClassifier', () => RandomForestClassifier.fit(c.X, n, d, c.y, { nEstimators: 5, maxDepth: 6 }), RandomForestClassifier.fromJSON],
  ['RandomForestRegressor', () => RandomForestRegressor.fit(r.X, n, d, r.y, { nEstimators: 5, maxDepth: 6 }), RandomForestRegressor.fromJSON],
  ['GradientBoostingClassifier', () => GradientBoostingClassifier.fit(c.X, n, d, c.y, { nEstimators: 10 }), GradientBoostingClassifier.fromJSON],
  ['GradientBoostingRegressor', () => GradientBoostingRegressor.fit(r.X, n, d, r.y, { nEstimators: 10, subsample: 0.7, colsampleByTree: 0.8 }), GradientBoostingRegressor.fromJSON],
  ['MLPClassifier', () => MLPClassifier.fit(c.X, n, d, c.y, { hiddenLayerSizes: [16, 8], maxIter: 5 }), MLPClassifier.fromJSON],
  ['MLPRegressor', () => MLPRegressor.fit(r.X, n, d, r.y, { hiddenLayerSizes: [16], activation: 'tanh', maxIter: 5 }), MLPRegressor.fromJSON],
];

describe('kernels/models (issue 4)', function () {
  this.timeout(20_000);
  for (const [name, fit, fromJSON] of cases) {
    it(`${name}: deterministic, and toJSON/fromJSON round-trips predictions exactly`, () => {
      const a = fit();
      const b = fit();
      assert.deepEqual(JSON.stringify(a.toJSON()), JSON.stringify(b.toJSON()));
      const back = fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
      const X = name.includes('Regressor') || name === 'ElasticNet' ? r.X : c.X;
      assert.deepEqual(Array.from(back.predict(X, n)), Array.from(a.predict(X, n)));
      assert.throws(() => fromJSON({ kind: 'nope' }), /INVALID_ARTIFACT/);
    });
  }

  it('reports epochs through onEpoch and aborts through the signal', () => {
    const losses: number[] = [];
    GradientBoostingClassifier.fit(c.X, n, d, c.y, { nEstimators: 20 }, { onEpoch: (e) => losses.push(e.loss) });
    assert.equal(losses.length, 20);
    assert.ok(losses[19] < losses[0]);
    const ac = new AbortController();
    assert.throws(() => MLPClassifier.fit(c.X, n, d, c.y, { maxIter: 50 }, { signal: ac.signal, onEpoch: (e) => e.epoch === 2 && ac.abort() }), (e: unknown) => e instanceof KernelError && e.code === 'ABORTED');
    const ac2 = new AbortController();
    ac2.abort();
    assert.throws(() => KMeans.fit(c.X, n, d, {}, { signal: ac2.signal }), /ABORTED/);
  });

  it('trees route missing values along a learned direction', () => {
    const X = Float32Array.from(c.X);
    for (let i = 0; i < n; i += 3) X[i * d] = NaN; // a third of feature 0 missing
    const m = GradientBoostingClassifier.fit(X, n, d, c.y, { nEstimators: 30 });
    const acc = accuracy(c.y, m.predict(X, n));
    assert.ok(acc > 0.8, `accuracy with missing values ${acc}`);
    const t = DecisionTreeClassifier.fit(X, n, d, c.y, { maxDepth: 4 });
    assert.ok(accuracy(c.y, t.predict(X, n)) > 0.7);
    assert.throws(() => GaussianNB.fit(X, n, d, c.y), /NaN/);
  });

  it('lasso zeroes the uninformative features; importances find the informative ones', () => {
    const m = Lasso.fit(r.X, n, d, r.y, { alpha: 0.05 });
    // features d/2.. carry no signal in the synthetic set
    for (let j = d / 2 + 1; j < d; j++) assert.equal(m.coef[j], 0, `coef[${j}] = ${m.coef[j]}`);
    const rf = RandomForestRegressor.fit(r.X, n, d, r.y, { nEstimators: 10, maxDepth: 8 });
    const imp = rf.featureImportances;
    assert.ok(Math.abs(imp.reduce((u, v) => u + v, 0) - 1) < 1e-9);
    const pi = permutationImportance((X, m2) => rf.predict(X, m2), r.X, n, d, r.y, { nRepeats: 2 });
    assert.ok(pi.baseline > 0.6 && pi.baseline === r2(r.y, rf.predict(r.X, n)));
    const top = Array.from(pi.importancesMean.keys()).sort((u, v) => pi.importancesMean[v] - pi.importancesMean[u]).slice(0, 3);
    for (const f of top) assert.ok(f < d / 2 + 1, `top feature ${f} should be informative`);
  });

  it('k-means recovers separated blobs (ARI 1) and reports inertia', () => {
    const X = new Float32Array(300 * 2);
    const truth = new Int32Array(300);
    for (let i = 0; i < 300; i++) {
      truth[i] = i % 3;
      X[2 * i] = truth[i] * 10 + (((i * 7919) % 100) / 100 - 0.5);
      X[2 * i + 1] = -truth[i] * 10 + (((i * 104729) % 100) / 100 - 0.5);
    }
    const m = KMeans.fit(X, 300, 2, { nClusters: 3, nInit: 3 });
    assert.equal(adjusted_rand_score(truth, m.labels!), 1);
    assert.ok(m.inertia > 0 && m.inertia < 300);
    assert.deepEqual(Array.from(m.predict(X, 300)), Array.from(m.labels!));
  });

  it('rejects bad input with INVALID_INPUT', () => {
    assert.throws(() => KMeans.fit(c.X, n, d, { nClusters: 0 }), /INVALID_INPUT/);
    assert.throws(() => RandomForestClassifier.fit(c.X, n, d, c.y, { maxDepth: 0 }), /INVALID_INPUT/);
    assert.throws(() => GradientBoostingRegressor.fit(r.X, n, d, r.y.subarray(1)), /INVALID_INPUT/);
    assert.throws(() => MLPClassifier.fit(c.X, n, d, c.y, { hiddenLayerSizes: [0] }), /INVALID_INPUT/);
    assert.throws(() => ElasticNet.fit(r.X, n, d, r.y, { l1Ratio: 2 }), /INVALID_INPUT/);
  });
});
