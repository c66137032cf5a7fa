// k-means kernels over float32 rows X [n, d] and float32 centres C [k, d].
import { dotF32 } from "./simd";

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

/**
 * One Lloyd step. For every row assigns the nearest centre (ties -> lowest index) using
 * ||x||^2 - 2 x.c + ||c||^2 with f32x4 dot products, writes labels (int32 [n]), accumulates
 * per-centre sums (float64 [k, d], zeroed here) and counts (float64 [k], zeroed here), and
 * returns the inertia sum_i ||x_i - c_{label_i}||^2 (float64). cnp: float32 [k] scratch.
 */
export function kmeansLloyd(xp: usize, xnp: usize, n: i32, d: i32, cp: usize, k: i32, cnp: usize, labelsp: usize, sumsp: usize, countsp: usize): f64 {
  const rowBytes = <usize>d << 2;
  for (let c = 0; c < k; c++) {
    const cc = cp + <usize>c * rowBytes;
    store<f32>(cnp + (<usize>c << 2), dotF32(cc, cc, d));
  }
  memory.fill(sumsp, 0, <usize>(k * d) << 3);
  memory.fill(countsp, 0, <usize>k << 3);
  let inertia: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    let best = 0;
    let bestD: f32 = Infinity;
    for (let c = 0; c < k; c++) {
      const dist = load<f32>(cnp + (<usize>c << 2)) - <f32>2 * dotF32(x, cp + <usize>c * rowBytes, d);
      if (dist < bestD) {
        bestD = dist;
        best = c;
      }
    }
    store<i32>(labelsp + (<usize>i << 2), best);
    let dd = bestD + load<f32>(xnp + (<usize>i << 2));
    if (dd < 0) dd = 0;
    inertia += <f64>dd;
    const s = sumsp + (<usize>(best * d) << 3);
    let j = 0;
    for (; j + 2 <= d; j += 2) {
      const xs = f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>j << 2)));
      const o = s + (<usize>j << 3);
      v128.store(o, f64x2.add(v128.load(o), xs));
    }
    for (; j < d; j++) {
      const o = s + (<usize>j << 3);
      store<f64>(o, load<f64>(o) + <f64>load<f32>(x + (<usize>j << 2)));
    }
    const co = countsp + (<usize>best << 3);
    store<f64>(co, load<f64>(co) + 1.0);
  }
  return inertia;
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
