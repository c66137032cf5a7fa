#!/usr/bin/env node
// Weft kernels benchmark (issue 4). Usage: npm run bench   (or: node tests/bench/run.js)
// Env: BENCH_ROWS (default 1000000), BENCH_ONLY (comma-separated model names), BENCH_NO_PEER=1,
// BENCH_REPEATS (default 1: fits per model, the fastest kept — use 3 on a loaded machine).
//
// Generates the seeded N x 20 classification and regression sets in memory (syntheticClassification /
// syntheticRegression of @weft/kernels), splits 80/20, times every model's training and prints
// seconds (wall and CPU time of the fit alone; prediction and scoring are not timed, as in
// peer.py), rows/s, holdout quality and the ratios to a baseline measured in the same run:
// scikit-learn / XGBoost (one thread) through tests/bench/peer.py when /usr/bin/python3 can import
// sklearn — the data handed over as raw float32 files in os.tmpdir() — else plain-JS reference loops.
// Also the memory-bandwidth floor (one SIMD pass summing 800,000 x 20 float32) and an epoch of
// logistic-regression Adam relative to it.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const K = require('@weft/kernels');

const N = Number(process.env.BENCH_ROWS || 1_000_000);
const D = 20;
const SEED = 42;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS || 1));
const nTrain = Math.floor(N * 0.8);
const nTest = N - nTrain;

function now() {
  return performance.now() / 1000;
}

console.log(`weft kernels bench: ${N.toLocaleString()} x ${D} (train ${nTrain.toLocaleString()}, test ${nTest.toLocaleString()}), node ${process.version}, ${os.cpus().length} cores`);
let t0 = now();
const clf = K.syntheticClassification(N, D, SEED);
const reg = K.syntheticRegression(N, D, SEED);
console.log(`generated in ${(now() - t0).toFixed(2)} s`);
const split = (s) => ({ Xtr: s.X.subarray(0, nTrain * D), Xte: s.X.subarray(nTrain * D), ytr: s.y.subarray(0, nTrain), yte: s.y.subarray(nTrain) });
const C = split(clf);
const R = split(reg);

const acc = (m) => K.accuracy(C.yte, m.predict(C.Xte, nTest));
const r2 = (m) => K.r2(R.yte, m.predict(R.Xte, nTest));

