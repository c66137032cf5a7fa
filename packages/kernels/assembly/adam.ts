import { dotF32, axpyF32, expF32x4, log1pUnitF32x4, hsum4F32x4 } from "./simd";

// splitmix32-style generator state (module global; reset by each call that takes a seed).
let rngState: u32 = 0;

// @ts-ignore: decorator
@inline
function nextU32(): u32 {
  rngState += 0x9e3779b9;
  let z = rngState;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/** Uniform integer in [0, m) (multiply-shift). */
// @ts-ignore: decorator
@inline
function below(m: i32): i32 {
  return <i32>(<u64>nextU32() * <u64>m >>> 32);
}

/** ip[0..m) <- a Fisher–Yates permutation of 0..m-1 drawn from the current generator. */
function permutation(ip: usize, m: i32): void {
  for (let i = 0; i < m; i++) store<i32>(ip + (<usize>i << 2), i);
  for (let i = m - 1; i > 0; i--) {
    const j = below(i + 1);
    const a = load<i32>(ip + (<usize>i << 2));
    store<i32>(ip + (<usize>i << 2), load<i32>(ip + (<usize>j << 2)));
    store<i32>(ip + (<usize>j << 2), a);
  }
}

/**
 * Shuffles rows once, in place, for mini-batch training: a seeded Fisher–Yates permutation
 * (ip: int32 [n] scratch) gathers X (float32 [n, d]) into scratch xs (float32 [n, d]) and y
 * (int32 [n]) into ys (int32 [n]), then both are copied back over xp / yp. After this every
 * contiguous block of rows is a uniform random sample, so epochs can stream contiguous blocks.
 */
export function shuffleRows(xp: usize, yp: usize, n: i32, d: i32, seed: u32, ip: usize, xs: usize, ys: usize): void {
  rngState = seed;
  permutation(ip, n);
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const r = <usize>load<i32>(ip + (<usize>i << 2));
    memory.copy(xs + <usize>i * rowBytes, xp + r * rowBytes, rowBytes);
    store<i32>(ys + (<usize>i << 2), load<i32>(yp + (r << 2)));
  }
  memory.copy(xp, xs, <usize>n * rowBytes);
  memory.copy(yp, ys, <usize>n << 2);
}

/**
 * Binary logistic forward/backward over rows [a, b) of a contiguous block, four rows at a time:
 * z = x.w + bias (f32x4 dots, transposed horizontal sums), p = sigmoid(z) with the vector exp,
 * r = p - y, g += sum_rows r x (one pass over g per four rows). Returns the summed
 * cross-entropy softplus(z) - y z (f32x4 lanes, summed in float64 by the caller's batch).
 */
