import { sharedArena } from '../wasm/runtime.js';
import { KernelError, check } from '../errors.js';
import { NumericColumn, checkColumn, isCategorical } from './columns.js';

/** Mergeable per-column moments over present values: count, mean, M2 = sum (x - mean)^2. */
export interface ScalerStats {
  count: number;
  mean: number;
  m2: number;
}

/** Fitted standard scaler (JSON-serialisable). transform: (x - mean) / scale. */
export interface StandardScalerState {
  kind: 'standard_scaler';
  version: 1;
  mean: number;
  /** Population standard deviation (ddof = 0, as scikit-learn), or 1 for a (near-)constant column. */
  scale: number;
  /** Present values seen at fit. */
  count: number;
}

/**
 * Per-shard moments of a numeric column (missing = valid[i] == 0 or NaN, skipped), by the
 * two-pass `columnStats` wasm kernel. Merge shards with `mergeScalerStats`.
 */
export function scalerPartialStats(column: NumericColumn): ScalerStats {
  checkColumn(column, 'scalerPartialStats');
  check(!isCategorical(column), 'scalerPartialStats: expected a numeric column');
  const n = column.values.length;
  const st = sharedArena().scoped((a) => {
    const vp = a.putF64(column.values);
    const mp = a.putMask(column.valid);
    const op = a.alloc(32);
    a.k.columnStats(vp, mp, n, op);
    return Array.from(a.f64(op, 4));
  });
  return { count: st[0], mean: st[2], m2: st[3] };
}

/**
 * Combines moments of disjoint row sets (Chan, Golub & LeVeque 1979 pairwise update).
 */
export function mergeScalerStats(a: ScalerStats, b: ScalerStats): ScalerStats {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return { count, mean: a.mean + (delta * b.count) / count, m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count };
}

/**
 * Finishes a scaler from (merged) moments. scale = sqrt(M2 / count) (population std); a
 * column whose std is 0 or within rounding of 0 (<= 10·eps·max(1, |mean|)), or which has no
 * present values, gets scale 1 so it transforms to 0 (never NaN), as scikit-learn.
 */
export function scalerFromStats(s: ScalerStats): StandardScalerState {
  const mean = s.count > 0 ? s.mean : 0;
  const std = s.count > 0 ? Math.sqrt(Math.max(0, s.m2) / s.count) : 0;
  const constant = !(std > 10 * Number.EPSILON * Math.max(1, Math.abs(mean)));
  return { kind: 'standard_scaler', version: 1, mean, scale: constant ? 1 : std, count: s.count };
}

/**
 * Fits a standard scaler on one numeric column (missing values skipped).
 * Source: scikit-learn StandardScaler (sklearn/preprocessing/_data.py).
 * Throws `KernelError('INVALID_INPUT')` for a categorical or malformed column.
 */
export function fitStandardScaler(column: NumericColumn): StandardScalerState {
  return scalerFromStats(scalerPartialStats(column));
}

/**
 * Applies a fitted scaler: values' = (values - mean) / scale as Float64Array [n]; the
 * validity mask is kept and missing rows hold NaN (impute before or after scaling).
 * Kernel: `scaleColumn` (f64x2 SIMD when the column has no mask).
 */
export function applyStandardScaler(column: NumericColumn, state: StandardScalerState): NumericColumn {
  checkColumn(column, 'applyStandardScaler');
  check(!isCategorical(column), 'applyStandardScaler: expected a numeric column');
  const n = column.values.length;
  const values = sharedArena().scoped((a) => {
    const vp = a.putF64(column.values);
    const mp = a.putMask(column.valid);
    const op = a.alloc(n * 8);
    a.k.scaleColumn(vp, mp, n, state.mean, 1 / state.scale, op);
    return Float64Array.from(a.f64(op, n));
  });
  return { values, valid: column.valid ? Uint8Array.from(column.valid) : null };
}

/** Validates a parsed scaler artifact. Throws `KernelError('INVALID_ARTIFACT')`. */
export function standardScalerFromJSON(json: unknown): StandardScalerState {
  const j = json as Partial<StandardScalerState> | null;
  if (!j || j.kind !== 'standard_scaler' || j.version !== 1 || typeof j.mean !== 'number' || typeof j.scale !== 'number' || !(j.scale > 0)) {
    throw new KernelError('INVALID_ARTIFACT', 'standardScalerFromJSON: not a saved standard scaler (kind "standard_scaler", version 1, scale > 0)');
  }
  return j as StandardScalerState;
}
