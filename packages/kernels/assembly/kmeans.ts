// k-means kernels over float32 rows X [n, d] and float32 centres C [k, d].
import { dotF32, axpyF32F64 } from "./simd";

/** out[i] = ||x_i||^2 (float32 [n]). */
export function rowSqNorms(xp: usize, n: i32, d: i32, outp: usize): void {
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    store<f32>(outp + (<usize>i << 2), dotF32(x, x, d));
  }
}

/**
 * k-means++ candidate evaluation: for centre c (float32 [d]) computes
 * m_i = min(closest[i], ||x_i - c||^2) and returns sum_i w_i m_i (w = 1 when wp == 0).
 * If `write` != 0 the minima are stored back into closest (float32 [n]).
 * xnp: float32 [n] row squared norms.
 */
export function kmeansppPotential(xp: usize, xnp: usize, n: i32, d: i32, cp: usize, closestp: usize, write: i32): f64 {
  const rowBytes = <usize>d << 2;
  const cn = dotF32(cp, cp, d);
  let pot: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    let dist = load<f32>(xnp + (<usize>i << 2)) - <f32>2 * dotF32(x, cp, d) + cn;
    if (dist < 0) dist = 0;
    const o = closestp + (<usize>i << 2);
    const old = load<f32>(o);
    const m = dist < old ? dist : old;
    pot += <f64>m;
    if (write) store<f32>(o, m);
  }
  return pot;
}

/** Best (lowest distance, then lowest index) of four lanes: returns index, writes distance to bestD. */
// @ts-ignore: decorator
@inline
function argmin4(v: v128, idx: v128, bestD: usize): i32 {
  let bd = f32x4.extract_lane(v, 0);
  let bi = i32x4.extract_lane(idx, 0);
  const d1 = f32x4.extract_lane(v, 1), i1 = i32x4.extract_lane(idx, 1);
  if (d1 < bd || (d1 == bd && i1 < bi)) { bd = d1; bi = i1; }
  const d2 = f32x4.extract_lane(v, 2), i2 = i32x4.extract_lane(idx, 2);
  if (d2 < bd || (d2 == bd && i2 < bi)) { bd = d2; bi = i2; }
  const d3 = f32x4.extract_lane(v, 3), i3 = i32x4.extract_lane(idx, 3);
  if (d3 < bd || (d3 == bd && i3 < bi)) { bd = d3; bi = i3; }
  store<f32>(bestD, bd);
  return bi;
}

/**
 * One Lloyd step, blocked: the centres are transposed into ct (float32 [d, kp], kp = k rounded
 * up to 8, padding centres at +inf) and distances ||c||^2 - 2 x.c (+ ||x||^2) are computed for
 * tiles of 4 rows x 8 centres with f32x4 multiply-adds (x_j broadcast, no horizontal sums).
 * Nearest centre per row (ties -> lowest index) -> labels (int32 [n]); the number of labels that
 * changed is written to changedp (int32). Per-centre sums go through float32 partials (part:
 * float32 [k, d], flushed every 256 rows, as scikit-learn's chunked float32 Lloyd) into float64
 * sums (sumsp [k, d], zeroed here) and counts (float64 [k], zeroed here). ctp: float32 [d, kp];
 * cnp: float32 [kp]. Returns the inertia sum_i ||x_i - c_{label_i}||^2 (float64).
 */