function logisticBlock(xp: usize, yp: usize, a: i32, b: i32, d: i32, wp: usize, gp: usize): f64 {
  const rowBytes = <usize>d << 2;
  const dv = d & ~3;
  const bias = f32x4.splat(load<f32>(wp + (<usize>d << 2)));
  let lossV = f32x4.splat(0);
  let gb = f32x4.splat(0);
  for (let i = a; i < b; i += 4) {
    const m = min(4, b - i);
    const x0 = xp + <usize>i * rowBytes;
    const x1 = m > 1 ? x0 + rowBytes : x0;
    const x2 = m > 2 ? x0 + 2 * rowBytes : x0;
    const x3 = m > 3 ? x0 + 3 * rowBytes : x0;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let j = 0; j < dv; j += 4) {
      const o = <usize>j << 2;
      const w = v128.load(wp + o);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0 + o), w));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1 + o), w));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2 + o), w));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3 + o), w));
    }
    let z = f32x4.add(hsum4F32x4(a0, a1, a2, a3), bias);
    if (dv < d) {
      let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
      for (let j = dv; j < d; j++) {
        const o = <usize>j << 2;
        const w = load<f32>(wp + o);
        t0 += load<f32>(x0 + o) * w;
        t1 += load<f32>(x1 + o) * w;
        t2 += load<f32>(x2 + o) * w;
        t3 += load<f32>(x3 + o) * w;
      }
      z = f32x4.add(z, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3));
    }
    // labels of the (up to) four rows; lanes past m are masked out below
    const yo = yp + (<usize>i << 2);
    let yv: v128;
    if (m == 4) yv = f32x4.convert_i32x4_s(v128.load(yo));
    else {
      yv = f32x4.splat(0);
      yv = f32x4.replace_lane(yv, 0, <f32>load<i32>(yo));
      if (m > 1) yv = f32x4.replace_lane(yv, 1, <f32>load<i32>(yo, 4));
      if (m > 2) yv = f32x4.replace_lane(yv, 2, <f32>load<i32>(yo, 8));
    }
    // e = exp(-|z|) in (0, 1]; sigmoid = z >= 0 ? 1/(1+e) : e/(1+e); softplus = max(z,0) + log1p(e)
    const e = expF32x4(f32x4.neg(f32x4.abs(z)));
    const inv = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
    const pos = f32x4.ge(z, f32x4.splat(0));
    const p = v128.bitselect(inv, f32x4.mul(e, inv), pos);
    let r = f32x4.sub(p, yv);
    let l = f32x4.sub(f32x4.add(f32x4.max(z, f32x4.splat(0)), log1pUnitF32x4(e)), f32x4.mul(yv, z));
    if (m < 4) {
      const lane = i32x4(0, 1, 2, 3);
      const keep = i32x4.lt_s(lane, i32x4.splat(m));
      r = v128.and(r, keep);
      l = v128.and(l, keep);
    }
    lossV = f32x4.add(lossV, l);
    gb = f32x4.add(gb, r);
    const r0 = f32x4.splat(f32x4.extract_lane(r, 0));
    const r1 = f32x4.splat(f32x4.extract_lane(r, 1));
    const r2 = f32x4.splat(f32x4.extract_lane(r, 2));
    const r3 = f32x4.splat(f32x4.extract_lane(r, 3));
    for (let j = 0; j < dv; j += 4) {
      const o = <usize>j << 2;
      const s01 = f32x4.add(f32x4.mul(r0, v128.load(x0 + o)), f32x4.mul(r1, v128.load(x1 + o)));
      const s23 = f32x4.add(f32x4.mul(r2, v128.load(x2 + o)), f32x4.mul(r3, v128.load(x3 + o)));
      v128.store(gp + o, f32x4.add(v128.load(gp + o), f32x4.add(s01, s23)));
    }
    if (dv < d) {
      const q0 = f32x4.extract_lane(r, 0);
      const q1 = f32x4.extract_lane(r, 1);
      const q2 = f32x4.extract_lane(r, 2);
      const q3 = f32x4.extract_lane(r, 3);
      for (let j = dv; j < d; j++) {
        const o = <usize>j << 2;
        store<f32>(gp + o, load<f32>(gp + o) + ((q0 * load<f32>(x0 + o) + q1 * load<f32>(x1 + o)) + (q2 * load<f32>(x2 + o) + q3 * load<f32>(x3 + o))));
      }
    }
  }
  const gbo = gp + (<usize>d << 2);
  store<f32>(gbo, load<f32>(gbo) + ((f32x4.extract_lane(gb, 0) + f32x4.extract_lane(gb, 1)) + (f32x4.extract_lane(gb, 2) + f32x4.extract_lane(gb, 3))));
  return (<f64>f32x4.extract_lane(lossV, 0) + <f64>f32x4.extract_lane(lossV, 1)) + (<f64>f32x4.extract_lane(lossV, 2) + <f64>f32x4.extract_lane(lossV, 3));
}

/** Softmax (K >= 2) forward/backward over rows [a, b); sp: float32 [K] scratch. Returns summed cross-entropy. */
function softmaxBlock(xp: usize, yp: usize, a: i32, b: i32, d: i32, k: i32, wp: usize, gp: usize, sp: usize): f64 {
  const stride = d + 1;
  const rowBytes = <usize>d << 2;
  let loss: f64 = 0;
  for (let i = a; i < b; i++) {
    const x = xp + <usize>i * rowBytes;
    const y = load<i32>(yp + (<usize>i << 2));
    let zmax: f32 = -Infinity;
    let zy: f32 = 0;
    for (let c = 0; c < k; c++) {
      const w = wp + (<usize>(c * stride) << 2);
      const z = dotF32(x, w, d) + load<f32>(w + (<usize>d << 2));
      store<f32>(sp + (<usize>c << 2), z);
      if (c == y) zy = z;
      if (z > zmax) zmax = z;
    }
    const zm = f32x4.splat(zmax);
    let sev = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const o = sp + (<usize>c << 2);
      const e = expF32x4(f32x4.sub(v128.load(o), zm));
      v128.store(o, e);
      sev = f32x4.add(sev, e);
    }
    let se: f64 = (<f64>f32x4.extract_lane(sev, 0) + <f64>f32x4.extract_lane(sev, 1)) + (<f64>f32x4.extract_lane(sev, 2) + <f64>f32x4.extract_lane(sev, 3));
    for (; c < k; c++) {
      const o = sp + (<usize>c << 2);
      const e = f32x4.extract_lane(expF32x4(f32x4.splat(load<f32>(o) - zmax)), 0);
      store<f32>(o, e);
      se += <f64>e;
    }
    loss += Math.log(se) + <f64>zmax - <f64>zy;
    const inv = <f32>(1.0 / se);
    for (let c = 0; c < k; c++) {
      const r: f32 = load<f32>(sp + (<usize>c << 2)) * inv - (c == y ? <f32>1.0 : <f32>0.0);
      const g = gp + (<usize>(c * stride) << 2);
      axpyF32(x, g, d, r);
      const gbo = g + (<usize>d << 2);
      store<f32>(gbo, load<f32>(gbo) + r);
    }
  }
  return loss;
}

