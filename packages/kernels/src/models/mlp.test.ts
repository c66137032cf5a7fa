// MLP kernels against a float64 JavaScript reference: the blocked forward products (row,
// column and p == 1 tails) and the sign of the backpropagated gradient, read from Adam's first
// step (whose size is lr · sign(g) when |g| ≫ epsilon).
import * as assert from 'node:assert/strict';
import { syntheticClassification, syntheticRegression } from '../data/synthetic.js';
import { MlpActivation, MLPClassifier, MLPRegressor } from './mlp.js';

type Act = MlpActivation;
const f = (act: Act, z: number) => (act === 'relu' ? Math.max(z, 0) : act === 'tanh' ? Math.tanh(z) : act === 'logistic' ? 1 / (1 + Math.exp(-z)) : z);
const df = (act: Act, a: number) => (act === 'relu' ? (a > 0 ? 1 : 0) : act === 'tanh' ? 1 - a * a : act === 'logistic' ? a * (1 - a) : 1);

/** Layer outputs per row (hidden after activation, last layer after the head's activation). */
function reference(sizes: number[], params: ArrayLike<number>, act: Act, head: 'identity' | 'sigmoid' | 'softmax', x: ArrayLike<number>): number[][] {
  const outs: number[][] = [];
  let inp = Array.from(x);
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [nin, nout] = [sizes[l], sizes[l + 1]];
    const z = Array.from({ length: nout }, (_, j) => {
      let s = params[o + nin * nout + j];
      for (let i = 0; i < nin; i++) s += inp[i] * params[o + i * nout + j];
      return s;
    });
    o += nin * nout + nout;
    let a: number[];
    if (l + 2 < sizes.length) a = z.map((v) => f(act, v));
    else if (head === 'sigmoid') a = z.map((v) => 1 / (1 + Math.exp(-v)));
    else if (head === 'softmax') {
      const mx = Math.max(...z);
      const e = z.map((v) => Math.exp(v - mx));
      const s = e.reduce((u, v) => u + v, 0);
      a = e.map((v) => v / s);
    } else a = z;
    outs.push(a);
    inp = a;
  }
  return outs;
}

/** Gradient of the mean loss (alpha = 0) over all rows, float64, same layout as params. */
function referenceGradient(sizes: number[], params: ArrayLike<number>, act: Act, head: 'identity' | 'sigmoid' | 'softmax', X: Float32Array, target: (i: number) => number[], n: number): Float64Array {
  const g = new Float64Array(params.length);
  const offs: number[] = [];
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    offs.push(o);
    o += sizes[l] * sizes[l + 1] + sizes[l + 1];
  }
  const d = sizes[0];
  for (let r = 0; r < n; r++) {
    const x = Array.from(X.subarray(r * d, (r + 1) * d));
    const outs = reference(sizes, params, act, head, x);
    const y = target(r);
    let delta = outs[outs.length - 1].map((v, j) => (v - y[j]) / n);
    for (let l = sizes.length - 2; l >= 0; l--) {
      const [nin, nout] = [sizes[l], sizes[l + 1]];
      const inp = l === 0 ? x : outs[l - 1];
      for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) g[offs[l] + i * nout + j] += inp[i] * delta[j];
      for (let j = 0; j < nout; j++) g[offs[l] + nin * nout + j] += delta[j];
      if (l > 0) {
        const prev = Array.from({ length: nin }, (_, i) => {
          let s = 0;
          for (let j = 0; j < nout; j++) s += params[offs[l] + i * nout + j] * delta[j];
          return s * df(act, inp[i]);
        });
        delta = prev;
      }
    }
  }
  return g;
}

describe('kernels/models/mlp: blocked kernels against a float64 reference', function () {
  this.timeout(30_000);
  const n = 131; // not a multiple of 4 or of the 64-row forward block
  const d = 7;
  const c = syntheticClassification(n, d, 11);
  const r = syntheticRegression(n, d, 11);
  const y3 = Int32Array.from(c.y, (v, i) => (v + (i % 3 === 0 ? 1 : 0)) % 3);

  for (const act of ['relu', 'tanh', 'logistic', 'identity'] as const) {
    for (const k of [2, 3]) {
      it(`forward ${act}, ${k} classes, hidden [13, 6]: probabilities within 1e-5`, () => {
        const y = k === 2 ? c.y : y3;
        const m = MLPClassifier.fit(c.X, n, d, y, { hiddenLayerSizes: [13, 6], activation: act, maxIter: 3, batchSize: 50, seed: 4 });
        const p = m.predictProba(c.X, n);
        for (let i = 0; i < n; i++) {
          const out = reference(m.sizes, m.params, act, k === 2 ? 'sigmoid' : 'softmax', c.X.subarray(i * d, (i + 1) * d));
          const q = out[out.length - 1];
          const probs = k === 2 ? [1 - q[0], q[0]] : q;
          probs.forEach((v, j) => assert.ok(Math.abs(v - p[i * k + j]) < 1e-5, `row ${i} class ${j}: ${p[i * k + j]} vs ${v}`));
        }
      });
    }
  }

  const cases: { name: string; act: Act; hidden: number[]; fit: (lr: number) => { sizes: number[]; params: Float32Array }; head: 'identity' | 'sigmoid' | 'softmax'; X: Float32Array; target: (i: number) => number[] }[] = [
    { name: 'relu [9, 5] softmax', act: 'relu', hidden: [9, 5], head: 'softmax', X: c.X, target: (i) => [0, 1, 2].map((j) => (y3[i] === j ? 1 : 0)), fit: (lr) => MLPClassifier.fit(c.X, n, d, y3, { hiddenLayerSizes: [9, 5], alpha: 0, learningRate: lr, maxIter: 1, batchSize: n, shuffle: false, seed: 1 }) },
    { name: 'tanh [18] sigmoid', act: 'tanh', hidden: [18], head: 'sigmoid', X: c.X, target: (i) => [c.y[i]], fit: (lr) => MLPClassifier.fit(c.X, n, d, c.y, { hiddenLayerSizes: [18], activation: 'tanh', alpha: 0, learningRate: lr, maxIter: 1, batchSize: n, shuffle: false, seed: 2 }) },
    { name: 'relu [17, 3] regression', act: 'relu', hidden: [17, 3], head: 'identity', X: r.X, target: (i) => [r.y[i]], fit: (lr) => MLPRegressor.fit(r.X, n, d, r.y, { hiddenLayerSizes: [17, 3], alpha: 0, learningRate: lr, maxIter: 1, batchSize: n, shuffle: false, seed: 3 }) },
  ];
  for (const t of cases) {
    it(`backprop ${t.name}: Adam's first step has the sign of the reference gradient`, () => {
      const a = t.fit(1e-3);
      const b = t.fit(2e-3);
      const w0 = Float64Array.from(a.params, (v, i) => 2 * v - b.params[i]);
      const g = referenceGradient(a.sizes, w0, t.act, t.head, t.X, t.target, n);
      let checked = 0;
      for (let i = 0; i < g.length; i++) {
        if (Math.abs(g[i]) < 1e-4) continue;
        const step = a.params[i] - b.params[i]; // = 1e-3 · sign(g)
        assert.ok(Math.abs(step - 1e-3 * Math.sign(g[i])) < 2e-5, `parameter ${i}: gradient ${g[i]}, step ${step}`);
        checked++;
      }
      assert.ok(checked > g.length / 2, `only ${checked} of ${g.length} parameters had a clear gradient`);
    });
  }
});