/** name, task, metric, ours() -> fitted model (timed), q(model) -> holdout quality (not timed), peer (sklearn/xgboost expression evaluated by peer.py), js (fallback baseline). */
const MODELS = [
  { name: 'logreg-lbfgs', task: 'classification', metric: 'accuracy', ours: () => K.LogisticRegression.fit(C.Xtr, nTrain, D, C.ytr, { C: 1, tol: 1e-4 }), q: acc, peer: 'linear_model.LogisticRegression(C=1.0, max_iter=1000)' },
  { name: 'logreg-adam-5ep', task: 'classification', metric: 'accuracy', ours: () => K.LogisticRegression.fit(C.Xtr, nTrain, D, C.ytr, { solver: 'adam', epochs: 5, batchSize: 256, learningRate: 0.01 }), q: acc, peer: "linear_model.SGDClassifier(loss='log_loss', max_iter=5, tol=None, random_state=0)", js: () => jsLogisticSgd(5) },
  { name: 'linreg', task: 'regression', metric: 'r2', ours: () => K.LinearRegression.fit(R.Xtr, nTrain, D, R.ytr), q: r2, peer: 'linear_model.LinearRegression()', js: () => jsLinreg() },
  { name: 'ridge', task: 'regression', metric: 'r2', ours: () => K.Ridge.fit(R.Xtr, nTrain, D, R.ytr, { alpha: 1 }), q: r2, peer: 'linear_model.Ridge(alpha=1.0)' },
  { name: 'lasso', task: 'regression', metric: 'r2', ours: () => K.Lasso.fit(R.Xtr, nTrain, D, R.ytr, { alpha: 0.01 }), q: r2, peer: 'linear_model.Lasso(alpha=0.01)' },
  { name: 'elasticnet', task: 'regression', metric: 'r2', ours: () => K.ElasticNet.fit(R.Xtr, nTrain, D, R.ytr, { alpha: 0.01, l1Ratio: 0.5 }), q: r2, peer: 'linear_model.ElasticNet(alpha=0.01, l1_ratio=0.5)' },
  { name: 'gaussian-nb', task: 'classification', metric: 'accuracy', ours: () => K.GaussianNB.fit(C.Xtr, nTrain, D, C.ytr), q: acc, peer: 'naive_bayes.GaussianNB()' },
  { name: 'kmeans-k8', task: 'classification', metric: 'inertia', ours: () => K.KMeans.fit(C.Xtr, nTrain, D, { nClusters: 8, nInit: 1, seed: 0 }), q: (m) => m.inertia, peer: 'cluster.KMeans(n_clusters=8, n_init=1, random_state=0)', js: () => jsKmeans() },
  { name: 'mlp-32-5ep', task: 'classification', metric: 'accuracy', ours: () => K.MLPClassifier.fit(C.Xtr, nTrain, D, C.ytr, { hiddenLayerSizes: [32], maxIter: 5, batchSize: 200, seed: 0 }), q: acc, peer: 'neural_network.MLPClassifier(hidden_layer_sizes=(32,), max_iter=5, batch_size=200, random_state=0)' },
  { name: 'tree-d10', task: 'classification', metric: 'accuracy', ours: () => K.DecisionTreeClassifier.fit(C.Xtr, nTrain, D, C.ytr, { maxDepth: 10 }), q: acc, peer: 'tree.DecisionTreeClassifier(max_depth=10, random_state=0)' },
  { name: 'forest-10x-d10', task: 'classification', metric: 'accuracy', ours: () => K.RandomForestClassifier.fit(C.Xtr, nTrain, D, C.ytr, { nEstimators: 10, maxDepth: 10 }), q: acc, peer: 'ensemble.RandomForestClassifier(n_estimators=10, max_depth=10, n_jobs=1, random_state=0)' },
  { name: 'gbdt-clf-100x-d6', task: 'classification', metric: 'accuracy', ours: () => K.GradientBoostingClassifier.fit(C.Xtr, nTrain, D, C.ytr, { nEstimators: 100, maxDepth: 6, learningRate: 0.3 }), q: acc, peer: "xgboost.XGBClassifier(tree_method='hist', n_estimators=100, max_depth=6, learning_rate=0.3, max_bin=256, n_jobs=1)" },
  { name: 'gbdt-reg-100x-d6', task: 'regression', metric: 'r2', ours: () => K.GradientBoostingRegressor.fit(R.Xtr, nTrain, D, R.ytr, { nEstimators: 100, maxDepth: 6, learningRate: 0.3 }), q: r2, peer: "xgboost.XGBRegressor(tree_method='hist', n_estimators=100, max_depth=6, learning_rate=0.3, max_bin=256, n_jobs=1)" },
].filter((m) => !ONLY || ONLY.has(m.name));

