// Least-squares sufficient statistics: the Gram matrix of augmented rows u = (x_1..x_d, 1, y),
// which holds X^T X, the column sums, X^T y, n, sum y and sum y^2 in one symmetric matrix.
//
// float32 x promoted to float64 multiplies exactly (24 + 24 bits < 53), so every x_j x_k term is
// exact and only the float64 sums round (each entry is summed over the rows in order): the
// uncentred statistics stay accurate enough to be centred afterwards, and merged across shards,
// even when a column's mean dwarfs its spread.
//
// Work per row is ~(d + 2)^2 / 2 float64 multiply-adds, so the kernel is arithmetic-bound: rows
// are promoted to float64 once per L1-sized block, then each 2-row x up-to-6-column tile of the
// Gram matrix is accumulated in six f64x2 registers over the whole block. Bigger tiles would
// save loads but spill (V8 hoists a loop's loads, and x64 has 15 allocatable vector registers).

/** Augmented row width d + 2 rounded up to even (whole f64x2 columns): row stride of the block and of the Gram matrix. */
// @ts-ignore: decorator
@inline
function paddedWidth(d: i32): i32 {
  return (d + 3) & ~1;
}

/** Rows per block: about 16 KiB of float64, even, at least 2. */
// @ts-ignore: decorator
@inline
function blockRows(dp: i32): i32 {
  return max(2, min(256, BLOCK_VALUES / dp)) & ~1;
}

/** Float64 values of one promoted block (16 KiB). */
const BLOCK_VALUES = 2048;

/**
 * up[r, 0..dp) <- (x[r0 + r, 0..d) as float64, 1, y[r0 + r], 0 padding) for r in [0, m).
 * xp: float32 [n, d]; yp: float64 [n]; up: float64 [m, dp].
 */
function promoteRows(xp: usize, yp: usize, r0: i32, m: i32, d: i32, dp: i32, up: usize): void {
  const inBytes = <usize>d << 2;
  const outBytes = <usize>dp << 3;
  const dv = d & ~3;
  for (let r = 0; r < m; r++) {
    const x = xp + <usize>(r0 + r) * inBytes;
    const u = up + <usize>r * outBytes;
    let j = 0;
    for (; j < dv; j += 4) {
      const xo = x + (<usize>j << 2);
      const uo = u + (<usize>j << 3);
      v128.store(uo, f64x2.promote_low_f32x4(v128.load64_zero(xo)));
      v128.store(uo, f64x2.promote_low_f32x4(v128.load64_zero(xo, 8)), 16);
    }
    for (; j < d; j++) store<f64>(u + (<usize>j << 3), <f64>load<f32>(x + (<usize>j << 2)));
    store<f64>(u + (<usize>d << 3), 1.0);
    store<f64>(u + (<usize>(d + 1) << 3), load<f64>(yp + (<usize>(r0 + r) << 3)));
    if (dp > d + 2) store<f64>(u + (<usize>(d + 2) << 3), 0.0);
  }
}

/**
 * gp[j0 + t, k0 .. k0 + 2 nv) += sum_r up[r, j0 + t] * up[r, k0 .. k0 + 2 nv) for t = 0, 1 over
 * the m rows of a promoted block (k0 >= j0, both even; nv in 1..3 is a constant at each call
 * site, so the unused branches fold away).
 */
// @ts-ignore: decorator
@inline
function gramTile(up: usize, m: i32, rowBytes: usize, j0: i32, k0: i32, gp: usize, dp: i32, nv: i32): void {
  const g0 = gp + (<usize>(j0 * dp + k0) << 3);
  const g1 = g0 + (<usize>dp << 3);
  let a0 = v128.load(g0);
  let a1 = nv > 1 ? v128.load(g0, 16) : a0;
  let a2 = nv > 2 ? v128.load(g0, 32) : a0;
  let b0 = v128.load(g1);
  let b1 = nv > 1 ? v128.load(g1, 16) : b0;
  let b2 = nv > 2 ? v128.load(g1, 32) : b0;
  const toK = <usize>(k0 - j0) << 3;
  let q = up + (<usize>j0 << 3);
  const qEnd = q + <usize>m * rowBytes;
  for (; q < qEnd; q += rowBytes) {
    const s0 = v128.load64_splat(q);
    const s1 = v128.load64_splat(q, 8);
    const p = q + toK;
    let x = v128.load(p);
    a0 = f64x2.add(a0, f64x2.mul(s0, x));
    b0 = f64x2.add(b0, f64x2.mul(s1, x));
    if (nv > 1) {
      x = v128.load(p, 16);
      a1 = f64x2.add(a1, f64x2.mul(s0, x));
      b1 = f64x2.add(b1, f64x2.mul(s1, x));
    }
    if (nv > 2) {
      x = v128.load(p, 32);
      a2 = f64x2.add(a2, f64x2.mul(s0, x));
      b2 = f64x2.add(b2, f64x2.mul(s1, x));
    }
  }
  v128.store(g0, a0);
  if (nv > 1) v128.store(g0, a1, 16);
  if (nv > 2) v128.store(g0, a2, 32);
  v128.store(g1, b0);
  if (nv > 1) v128.store(g1, b1, 16);
  if (nv > 2) v128.store(g1, b2, 32);
}

/**
 * Accumulates least-squares sufficient statistics over float32 rows, in float64:
 * gp[j, k] += sum_i u_ij u_ik for every k >= j of the augmented rows u_i = (x_i1..x_id, 1, y_i).
 * With dp = d + 2 rounded up to even: X^T X is the upper triangle of gp[0..d, 0..d], the column
 * sums are gp[j, d], X^T y gp[j, d + 1], n gp[d, d], sum y gp[d, d + 1], sum y^2 gp[d + 1, d + 1];
 * entries below the diagonal and in the padding row / column are unspecified.
 * xp: float32 [n, d]; yp: float64 [n]; gp: float64 [dp, dp] (accumulated, not zeroed, so shards
 * can be streamed in); scratch: float64 [max(2048, 2 dp)].
 */
export function gramAccumulate(xp: usize, yp: usize, n: i32, d: i32, gp: usize, scratch: usize): void {
  const du = d + 2;
  const dp = paddedWidth(d);
  const rows = blockRows(dp);
  const rowBytes = <usize>dp << 3;
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = min(rows, n - r0);
    promoteRows(xp, yp, r0, m, d, dp, scratch);
    for (let j0 = 0; j0 < du; j0 += 2) {
      let k0 = j0;
      for (; k0 + 6 <= dp; k0 += 6) gramTile(scratch, m, rowBytes, j0, k0, gp, dp, 3);
      if (k0 + 4 == dp) gramTile(scratch, m, rowBytes, j0, k0, gp, dp, 2);
      else if (k0 + 2 == dp) gramTile(scratch, m, rowBytes, j0, k0, gp, dp, 1);
    }
  }
}
