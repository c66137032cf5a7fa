import { check } from '../errors.js';

function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, what: string): void {
  check(yTrue.length === yPred.length, `${what}: yTrue has ${yTrue.length} values but yPred has ${yPred.length}`);
  check(yTrue.length > 0, `${what}: empty input`);
}

/** Root mean squared error, in units of y. Source: sqrt(sklearn.metrics.mean_squared_error). */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'rmse');
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i] - yPred[i]) ** 2;
  return Math.sqrt(s / yTrue.length);
}

/** Mean absolute error, in units of y. Source: sklearn.metrics.mean_absolute_error. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'mae');
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}

/**
 * Coefficient of determination 1 - SS_res / SS_tot (unitless, <= 1, may be negative).
 * Constant yTrue: 1 if predictions are perfect, else 0 (scikit-learn's force_finite=True).
 * Source: sklearn.metrics.r2_score.
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, 'r2');
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