// ---- plain-JS reference loops (baseline when scikit-learn is unavailable) ----
function jsLinreg() {
  const A = new Float64Array((D + 1) * (D + 1));
  const b = new Float64Array(D + 1);
  const x = new Float64Array(D + 1);
  for (let i = 0; i < nTrain; i++) {
    for (let j = 0; j < D; j++) x[j] = R.Xtr[i * D + j];
    x[D] = 1;
    for (let j = 0; j <= D; j++) {
      b[j] += x[j] * R.ytr[i];
      for (let k = 0; k <= D; k++) A[j * (D + 1) + k] += x[j] * x[k];
    }
  }
  // Gaussian elimination
  const n = D + 1;
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c] / A[c * n + c];
      for (let k = c; k < n; k++) A[r * n + k] -= f * A[c * n + k];
      b[r] -= f * b[c];
    }
  }
  const w = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= A[r * n + k] * w[k];
    w[r] = s / A[r * n + r];
  }
  const pred = Float64Array.from({ length: nTest }, (_, i) => {
    let s = w[D];
    for (let j = 0; j < D; j++) s += w[j] * R.Xte[i * D + j];
    return s;
  });
  return K.r2(R.yte, pred);
}
function jsLogisticSgd(epochs) {
  const w = new Float64Array(D + 1);
  for (let e = 0; e < epochs; e++) {
    const lr = 0.01 / (1 + e);
    for (let i = 0; i < nTrain; i++) {
      let z = w[D];
      for (let j = 0; j < D; j++) z += w[j] * C.Xtr[i * D + j];
      const g = 1 / (1 + Math.exp(-z)) - C.ytr[i];
      for (let j = 0; j < D; j++) w[j] -= lr * g * C.Xtr[i * D + j];
      w[D] -= lr * g;
    }
  }
  let ok = 0;
  for (let i = 0; i < nTest; i++) {
    let z = w[D];
    for (let j = 0; j < D; j++) z += w[j] * C.Xte[i * D + j];
    if ((z > 0 ? 1 : 0) === C.yte[i]) ok++;
  }
  return ok / nTest;
}
function jsKmeans() {
  const k = 8;
  const cen = Float64Array.from(C.Xtr.subarray(0, k * D));
  const lab = new Int32Array(nTrain);
  let inertia = 0;
  for (let it = 0; it < 100; it++) {
    const sums = new Float64Array(k * D);
    const cnt = new Float64Array(k);
    inertia = 0;
    let changed = 0;
    for (let i = 0; i < nTrain; i++) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += (C.Xtr[i * D + j] - cen[c * D + j]) ** 2;
        if (s < bd) {
          bd = s;
          best = c;
        }
      }
      if (lab[i] !== best) changed++;
      lab[i] = best;
      inertia += bd;
      cnt[best]++;
      for (let j = 0; j < D; j++) sums[best * D + j] += C.Xtr[i * D + j];
    }
    for (let c = 0; c < k; c++) if (cnt[c] > 0) for (let j = 0; j < D; j++) cen[c * D + j] = sums[c * D + j] / cnt[c];
    if (changed === 0) break;
  }
  return inertia;
}

