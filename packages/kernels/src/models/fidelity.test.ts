// Fidelity of the issue-4 models against scikit-learn 1.2 / XGBoost 1.7 references recorded in
// fixtures/models.json (fixtures/make_fixtures.py): same datasets, same split (rowHash seed 42,
// 20 % test), standard scaling fitted on the train rows, matching hyperparameters.
//
// Tolerances: deterministic models must be within 0.01 accuracy / 0.02 R² of the reference, or
// one holdout row when the test set is smaller than 100 rows (iris has 23: one row = 0.043).
// Randomised models (trees with random tie-breaking, forests, MLPs) are compared as the mean over
// seeds 0..2 (ours) against the mean over seeds 0..4 (reference), with the tolerance widened to
// the larger of the above and 2× the larger seed-to-seed standard deviation (ours or the
// reference's) — the spread the models themselves show, so a tighter bound would fail sklearn
// against itself.
//
// Gradient boosting is XGBoost 1.7's hist algorithm (same quantile-sketch cuts, split search and
// leaf weights), run with XGBoost 1.7's base_score = 0.5 (margin 0 for logistic): besides the
// holdout metric, the first tree must be XGBoost's — same features, thresholds (our `x <= t` is
// XGBoost's `x < cond` with t the float32 below cond), missing directions and covers, leaf values
// to 1e-5 and gains to 1e-5 of the node's score (gains are differences of float32-rounded scores). (Later
// trees drift by ~1e-4 relative in their leaves: our margins are float64, XGBoost's float32.)
// The same holds with missing values (fixtures gbdt_missing: synth_clf's generator with 5-40 %
// NaN in three features, a few-valued and a constant feature, unscaled; max_bin 255 and 256).
//
// k-means has the algorithm and defaults of scikit-learn 1.2's KMeans (greedy k-means++ with
// 2 + ln k trials, n_init = 10 best of by inertia, Lloyd, tol 1e-4 × mean feature variance); only
// the random stream differs, and on digits the runs end at different local optima whose ARI
// against the true digits varies with the seed (scikit-learn random_state 0..9: ARI 0.41..0.57,
// mean 0.50 ± 0.05; random_state 0, the old single reference, is the lowest). So both are compared
// over seeds 0..9 (fixtures: random_state 0..9): mean inertia within 1 % of scikit-learn's, mean ARI
// vs the labels within max(0.02, 2 standard errors of the difference of the two means).
//
// KNOWN_MISSES lists comparisons that exceed the bound; they are asserted at the looser
// bound given (so they cannot silently get worse) and printed as MISS in the table. None today.
import * as assert from 'node:assert/strict';
import { accuracy } from '../metrics/classification.js';
import { r2 } from '../metrics/regression.js';
import { adjusted_rand_score } from '../metrics/clustering.js';
import { syntheticClassification, syntheticRegression } from '../data/synthetic.js';
import { CsvData, encodeLabels, fixture, prepare, readCsv } from '../testing/helpers.js';
import { rowHash } from '../split/hash.js';
import { splitMask } from '../split/split.js';
import { nextDownF32 } from './tree/binning.js';
import { Tree } from './tree/grower.js';
import { GaussianNB } from './gaussian-nb.js';
import { ElasticNet, Lasso } from './elastic-net.js';
import { KMeans } from './kmeans.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';
import { DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor } from './tree/forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './tree/gradient-boosting.js';

const ref = fixture('models.json');
const SEEDS: number[] = (ref.seeds as number[]).slice(0, 3);
const std = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));

function fromSynthetic(X: Float32Array, y: ArrayLike<number>, n: number, d: number): CsvData {
  const columns = Array.from({ length: d }, (_, j) => Float64Array.from({ length: n }, (_, i) => X[i * d + j]));
  return { features: columns.map((_, j) => `x${j}`), columns, labels: Array.from(y, String) };
}

