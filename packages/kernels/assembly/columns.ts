// Column kernels over float64 values with an optional uint8 validity mask (0 pointer = all
// valid). A value is missing when valid[i] == 0 or it is NaN.

// @ts-ignore: decorator
@inline
function isPresent(vp: usize, mp: usize, i: i32): bool {
  const x = load<f64>(vp + (<usize>i << 3));
  return x == x && (mp == 0 || load<u8>(mp + <usize>i) != 0);
}

/**
 * Two-pass column statistics. outp: float64 [4] <- count, sum, mean, M2 (sum of squared
 * deviations from the mean), all over present values only; mean and M2 are 0 when count is 0.
 */
export function columnStats(vp: usize, mp: usize, n: i32, outp: usize): void {
  let count: f64 = 0;
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    if (isPresent(vp, mp, i)) {
      count += 1;
      sum += load<f64>(vp + (<usize>i << 3));
    }
  }
  const mean = count > 0 ? sum / count : 0.0;
  let m2: f64 = 0;
  for (let i = 0; i < n; i++) {
    if (isPresent(vp, mp, i)) {
      const dlt = load<f64>(vp + (<usize>i << 3)) - mean;
      m2 += dlt * dlt;
    }
  }
  store<f64>(outp, count);
  store<f64>(outp + 8, sum);
  store<f64>(outp + 16, mean);
  store<f64>(outp + 24, m2);
}

/** out[i] = (v[i] - mean) * invScale for present values, NaN for missing. f64 [n] -> f64 [n]. */
export function scaleColumn(vp: usize, mp: usize, n: i32, mean: f64, invScale: f64, outp: usize): void {
  let i = 0;
  if (mp == 0) {
    const mv = f64x2.splat(mean);
    const sv = f64x2.splat(invScale);
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      // NaN propagates through sub/mul, so missing (NaN) stays NaN.
      v128.store(outp + o, f64x2.mul(f64x2.sub(v128.load(vp + o), mv), sv));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(outp + o, isPresent(vp, mp, i) ? (load<f64>(vp + o) - mean) * invScale : NaN);
  }
}

/** out[i] = v[i] if present, else `fill`. f64 [n] -> f64 [n]. */
export function fillMissing(vp: usize, mp: usize, n: i32, fill: f64, outp: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(outp + o, isPresent(vp, mp, i) ? load<f64>(vp + o) : fill);
  }
}
