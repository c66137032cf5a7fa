// Multi-layer perceptron kernels: dense layers, float32, mini-batch products blocked for f32x4 registers.
//
// Network: sizes int32 [L + 1] (sizes[0] = input width d, sizes[L] = output width).
// Parameters float32, per layer l: W_l [sizes[l], sizes[l+1]] row-major then b_l [sizes[l+1]].
// Hidden activation: 0 = ReLU, 1 = tanh, 2 = logistic, 3 = identity.
// Output activation: 0 = identity (squared error), 1 = logistic (binary cross-entropy),
// 2 = softmax (categorical cross-entropy). For all three, d loss / d pre-activation = out - y.
import { dotF32 } from "./simd";

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

// ---- register-blocked f32x4 matrix products over a mini-batch ----
//
// Every product accumulates each output element sequentially over the reduction index
// (C[i, c] = init + a[0] b[0] + a[1] b[1] + ...), in f32 with separate mul and add, so the
// values do not depend on the blocking (4 rows x 8 columns kept in registers).

/** Epilogue: 0 = none, 1 = ReLU max(v, 0), 2 = keep v where ref > 0 else 0 (ReLU derivative mask). */
// @ts-ignore: decorator
@inline
function epiV(v: v128, epi: i32, refAddr: usize): v128 {
  if (epi == 1) return f32x4.max(v, f32x4.splat(0));
  if (epi == 2) return v128.and(v, f32x4.gt(v128.load(refAddr), f32x4.splat(0)));
  return v;
}

// @ts-ignore: decorator
@inline
function epiS(v: f32, epi: i32, refAddr: usize): f32 {
  if (epi == 1) return v > 0 ? v : 0;
  if (epi == 2) return load<f32>(refAddr) > 0 ? v : 0;
  return v;
}

/**
 * C[n, p] = epi(bias + A[n, k] · B[k, p]), all float32 row-major (leading dimensions k, p, p).
 * biasp: float32 [p] or 0 for none; refp: float32 [n, p] for epi 2 (else unused).
 * Blocks of 4 rows x 8 columns (8 f32x4 accumulators) stream over k reading each B row
 * once per row block. p == 1 uses an f32x4 dot per row instead.
 */
