import { dotF32, axpyF32 } from "./simd";

// splitmix32-style generator state (module global; reset by each adamEpoch call).
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

/**
 * One epoch of mini-batch Adam on the logistic (K == 1) / softmax (K >= 2) cross-entropy
 * with L2 penalty `l2 * ||coef||^2 / 2` (intercepts not penalised), float32 throughout.
 *
 * xp: float32 [n, d]; yp: int32 [n]; wp, mp, vp: float32 [K, d + 1] parameters and Adam
 * moments (updated in place); gp: float32 [K, d + 1] scratch; ip: int32 [n] scratch
 * (row order); sp: float32 [K] scratch. Rows are shuffled with Fisher–Yates from `seed`.
 * `t0` is the number of Adam steps already taken (for bias correction); the epoch takes
 * ceil(n / batch) steps. Returns the mean cross-entropy of the rows seen (before each update).
 * Algorithm: Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
 */
export function adamEpoch(
  xp: usize, yp: usize, wp: usize, mp: usize, vp: usize, gp: usize, ip: usize, sp: usize,
  n: i32, d: i32, k: i32, lr: f32, l2: f32, batch: i32, seed: u32, t0: i32,
  beta1: f32, beta2: f32, eps: f32,
): f64 {
  const stride = d + 1;
  const np = k * stride;
  const rowBytes = <usize>d << 2;
  rngState = seed;
  for (let i = 0; i < n; i++) store<i32>(ip + (<usize>i << 2), i);
  for (let i = n - 1; i > 0; i--) {
    const j = <i32>(<u64>nextU32() * <u64>(i + 1) >>> 32);
    const a = load<i32>(ip + (<usize>i << 2));
    store<i32>(ip + (<usize>i << 2), load<i32>(ip + (<usize>j << 2)));
    store<i32>(ip + (<usize>j << 2), a);
  }
  let loss: f64 = 0;
  let t = t0;
  for (let start = 0; start < n; start += batch) {
    const end = min(start + batch, n);
    memory.fill(gp, 0, <usize>np << 2);
    for (let q = start; q < end; q++) {
      const i = load<i32>(ip + (<usize>q << 2));
      const x = xp + <usize>i * rowBytes;
      const y = load<i32>(yp + (<usize>i << 2));
      if (k == 1) {
        const z = <f64>(dotF32(x, wp, d) + load<f32>(wp + (<usize>d << 2)));
        const yf = <f64>y;
        loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - yf * z;
        const p = z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
        const r = <f32>(p - yf);
        axpyF32(x, gp, d, r);
        const gb = gp + (<usize>d << 2);
        store<f32>(gb, load<f32>(gb) + r);
      } else {
        let zmax: f32 = -Infinity;
        let zy: f32 = 0;
        for (let c = 0; c < k; c++) {
          const w = wp + (<usize>(c * stride) << 2);
          const z = dotF32(x, w, d) + load<f32>(w + (<usize>d << 2));
          store<f32>(sp + (<usize>c << 2), z);
          if (c == y) zy = z;
          if (z > zmax) zmax = z;
        }
        let se: f64 = 0;
        for (let c = 0; c < k; c++) {
          const e = <f32>Math.exp(<f64>(load<f32>(sp + (<usize>c << 2)) - zmax));
          store<f32>(sp + (<usize>c << 2), e);
          se += <f64>e;
        }
        loss += Math.log(se) + <f64>zmax - <f64>zy;
        const inv = <f32>(1.0 / se);
        for (let c = 0; c < k; c++) {
          const r: f32 = load<f32>(sp + (<usize>c << 2)) * inv - (c == y ? <f32>1.0 : <f32>0.0);
          const g = gp + (<usize>(c * stride) << 2);
          axpyF32(x, g, d, r);
          const gb = g + (<usize>d << 2);
          store<f32>(gb, load<f32>(gb) + r);
        }
      }
    }
    t++;
    const invB: f32 = <f32>1.0 / <f32>(end - start);
    const bc1: f32 = <f32>1.0 - <f32>Math.pow(<f64>beta1, <f64>t);
    const bc2: f32 = <f32>1.0 - <f32>Math.pow(<f64>beta2, <f64>t);
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
