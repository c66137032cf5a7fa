// Multi-layer perceptron kernels: dense layers, float32, f32x4 SIMD along the output axis.
//
// Network: sizes int32 [L + 1] (sizes[0] = input width d, sizes[L] = output width).
// Parameters float32, per layer l: W_l [sizes[l], sizes[l+1]] row-major then b_l [sizes[l+1]].
// Hidden activation: 0 = ReLU, 1 = tanh, 2 = logistic, 3 = identity.
// Output activation: 0 = identity (squared error), 1 = logistic (binary cross-entropy),
// 2 = softmax (categorical cross-entropy). For all three, d loss / d pre-activation = out - y.
import { axpyF32, dotF32 } from "./simd";

let rng: u32 = 0;

// @ts-ignore: decorator
@inline
function nextU32(): u32 {
  rng += 0x9e3779b9;
  let z = rng;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

// @ts-ignore: decorator
@inline
function size(sizesp: usize, l: i32): i32 {
  return load<i32>(sizesp + (<usize>l << 2));
}

/** Byte offset of W_l inside the parameter block. */
function weightOffset(sizesp: usize, l: i32): usize {
  let o: usize = 0;
  for (let i = 0; i < l; i++) o += <usize>(size(sizesp, i) * size(sizesp, i + 1) + size(sizesp, i + 1)) << 2;
  return o;
}

/** Float offset of layer l's output (l >= 1) inside one row of the activation buffer. */
function actOffset(sizesp: usize, l: i32): i32 {
  let o = 0;
  for (let i = 1; i < l; i++) o += size(sizesp, i);
  return o;
}

function activate(p: usize, m: i32, act: i32): void {
  if (act == 0) {
    const z = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const o = p + (<usize>j << 2);
      v128.store(o, f32x4.max(v128.load(o), z));
    }
    for (; j < m; j++) {
      const o = p + (<usize>j << 2);
      const v = load<f32>(o);
      store<f32>(o, v > 0 ? v : 0);
    }
  } else if (act == 1) {
    for (let j = 0; j < m; j++) {
      const o = p + (<usize>j << 2);
      store<f32>(o, <f32>Math.tanh(<f64>load<f32>(o)));
    }
  } else if (act == 2) {
    for (let j = 0; j < m; j++) {
      const o = p + (<usize>j << 2);
      const v = <f64>load<f32>(o);
      store<f32>(o, <f32>(v >= 0 ? 1.0 / (1.0 + Math.exp(-v)) : Math.exp(v) / (1.0 + Math.exp(v))));
    }
  }
}

/** delta[j] *= act'(a[j]) expressed through the activation value a. */
function activationGrad(deltap: usize, ap: usize, m: i32, act: i32): void {
  if (act == 0) {
    const z = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const o = <usize>j << 2;
      const mask = f32x4.gt(v128.load(ap + o), z);
      v128.store(deltap + o, v128.and(v128.load(deltap + o), mask));
    }
    for (; j < m; j++) {
      const o = <usize>j << 2;
      if (!(load<f32>(ap + o) > 0)) store<f32>(deltap + o, 0);
    }
  } else if (act == 1) {
    for (let j = 0; j < m; j++) {
      const o = <usize>j << 2;
      const a = load<f32>(ap + o);
      store<f32>(deltap + o, load<f32>(deltap + o) * (<f32>1 - a * a));
    }
  } else if (act == 2) {
    for (let j = 0; j < m; j++) {
      const o = <usize>j << 2;
      const a = load<f32>(ap + o);
      store<f32>(deltap + o, load<f32>(deltap + o) * a * (<f32>1 - a));
    }
  }
}

/** out activation in place; returns the loss of this row against target y (float32 [m]). */
function outputLoss(p: usize, yp: usize, m: i32, outAct: i32): f64 {
  let loss: f64 = 0;
  if (outAct == 0) {
    for (let j = 0; j < m; j++) {
      const t = <f64>load<f32>(p + (<usize>j << 2)) - <f64>load<f32>(yp + (<usize>j << 2));
      loss += 0.5 * t * t;
    }
  } else if (outAct == 1) {
    for (let j = 0; j < m; j++) {
      const o = p + (<usize>j << 2);
      const z = <f64>load<f32>(o);
      const y = <f64>load<f32>(yp + (<usize>j << 2));
      loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
      store<f32>(o, <f32>(z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z))));
    }
  } else {
    let zmax: f32 = -Infinity;
    for (let j = 0; j < m; j++) zmax = max(zmax, load<f32>(p + (<usize>j << 2)));
    let se: f64 = 0;
    let zy: f64 = 0;
    for (let j = 0; j < m; j++) {
      const o = p + (<usize>j << 2);
      const z = <f64>(load<f32>(o) - zmax);
      zy += z * <f64>load<f32>(yp + (<usize>j << 2));
      const e = Math.exp(z);
      store<f32>(o, <f32>e);
      se += e;
    }
    loss = Math.log(se) - zy;
    const inv = <f32>(1.0 / se);
    for (let j = 0; j < m; j++) {
      const o = p + (<usize>j << 2);
      store<f32>(o, load<f32>(o) * inv);
    }
  }
  return loss;
}

