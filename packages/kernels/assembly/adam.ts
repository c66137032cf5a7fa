import { dotF32, axpyF32, expF32x4, hsum4F32x4, expNegAbsF32x4 } from "./simd";

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
 * Shuffles rows once for mini-batch training: a seeded Fisher–Yates permutation (ip: int32 [n]
 * scratch) gathers X (float32 [n, d]) into xs (float32 [n, d4], d4 = d rounded up to a multiple
 * of 4; the extra columns are zero) and y (int32 [n]) into ys (int32 [n]). After this every
 * contiguous block of xs is a uniform random sample, so epochs stream contiguous blocks, and
 * every row is whole f32x4 vectors. X and xs must not overlap.
 */
export function shuffleRows(xp: usize, yp: usize, n: i32, d: i32, seed: u32, ip: usize, xs: usize, ys: usize): void {
  rngState = seed;
  permutation(ip, n);
  const d4 = (d + 3) & ~3;
  const dv = d & ~3;
  const inBytes = <usize>d << 2;
  const outBytes = <usize>d4 << 2;
  for (let i = 0; i < n; i++) {
    const r = <usize>load<i32>(ip + (<usize>i << 2));
    const src = xp + r * inBytes;
    const dst = xs + <usize>i * outBytes;
    let j = 0;
    for (; j < dv; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
    if (dv < d) {
      let t = f32x4.splat(0);
      t = f32x4.replace_lane(t, 0, load<f32>(src + (<usize>dv << 2)));
      if (dv + 1 < d) t = f32x4.replace_lane(t, 1, load<f32>(src + (<usize>(dv + 1) << 2)));
      if (dv + 2 < d) t = f32x4.replace_lane(t, 2, load<f32>(src + (<usize>(dv + 2) << 2)));
      v128.store(dst + (<usize>dv << 2), t);
    }
    store<i32>(ys + (<usize>i << 2), load<i32>(yp + (r << 2)));
  }
}

/** Rows per sub-block of a binary mini-batch (a multiple of 16; see `binaryRows`). */
const SUB = 32;

// ---- binary logistic mini-batch, per sub-block of SUB rows: scores (the rows' only read from
// memory), residuals (vectorised across rows, so the transcendental chain of one row never
// stalls the next), gradient (re-reading the rows from L1). The nv-specialised helpers keep a
// row's weight / gradient vectors in registers (nv is a constant at each call site; the
// optimiser drops the unused branches).

/** zp[q] = x[q] . w + bias, yfp[q] = y[q] for q in [0, m4) (m4 % 4 == 0), rows of nv whole f32x4 vectors. */
// @ts-ignore: decorator
@inline
function scoresResident(x00: usize, y00: usize, m4: i32, rowBytes: usize, wp: usize, bias: f32, zp: usize, yfp: usize, nv: i32): void {
  const w0 = v128.load(wp);
  const w1 = nv > 1 ? v128.load(wp, 16) : w0;
  const w2 = nv > 2 ? v128.load(wp, 32) : w0;
  const w3 = nv > 3 ? v128.load(wp, 48) : w0;
  const w4 = nv > 4 ? v128.load(wp, 64) : w0;
  const w5 = nv > 5 ? v128.load(wp, 80) : w0;
  const w6 = nv > 6 ? v128.load(wp, 96) : w0;
  const w7 = nv > 7 ? v128.load(wp, 112) : w0;
  const bv = f32x4.splat(bias);
  for (let q = 0; q < m4; q += 4) {
    const x0 = x00 + <usize>q * rowBytes;
    const x1 = x0 + rowBytes;
    const x2 = x1 + rowBytes;
    const x3 = x2 + rowBytes;
    let a0 = f32x4.mul(v128.load(x0), w0);
    let a1 = f32x4.mul(v128.load(x1), w0);
    let a2 = f32x4.mul(v128.load(x2), w0);
    let a3 = f32x4.mul(v128.load(x3), w0);
    if (nv > 1) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0, 16), w1));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1, 16), w1));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2, 16), w1));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3, 16), w1));
    }
    if (nv > 2) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0, 32), w2));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1, 32), w2));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2, 32), w2));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3, 32), w2));
    }
    if (nv > 3) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0, 48), w3));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1, 48), w3));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2, 48), w3));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3, 48), w3));
    }
    if (nv > 4) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0, 64), w4));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1, 64), w4));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2, 64), w4));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3, 64), w4));
    }
    if (nv > 5) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0, 80), w5));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1, 80), w5));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2, 80), w5));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3, 80), w5));
    }
    if (nv > 6) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0, 96), w6));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1, 96), w6));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2, 96), w6));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3, 96), w6));
    }
    if (nv > 7) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(x0, 112), w7));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(x1, 112), w7));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(x2, 112), w7));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(x3, 112), w7));
    }
    const o = <usize>q << 2;
    v128.store(zp + o, f32x4.add(hsum4F32x4(a0, a1, a2, a3), bv));
    v128.store(yfp + o, f32x4.convert_i32x4_s(v128.load(y00 + o)));
  }
}

