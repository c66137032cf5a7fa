import { check } from '../errors.js';
import { NumericColumn, checkColumn, isCategorical, numericPresent } from './columns.js';

/**
 * Mergeable summary of a numeric column's present values: count, mean, M2 = Σ(x − mean)²
 * (merge shards with Chan et al., as `mergeScalerStats`), min and max (null when count is 0).
 */
export interface VarianceStats {
  count: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
}

/** Two-pass moments, min and max of a numeric column's present values (missing skipped). */
export function varianceStats(column: NumericColumn): VarianceStats {
  checkColumn(column, 'varianceStats');
  check(!isCategorical(column), 'varianceStats: expected a numeric column');
  const n = column.values.length;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!numericPresent(column, i)) continue;
    const v = column.values[i];
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count > 0 ? sum / count : 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) if (numericPresent(column, i)) m2 += (column.values[i] - mean) ** 2;
  return { count, mean, m2, min: count > 0 ? min : null, max: count > 0 ? max : null };
}

/**
 * The variance VarianceThreshold compares: population variance M2 / count (numpy.nanvar);
 * with threshold 0, the smaller of it and the peak-to-peak range, so a constant column whose
 * variance rounds to a tiny positive number still counts as 0 (as scikit-learn). NaN for an
 * all-missing column (which never passes the threshold).
 */
export function thresholdVariance(s: VarianceStats, threshold: number): number {
  if (s.count === 0) return NaN;
  const v = Math.max(0, s.m2) / s.count;
  return threshold === 0 && s.min !== null && s.max !== null ? Math.min(v, s.max - s.min) : v;
}

/** Result of `fitVarianceThreshold`. */
export interface VarianceThresholdResult {
  /** Per column: the variance compared with the threshold (see `thresholdVariance`). */
  variances: number[];
  /** Per column: kept when variance > threshold (scikit-learn `get_support()`). */
  support: boolean[];
}

/**
 * Variance-threshold feature selection over numeric columns (missing values skipped).
 * Source: scikit-learn VarianceThreshold (sklearn/feature_selection/_variance_threshold.py):
 * keep a feature when its train variance is strictly greater than `threshold`.
 * Unlike scikit-learn it does not throw when nothing passes; the caller decides.
 * Throws `KernelError('INVALID_INPUT')` for a negative or non-finite threshold or a
 * categorical column.
 */
export function fitVarianceThreshold(columns: NumericColumn[], threshold = 0): VarianceThresholdResult {
  check(Number.isFinite(threshold) && threshold >= 0, `fitVarianceThreshold: threshold must be a finite number ≥ 0, got ${threshold}`);
  const variances = columns.map((c) => thresholdVariance(varianceStats(c), threshold));
  return { variances, support: variances.map((v) => v > threshold) };
}