function load(name: string) {
  let data: CsvData;
  if (name === 'synth_clf') {
    const s = syntheticClassification(6000, 20, 7);
    data = fromSynthetic(s.X, s.y, s.nRows, s.nFeatures);
  } else if (name === 'synth_reg') {
    const s = syntheticRegression(6000, 20, 7);
    data = fromSynthetic(s.X, s.y, s.nRows, s.nFeatures);
  } else {
    const target = ({ breast_cancer: 'diagnosis', iris: 'species', digits: 'digit', diabetes: 'progression' } as Record<string, string>)[name];
    data = readCsv(`${name}.csv`, target);
  }
  const task = ref.datasets[name].task as string;
  const s = prepare(data);
  if (task === 'classification') {
    const { y } = name === 'synth_clf' ? { y: Int32Array.from(data.labels, Number) } : encodeLabels(data.labels);
    return { ...s, task, yc: { tr: Int32Array.from(s.trainIdx, (i) => y[i]), te: Int32Array.from(s.testIdx, (i) => y[i]) }, yr: null };
  }
  const y = Float64Array.from(data.labels, Number);
  return { ...s, task, yc: null, yr: { tr: Float64Array.from(s.trainIdx, (i) => y[i]), te: Float64Array.from(s.testIdx, (i) => y[i]) } };
}

/** make_fixtures.py `synthetic_missing`: synth_clf's generator at 6000 x 10 with missing values, a few-valued and a constant feature. */
function syntheticMissing(rates: number[]) {
  const s = syntheticClassification(6000, 10, 7);
  const { X, nRows: n, nFeatures: d } = s;
  for (let i = 0; i < n; i++) {
    X[i * d + 2] = Math.floor(X[i * d + 2] * 2 + 0.5) / 2;
    X[i * d + 3] = 1;
    rates.forEach((rate, j) => {
      if (rate > 0 && rowHash(i * d + j, 99) / 4294967296 < rate) X[i * d + j] = NaN;
    });
  }
  return { X, y: s.y, n, d };
}

/** The kernels' split (rowHash seed 42, 20 % test) of an unscaled X [n, d] and y. */
function splitRows(X: Float32Array, y: ArrayLike<number>, n: number, d: number) {
  const mask = splitMask(0, n, 42, 0.2);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < n; i++) (mask[i] === 1 ? testIdx : trainIdx).push(i);
  const take = (idx: number[]) => {
    const out = new Float32Array(idx.length * d);
    idx.forEach((r, q) => out.set(X.subarray(r * d, r * d + d), q * d));
    return out;
  };
  return {
    testIdx, nTrain: trainIdx.length, nTest: testIdx.length, Xtr: take(trainIdx), Xte: take(testIdx),
    ytr: Array.from(trainIdx, (i) => y[i]), yte: Array.from(testIdx, (i) => y[i]),
  };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
type Row = { dataset: string; model: string; metric: string; ours: number; ref: number; tol: number };
const table: Row[] = [];

function tolFor(metric: string, nTest: number, refStd = 0): number {
  const base = metric === 'accuracy' ? (nTest < 100 ? Math.max(0.01, 1 / nTest + 1e-9) : 0.01) : 0.02;
  return Math.max(base, 2 * refStd);
}

const KNOWN_MISSES: Record<string, number> = {};

/** One node of XGBoost's first tree as recorded by make_fixtures.py (`xgb_first_tree`). */
type XgbNode = { id: number; f?: number; cond?: number; yes?: number; no?: number; missing?: number; gain?: number; leaf?: number; cover: number };