export function kmeansLloyd(
  xp: usize, xnp: usize, n: i32, d: i32, cp: usize, k: i32, ctp: usize, cnp: usize,
  labelsp: usize, sumsp: usize, countsp: usize, partp: usize, changedp: usize,
): f64 {
  const rowBytes = <usize>d << 2;
  const kp = (k + 7) & ~7;
  const ud = <usize>d;
  for (let c = 0; c < kp; c++) {
    const cc = cp + <usize>c * rowBytes;
    store<f32>(cnp + (<usize>c << 2), c < k ? dotF32(cc, cc, d) : <f32>Infinity);
    for (let j = 0; j < d; j++) store<f32>(ctp + ((<usize>j * <usize>kp + <usize>c) << 2), c < k ? load<f32>(cc + (<usize>j << 2)) : 0);
  }
  memory.fill(sumsp, 0, <usize>(k * d) << 3);
  memory.fill(countsp, 0, <usize>k << 3);
  memory.fill(partp, 0, <usize>(k * d) << 2);
  const two = f32x4.splat(2.0);
  const lane = i32x4(0, 1, 2, 3);
  const ktBytes = <usize>kp << 2;
  let inertia: f64 = 0;
  let changed = 0;
  let sinceFlush = 0;
  for (let i = 0; i < n; i += 4) {
    const m = min(4, n - i);
    const x0 = xp + <usize>i * rowBytes;
    const x1 = m > 1 ? x0 + rowBytes : x0;
    const x2 = m > 2 ? x0 + 2 * rowBytes : x0;
    const x3 = m > 3 ? x0 + 3 * rowBytes : x0;
    let bv0 = f32x4.splat(Infinity), bv1 = bv0, bv2 = bv0, bv3 = bv0;
    let bi0 = i32x4.splat(0), bi1 = bi0, bi2 = bi0, bi3 = bi0;
    for (let cb = 0; cb < kp; cb += 8) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let e0 = a0, e1 = a0, e2 = a0, e3 = a0;
      let ct = ctp + (<usize>cb << 2);
      for (let j: usize = 0; j < ud; j++) {
        const c0 = v128.load(ct);
        const c1 = v128.load(ct, 16);
        const o = j << 2;
        const s0 = v128.load32_splat(x0 + o);
        const s1 = v128.load32_splat(x1 + o);
        const s2 = v128.load32_splat(x2 + o);
        const s3 = v128.load32_splat(x3 + o);
        a0 = f32x4.add(a0, f32x4.mul(s0, c0)); e0 = f32x4.add(e0, f32x4.mul(s0, c1));
        a1 = f32x4.add(a1, f32x4.mul(s1, c0)); e1 = f32x4.add(e1, f32x4.mul(s1, c1));
        a2 = f32x4.add(a2, f32x4.mul(s2, c0)); e2 = f32x4.add(e2, f32x4.mul(s2, c1));
        a3 = f32x4.add(a3, f32x4.mul(s3, c0)); e3 = f32x4.add(e3, f32x4.mul(s3, c1));
        ct += ktBytes;
      }
      const cn0 = v128.load(cnp + (<usize>cb << 2));
      const cn1 = v128.load(cnp + (<usize>cb << 2), 16);
      const id0 = i32x4.add(lane, i32x4.splat(cb));
      const id1 = i32x4.add(id0, i32x4.splat(4));
      // lanewise running minimum; strict < keeps the lower index on ties
      let dd = f32x4.sub(cn0, f32x4.mul(two, a0)); let lt = f32x4.lt(dd, bv0); bv0 = v128.bitselect(dd, bv0, lt); bi0 = v128.bitselect(id0, bi0, lt);
      dd = f32x4.sub(cn1, f32x4.mul(two, e0)); lt = f32x4.lt(dd, bv0); bv0 = v128.bitselect(dd, bv0, lt); bi0 = v128.bitselect(id1, bi0, lt);
      dd = f32x4.sub(cn0, f32x4.mul(two, a1)); lt = f32x4.lt(dd, bv1); bv1 = v128.bitselect(dd, bv1, lt); bi1 = v128.bitselect(id0, bi1, lt);
      dd = f32x4.sub(cn1, f32x4.mul(two, e1)); lt = f32x4.lt(dd, bv1); bv1 = v128.bitselect(dd, bv1, lt); bi1 = v128.bitselect(id1, bi1, lt);
      dd = f32x4.sub(cn0, f32x4.mul(two, a2)); lt = f32x4.lt(dd, bv2); bv2 = v128.bitselect(dd, bv2, lt); bi2 = v128.bitselect(id0, bi2, lt);
      dd = f32x4.sub(cn1, f32x4.mul(two, e2)); lt = f32x4.lt(dd, bv2); bv2 = v128.bitselect(dd, bv2, lt); bi2 = v128.bitselect(id1, bi2, lt);
      dd = f32x4.sub(cn0, f32x4.mul(two, a3)); lt = f32x4.lt(dd, bv3); bv3 = v128.bitselect(dd, bv3, lt); bi3 = v128.bitselect(id0, bi3, lt);
      dd = f32x4.sub(cn1, f32x4.mul(two, e3)); lt = f32x4.lt(dd, bv3); bv3 = v128.bitselect(dd, bv3, lt); bi3 = v128.bitselect(id1, bi3, lt);
    }
    for (let r = 0; r < m; r++) {
      const bdp = cnp + (<usize>kp << 2); // one float of scratch past the norms
      const best = r == 0 ? argmin4(bv0, bi0, bdp) : r == 1 ? argmin4(bv1, bi1, bdp) : r == 2 ? argmin4(bv2, bi2, bdp) : argmin4(bv3, bi3, bdp);
      const row = i + r;
      const lo = labelsp + (<usize>row << 2);
      if (load<i32>(lo) != best) changed++;
      store<i32>(lo, best);
      let dist = load<f32>(bdp) + load<f32>(xnp + (<usize>row << 2));
      if (dist < 0) dist = 0;
      inertia += <f64>dist;
      const x = x0 + <usize>r * rowBytes;
      const s = partp + <usize>best * rowBytes;
      let j = 0;
      for (; j + 4 <= d; j += 4) {
        const o = <usize>j << 2;
        v128.store(s + o, f32x4.add(v128.load(s + o), v128.load(x + o)));
      }
      for (; j < d; j++) {
        const o = <usize>j << 2;
        store<f32>(s + o, load<f32>(s + o) + load<f32>(x + o));
      }
      const co = countsp + (<usize>best << 3);
      store<f64>(co, load<f64>(co) + 1.0);
    }
    sinceFlush += m;
    if (sinceFlush >= 256 || i + 4 >= n) {
      flushPartials(partp, sumsp, k * d);
      sinceFlush = 0;
    }
  }
  store<i32>(changedp, changed);
  return inertia;
}

