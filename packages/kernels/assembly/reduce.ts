/** Sum of n float32 values (four f32x4 accumulators, float64 total). One streaming pass: the memory-bandwidth floor. */
export function sumF32(xp: usize, n: i32): f64 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = xp + (<usize>i << 2);
    a0 = f32x4.add(a0, v128.load(p));
    a1 = f32x4.add(a1, v128.load(p, 16));
    a2 = f32x4.add(a2, v128.load(p, 32));
    a3 = f32x4.add(a3, v128.load(p, 48));
  }
  const a = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  let s = <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3);
  for (; i < n; i++) s += <f64>load<f32>(xp + (<usize>i << 2));
  return s;
}

/**
 * Index of the first non-finite (NaN or ±Inf) value among n float32s, or -1. One streaming
 * SIMD pass (x - x is NaN exactly for non-finite x); called chunk by chunk right after each
 * chunk is copied in, so validation rides on the copy while the chunk is still in cache.
 */
export function firstNonFiniteF32(xp: usize, n: i32): i32 {
  let bad = v128.splat<i32>(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = xp + (<usize>i << 2);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const e = v128.load(p, 48);
    const da = f32x4.sub(a, a);
    const db = f32x4.sub(b, b);
    const dc = f32x4.sub(c, c);
    const de = f32x4.sub(e, e);
    bad = v128.or(bad, v128.or(v128.or(f32x4.ne(da, da), f32x4.ne(db, db)), v128.or(f32x4.ne(dc, dc), f32x4.ne(de, de))));
  }
  if (!v128.any_true(bad)) {
    for (; i < n; i++) {
      const x = load<f32>(xp + (<usize>i << 2));
      if (x - x != 0) return i;
    }
    return -1;
  }
  for (let j = 0; j < n; j++) {
    const x = load<f32>(xp + (<usize>j << 2));
    if (x - x != 0) return j;
  }
  return -1;
}
