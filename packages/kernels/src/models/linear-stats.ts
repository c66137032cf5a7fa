import { sharedArena } from '../wasm/runtime.js';
import { check } from '../errors.js';
import { choleskySolve } from '../optim/cholesky.js';
import { checkMatrix, checkShape, putMatrix } from './common.js';

/**
 * Sufficient statistics for least squares over some rows (mergeable across shards).
 * xtx: Float64Array [d, d] (symmetric, full); xty, sumX: Float64Array [d]; float64 sums.
 */
export interface LinearStats {
  nFeatures: number;
  nRows: number;
  xtx: Float64Array;
  xty: Float64Array;
  sumX: Float64Array;
  sumY: number;
  sumYY: number;
}

/** Values of X per `gramAccumulate` call in `linearStats` (512 KiB of float32: L2-resident). */
const STATS_CHUNK_VALUES = 1 << 17;

/**
 * Accumulates X^T X, X^T y, column sums, sum y and sum y^2 over X: Float32Array
 * [nRows, nFeatures] row-major and y [nRows] (finite), all in float64. Kernel:
 * `assembly/linear.ts` (one pass: the Gram matrix of the rows (x, 1, y), float32 promoted to
 * float64 so every product is exact, register-tiled f64x2). Throws `KernelError('INVALID_INPUT')`.
 */
export function linearStats(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array): LinearStats {
  checkShape(X, nRows, nFeatures, 'linearStats');
  check(y.length === nRows, `linearStats: y has ${y.length} values, expected nRows = ${nRows}`);
  for (let i = 0; i < nRows; i++) {
    if (!Number.isFinite(y[i])) check(false, `linearStats: y[${i}] is ${y[i]}; the target must not have missing values`, { row: i });
  }
  const d = nFeatures;
  const dp = (d + 3) & ~1; // augmented width d + 2, rounded up to even
  return sharedArena().scoped((a) => {
    const gp = a.alloc(dp * dp * 8);
    a.f64(gp, dp * dp).fill(0);
    const scratch = a.alloc(Math.max(2048, 2 * dp) * 8);
    // X streams through one chunk-sized buffer (copied, validated and accumulated while it is in
    // cache) instead of being copied whole; several kernel calls also let V8 switch from its
    // baseline code for the first call (several times slower here) to the optimised code
    const chunk = Math.max(1, Math.floor(STATS_CHUNK_VALUES / d));
    for (let r = 0; r < nRows; r += chunk) {
      const m = Math.min(chunk, nRows - r);
      a.scoped(() => {
        const xp = a.putF32Finite(X.subarray(r * d, (r + m) * d));
        if (xp < 0) checkMatrix(X, nRows, d, 'linearStats'); // throws, naming the first non-finite value
        a.k.gramAccumulate(xp, a.putF64(y.subarray(r, r + m)), m, d, gp, scratch);
      });
    }
    const g = a.f64(gp, dp * dp);
    const xtx = new Float64Array(d * d);
    const xty = new Float64Array(d);
    const sumX = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      for (let k = j; k < d; k++) xtx[j * d + k] = xtx[k * d + j] = g[j * dp + k];
      sumX[j] = g[j * dp + d];
      xty[j] = g[j * dp + d + 1];
    }
    return { nFeatures: d, nRows, xtx, xty, sumX, sumY: g[d * dp + d + 1], sumYY: g[(d + 1) * dp + d + 1] };
  });
}

/** Sums two `LinearStats` over disjoint rows (same nFeatures). */
export function mergeLinearStats(a: LinearStats, b: LinearStats): LinearStats {
  check(a.nFeatures === b.nFeatures, `mergeLinearStats: nFeatures differ (${a.nFeatures} vs ${b.nFeatures})`);
  const add = (u: Float64Array, v: Float64Array) => u.map((x, i) => x + v[i]);
  return {
    nFeatures: a.nFeatures,
    nRows: a.nRows + b.nRows,
    xtx: add(a.xtx, b.xtx),
    xty: add(a.xty, b.xty),
    sumX: add(a.sumX, b.sumX),
    sumY: a.sumY + b.sumY,
    sumYY: a.sumYY + b.sumYY,
  };
}