function gemm(ap: usize, n: i32, k: i32, bp: usize, p: i32, biasp: usize, cp: usize, epi: i32, refp: usize): void {
  const zero = f32x4.splat(0);
  const lda = <usize>k << 2;
  const ldb = <usize>p << 2;
  if (p == 1) {
    const b0: f32 = biasp ? load<f32>(biasp) : 0;
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(cp + o, epiS(b0 + dotF32(ap + <usize>i * lda, bp, k), epi, refp + o));
    }
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a0 = ap + <usize>i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    const rowOff = <usize>i * ldb;
    let c = 0;
    for (; c + 8 <= p; c += 8) {
      const co = <usize>c << 2;
      const i0 = biasp ? v128.load(biasp + co) : zero;
      const i1 = biasp ? v128.load(biasp + co, 16) : zero;
      let s00 = i0, s01 = i1, s10 = i0, s11 = i1, s20 = i0, s21 = i1, s30 = i0, s31 = i1;
      let wp = bp + co;
      for (let kk = 0; kk < k; kk++) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        const ko = <usize>kk << 2;
        let x = f32x4.splat(load<f32>(a0 + ko));
        s00 = f32x4.add(s00, f32x4.mul(x, w0));
        s01 = f32x4.add(s01, f32x4.mul(x, w1));
        x = f32x4.splat(load<f32>(a1 + ko));
        s10 = f32x4.add(s10, f32x4.mul(x, w0));
        s11 = f32x4.add(s11, f32x4.mul(x, w1));
        x = f32x4.splat(load<f32>(a2 + ko));
        s20 = f32x4.add(s20, f32x4.mul(x, w0));
        s21 = f32x4.add(s21, f32x4.mul(x, w1));
        x = f32x4.splat(load<f32>(a3 + ko));
        s30 = f32x4.add(s30, f32x4.mul(x, w0));
        s31 = f32x4.add(s31, f32x4.mul(x, w1));
        wp += ldb;
      }
      const o0 = rowOff + co;
      const o1 = o0 + ldb;
      const o2 = o1 + ldb;
      const o3 = o2 + ldb;
      v128.store(cp + o0, epiV(s00, epi, refp + o0));
      v128.store(cp + o0 + 16, epiV(s01, epi, refp + o0 + 16));
      v128.store(cp + o1, epiV(s10, epi, refp + o1));
      v128.store(cp + o1 + 16, epiV(s11, epi, refp + o1 + 16));
      v128.store(cp + o2, epiV(s20, epi, refp + o2));
      v128.store(cp + o2 + 16, epiV(s21, epi, refp + o2 + 16));
      v128.store(cp + o3, epiV(s30, epi, refp + o3));
      v128.store(cp + o3 + 16, epiV(s31, epi, refp + o3 + 16));
    }
    for (; c + 4 <= p; c += 4) {
      const co = <usize>c << 2;
      const i0 = biasp ? v128.load(biasp + co) : zero;
      let s0 = i0, s1 = i0, s2 = i0, s3 = i0;
      let wp = bp + co;
      for (let kk = 0; kk < k; kk++) {
        const w0 = v128.load(wp);
        const ko = <usize>kk << 2;
        s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a0 + ko)), w0));
        s1 = f32x4.add(s1, f32x4.mul(f32x4.splat(load<f32>(a1 + ko)), w0));
        s2 = f32x4.add(s2, f32x4.mul(f32x4.splat(load<f32>(a2 + ko)), w0));
        s3 = f32x4.add(s3, f32x4.mul(f32x4.splat(load<f32>(a3 + ko)), w0));
        wp += ldb;
      }
      const o0 = rowOff + co;
      v128.store(cp + o0, epiV(s0, epi, refp + o0));
      v128.store(cp + o0 + ldb, epiV(s1, epi, refp + o0 + ldb));
      v128.store(cp + o0 + 2 * ldb, epiV(s2, epi, refp + o0 + 2 * ldb));
      v128.store(cp + o0 + 3 * ldb, epiV(s3, epi, refp + o0 + 3 * ldb));
    }
    for (; c < p; c++) {
      for (let r = 0; r < 4; r++) gemmScalar(ap + <usize>(i + r) * lda, k, bp + (<usize>c << 2), ldb, biasp, c, cp + rowOff + <usize>r * ldb + (<usize>c << 2), epi, refp + rowOff + <usize>r * ldb + (<usize>c << 2));
    }
  }
  for (; i < n; i++) {
    const a0 = ap + <usize>i * lda;
    const rowOff = <usize>i * ldb;
    let c = 0;
    for (; c + 4 <= p; c += 4) {
      const co = <usize>c << 2;
      let s0 = biasp ? v128.load(biasp + co) : zero;
      let wp = bp + co;
      for (let kk = 0; kk < k; kk++) {
        s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a0 + (<usize>kk << 2))), v128.load(wp)));
        wp += ldb;
      }
      const o0 = rowOff + co;
      v128.store(cp + o0, epiV(s0, epi, refp + o0));
    }
    for (; c < p; c++) gemmScalar(a0, k, bp + (<usize>c << 2), ldb, biasp, c, cp + rowOff + (<usize>c << 2), epi, refp + rowOff + (<usize>c << 2));
  }
}

/** One element of `gemm`: out = epi(bias[c] + sum_kk a[kk] * b[kk * ldb]). */
function gemmScalar(a: usize, k: i32, b: usize, ldb: usize, biasp: usize, c: i32, out: usize, epi: i32, ref: usize): void {
  let s: f32 = biasp ? load<f32>(biasp + (<usize>c << 2)) : 0;
  for (let kk = 0; kk < k; kk++) s += load<f32>(a + (<usize>kk << 2)) * load<f32>(b + <usize>kk * ldb);
  store<f32>(out, epiS(s, epi, ref));
}

/**
 * G[k, p] = A[n, k]ᵀ · D[n, p] (weight gradient summed over the n rows; written, not added),
 * float32 row-major. Blocks of 4 features x 8 outputs (8 f32x4 accumulators) stream over rows;
 * p == 1 keeps 16 features (4 accumulators) and streams rows.
 */
