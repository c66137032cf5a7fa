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