/** Least-squares solution with intercept: coef Float64Array [d], intercept, training MSE, ridge actually used. */
export interface LinearSolution {
  coef: Float64Array;
  intercept: number;
  mse: number;
  /** alpha plus any jitter added because the centred Gram matrix was singular. */
  ridgeUsed: number;
}

/**
 * Minimises ||y - X w - b||^2 + alpha ||w||^2 (intercept unpenalised, as scikit-learn's
 * Ridge / LinearRegression when alpha = 0) from centred normal equations
 * (S_xx + alpha I) w = S_xy, b = mean(y) - mean(x)·w, solved by Cholesky. If S_xx + alpha I
 * is singular (collinear or constant features), a tiny ridge 1e-10·tr(S_xx)/d is added and
 * grown ×100 until the factorisation succeeds (≈ the minimum-norm solution).
 * Throws `KernelError('INVALID_INPUT')` for nRows == 0 or alpha < 0.
 */
export function solveLinearStats(s: LinearStats, alpha = 0): LinearSolution {
  check(s.nRows >= 1, 'solveLinearStats: no rows');
  check(Number.isFinite(alpha) && alpha >= 0, `solveLinearStats: alpha must be >= 0, got ${alpha}`);
  const d = s.nFeatures;
  const n = s.nRows;
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  const ybar = s.sumY / n;
  let trace = 0;
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) A[j * d + k] = s.xtx[j * d + k] - (s.sumX[j] * s.sumX[k]) / n;
    b[j] = s.xty[j] - s.sumX[j] * ybar;
    trace += A[j * d + j];
  }
  const syy = s.sumYY - s.sumY * ybar;
  let ridge = alpha;
  let jitter = 1e-10 * Math.max(trace / d, Number.MIN_VALUE);
  let w: Float64Array | null = null;
  for (let attempt = 0; attempt < 12 && !w; attempt++) {
    const Ar = Float64Array.from(A);
    for (let j = 0; j < d; j++) Ar[j * d + j] += ridge;
    w = choleskySolve(Ar, b, d);
    if (!w) {
      ridge = alpha + jitter;
      jitter *= 100;
    }
  }
  if (!w) w = new Float64Array(d); // all-constant features: predict the mean
  let intercept = ybar;
  for (let j = 0; j < d; j++) intercept -= (s.sumX[j] / n) * w[j];
  // SSE = Syy - 2 w·b + w^T A w
  let wAw = 0;
  let wb = 0;
  for (let j = 0; j < d; j++) {
    wb += w[j] * b[j];
    for (let k = 0; k < d; k++) wAw += w[j] * A[j * d + k] * w[k];
  }
  const mse = Math.max(0, syy - 2 * wb + wAw) / n;
  return { coef: w, intercept, mse, ridgeUsed: ridge };
}

/**
 * Linear predictions y = X·coef + intercept for X: Float32Array [nRows, coef.length]
 * row-major, by the wasm `linearScores` kernel. Returns Float64Array [nRows].
 * Throws `KernelError('INVALID_INPUT')` (named by `what`) for a bad shape or non-finite X.
 */
export function linearPredict(coef: Float64Array, intercept: number, X: Float32Array, nRows: number, what: string): Float64Array {
  const d = coef.length;
  const w = new Float64Array(d + 1);
  w.set(coef);
  w[d] = intercept;
  return sharedArena().scoped((a) => {
    const xp = putMatrix(a, X, nRows, d, what);
    const wp = a.putF64(w);
    const op = a.alloc(nRows * 8);
    a.k.linearScores(xp, wp, op, nRows, d, 1);
    return Float64Array.from(a.f64(op, nRows));
  });
}