function gemmTN(ap: usize, n: i32, k: i32, dp: usize, p: i32, gp: usize): void {
  const zero = f32x4.splat(0);
  const lda = <usize>k << 2;
  const ldd = <usize>p << 2;
  if (p == 1) {
    let f = 0;
    for (; f + 16 <= k; f += 16) {
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      let a = ap + (<usize>f << 2);
      for (let r = 0; r < n; r++) {
        const dv = f32x4.splat(load<f32>(dp + (<usize>r << 2)));
        s0 = f32x4.add(s0, f32x4.mul(dv, v128.load(a)));
        s1 = f32x4.add(s1, f32x4.mul(dv, v128.load(a, 16)));
        s2 = f32x4.add(s2, f32x4.mul(dv, v128.load(a, 32)));
        s3 = f32x4.add(s3, f32x4.mul(dv, v128.load(a, 48)));
        a += lda;
      }
      const g = gp + (<usize>f << 2);
      v128.store(g, s0);
      v128.store(g, s1, 16);
      v128.store(g, s2, 32);
      v128.store(g, s3, 48);
    }
    for (; f + 4 <= k; f += 4) {
      let s0 = zero;
      let a = ap + (<usize>f << 2);
      for (let r = 0; r < n; r++) {
        s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(dp + (<usize>r << 2))), v128.load(a)));
        a += lda;
      }
      v128.store(gp + (<usize>f << 2), s0);
    }
    for (; f < k; f++) {
      let s: f32 = 0;
      for (let r = 0; r < n; r++) s += load<f32>(dp + (<usize>r << 2)) * load<f32>(ap + <usize>r * lda + (<usize>f << 2));
      store<f32>(gp + (<usize>f << 2), s);
    }
    return;
  }
  let f = 0;
  for (; f + 4 <= k; f += 4) {
    let c = 0;
    for (; c + 8 <= p; c += 8) {
      let s00 = zero, s01 = zero, s10 = zero, s11 = zero, s20 = zero, s21 = zero, s30 = zero, s31 = zero;
      let a = ap + (<usize>f << 2);
      let d = dp + (<usize>c << 2);
      for (let r = 0; r < n; r++) {
        const d0 = v128.load(d);
        const d1 = v128.load(d, 16);
        let x = f32x4.splat(load<f32>(a));
        s00 = f32x4.add(s00, f32x4.mul(x, d0));
        s01 = f32x4.add(s01, f32x4.mul(x, d1));
        x = f32x4.splat(load<f32>(a, 4));
        s10 = f32x4.add(s10, f32x4.mul(x, d0));
        s11 = f32x4.add(s11, f32x4.mul(x, d1));
        x = f32x4.splat(load<f32>(a, 8));
        s20 = f32x4.add(s20, f32x4.mul(x, d0));
        s21 = f32x4.add(s21, f32x4.mul(x, d1));
        x = f32x4.splat(load<f32>(a, 12));
        s30 = f32x4.add(s30, f32x4.mul(x, d0));
        s31 = f32x4.add(s31, f32x4.mul(x, d1));
        a += lda;
        d += ldd;
      }
      const g = gp + <usize>f * ldd + (<usize>c << 2);
      v128.store(g, s00);
      v128.store(g, s01, 16);
      v128.store(g + ldd, s10);
      v128.store(g + ldd, s11, 16);
      v128.store(g + 2 * ldd, s20);
      v128.store(g + 2 * ldd, s21, 16);
      v128.store(g + 3 * ldd, s30);
      v128.store(g + 3 * ldd, s31, 16);
    }
    for (; c + 4 <= p; c += 4) {
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      let a = ap + (<usize>f << 2);
      let d = dp + (<usize>c << 2);
      for (let r = 0; r < n; r++) {
        const d0 = v128.load(d);
        s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a)), d0));
        s1 = f32x4.add(s1, f32x4.mul(f32x4.splat(load<f32>(a, 4)), d0));
        s2 = f32x4.add(s2, f32x4.mul(f32x4.splat(load<f32>(a, 8)), d0));
        s3 = f32x4.add(s3, f32x4.mul(f32x4.splat(load<f32>(a, 12)), d0));
        a += lda;
        d += ldd;
      }
      const g = gp + <usize>f * ldd + (<usize>c << 2);
      v128.store(g, s0);
      v128.store(g + ldd, s1);
      v128.store(g + 2 * ldd, s2);
      v128.store(g + 3 * ldd, s3);
    }
    for (; c < p; c++) for (let q = 0; q < 4; q++) gemmTNScalar(ap + (<usize>(f + q) << 2), lda, n, dp + (<usize>c << 2), ldd, gp + <usize>(f + q) * ldd + (<usize>c << 2));
  }
  for (; f < k; f++) {
    let c = 0;
    for (; c + 4 <= p; c += 4) {
      let s0 = zero;
      let a = ap + (<usize>f << 2);
      let d = dp + (<usize>c << 2);
      for (let r = 0; r < n; r++) {
        s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a)), v128.load(d)));
        a += lda;
        d += ldd;
      }
      v128.store(gp + <usize>f * ldd + (<usize>c << 2), s0);
    }
    for (; c < p; c++) gemmTNScalar(ap + (<usize>f << 2), lda, n, dp + (<usize>c << 2), ldd, gp + <usize>f * ldd + (<usize>c << 2));
  }
}