/** As `scoresResident` for any d (weights reloaded per vector; the d % 4 tail columns scalar). */
function scoresAny(x00: usize, y00: usize, m4: i32, d: i32, wp: usize, bias: f32, zp: usize, yfp: usize): void {
  const rowBytes = <usize>d << 2;
  const dv = d & ~3;
  const bv = f32x4.splat(bias);
  for (let q = 0; q < m4; q += 4) {
    const x0 = x00 + <usize>q * rowBytes;
    const x1 = x0 + rowBytes;
    const x2 = x1 + rowBytes;
    const x3 = x2 + rowBytes;
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
    let z = f32x4.add(hsum4F32x4(a0, a1, a2, a3), bv);
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
    const o = <usize>q << 2;
    v128.store(zp + o, z);
    v128.store(yfp + o, f32x4.convert_i32x4_s(v128.load(y00 + o)));
  }
}

/**
 * Pass 1: scores z = x.w + bias of rows [a, a + m) into zp[0..m) and their labels as float32
 * into yfp[0..m). xp: float32 [n, d]; yp: int32 [n]; wp: float32 [d + 1] (bias last).
 * Four rows at a time (f32x4 dots, transposed horizontal sums), the last m % 4 one at a time.
 */
function binaryScores(xp: usize, yp: usize, a: i32, m: i32, d: i32, wp: usize, zp: usize, yfp: usize): void {
  const rowBytes = <usize>d << 2;
  const x00 = xp + <usize>a * rowBytes;
  const y00 = yp + (<usize>a << 2);
  const bias = load<f32>(wp + (<usize>d << 2));
  const m4 = m & ~3;
  if ((d & 3) == 0 && d <= 32) {
    switch (d >> 2) {
      case 1: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 1); break;
      case 2: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 2); break;
      case 3: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 3); break;
      case 4: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 4); break;
      case 5: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 5); break;
      case 6: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 6); break;
      case 7: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 7); break;
      default: scoresResident(x00, y00, m4, rowBytes, wp, bias, zp, yfp, 8); break;
    }
  } else {
    scoresAny(x00, y00, m4, d, wp, bias, zp, yfp);
  }
  for (let q = m4; q < m; q++) {
    const o = <usize>q << 2;
    store<f32>(zp + o, dotF32(x00 + <usize>q * rowBytes, wp, d) + bias);
    store<f32>(yfp + o, <f32>load<i32>(y00 + o));
  }
}

/**
 * Pass 2: residuals r = sigmoid(z) - y over zp / yfp [0, m16) (m16 % 16 == 0; padding lanes
 * hold z = 88, y = 1, which give r = 0 and loss 0 exactly), written over zp. Running sums in
 * accp (4 x f32x4, see `binaryLoss`): sum(max(z, 0) - y z), prod(1 + e) with e = exp(-|z|)
 * kept in [1, 2) with its binary exponent moved to an int32 lane sum, and sum(r).
 */
