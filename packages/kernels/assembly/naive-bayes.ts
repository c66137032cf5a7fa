// Gaussian naive Bayes: per-class moments (fit) and joint log-likelihoods (predict).
// X is float32 [n, d] row-major, y int32 [n] in 0..k-1. Sums are float64, per (class,
// feature) in row order, so results equal a plain scalar loop bit for bit.

// @ts-ignore: decorator
@inline
function addRow(xr: usize, acc: usize, d: i32): void {
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const v = v128.load(xr + (<usize>j << 2));
    const a = acc + (<usize>j << 3);
    v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
    v128.store(a + 16, f64x2.add(v128.load(a + 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1))));
  }
  for (; j < d; j++) {
    const a = acc + (<usize>j << 3);
    store<f64>(a, load<f64>(a) + <f64>load<f32>(xr + (<usize>j << 2)));
  }
}

// @ts-ignore: decorator
@inline
function addSqDev(xr: usize, mean: usize, acc: usize, d: i32): void {
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const v = v128.load(xr + (<usize>j << 2));
    const m = mean + (<usize>j << 3);
    const a = acc + (<usize>j << 3);
    const t0 = f64x2.sub(f64x2.promote_low_f32x4(v), v128.load(m));
    const t1 = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)), v128.load(m + 16));
    v128.store(a, f64x2.add(v128.load(a), f64x2.mul(t0, t0)));
    v128.store(a + 16, f64x2.add(v128.load(a + 16), f64x2.mul(t1, t1)));
  }
  for (; j < d; j++) {
    const t = <f64>load<f32>(xr + (<usize>j << 2)) - load<f64>(mean + (<usize>j << 3));
    const a = acc + (<usize>j << 3);
    store<f64>(a, load<f64>(a) + t * t);
  }
}

/**
 * Outputs (float64, zeroed here): count [k]; theta [k, d] class means; var [k, d] class sums
 * of squared deviations (divide by count); gmean [d]; gvar [d] sums of squared deviations
 * from the overall mean (divide by n). Two passes over X.
 */
export function gnbMoments(xp: usize, yp: usize, n: i32, d: i32, k: i32, countp: usize, thetap: usize, varp: usize, gmeanp: usize, gvarp: usize): void {
  const kd = <usize>k * <usize>d;
  memory.fill(countp, 0, <usize>k << 3);
  memory.fill(thetap, 0, kd << 3);
  memory.fill(varp, 0, kd << 3);
  memory.fill(gmeanp, 0, <usize>d << 3);
  memory.fill(gvarp, 0, <usize>d << 3);
  const rowBytes = <usize>d << 2;
  const clsBytes = <usize>d << 3;
  for (let i = 0; i < n; i++) {
    const c = load<i32>(yp + (<usize>i << 2));
    const cp = countp + (<usize>c << 3);
    store<f64>(cp, load<f64>(cp) + 1.0);
    const xr = xp + <usize>i * rowBytes;
    addRow(xr, thetap + <usize>c * clsBytes, d);
    addRow(xr, gmeanp, d);
  }
  for (let c = 0; c < k; c++) {
    const cnt = load<f64>(countp + (<usize>c << 3));
    if (cnt > 0) {
      const t = thetap + <usize>c * clsBytes;
      for (let j = 0; j < d; j++) store<f64>(t + (<usize>j << 3), load<f64>(t + (<usize>j << 3)) / cnt);
    }
  }
  for (let j = 0; j < d; j++) store<f64>(gmeanp + (<usize>j << 3), load<f64>(gmeanp + (<usize>j << 3)) / <f64>n);
  for (let i = 0; i < n; i++) {
    const c = load<i32>(yp + (<usize>i << 2));
    const xr = xp + <usize>i * rowBytes;
    addSqDev(xr, thetap + <usize>c * clsBytes, varp + <usize>c * clsBytes, d);
    addSqDev(xr, gmeanp, gvarp, d);
  }
}

/**
 * out [n, k] <- log prior_c - 0.5 * sum_j log(2 pi var[c, j]) - sum_j (x_j - theta[c, j])^2 / (2 var[c, j]).
 * scratchp: float64 [k * (d + 1)].
 */
export function gnbJointLogLik(xp: usize, n: i32, d: i32, k: i32, priorp: usize, thetap: usize, varp: usize, scratchp: usize, outp: usize): void {
  const kd = k * d;
  const invp = scratchp;
  const basep = scratchp + (<usize>kd << 3);
  for (let c = 0; c < k; c++) {
    let s: f64 = 0;
    for (let j = 0; j < d; j++) {
      const o = <usize>(c * d + j) << 3;
      const v = load<f64>(varp + o);
      s += Math.log(2 * Math.PI * v);
      store<f64>(invp + o, 0.5 / v);
    }
    store<f64>(basep + (<usize>c << 3), Math.log(load<f64>(priorp + (<usize>c << 3))) - 0.5 * s);
  }
  for (let i = 0; i < n; i++) {
    const xr = xp + (<usize>(i * d) << 2);
    for (let c = 0; c < k; c++) {
      let s = load<f64>(basep + (<usize>c << 3));
      const t0 = thetap + (<usize>(c * d) << 3);
      const i0 = invp + (<usize>(c * d) << 3);
      for (let j = 0; j < d; j++) {
        const t = <f64>load<f32>(xr + (<usize>j << 2)) - load<f64>(t0 + (<usize>j << 3));
        s -= t * t * load<f64>(i0 + (<usize>j << 3));
      }
      store<f64>(outp + (<usize>(i * k + c) << 3), s);
    }
  }
}