/** One element of `gemmTN`: out = sum_r a[r * lda] * d[r * ldd]. */
function gemmTNScalar(a: usize, lda: usize, n: i32, d: usize, ldd: usize, out: usize): void {
  let s: f32 = 0;
  for (let r = 0; r < n; r++) s += load<f32>(a + <usize>r * lda) * load<f32>(d + <usize>r * ldd);
  store<f32>(out, s);
}

/** g[c] = sum_r D[r, c] for D float32 [n, p] (bias gradient; rows summed in order). */
function colSums(dp: usize, n: i32, p: i32, gp: usize): void {
  const ldd = <usize>p << 2;
  let c = 0;
  for (; c + 4 <= p; c += 4) {
    let s = f32x4.splat(0);
    let d = dp + (<usize>c << 2);
    for (let r = 0; r < n; r++) {
      s = f32x4.add(s, v128.load(d));
      d += ldd;
    }
    v128.store(gp + (<usize>c << 2), s);
  }
  for (; c < p; c++) {
    let s: f32 = 0;
    for (let r = 0; r < n; r++) s += load<f32>(dp + <usize>r * ldd + (<usize>c << 2));
    store<f32>(gp + (<usize>c << 2), s);
  }
}

/** T[p, k] = W[k, p]ᵀ, float32. */
function transpose(wp: usize, k: i32, p: i32, tp: usize): void {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < p; j++) store<f32>(tp + (<usize>(j * k + i) << 2), load<f32>(wp + (<usize>(i * p + j) << 2)));
  }
}

/**
 * Forward pass of n rows X float32 [n, sizes[0]] (leading dimension sizes[0]) through every
 * layer. Layer l's outputs (after the hidden activation; pre-activation for the last layer)
 * go to actp + ld * actOffset(l) floats as float32 [n, sizes[l+1]], so actp holds
 * float32 [ld * sum(sizes[1..L])] with ld >= n.
 */
function forwardBatch(xp: usize, n: i32, ld: i32, sizesp: usize, nLayers: i32, paramsp: usize, act: i32, actp: usize): void {
  let inp = xp;
  let w = paramsp;
  let out = actp;
  for (let l = 0; l < nLayers; l++) {
    const nin = size(sizesp, l);
    const nout = size(sizesp, l + 1);
    const b = w + (<usize>(nin * nout) << 2);
    const hidden = l < nLayers - 1;
    gemm(inp, n, nin, w, nout, b, out, hidden && act == 0 ? 1 : 0, 0);
    if (hidden && act != 0) activate(out, n * nout, act);
    inp = out;
    out += <usize>(ld * nout) << 2;
    w = b + (<usize>nout << 2);
  }
}

/** Rows per block of `mlpForward`; its scratch is float32 [FORWARD_ROWS * sum(sizes[1..L])]. */
const FORWARD_ROWS = 64;

/**
 * Network outputs for X float32 [n, sizes[0]] into outp float32 [n, sizes[L]] (after the
 * output activation: values, sigmoid probabilities or softmax probabilities), in blocks of
 * 64 rows through the same blocked products as `mlpEpoch`.
 * scratchp: float32 [64 * sum(sizes[1..L])].
 */
export function mlpForward(xp: usize, n: i32, sizesp: usize, nLayers: i32, paramsp: usize, act: i32, outAct: i32, scratchp: usize, outp: usize): void {
  const d = size(sizesp, 0);
  const m = size(sizesp, nLayers);
  const lastp = scratchp + (<usize>(FORWARD_ROWS * actOffset(sizesp, nLayers)) << 2);
  for (let start = 0; start < n; start += FORWARD_ROWS) {
    const bsz = min(FORWARD_ROWS, n - start);
    forwardBatch(xp + (<usize>(start * d) << 2), bsz, FORWARD_ROWS, sizesp, nLayers, paramsp, act, scratchp);
    for (let i = 0; i < bsz; i++) {
      const o = lastp + (<usize>(i * m) << 2);
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
    }
    memory.copy(outp + (<usize>(start * m) << 2), lastp, <usize>(bsz * m) << 2);
  }
}