/** sums (float64) += part (float32), then part = 0; m values. */
function flushPartials(partp: usize, sumsp: usize, m: i32): void {
  let j = 0;
  for (; j + 2 <= m; j += 2) {
    const s = sumsp + (<usize>j << 3);
    v128.store(s, f64x2.add(v128.load(s), f64x2.promote_low_f32x4(v128.load64_zero(partp + (<usize>j << 2)))));
  }
  for (; j < m; j++) {
    const s = sumsp + (<usize>j << 3);
    store<f64>(s, load<f64>(s) + <f64>load<f32>(partp + (<usize>j << 2)));
  }
  memory.fill(partp, 0, <usize>m << 2);
}

/** Two-pass float64 variance of every column of X (float32 [n, d]), summed over columns. meanp: float64 [d] scratch. */
export function columnVarianceSum(xp: usize, n: i32, d: i32, meanp: usize): f64 {
  const rowBytes = <usize>d << 2;
  memory.fill(meanp, 0, <usize>d << 3);
  for (let i = 0; i < n; i++) axpyF32F64(xp + <usize>i * rowBytes, meanp, d, 1.0);
  for (let j = 0; j < d; j++) store<f64>(meanp + (<usize>j << 3), load<f64>(meanp + (<usize>j << 3)) / <f64>n);
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    for (let j = 0; j < d; j++) {
      const t = <f64>load<f32>(x + (<usize>j << 2)) - load<f64>(meanp + (<usize>j << 3));
      s += t * t;
    }
  }
  return s / <f64>n;
}

/** Exact inertia of given labels: sum_i ||x_i - c_{label_i}||^2 computed by differences (float64). */
export function kmeansInertia(xp: usize, n: i32, d: i32, cp: usize, labelsp: usize): f64 {
  const rowBytes = <usize>d << 2;
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    const c = cp + <usize>load<i32>(labelsp + (<usize>i << 2)) * rowBytes;
    for (let j = 0; j < d; j++) {
      const t = <f64>load<f32>(x + (<usize>j << 2)) - <f64>load<f32>(c + (<usize>j << 2));
      s += t * t;
    }
  }
  return s;
}