/** Asserts that our tree is XGBoost's dumped tree (see the header); returns the number of nodes compared. */
function assertSameTree(what: string, ours: Tree, xgb: XgbNode[]): number {
  const byId = new Map(xgb.map((n) => [n.id, n]));
  const near = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
  let count = 0;
  const walk = (x: XgbNode, o: number, path: string) => {
    count++;
    const at = `${what} first tree, node ${path || 'root'}`;
    assert.ok(near(ours.weight[o], x.cover, 1e-6), `${at}: cover ${ours.weight[o]} vs XGBoost ${x.cover}`);
    if (x.leaf !== undefined) {
      assert.equal(ours.feature[o], -1, `${at}: XGBoost has a leaf, ours splits on feature ${ours.feature[o]}`);
      assert.ok(near(ours.value[o], x.leaf, 1e-5), `${at}: leaf ${ours.value[o]} vs XGBoost ${x.leaf}`);
      return;
    }
    assert.equal(ours.feature[o], x.f, `${at}: feature ${ours.feature[o]} vs XGBoost f${x.f}`);
    assert.equal(ours.threshold[o], nextDownF32(Math.fround(x.cond!)), `${at}: threshold ${ours.threshold[o]} vs XGBoost x < ${x.cond}`);
    assert.equal(ours.missingLeft[o] === 1, x.missing === x.yes, `${at}: missing direction`);
    // a loss change is a difference of float32-rounded scores G²/(H+λ): equal up to a few float32
    // ulps of the node's score, (w/η)²(H+λ) from the node's weight w = η·(−G/(H+λ)) (η = 0.3, λ = 1)
    const score = (ours.value[o] / 0.3) ** 2 * (ours.weight[o] + 1);
    assert.ok(Math.abs(ours.gain[o] - x.gain!) <= 1e-5 * Math.max(score, Math.abs(x.gain!), 1), `${at}: gain ${ours.gain[o]} vs XGBoost ${x.gain} (node score ${score})`);
    walk(byId.get(x.yes!)!, ours.left[o], path + 'L');
    walk(byId.get(x.no!)!, ours.right[o], path + 'R');
  };
  walk(byId.get(0)!, 0, '');
  assert.equal(count, ours.nNodes, `${what} first tree: ${ours.nNodes} nodes vs XGBoost ${xgb.length}`);
  return count;
}

function record(r: Row) {
  table.push(r);
  const loose = KNOWN_MISSES[`${r.dataset} ${r.model}`] ?? KNOWN_MISSES[`${r.dataset} ${r.model} ${r.metric}`];
  if (loose !== undefined && Math.abs(r.ours - r.ref) > r.tol) {
    (r as Row & { miss?: boolean }).miss = true;
    assert.ok(Math.abs(r.ours - r.ref) <= loose, `${r.dataset} ${r.model}: known miss got worse: ${r.ours} vs ${r.ref}`);
    return;
  }
  assert.ok(Math.abs(r.ours - r.ref) <= r.tol, `${r.dataset} ${r.model}: ${r.metric} ours ${r.ours.toFixed(4)} vs reference ${r.ref.toFixed(4)} (tolerance ${r.tol.toFixed(4)})`);
}