/**
 * Adam step over cnt parameters (float32, f32x4): g = grad / B (+ alpha w / B when reg),
 * m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g², w -= lrT m / (sqrt(v) + eps).
 * Returns sum w² (before the step) when reg, else 0.
 */
function adamSegment(wp: usize, gp: usize, mp: usize, vp: usize, cnt: i32, reg: bool, invB: f32, alpha: f32, lrT: f32, beta1: f32, beta2: f32, eps: f32): f64 {
  const vInvB = f32x4.splat(invB);
  const vAlpha = f32x4.splat(alpha);
  const vB1 = f32x4.splat(beta1);
  const vB2 = f32x4.splat(beta2);
  const vC1 = f32x4.splat(<f32>1 - beta1);
  const vC2 = f32x4.splat(<f32>1 - beta2);
  const vLr = f32x4.splat(lrT);
  const vEps = f32x4.splat(eps);
  let sq0 = f64x2.splat(0);
  let sq1 = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= cnt; j += 4) {
    const o = <usize>j << 2;
    const w = v128.load(wp + o);
    let g = f32x4.mul(v128.load(gp + o), vInvB);
    if (reg) {
      g = f32x4.add(g, f32x4.mul(f32x4.mul(vAlpha, w), vInvB));
      const wl = f64x2.promote_low_f32x4(w);
      const wh = f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1));
      sq0 = f64x2.add(sq0, f64x2.mul(wl, wl));
      sq1 = f64x2.add(sq1, f64x2.mul(wh, wh));
    }
    const mm = f32x4.add(f32x4.mul(vB1, v128.load(mp + o)), f32x4.mul(vC1, g));
    const vv = f32x4.add(f32x4.mul(vB2, v128.load(vp + o)), f32x4.mul(f32x4.mul(vC2, g), g));
    v128.store(mp + o, mm);
    v128.store(vp + o, vv);
    v128.store(wp + o, f32x4.sub(w, f32x4.div(f32x4.mul(vLr, mm), f32x4.add(f32x4.sqrt(vv), vEps))));
  }
  const sq = f64x2.add(sq0, sq1);
  let wsq = f64x2.extract_lane(sq, 0) + f64x2.extract_lane(sq, 1);
  for (; j < cnt; j++) {
    const o = <usize>j << 2;
    const w = load<f32>(wp + o);
    let g = load<f32>(gp + o) * invB;
    if (reg) {
      g += alpha * w * invB;
      wsq += <f64>w * <f64>w;
    }
    const mm = beta1 * load<f32>(mp + o) + (<f32>1 - beta1) * g;
    const vv = beta2 * load<f32>(vp + o) + (<f32>1 - beta2) * g * g;
    store<f32>(mp + o, mm);
    store<f32>(vp + o, vv);
    store<f32>(wp + o, w - lrT * mm / (sqrt<f32>(vv) + eps));
  }
  return wsq;
}

/**
 * One epoch of mini-batch Adam (scikit-learn's MLP formulation: loss = mean row loss +
 * alpha ||W||^2 / (2 B) per batch of B rows, biases unpenalised; Adam step
 * lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps), as sklearn/neural_network/_stochastic_optimizers.py).
 * Per batch: forward and backward as blocked f32x4 matrix products over the batch
 * (X·W + b with fused ReLU, Xᵀ·δ for weight gradients, δ·Wᵀ with the fused ReLU mask).
 *
 * xp: float32 [n, d]; yp: float32 [n, sizes[L]] targets (one-hot for softmax, 0/1 for logistic);
 * ip: int32 [n] scratch (row order: shuffled with Fisher–Yates from `seed` when shuffle != 0,
 * else 0..n-1); paramsp, mp, vp, gp: float32 [nParams] (moments updated in place, gp scratch);
 * actp: float32 [batch * sum(sizes[1..L])] scratch;
 * workp: float32 [batch * (d + 2 * maxWidth) + maxWidth * maxWidth] scratch (gathered batch,
 * two delta blocks, a transposed weight matrix); maxWidth = max(sizes).
 * Returns the summed (not averaged) training objective over the epoch's rows.
 */