/** Forward pass of one row x (float32 [sizes[0]]) writing every layer's output into actRow. */
function forwardRow(x: usize, sizesp: usize, nLayers: i32, paramsp: usize, act: i32, actRow: usize): void {
  let inp = x;
  let w = paramsp;
  let out = actRow;
  for (let l = 0; l < nLayers; l++) {
    const nin = size(sizesp, l);
    const nout = size(sizesp, l + 1);
    const b = w + (<usize>(nin * nout) << 2);
    memory.copy(out, b, <usize>nout << 2);
    for (let j = 0; j < nin; j++) {
      const a = load<f32>(inp + (<usize>j << 2));
      if (a != 0) axpyF32(w + (<usize>(j * nout) << 2), out, nout, a);
    }
    if (l < nLayers - 1) activate(out, nout, act);
    inp = out;
    out += <usize>nout << 2;
    w = b + (<usize>nout << 2);
  }
}

/**
 * Network outputs for X float32 [n, sizes[0]] into outp float32 [n, sizes[L]] (after the
 * output activation: values, sigmoid probabilities or softmax probabilities).
 * scratchp: float32 [sum(sizes[1..L])].
 */
export function mlpForward(xp: usize, n: i32, sizesp: usize, nLayers: i32, paramsp: usize, act: i32, outAct: i32, scratchp: usize, outp: usize): void {
  const d = size(sizesp, 0);
  const m = size(sizesp, nLayers);
  const lastOff = <usize>actOffset(sizesp, nLayers) << 2;
  for (let i = 0; i < n; i++) {
    forwardRow(xp + (<usize>(i * d) << 2), sizesp, nLayers, paramsp, act, scratchp);
    const o = scratchp + lastOff;
    if (outAct == 1) {
      for (let j = 0; j < m; j++) {
        const z = <f64>load<f32>(o + (<usize>j << 2));
        store<f32>(o + (<usize>j << 2), <f32>(z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z))));
      }
    } else if (outAct == 2) {
      let zmax: f32 = -Infinity;
      for (let j = 0; j < m; j++) zmax = max(zmax, load<f32>(o + (<usize>j << 2)));
      let se: f64 = 0;
      for (let j = 0; j < m; j++) {
        const e = Math.exp(<f64>(load<f32>(o + (<usize>j << 2)) - zmax));
        store<f32>(o + (<usize>j << 2), <f32>e);
        se += e;
      }
      for (let j = 0; j < m; j++) store<f32>(o + (<usize>j << 2), <f32>(<f64>load<f32>(o + (<usize>j << 2)) / se));
    }
    memory.copy(outp + (<usize>(i * m) << 2), o, <usize>m << 2);
  }
}

/**
 * One epoch of mini-batch Adam (scikit-learn's MLP formulation: loss = mean row loss +
 * alpha ||W||^2 / (2 B) per batch of B rows, biases unpenalised; Adam step
 * lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps), as sklearn/neural_network/_stochastic_optimizers.py).
 *
 * xp: float32 [n, d]; yp: float32 [n, sizes[L]] targets (one-hot for softmax, 0/1 for logistic);
 * ip: int32 [n] scratch (row order: shuffled with Fisher–Yates from `seed` when shuffle != 0,
 * else 0..n-1); paramsp, mp, vp, gp: float32 [nParams] (moments updated in place, gp scratch);
 * actp: float32 [batch, sum(sizes[1..L])] scratch; deltap: float32 [2, maxWidth] scratch.
 * Returns the summed (not averaged) training objective over the epoch's rows.
 */
