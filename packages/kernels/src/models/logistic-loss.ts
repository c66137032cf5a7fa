import { Arena, sharedArena } from '../wasm/runtime.js';
import { check } from '../errors.js';
import { checkLabels, checkShape, putMatrix } from './common.js';

/**
 * Summed cross-entropy and its gradient over one shard, for data-parallel training
 * (sum the results of every shard, then divide by the total row count and add the L2 term).
 *
 * X: Float32Array [nRows, nFeatures] row-major; y: Int32Array [nRows] in 0..nClasses-1;
 * params: Float64Array [P, nFeatures + 1] with P = 1 for nClasses == 2 (sigmoid of class 1)
 * and P = nClasses otherwise (softmax); per row: coefficients then intercept.
 * Returns `loss` (nats, summed over rows, no penalty) and `grad` (same shape as params).
 * Throws `KernelError('INVALID_INPUT')` on shape or label errors.
 * Kernel: `assembly/logistic.ts` (f64x2 SIMD, float32 loads promoted to float64).
 */
export function logisticLossGradSums(
  X: Float32Array,
  nRows: number,
  nFeatures: number,
  y: Int32Array,
  nClasses: number,
  params: Float64Array,
): { loss: number; grad: Float64Array } {
  checkShape(X, nRows, nFeatures, 'logisticLossGradSums');
  checkLabels(y, nRows, 'logisticLossGradSums', nClasses);
  const p = nClasses === 2 ? 1 : nClasses;
  check(params.length === p * (nFeatures + 1), `logisticLossGradSums: params has ${params.length} values, expected ${p}*(${nFeatures}+1)`);
  return sharedArena().scoped((a) => {
    const ev = makeLossGrad(a, X, nRows, nFeatures, y, p, 'logisticLossGradSums');
    const grad = new Float64Array(params.length);
    const loss = ev(params, grad);
    return { loss, grad };
  });
}

/**
 * Copies X and y into `a` once and returns an evaluator (params, grad) -> summed loss.
 * Internal: callers validate shapes and labels (X values are validated on the copy); the arena must outlive the evaluator.
 */
export function makeLossGrad(
  a: Arena,
  X: Float32Array,
  nRows: number,
  nFeatures: number,
  y: Int32Array,
  p: number,
  what: string,
): (params: Float64Array, grad: Float64Array) => number {
  const xp = putMatrix(a, X, nRows, nFeatures, what);
  const yp = a.putI32(y);
  const np = p * (nFeatures + 1);
  const wp = a.alloc(np * 8);
  const gp = a.alloc(np * 8);
  const sp = a.alloc(Math.max(p, 1) * 8);
  return (params, grad) => {
    a.f64(wp, np).set(params);
    const loss = a.k.logisticLossGrad(xp, yp, wp, gp, sp, nRows, nFeatures, p);
    grad.set(a.f64(gp, np));
    return loss;
  };
}