export function mlpEpoch(
  xp: usize, yp: usize, n: i32, ip: usize, shuffle: i32, seed: u32,
  sizesp: usize, nLayers: i32, paramsp: usize, mp: usize, vp: usize, gp: usize, nParams: i32,
  actp: usize, workp: usize, maxWidth: i32, act: i32, outAct: i32,
  lr: f32, alpha: f32, batch: i32, t0: i32, beta1: f32, beta2: f32, eps: f32,
): f64 {
  const d = size(sizesp, 0);
  const m = size(sizesp, nLayers);
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
  const xb = workp;
  const dA = xb + (<usize>(batch * d) << 2);
  const dB = dA + (<usize>(batch * maxWidth) << 2);
  const wt = dB + (<usize>(batch * maxWidth) << 2);
  const outp = actp + (<usize>(batch * actOffset(sizesp, nLayers)) << 2);
  const rowBytes = <usize>d << 2;
  let total: f64 = 0;
  let t = t0;
  for (let start = 0; start < n; start += batch) {
    const end = min(start + batch, n);
    const bsz = end - start;
    // gather the batch's rows (contiguous already when not shuffled)
    let x0 = xp + <usize>start * rowBytes;
    if (shuffle != 0) {
      for (let q = 0; q < bsz; q++) memory.copy(xb + <usize>q * rowBytes, xp + <usize>load<i32>(ip + (<usize>(start + q) << 2)) * rowBytes, rowBytes);
      x0 = xb;
    }
    forwardBatch(x0, bsz, batch, sizesp, nLayers, paramsp, act, actp);
    // output activation, loss and output delta = out - y
    let batchLoss: f64 = 0;
    if (outAct == 1 && m == 1) {
      for (let q = 0; q < bsz; q++) {
        const z = <f64>load<f32>(outp + (<usize>q << 2));
        const y = load<f32>(yp + (<usize>load<i32>(ip + (<usize>(start + q) << 2)) << 2));
        const e = Math.exp(-Math.abs(z));
        batchLoss += (z > 0 ? z : 0) + Math.log1p(e) - <f64>y * z;
        const pr = <f32>(z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e));
        store<f32>(dA + (<usize>q << 2), pr - y);
      }
    } else {
      for (let q = 0; q < bsz; q++) {
        const r = load<i32>(ip + (<usize>(start + q) << 2));
        const o = outp + (<usize>(q * m) << 2);
        const y = yp + (<usize>(r * m) << 2);
        batchLoss += outputLoss(o, y, m, outAct);
        for (let j = 0; j < m; j++) store<f32>(dA + (<usize>(q * m + j) << 2), load<f32>(o + (<usize>j << 2)) - load<f32>(y + (<usize>j << 2)));
      }
    }
    // backward
    let cur = dA;
    let nxt = dB;
    for (let l = nLayers - 1; l >= 0; l--) {
      const nin = size(sizesp, l);
      const nout = size(sizesp, l + 1);
      const wo = weightOffset(sizesp, l);
      const gw = gp + wo;
      const gb = gw + (<usize>(nin * nout) << 2);
      const inp = l == 0 ? x0 : actp + (<usize>(batch * actOffset(sizesp, l)) << 2);
      gemmTN(inp, bsz, nin, cur, nout, gw);
      colSums(cur, bsz, nout, gb);
      if (l > 0) {
        transpose(paramsp + wo, nin, nout, wt);
        gemm(cur, bsz, nout, wt, nin, 0, nxt, act == 0 ? 2 : 0, inp);
        if (act != 0) activationGrad(nxt, inp, bsz * nin, act);
        const tmp = cur;
        cur = nxt;
        nxt = tmp;
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
      wsq += adamSegment(paramsp + o, gp + o, mp + o, vp + o, nw, true, invB, alpha, lrT, beta1, beta2, eps);
      const ob = o + (<usize>nw << 2);
      adamSegment(paramsp + ob, gp + ob, mp + ob, vp + ob, nb, false, invB, alpha, lrT, beta1, beta2, eps);
      o = ob + (<usize>nb << 2);
    }
    total += batchLoss + 0.5 * <f64>alpha * wsq;
  }
  return total;
}