function binaryResiduals(zp: usize, yfp: usize, m16: i32, accp: usize): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  let lin = v128.load(accp);
  let prod = v128.load(accp, 16);
  let ex = v128.load(accp, 32);
  let gb = v128.load(accp, 48);
  for (let q = 0; q < m16; q += 16) {
    const zq = zp + (<usize>q << 2);
    const yq = yfp + (<usize>q << 2);
    const z0 = v128.load(zq);
    const z1 = v128.load(zq, 16);
    const z2 = v128.load(zq, 32);
    const z3 = v128.load(zq, 48);
    const y0 = v128.load(yq);
    const y1 = v128.load(yq, 16);
    const y2 = v128.load(yq, 32);
    const y3 = v128.load(yq, 48);
    const e0 = expNegAbsF32x4(z0);
    const e1 = expNegAbsF32x4(z1);
    const e2 = expNegAbsF32x4(z2);
    const e3 = expNegAbsF32x4(z3);
    const o0 = f32x4.add(one, e0);
    const o1 = f32x4.add(one, e1);
    const o2 = f32x4.add(one, e2);
    const o3 = f32x4.add(one, e3);
    const i0 = f32x4.div(one, o0);
    const i1 = f32x4.div(one, o1);
    const i2 = f32x4.div(one, o2);
    const i3 = f32x4.div(one, o3);
    // sigmoid(z) = z >= 0 ? 1 / (1 + e) : e / (1 + e)
    const r0 = f32x4.sub(v128.bitselect(i0, f32x4.mul(e0, i0), f32x4.ge(z0, zero)), y0);
    const r1 = f32x4.sub(v128.bitselect(i1, f32x4.mul(e1, i1), f32x4.ge(z1, zero)), y1);
    const r2 = f32x4.sub(v128.bitselect(i2, f32x4.mul(e2, i2), f32x4.ge(z2, zero)), y2);
    const r3 = f32x4.sub(v128.bitselect(i3, f32x4.mul(e3, i3), f32x4.ge(z3, zero)), y3);
    v128.store(zq, r0);
    v128.store(zq, r1, 16);
    v128.store(zq, r2, 32);
    v128.store(zq, r3, 48);
    gb = f32x4.add(gb, f32x4.add(f32x4.add(r0, r1), f32x4.add(r2, r3)));
    const l0 = f32x4.sub(f32x4.pmax(z0, zero), f32x4.mul(y0, z0));
    const l1 = f32x4.sub(f32x4.pmax(z1, zero), f32x4.mul(y1, z1));
    const l2 = f32x4.sub(f32x4.pmax(z2, zero), f32x4.mul(y2, z2));
    const l3 = f32x4.sub(f32x4.pmax(z3, zero), f32x4.mul(y3, z3));
    lin = f32x4.add(lin, f32x4.add(f32x4.add(l0, l1), f32x4.add(l2, l3)));
    // prod in [1, 2) times four factors in [1, 2] is < 32; then renormalise it to [1, 2)
    const pr = f32x4.mul(f32x4.mul(prod, f32x4.mul(o0, o1)), f32x4.mul(o2, o3));
    ex = i32x4.add(ex, i32x4.sub(i32x4.shr_u(pr, 23), i32x4.splat(127)));
    prod = v128.or(v128.and(pr, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  }
  v128.store(accp, lin);
  v128.store(accp, prod, 16);
  v128.store(accp, ex, 32);
  v128.store(accp, gb, 48);
}

/** Resets the running sums of `binaryResiduals` at accp. */
function binaryLossReset(accp: usize): void {
  v128.store(accp, f32x4.splat(0));
  v128.store(accp, f32x4.splat(1), 16);
  v128.store(accp, i32x4.splat(0), 32);
  v128.store(accp, f32x4.splat(0), 48);
}

/**
 * Summed cross-entropy softplus(z) - y z = max(z, 0) - y z + log(1 + e) from the running sums
 * at accp: one log per lane (of the product of the (1 + e) factors) instead of a log1p per row.
 */
function binaryLoss(accp: usize): f64 {
  const ln2 = 0.6931471805599453;
  let s: f64 = 0;
  for (let l = 0; l < 4; l++) {
    const o = <usize>l << 2;
    s += <f64>load<f32>(accp + o) + Math.log(<f64>load<f32>(accp + o, 16)) + <f64>load<i32>(accp + o, 32) * ln2;
  }
  return s;
}

/** Sum of r over the batch, from the running sums at accp. */
function binaryResidualSum(accp: usize): f32 {
  return (load<f32>(accp, 48) + load<f32>(accp, 52)) + (load<f32>(accp, 56) + load<f32>(accp, 60));
}

/**
 * Rows [a, a + m) of a binary mini-batch, in sub-blocks of SUB rows: scores, residuals and
 * gradient per sub-block, so the next sub-block's loads from memory overlap the arithmetic
 * of this one (the sub-block is re-read from L1). zp, yfp: float32 [SUB] scratch each.
 */
function binaryRows(xp: usize, yp: usize, a: i32, m: i32, d: i32, wp: usize, gp: usize, zp: usize, yfp: usize, accp: usize): void {
  for (let q = 0; q < m; q += SUB) {
    const s = min(SUB, m - q);
    binaryScores(xp, yp, a + q, s, d, wp, zp, yfp);
    const s16 = (s + 15) & ~15;
    for (let t = s; t < s16; t++) {
      store<f32>(zp + (<usize>t << 2), 88.0);
      store<f32>(yfp + (<usize>t << 2), 1.0);
    }
    binaryResiduals(zp, yfp, s16, accp);
    binaryGradient(xp, a + q, s, d, zp, gp);
  }
}

/** g[0 .. 4 nv) += sum_q r[q] x[q] over m rows of stride rowBytes starting at x00 (g held in registers, two rows per step). */
// @ts-ignore: decorator
@inline
function gradResident(x00: usize, m: i32, rowBytes: usize, rp: usize, gc: usize, nv: i32): void {
  let g0 = v128.load(gc);
  let g1 = nv > 1 ? v128.load(gc, 16) : g0;
  let g2 = nv > 2 ? v128.load(gc, 32) : g0;
  let g3 = nv > 3 ? v128.load(gc, 48) : g0;
  let g4 = nv > 4 ? v128.load(gc, 64) : g0;
  let g5 = nv > 5 ? v128.load(gc, 80) : g0;
  let g6 = nv > 6 ? v128.load(gc, 96) : g0;
  let g7 = nv > 7 ? v128.load(gc, 112) : g0;
  let x = x00;
  let r = rp;
  const x2end = x00 + <usize>(m & ~1) * rowBytes;
  const step = rowBytes << 1;
  for (; x < x2end; x += step, r += 8) {
    const r0 = v128.load32_splat(r);
    const r1 = v128.load32_splat(r, 4);
    const y = x + rowBytes;
    g0 = f32x4.add(g0, f32x4.add(f32x4.mul(r0, v128.load(x)), f32x4.mul(r1, v128.load(y))));
    if (nv > 1) g1 = f32x4.add(g1, f32x4.add(f32x4.mul(r0, v128.load(x, 16)), f32x4.mul(r1, v128.load(y, 16))));
    if (nv > 2) g2 = f32x4.add(g2, f32x4.add(f32x4.mul(r0, v128.load(x, 32)), f32x4.mul(r1, v128.load(y, 32))));
    if (nv > 3) g3 = f32x4.add(g3, f32x4.add(f32x4.mul(r0, v128.load(x, 48)), f32x4.mul(r1, v128.load(y, 48))));
    if (nv > 4) g4 = f32x4.add(g4, f32x4.add(f32x4.mul(r0, v128.load(x, 64)), f32x4.mul(r1, v128.load(y, 64))));
    if (nv > 5) g5 = f32x4.add(g5, f32x4.add(f32x4.mul(r0, v128.load(x, 80)), f32x4.mul(r1, v128.load(y, 80))));
    if (nv > 6) g6 = f32x4.add(g6, f32x4.add(f32x4.mul(r0, v128.load(x, 96)), f32x4.mul(r1, v128.load(y, 96))));
    if (nv > 7) g7 = f32x4.add(g7, f32x4.add(f32x4.mul(r0, v128.load(x, 112)), f32x4.mul(r1, v128.load(y, 112))));
  }
  if (m & 1) {
    const r0 = v128.load32_splat(r);
    g0 = f32x4.add(g0, f32x4.mul(r0, v128.load(x)));
    if (nv > 1) g1 = f32x4.add(g1, f32x4.mul(r0, v128.load(x, 16)));
    if (nv > 2) g2 = f32x4.add(g2, f32x4.mul(r0, v128.load(x, 32)));
    if (nv > 3) g3 = f32x4.add(g3, f32x4.mul(r0, v128.load(x, 48)));
    if (nv > 4) g4 = f32x4.add(g4, f32x4.mul(r0, v128.load(x, 64)));
    if (nv > 5) g5 = f32x4.add(g5, f32x4.mul(r0, v128.load(x, 80)));
    if (nv > 6) g6 = f32x4.add(g6, f32x4.mul(r0, v128.load(x, 96)));
    if (nv > 7) g7 = f32x4.add(g7, f32x4.mul(r0, v128.load(x, 112)));
  }
  v128.store(gc, g0);
  if (nv > 1) v128.store(gc, g1, 16);
  if (nv > 2) v128.store(gc, g2, 32);
  if (nv > 3) v128.store(gc, g3, 48);
  if (nv > 4) v128.store(gc, g4, 64);
  if (nv > 5) v128.store(gc, g5, 80);
  if (nv > 6) v128.store(gc, g6, 96);
  if (nv > 7) v128.store(gc, g7, 112);
}

/**
 * Pass 3: g[0..d) += sum_q r[q] x[a + q] over rows [a, a + m), r = rp[0..m) (float32).
 * Columns in chunks of up to 32 (eight f32x4 accumulators in registers), the d % 4 tail scalar.
 */
function binaryGradient(xp: usize, a: i32, m: i32, d: i32, rp: usize, gp: usize): void {
  const rowBytes = <usize>d << 2;
  const x00 = xp + <usize>a * rowBytes;
  const dv = d & ~3;
  let c = 0;
  for (; c + 32 <= dv; c += 32) gradResident(x00 + (<usize>c << 2), m, rowBytes, rp, gp + (<usize>c << 2), 8);
  const xc = x00 + (<usize>c << 2);
  const gc = gp + (<usize>c << 2);
  switch ((dv - c) >> 2) {
    case 0: break;
    case 1: gradResident(xc, m, rowBytes, rp, gc, 1); break;
    case 2: gradResident(xc, m, rowBytes, rp, gc, 2); break;
    case 3: gradResident(xc, m, rowBytes, rp, gc, 3); break;
    case 4: gradResident(xc, m, rowBytes, rp, gc, 4); break;
    case 5: gradResident(xc, m, rowBytes, rp, gc, 5); break;
    case 6: gradResident(xc, m, rowBytes, rp, gc, 6); break;
    default: gradResident(xc, m, rowBytes, rp, gc, 7); break;
  }
  for (let j = dv; j < d; j++) {
    let s: f32 = 0;
    for (let q = 0; q < m; q++) s += load<f32>(rp + (<usize>q << 2)) * load<f32>(x00 + <usize>q * rowBytes + (<usize>j << 2));
    store<f32>(gp + (<usize>j << 2), load<f32>(gp + (<usize>j << 2)) + s);
  }
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

/** p[0..m) <- 0 (float32). */
function zeroF32(p: usize, m: i32): void {
  const bytes = <usize>m << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(p + o, i32x4.splat(0));
  for (; o < bytes; o += 4) store<f32>(p + o, 0);
}

/** Data larger than this (bytes) is read in runs of consecutive batches, see `adamEpoch`. */
const LOCAL_BYTES: u64 = 8 << 20;
/** Minimum bytes of a run of consecutive batches when the data exceed LOCAL_BYTES. */
const RUN_BYTES: u64 = 64 << 10;

/**
 * One epoch of mini-batch Adam on the logistic (K == 1) / softmax (K >= 2) cross-entropy
 * with L2 penalty `l2 * ||coef||^2 / 2` (intercepts not penalised), float32 throughout.
 *
 * xp: float32 [n, d] and yp: int32 [n], already row-shuffled once (`shuffleRows`; d a multiple
 * of 4 is fastest); wp, mp, vp: float32 [K, d + 1] parameters and Adam moments (updated in
 * place); gp: float32 [K, d + 1] scratch; ip: int32 [ceil(n / batch)] scratch (batch order);
 * sp: float32 [max(K, 80)] scratch.
 * Batches are contiguous blocks of the shuffled rows (streamed, no gather): the epoch seed
 * draws a rotation of the block boundaries (so batch membership changes every epoch) and a
 * Fisher–Yates order of runs of G consecutive blocks. G = 1 (every block in random order)
 * while the data fit in 8 MiB; above that, random 4 KiB-page-spanning blocks cost a DRAM
 * latency ramp each, so G is the fewest blocks spanning 64 KiB (a fresh random run order and
 * rotation every epoch; with the one-off row shuffle every batch is still a uniform sample).
 * Binary (K == 1): sub-blocks of 32 rows, each scored, turned into residuals (sigmoid by
 * `expNegAbsF32x4`, deterministic plain SIMD) and added into the gradient while in L1; the
 * coefficient update is f32x4 (sqrt and division are exact IEEE ops). `t0` is the number of Adam steps
 * already taken (bias correction); the epoch takes ceil(n / batch) steps. Returns the mean
 * cross-entropy of the rows seen (before each update). Kingma & Ba, "Adam", ICLR 2015.
 */
export function adamEpoch(
  xp: usize, yp: usize, wp: usize, mp: usize, vp: usize, gp: usize, ip: usize, sp: usize,
  n: i32, d: i32, k: i32, lr: f32, l2: f32, batch: i32, seed: u32, t0: i32,
  beta1: f32, beta2: f32, eps: f32,
): f64 {
  const stride = d + 1;
  const np = k * stride;
  const nb = (n + batch - 1) / batch;
  const batchBytes = <u64>batch * (<u64>d << 2);
  const g = <u64>n * (<u64>d << 2) > LOCAL_BYTES && batchBytes < RUN_BYTES ? <i32>((RUN_BYTES + batchBytes - 1) / batchBytes) : 1;
  const nr = (nb + g - 1) / g;
  rngState = seed;
  const rot = n > 1 ? below(n) : 0;
  permutation(ip, nr);
  const zp = sp;
  const yfp = sp + (<usize>SUB << 2);
  const accp = yfp + (<usize>SUB << 2);
  let loss: f64 = 0;
  let b1t = Math.pow(<f64>beta1, <f64>t0);
  let b2t = Math.pow(<f64>beta2, <f64>t0);
  const b1v = f32x4.splat(beta1);
  const b2v = f32x4.splat(beta2);
  const c1v = f32x4.splat(<f32>1.0 - beta1);
  const c2v = f32x4.splat(<f32>1.0 - beta2);
  const l2v = f32x4.splat(l2);
  const epsv = f32x4.splat(eps);
  for (let u = 0; u < nr; u++) {
    const first = load<i32>(ip + (<usize>u << 2)) * g;
    const last = min(first + g, nb);
    for (let blk = first; blk < last; blk++) {
      const lo = blk * batch;
      const cnt = min(batch, n - lo);
      // logical rows [lo, lo + cnt) -> physical (rot + q) mod n: at most two contiguous segments
      let a0 = lo + rot;
      if (a0 >= n) a0 -= n;
      const len0 = min(cnt, n - a0);
      zeroF32(gp, np);
      if (k == 1) {
        binaryLossReset(accp);
        binaryRows(xp, yp, a0, len0, d, wp, gp, zp, yfp, accp);
        if (len0 < cnt) binaryRows(xp, yp, 0, cnt - len0, d, wp, gp, zp, yfp, accp);
        loss += binaryLoss(accp);
        store<f32>(gp + (<usize>d << 2), binaryResidualSum(accp));
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
      const invBv = f32x4.splat(invB);
      const bc2v = f32x4.splat(bc2);
      const stepv = f32x4.splat(stepSize);
      for (let c = 0; c < k; c++) {
        const row = <usize>(c * stride) << 2;
        let j = 0;
        for (; j + 4 <= d; j += 4) {
          const o = row + (<usize>j << 2);
          const w = v128.load(wp + o);
          const gr = f32x4.add(f32x4.mul(v128.load(gp + o), invBv), f32x4.mul(l2v, w));
          const m = f32x4.add(f32x4.mul(b1v, v128.load(mp + o)), f32x4.mul(c1v, gr));
          const v = f32x4.add(f32x4.mul(b2v, v128.load(vp + o)), f32x4.mul(f32x4.mul(c2v, gr), gr));
          v128.store(mp + o, m);
          v128.store(vp + o, v);
          v128.store(wp + o, f32x4.sub(w, f32x4.div(f32x4.mul(stepv, m), f32x4.add(f32x4.sqrt(f32x4.div(v, bc2v)), epsv))));
        }
        for (; j <= d; j++) {
          const o = row + (<usize>j << 2);
          const w = load<f32>(wp + o);
          let gr = load<f32>(gp + o) * invB;
          if (j < d) gr += l2 * w;
          const m = beta1 * load<f32>(mp + o) + (<f32>1.0 - beta1) * gr;
          const v = beta2 * load<f32>(vp + o) + (<f32>1.0 - beta2) * gr * gr;
          store<f32>(mp + o, m);
          store<f32>(vp + o, v);
          store<f32>(wp + o, w - stepSize * m / (<f32>Math.sqrt(<f64>(v / bc2)) + eps));
        }
      }
    }
  }
  return n > 0 ? loss / <f64>n : 0.0;
}
