// Shared SIMD row primitives over a float32 row x[0..d).

/** sum_j x[j] * w[j] with x float32 and w float64 (f64x2 accumulation, float32 loads promoted). */
// @ts-ignore: decorator
@inline
export function dotF32F64(xp: usize, wp: usize, d: i32): f64 {
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const x = v128.load(xp + (<usize>j << 2));
    const xl = f64x2.promote_low_f32x4(x);
    const xh = f64x2.promote_low_f32x4(v128.load64_zero(xp + (<usize>(j + 2) << 2)));
    acc0 = f64x2.add(acc0, f64x2.mul(xl, v128.load(wp + (<usize>j << 3))));
    acc1 = f64x2.add(acc1, f64x2.mul(xh, v128.load(wp + (<usize>(j + 2) << 3))));
  }
  const acc = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; j < d; j++) s += <f64>load<f32>(xp + (<usize>j << 2)) * load<f64>(wp + (<usize>j << 3));
  return s;
}

/** g[j] += a * x[j] with x float32, g float64. */
// @ts-ignore: decorator
@inline
export function axpyF32F64(xp: usize, gp: usize, d: i32, a: f64): void {
  const av = f64x2.splat(a);
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const xl = f64x2.promote_low_f32x4(v128.load(xp + (<usize>j << 2)));
    const xh = f64x2.promote_low_f32x4(v128.load64_zero(xp + (<usize>(j + 2) << 2)));
    const g0 = gp + (<usize>j << 3);
    const g1 = gp + (<usize>(j + 2) << 3);
    v128.store(g0, f64x2.add(v128.load(g0), f64x2.mul(av, xl)));
    v128.store(g1, f64x2.add(v128.load(g1), f64x2.mul(av, xh)));
  }
  for (; j < d; j++) {
    const p = gp + (<usize>j << 3);
    store<f64>(p, load<f64>(p) + a * <f64>load<f32>(xp + (<usize>j << 2)));
  }
}

/** sum_j x[j] * w[j], both float32 (f32x4). */
// @ts-ignore: decorator
@inline
export function dotF32(xp: usize, wp: usize, d: i32): f32 {
  let acc = f32x4.splat(0.0);
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const o = <usize>j << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(xp + o), v128.load(wp + o)));
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; j < d; j++) s += load<f32>(xp + (<usize>j << 2)) * load<f32>(wp + (<usize>j << 2));
  return s;
}

/** g[j] += a * x[j], both float32 (f32x4). */
// @ts-ignore: decorator
@inline
export function axpyF32(xp: usize, gp: usize, d: i32, a: f32): void {
  const av = f32x4.splat(a);
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const o = <usize>j << 2;
    v128.store(gp + o, f32x4.add(v128.load(gp + o), f32x4.mul(av, v128.load(xp + o))));
  }
  for (; j < d; j++) {
    const p = gp + (<usize>j << 2);
    store<f32>(p, load<f32>(p) + a * load<f32>(xp + (<usize>j << 2)));
  }
}

/** Numerically stable log(1 + exp(z)). */
// @ts-ignore: decorator
@inline
export function softplus(z: f64): f64 {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

// ---- vectorised transcendental approximations (f32x4) ----
// Deterministic (plain SIMD, no relaxed ops): identical bits in every engine.

/**
 * exp(x) per lane, Cephes `expf` scheme: x = n ln2 + r (Cody–Waite split of ln2), e^r by a
 * degree-7 polynomial, 2^n by exponent arithmetic. Max relative error ~1.5e-7 on [-87, 88];
 * inputs are clamped there (exp(<= -87.3) ~ 1.2e-38, exp(>= 88.7) = +inf).
 */
// @ts-ignore: decorator
@inline
export function expF32x4(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(-87.33654)), f32x4.splat(88.72283));
  const fx = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(r, r);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), f32x4.splat(1.0));
  // 2^n: n in [-126, 128]; n = 128 gives the +inf bit pattern
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const p2 = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(y, p2);
}

/**
 * log1p(t) per lane for t in [0, 1] (callers pass exp(-|z|)): 2 atanh(s), s = t / (2 + t) in
 * [0, 1/3], odd series to s^13 (truncation < 2e-8 relative). No cancellation for tiny t.
 */
// @ts-ignore: decorator
@inline
export function log1pUnitF32x4(t: v128): v128 {
  const s = f32x4.div(t, f32x4.add(t, f32x4.splat(2.0)));
  const s2 = f32x4.mul(s, s);
  let y = f32x4.splat(<f32>(1.0 / 13.0));
  y = f32x4.add(f32x4.mul(y, s2), f32x4.splat(<f32>(1.0 / 11.0)));
  y = f32x4.add(f32x4.mul(y, s2), f32x4.splat(<f32>(1.0 / 9.0)));
  y = f32x4.add(f32x4.mul(y, s2), f32x4.splat(<f32>(1.0 / 7.0)));
  y = f32x4.add(f32x4.mul(y, s2), f32x4.splat(<f32>(1.0 / 5.0)));
  y = f32x4.add(f32x4.mul(y, s2), f32x4.splat(<f32>(1.0 / 3.0)));
  y = f32x4.add(f32x4.mul(y, s2), f32x4.splat(1.0));
  return f32x4.mul(f32x4.add(s, s), y);
}

/** [sum(a0), sum(a1), sum(a2), sum(a3)]: horizontal sums of four f32x4 accumulators. */
// @ts-ignore: decorator
@inline
export function hsum4F32x4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

/**
 * exp(-|z|) per lane, computed as 2^u with u = -|z| log2(e) clamped to >= -125 (so every result
 * is a normal float; exp(-86.6) ~ 2e-38 is already below anything a sigmoid can resolve):
 * u = n + f with n = round-to-nearest(u) (by adding 1.5 * 2^23), f in [-1/2, 1/2]; 2^f by the
 * Cephes `exp2f` polynomial (relative error <= 1e-7 in float32 arithmetic), 2^n by exponent
 * arithmetic. No Cody–Waite split of the scaling (cheaper than `expF32x4`): rounding u to float32
 * makes the relative error grow to ~1e-6 at |z| = 17 (where exp(-|z|) ~ 4e-8), so the absolute
 * error stays below ~1.2e-7 everywhere — what a sigmoid / softplus needs. Plain SIMD only (pmax is
 * fully specified, no relaxed ops): identical bits in every engine.
 */
// @ts-ignore: decorator
@inline
export function expNegAbsF32x4(z: v128): v128 {
  const u = f32x4.pmax(f32x4.mul(v128.or(z, i32x4.splat(0x80000000)), f32x4.splat(1.4426950408889634)), f32x4.splat(-125.0));
  const t = f32x4.add(u, f32x4.splat(12582912.0));
  const f = f32x4.sub(u, f32x4.sub(t, f32x4.splat(12582912.0)));
  let p = f32x4.splat(1.535336188319500e-4);
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.339887440266574e-3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(9.618437357674640e-3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(5.550332471162809e-2));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(2.402264791363012e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(6.931472028550421e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.0));
  // t's low mantissa bits hold 2^22 + n, so (t + 127 - bits(1.5 * 2^23)) << 23 is the float 2^n
  return f32x4.mul(p, i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4b400000)), 23));
}
