import { dotF32F64, axpyF32F64, softplus } from "./simd";

/**
 * Sum over rows of the logistic (K == 1) or softmax (K >= 2) cross-entropy and its gradient.
 *
 * xp: float32 [n, d] row-major; yp: int32 [n] labels (0/1 when K == 1, 0..K-1 otherwise);
 * wp: float64 [K, d + 1] (per class: d coefficients then the intercept);
 * gp: float64 [K, d + 1] output gradient (overwritten); sp: float64 [K] scratch.
 * Returns the summed (not averaged) loss in nats. No regularisation here: the caller adds it.
 */
export function logisticLossGrad(xp: usize, yp: usize, wp: usize, gp: usize, sp: usize, n: i32, d: i32, k: i32): f64 {
  const stride = d + 1;
  const rowBytes = <usize>d << 2;
  memory.fill(gp, 0, <usize>(k * stride) << 3);
  let loss: f64 = 0;
  if (k == 1) {
    const bias = load<f64>(wp + (<usize>d << 3));
    let gb: f64 = 0;
    for (let i = 0; i < n; i++) {
      const x = xp + <usize>i * rowBytes;
      const z = dotF32F64(x, wp, d) + bias;
      const y = <f64>load<i32>(yp + (<usize>i << 2));
      loss += softplus(z) - y * z;
      // sigmoid(z) - y
      const p = z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
      const r = p - y;
      axpyF32F64(x, gp, d, r);
      gb += r;
    }
    store<f64>(gp + (<usize>d << 3), gb);
    return loss;
  }
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    const y = load<i32>(yp + (<usize>i << 2));
    let zmax = -Infinity;
    let zy: f64 = 0;
    for (let c = 0; c < k; c++) {
      const w = wp + (<usize>(c * stride) << 3);
      const z = dotF32F64(x, w, d) + load<f64>(w + (<usize>d << 3));
      store<f64>(sp + (<usize>c << 3), z);
      if (c == y) zy = z;
      if (z > zmax) zmax = z;
    }
    let se: f64 = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(load<f64>(sp + (<usize>c << 3)) - zmax);
      store<f64>(sp + (<usize>c << 3), e);
      se += e;
    }
    // loss = logsumexp(z) - z_y
    loss += Math.log(se) + zmax - zy;
    const inv = 1.0 / se;
    for (let c = 0; c < k; c++) {
      const r = load<f64>(sp + (<usize>c << 3)) * inv - (c == y ? 1.0 : 0.0);
      const g = gp + (<usize>(c * stride) << 3);
      axpyF32F64(x, g, d, r);
      const gb = g + (<usize>d << 3);
      store<f64>(gb, load<f64>(gb) + r);
    }
  }
  return loss;
}

/**
 * Linear scores out[i, c] = x_i . w_c + b_c.
 * xp: float32 [n, d]; wp: float64 [K, d + 1]; outp: float64 [n, K].
 */
export function linearScores(xp: usize, wp: usize, outp: usize, n: i32, d: i32, k: i32): void {
  const stride = d + 1;
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    for (let c = 0; c < k; c++) {
      const w = wp + (<usize>(c * stride) << 3);
      store<f64>(outp + (<usize>(i * k + c) << 3), dotF32F64(x, w, d) + load<f64>(w + (<usize>d << 3)));
    }
  }
}