export function mlpEpoch(
  xp: usize, yp: usize, n: i32, ip: usize, shuffle: i32, seed: u32,
  sizesp: usize, nLayers: i32, paramsp: usize, mp: usize, vp: usize, gp: usize, nParams: i32,
  actp: usize, deltap: usize, maxWidth: i32, act: i32, outAct: i32,
  lr: f32, alpha: f32, batch: i32, t0: i32, beta1: f32, beta2: f32, eps: f32,
): f64 {
  const d = size(sizesp, 0);
  const m = size(sizesp, nLayers);
  const rowFloats = actOffset(sizesp, nLayers) + m;
  const rowBytes = <usize>rowFloats << 2;
  for (let i = 0; i < n; i++) store<i32>(ip + (<usize>i << 2), i);
  if (shuffle != 0) {
    rng = seed;
    for (let i = n - 1; i > 0; i--) {
      const j = <i32>(<u64>nextU32() * <u64>(i + 1) >>> 32);
      const a = load<i32>(ip + (<usize>i << 2));
      store<i32>(ip + (<usize>i << 2), load<i32>(ip + (<usize>j << 2)));
      store<i32>(ip + (<usize>j << 2), a);
    }
  }
  const lastOff = <usize>actOffset(sizesp, nLayers) << 2;
  const d0 = deltap;
  const d1 = deltap + (<usize>maxWidth << 2);
  // squared norm of weights (not biases), for the reported objective
  let total: f64 = 0;
  let t = t0;
  for (let start = 0; start < n; start += batch) {
    const end = min(start + batch, n);
    const bsz = end - start;
    memory.fill(gp, 0, <usize>nParams << 2);
    let batchLoss: f64 = 0;
    for (let q = start; q < end; q++) {
      const r = load<i32>(ip + (<usize>q << 2));
      const x = xp + (<usize>(r * d) << 2);
      const actRow = actp + <usize>(q - start) * rowBytes;
      forwardRow(x, sizesp, nLayers, paramsp, act, actRow);
      const out = actRow + lastOff;
      const y = yp + (<usize>(r * m) << 2);
      batchLoss += outputLoss(out, y, m, outAct);
      // output delta = out - y
      for (let j = 0; j < m; j++) store<f32>(d0 + (<usize>j << 2), load<f32>(out + (<usize>j << 2)) - load<f32>(y + (<usize>j << 2)));
      let cur = d0;
      let nxt = d1;
      for (let l = nLayers - 1; l >= 0; l--) {
        const nin = size(sizesp, l);
        const nout = size(sizesp, l + 1);
        const wo = weightOffset(sizesp, l);
        const w = paramsp + wo;
        const gw = gp + wo;
        const gb = gw + (<usize>(nin * nout) << 2);
        const inp = l == 0 ? x : actRow + (<usize>actOffset(sizesp, l) << 2);
        for (let j = 0; j < nin; j++) {
          const a = load<f32>(inp + (<usize>j << 2));
          if (a != 0) axpyF32(cur, gw + (<usize>(j * nout) << 2), nout, a);
        }
        axpyF32(cur, gb, nout, 1);
        if (l > 0) {
          for (let j = 0; j < nin; j++) store<f32>(nxt + (<usize>j << 2), dotF32(w + (<usize>(j * nout) << 2), cur, nout));
          activationGrad(nxt, inp, nin, act);
          const tmp = cur;
          cur = nxt;
          nxt = tmp;
        }
      }
    }
    // Adam update
    t++;
    const invB: f32 = <f32>1 / <f32>bsz;
    const lrT = <f32>(<f64>lr * Math.sqrt(1.0 - Math.pow(<f64>beta2, <f64>t)) / (1.0 - Math.pow(<f64>beta1, <f64>t)));
    let wsq: f64 = 0;
    let o: usize = 0;
    for (let l = 0; l < nLayers; l++) {
      const nw = size(sizesp, l) * size(sizesp, l + 1);
      const nb = size(sizesp, l + 1);
      for (let j = 0; j < nw + nb; j++) {
        const p = o + (<usize>j << 2);
        const w = load<f32>(paramsp + p);
        let g = load<f32>(gp + p) * invB;
        if (j < nw) {
          g += alpha * w * invB;
          wsq += <f64>w * <f64>w;
        }
        const mm = beta1 * load<f32>(mp + p) + (<f32>1 - beta1) * g;
        const vv = beta2 * load<f32>(vp + p) + (<f32>1 - beta2) * g * g;
        store<f32>(mp + p, mm);
        store<f32>(vp + p, vv);
        store<f32>(paramsp + p, w - lrT * mm / (<f32>Math.sqrt(<f64>vv) + eps));
      }
      o += <usize>(nw + nb) << 2;
    }
    total += batchLoss + 0.5 * <f64>alpha * wsq;
  }
  return total;
}