/**
 * One epoch of mini-batch Adam on the logistic (K == 1) / softmax (K >= 2) cross-entropy
 * with L2 penalty `l2 * ||coef||^2 / 2` (intercepts not penalised), float32 throughout.
 *
 * xp: float32 [n, d] and yp: int32 [n], already row-shuffled once (`shuffleRows`); wp, mp, vp:
 * float32 [K, d + 1] parameters and Adam moments (updated in place); gp: float32 [K, d + 1]
 * scratch; ip: int32 [ceil(n / batch)] scratch (batch order); sp: float32 [K] scratch.
 * Batches are contiguous blocks of the shuffled rows (streamed, no gather): the epoch seed
 * draws a rotation of the block boundaries (so batch membership changes every epoch) and a
 * Fisher–Yates order of the blocks. `t0` is the number of Adam steps already taken (bias
 * correction); the epoch takes ceil(n / batch) steps. Returns the mean cross-entropy of the
 * rows seen (before each update). Kingma & Ba, "Adam", ICLR 2015.
 */
export function adamEpoch(
  xp: usize, yp: usize, wp: usize, mp: usize, vp: usize, gp: usize, ip: usize, sp: usize,
  n: i32, d: i32, k: i32, lr: f32, l2: f32, batch: i32, seed: u32, t0: i32,
  beta1: f32, beta2: f32, eps: f32,
): f64 {
  const stride = d + 1;
  const np = k * stride;
  const nb = (n + batch - 1) / batch;
  rngState = seed;
  const rot = n > 1 ? below(n) : 0;
  permutation(ip, nb);
  let loss: f64 = 0;
  let b1t = Math.pow(<f64>beta1, <f64>t0);
  let b2t = Math.pow(<f64>beta2, <f64>t0);
  for (let s = 0; s < nb; s++) {
    const blk = load<i32>(ip + (<usize>s << 2));
    const lo = blk * batch;
    const cnt = min(batch, n - lo);
    // logical rows [lo, lo + cnt) -> physical (rot + q) mod n: at most two contiguous segments
    let a0 = lo + rot;
    if (a0 >= n) a0 -= n;
    const len0 = min(cnt, n - a0);
    memory.fill(gp, 0, <usize>np << 2);
    if (k == 1) {
      loss += logisticBlock(xp, yp, a0, a0 + len0, d, wp, gp);
      if (len0 < cnt) loss += logisticBlock(xp, yp, 0, cnt - len0, d, wp, gp);
    } else {
      loss += softmaxBlock(xp, yp, a0, a0 + len0, d, k, wp, gp, sp);
      if (len0 < cnt) loss += softmaxBlock(xp, yp, 0, cnt - len0, d, k, wp, gp, sp);
    }
    b1t *= <f64>beta1;
    b2t *= <f64>beta2;
    const invB: f32 = <f32>1.0 / <f32>cnt;
    const bc1: f32 = <f32>(1.0 - b1t);
    const bc2: f32 = <f32>(1.0 - b2t);
    const stepSize: f32 = lr / bc1;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j <= d; j++) {
        const o = <usize>(c * stride + j) << 2;
        const w = load<f32>(wp + o);
        let g = load<f32>(gp + o) * invB;
        if (j < d) g += l2 * w;
        const m = beta1 * load<f32>(mp + o) + (<f32>1.0 - beta1) * g;
        const v = beta2 * load<f32>(vp + o) + (<f32>1.0 - beta2) * g * g;
        store<f32>(mp + o, m);
        store<f32>(vp + o, v);
        store<f32>(wp + o, w - stepSize * m / (<f32>Math.sqrt(<f64>(v / bc2)) + eps));
      }
    }
  }
  return n > 0 ? loss / <f64>n : 0.0;
}
