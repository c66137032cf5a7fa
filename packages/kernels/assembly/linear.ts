import { axpyF32F64 } from "./simd";

/**
 * Accumulates sufficient statistics for least squares over float32 rows (float64 sums):
 * xtx[j, k] += x_j x_k for k >= j (upper triangle only; caller mirrors), xty[j] += x_j y,
 * sx[j] += x_j. xp: float32 [n, d]; yp: float64 [n]; xtxp: float64 [d, d];
 * xtyp, sxp: float64 [d]. Accumulates (does not zero) so shards can be streamed in.
 */
export function gramAccumulate(xp: usize, yp: usize, n: i32, d: i32, xtxp: usize, xtyp: usize, sxp: usize): void {
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const x = xp + <usize>i * rowBytes;
    const y = load<f64>(yp + (<usize>i << 3));
    axpyF32F64(x, xtyp, d, y);
    axpyF32F64(x, sxp, d, 1.0);
    for (let j = 0; j < d; j++) {
      const xj = <f64>load<f32>(x + (<usize>j << 2));
      if (xj == 0) continue;
      // row j of the upper triangle: columns j..d-1
      axpyF32F64(x + (<usize>j << 2), xtxp + (<usize>(j * d + j) << 3), d - j, xj);
    }
  }
}