// ---- peer (scikit-learn / XGBoost) ----
function runPeer() {
  if (process.env.BENCH_NO_PEER) return null;
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import sklearn, threadpoolctl'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-bench-'));
  const write = (name, arr) => {
    const f = path.join(dir, name);
    const a = arr instanceof Float32Array ? arr : Float32Array.from(arr);
    fs.writeFileSync(f, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    return f;
  };
  const spec = {
    nFeatures: D,
    classification: { nTrain, nTest, Xtr: write('cXtr', C.Xtr), Xte: write('cXte', C.Xte), ytr: write('cytr', C.ytr), yte: write('cyte', C.yte) },
    regression: { nTrain, nTest, Xtr: write('rXtr', R.Xtr), Xte: write('rXte', R.Xte), ytr: write('rytr', R.ytr), yte: write('ryte', R.yte) },
    repeats: REPEATS,
    models: MODELS.map((m) => ({ name: m.name, task: m.task, metric: m.metric, peer: m.peer })),
  };
  const specFile = path.join(dir, 'spec.json');
  fs.writeFileSync(specFile, JSON.stringify(spec));
  console.log('running scikit-learn / XGBoost peer (one thread) ...');
  const r = spawnSync(py, [path.join(__dirname, 'peer.py'), specFile], { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) {
    console.log(`peer failed (exit ${r.status}); falling back to JS reference loops`);
    return null;
  }
  return JSON.parse(r.stdout);
}

const peer = runPeer();
const results = [];
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
for (const m of MODELS) {
  let sec = Infinity;
  let cpu = Infinity;
  let model = null;
  for (let r = 0; r < REPEATS; r++) {
    model = null;
    const c0 = cpuNow();
    t0 = now();
    model = m.ours();
    sec = Math.min(sec, now() - t0);
    cpu = Math.min(cpu, cpuNow() - c0);
  }
  const q = m.q(model);
  let base = null;
  if (peer) {
    if (peer[m.name]) base = { seconds: peer[m.name].seconds, cpu: peer[m.name].cpu, quality: peer[m.name].quality, what: 'sklearn/xgboost' };
  } else if (m.js) {
    const c0 = cpuNow();
    const b0 = now();
    const bq = m.js();
    base = { seconds: now() - b0, cpu: cpuNow() - c0, quality: bq, what: 'plain JS' };
  }
  results.push({ m, sec, cpu, q, base });
  console.log(`  ${m.name}: ${sec.toFixed(3)} s (cpu ${cpu.toFixed(3)} s)`);
}

// memory-bandwidth floor and an Adam epoch relative to it
const floorRows = Math.min(800_000, nTrain);
const floor = K.sumPass(C.Xtr.subarray(0, floorRows * D), 5);
const epochTimes = [];
const epochCpu = [];
let last = now();
let lastCpu = cpuNow();
K.LogisticRegression.fit(C.Xtr.subarray(0, floorRows * D), floorRows, D, C.ytr.subarray(0, floorRows), { solver: 'adam', epochs: 6, batchSize: 256 }, {
  onEpoch: () => {
    const t = now();
    const c = cpuNow();
    epochTimes.push(t - last);
    epochCpu.push(c - lastCpu);
    last = t;
    lastCpu = c;
  },
});
// the first epoch also pays the one-off copy into wasm memory and row shuffle
const epoch = Math.min(...epochTimes.slice(1));
const epochC = Math.min(...epochCpu.slice(1));

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log('');
console.log(`${pad('model', 18)} ${lpad('seconds', 8)} ${lpad('cpu s', 8)} ${lpad('rows/s', 11)} ${pad('metric', 9)} ${lpad('ours', 9)} ${lpad('baseline', 9)} ${lpad('base s', 8)} ${lpad('base cpu', 8)} ${lpad('ratio', 6)} ${lpad('cpu rt', 6)}  baseline`);
for (const { m, sec, cpu, q, base } of results) {
  const fmtQ = (v) => (m.metric === 'inertia' ? (v / nTrain).toFixed(4) : v.toFixed(4));
  const ratio = base ? (sec / base.seconds).toFixed(2) : 'n/a';
  const cpuRatio = base && base.cpu ? (cpu / base.cpu).toFixed(2) : 'n/a';
  console.log(
    `${pad(m.name, 18)} ${lpad(sec.toFixed(3), 8)} ${lpad(cpu.toFixed(3), 8)} ${lpad(Math.round(nTrain / sec).toLocaleString(), 11)} ${pad(m.metric === 'inertia' ? 'inertia/n' : m.metric, 9)} ${lpad(fmtQ(q), 9)} ${lpad(base ? fmtQ(base.quality) : 'n/a', 9)} ${lpad(base ? base.seconds.toFixed(3) : 'n/a', 8)} ${lpad(base && base.cpu ? base.cpu.toFixed(3) : 'n/a', 8)} ${lpad(ratio, 6)} ${lpad(cpuRatio, 6)}  ${base ? (peer ? m.peer : base.what) : 'none'}`,
  );
}
console.log('');
console.log(`memory-bandwidth floor: one pass over ${floorRows.toLocaleString()} x ${D} float32 (${((floorRows * D * 4) / 1e6).toFixed(0)} MB) = ${(floor.seconds * 1000).toFixed(2)} ms (${((floorRows * D * 4) / floor.seconds / 1e9).toFixed(1)} GB/s)`);
console.log(`logistic regression Adam epoch (batch 256) over the same rows = ${(epoch * 1000).toFixed(1)} ms wall, ${(epochC * 1000).toFixed(1)} ms cpu = ${(epoch / floor.seconds).toFixed(1)}x the floor (cpu ${(epochC / floor.seconds).toFixed(1)}x; goal <= 3x)`);
console.log('ratio = our seconds / baseline seconds, cpu rt = the same in CPU time (<= 1.0: at least as fast; GBDT goal <= 2.0 vs native XGBoost hist, one thread)');
console.log('the peer runs first in its own process: on a loaded machine compare the cpu ratio, or rerun with BENCH_REPEATS=3');