describe('kernels/fidelity vs scikit-learn / XGBoost (fixtures/models.json)', function () {
  this.timeout(60_000);
  after(() => {
    console.log('\n      dataset        model                     metric     ours     reference  tol');
    for (const r of table) console.log(`      ${r.dataset.padEnd(14)} ${r.model.padEnd(25)} ${r.metric.padEnd(9)} ${r.ours.toFixed(4).padStart(8)} ${r.ref.toFixed(4).padStart(10)}  ${r.tol.toFixed(3)}${(r as Row & { miss?: boolean }).miss ? '  MISS' : ''}`);
  });

  for (const name of Object.keys(ref.datasets)) {
    const R = ref.datasets[name].results;
    it(`${name}: every model within tolerance of its reference`, () => {
      const d = load(name);
      assert.deepEqual(d.testIdx, ref.datasets[name].test_row_ids);
      const nf = d.nFeatures;
      if (d.yc) {
        const { tr, te } = d.yc;
        const acc = (p: Int32Array) => accuracy(te, p);
        const det = (model: string, v: number, r: number) => record({ dataset: name, model, metric: 'accuracy', ours: v, ref: r, tol: tolFor('accuracy', d.nTest) });
        const rnd = (model: string, vals: number[], r: { mean: number; std: number }) =>
          record({ dataset: name, model, metric: 'accuracy', ours: mean(vals), ref: r.mean, tol: tolFor('accuracy', d.nTest, Math.max(r.std, std(vals))) });
        det('GaussianNB', acc(GaussianNB.fit(d.Xtr, d.nTrain, nf, tr).predict(d.Xte, d.nTest)), R.GaussianNB.accuracy);
        rnd('DecisionTreeClassifier', SEEDS.map((s) => acc(DecisionTreeClassifier.fit(d.Xtr, d.nTrain, nf, tr, { maxDepth: 6, seed: s }).predict(d.Xte, d.nTest))), R.DecisionTreeClassifier.accuracy);
        rnd('RandomForestClassifier', SEEDS.map((s) => acc(RandomForestClassifier.fit(d.Xtr, d.nTrain, nf, tr, { nEstimators: 50, seed: s }).predict(d.Xte, d.nTest))), R.RandomForestClassifier.accuracy);
        rnd('MLPClassifier', SEEDS.map((s) => acc(MLPClassifier.fit(d.Xtr, d.nTrain, nf, tr, { hiddenLayerSizes: [32], maxIter: 200, seed: s }).predict(d.Xte, d.nTest))), R.MLPClassifier.accuracy);
        const gb = GradientBoostingClassifier.fit(d.Xtr, d.nTrain, nf, tr, { nEstimators: 100, maxDepth: 6, learningRate: 0.3, baseScore: 0 });
        assertSameTree(`${name} GradientBoostingClassifier`, gb.trees[0], R.XGBClassifier.first_tree);
        det('GradientBoosting~XGB', acc(gb.predict(d.Xte, d.nTest)), R.XGBClassifier.accuracy);
        if (R.KMeans) {
          // scikit-learn 1.2's defaults (nInit 10, maxIter 300, tol 1e-4) are ours: only k and the seed are set
          const k = ref.datasets[name].n_classes;
          const seeds = R.KMeans.seeds as number[];
          const fits = seeds.map((seed) => KMeans.fit(d.Xtr, d.nTrain, nf, { nClusters: k, seed }));
          const aris = fits.map((m) => adjusted_rand_score(tr, m.labels!));
          const refAri = R.KMeans.ari_by_seed;
          const se = Math.sqrt((std(aris) ** 2 + refAri.std ** 2) / seeds.length);
          record({ dataset: name, model: 'KMeans', metric: 'inertia/ref', ours: mean(fits.map((m) => m.inertia)) / R.KMeans.inertia_by_seed.mean, ref: 1, tol: 0.01 });
          record({ dataset: name, model: 'KMeans', metric: 'mean ARI', ours: mean(aris), ref: refAri.mean, tol: Math.max(0.02, 2 * se) });
        }
      } else {
        const { tr, te } = d.yr!;
        const sc = (p: Float64Array) => r2(te, p);
        const det = (model: string, v: number, r: number) => record({ dataset: name, model, metric: 'r2', ours: v, ref: r, tol: 0.02 });
        const rnd = (model: string, vals: number[], r: { mean: number; std: number }) => record({ dataset: name, model, metric: 'r2', ours: mean(vals), ref: r.mean, tol: tolFor('r2', d.nTest, Math.max(r.std, std(vals))) });
        const lasso = Lasso.fit(d.Xtr, d.nTrain, nf, tr, { alpha: 0.1 });
        det('Lasso', sc(lasso.predict(d.Xte, d.nTest)), R.Lasso.r2);
        const en = ElasticNet.fit(d.Xtr, d.nTrain, nf, tr, { alpha: 0.1, l1Ratio: 0.5 });
        det('ElasticNet', sc(en.predict(d.Xte, d.nTest)), R.ElasticNet.r2);
        // same convex optimum: coefficients agree
        for (const [m, r] of [[lasso, R.Lasso], [en, R.ElasticNet]] as const) {
          const scale = Math.max(1, ...r.coef.map(Math.abs));
          r.coef.forEach((c: number, j: number) => assert.ok(Math.abs(m.coef[j] - c) <= 1e-3 * scale, `coef[${j}] ${m.coef[j]} vs ${c}`));
        }
        rnd('DecisionTreeRegressor', SEEDS.map((s) => sc(DecisionTreeRegressor.fit(d.Xtr, d.nTrain, nf, tr, { maxDepth: 6, seed: s }).predict(d.Xte, d.nTest))), R.DecisionTreeRegressor.r2);
        rnd('RandomForestRegressor', SEEDS.map((s) => sc(RandomForestRegressor.fit(d.Xtr, d.nTrain, nf, tr, { nEstimators: 50, seed: s }).predict(d.Xte, d.nTest))), R.RandomForestRegressor.r2);
        rnd('MLPRegressor', SEEDS.map((s) => sc(MLPRegressor.fit(d.Xtr, d.nTrain, nf, tr, { hiddenLayerSizes: [32], learningRate: 0.01, maxIter: 500, seed: s }).predict(d.Xte, d.nTest))), R.MLPRegressor.r2);
        const gb = GradientBoostingRegressor.fit(d.Xtr, d.nTrain, nf, tr, { nEstimators: 100, maxDepth: 6, learningRate: 0.3, baseScore: 0.5 });
        assertSameTree(`${name} GradientBoostingRegressor`, gb.trees[0], R.XGBRegressor.first_tree);
        det('GradientBoosting~XGB', sc(gb.predict(d.Xte, d.nTest)), R.XGBRegressor.r2);
      }
    });
  }

  it('gradient boosting with missing values: XGBoost\'s first tree and holdout accuracy (fixtures gbdt_missing)', () => {
    const g = ref.gbdt_missing;
    const { X, y, n, d } = syntheticMissing(g.missing_rates);
    const s = splitRows(X, y, n, d);
    assert.deepEqual(s.testIdx, g.test_row_ids);
    for (const maxBins of [255, 256]) {
      const r = g.results[String(maxBins)];
      const gb = GradientBoostingClassifier.fit(s.Xtr, s.nTrain, d, Int32Array.from(s.ytr), { nEstimators: 100, maxDepth: 6, learningRate: 0.3, baseScore: 0, maxBins });
      // 256: features with missing values and 256 value bins take 2-byte bin codes (code 0 = missing)
      assertSameTree(`synthetic_missing GradientBoostingClassifier (maxBins ${maxBins})`, gb.trees[0], r.first_tree);
      record({ dataset: 'synth_missing', model: `GradientBoosting~XGB ${maxBins}`, metric: 'accuracy', ours: accuracy(Int32Array.from(s.yte), gb.predict(s.Xte, s.nTest)), ref: r.accuracy, tol: tolFor('accuracy', s.nTest) });
    }
  });

  it('gradient boosting on 16k rows (a multi-level quantile sketch): XGBoost\'s first tree and holdout R² (fixtures gbdt_large)', () => {
    const g = ref.gbdt_large;
    const { X, y, nRows, nFeatures } = syntheticRegression(20000, 5, 3);
    const s = splitRows(X, y, nRows, nFeatures);
    assert.equal(s.nTest, g.n_test);
    assert.equal(s.testIdx.reduce((u, v) => u + v, 0), g.test_row_id_sum);
    const r = g.results['256'];
    const gb = GradientBoostingRegressor.fit(s.Xtr, s.nTrain, nFeatures, Float64Array.from(s.ytr), { nEstimators: 100, maxDepth: 6, learningRate: 0.3, baseScore: 0.5 });
    assertSameTree('synthRegression(20000, 5, 3) GradientBoostingRegressor', gb.trees[0], r.first_tree);
    record({ dataset: 'synth_large', model: 'GradientBoosting~XGB', metric: 'r2', ours: r2(Float64Array.from(s.yte), gb.predict(s.Xte, s.nTest)), ref: r.r2, tol: 0.02 });
  });
});
