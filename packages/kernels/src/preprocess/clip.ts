import { KernelError, check } from '../errors.js';
import { NumericColumn, checkColumn, isCategorical, numericPresent } from './columns.js';

/**
 * Bounds for `fitClip`: per side either a value or a quantile of the fitted column's present
 * values (not both); a side with neither is unbounded.
 */
export interface ClipOptions {
  lower?: number;
  upper?: number;
  /** In [0, 1]; numpy.quantile's default 'linear' interpolation. */
  lowerQuantile?: number;
  upperQuantile?: number;
}

/** Fitted clipping bounds (JSON-serialisable); null = that side is not clipped. */
export interface ClipState {
  kind: 'clip';
  version: 1;
  lower: number | null;
  upper: number | null;
}

/** Result of `applyClip`. */
export interface ClipResult {
  /** Float64Array [nRows]; missing rows stay missing (same validity). */
  column: NumericColumn;
  /** Present rows raised to `lower` / lowered to `upper`. */
  clippedLow: number;
  clippedHigh: number;
}

/**
 * Quantile q ∈ [0, 1] of ascending values by linear interpolation between the order
 * statistics at rank (n − 1)·q (numpy.quantile, method='linear'). NaN for no values.
 */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function checkOptions(o: ClipOptions, what: string): void {
  for (const k of ['lower', 'upper'] as const) check(o[k] === undefined || Number.isFinite(o[k]), `${what}: ${k} must be a finite number, got ${o[k]}`, { field: k });
  for (const k of ['lowerQuantile', 'upperQuantile'] as const) check(o[k] === undefined || (o[k]! >= 0 && o[k]! <= 1), `${what}: ${k} must be in [0, 1], got ${o[k]}`, { field: k });
  check(!(o.lower !== undefined && o.lowerQuantile !== undefined), `${what}: give lower or lowerQuantile, not both`, { field: 'lowerQuantile' });
  check(!(o.upper !== undefined && o.upperQuantile !== undefined), `${what}: give upper or upperQuantile, not both`, { field: 'upperQuantile' });
  if (o.lower !== undefined && o.upper !== undefined) check(o.lower <= o.upper, `${what}: lower ${o.lower} is above upper ${o.upper}`, { field: 'lower' });
  if (o.lowerQuantile !== undefined && o.upperQuantile !== undefined) check(o.lowerQuantile <= o.upperQuantile, `${what}: lowerQuantile ${o.lowerQuantile} is above upperQuantile ${o.upperQuantile}`, { field: 'lowerQuantile' });
}

/**
 * Bounds from options and a quantile function of the train values (`q(p)` for p ∈ [0, 1],
 * NaN when the column had no present values). A quantile bound of an all-missing column is
 * null (that side is not clipped). When a value bound and a quantile bound cross, the
 * quantile one is moved onto the value one, so lower ≤ upper always holds.
 * Shared by `fitClip` (exact quantiles) and the distributed fit (merged quantile sketch).
 */
export function clipFromQuantiles(opts: ClipOptions, q: (p: number) => number): ClipState {
  checkOptions(opts, 'clipFromQuantiles');
  const side = (value: number | undefined, p: number | undefined): number | null => {
    if (value !== undefined) return value;
    if (p === undefined) return null;
    const v = q(p);
    return v === v ? v : null;
  };
  let lower = side(opts.lower, opts.lowerQuantile);
  let upper = side(opts.upper, opts.upperQuantile);
  if (lower !== null && upper !== null && lower > upper) {
    if (opts.lowerQuantile !== undefined) lower = upper;
    else upper = lower;
  }
  return { kind: 'clip', version: 1, lower, upper };
}

/**
 * Fits clipping bounds on a numeric column: given values are kept, quantile bounds are the
 * quantiles of the present values (missing skipped).
 * Source: numpy.clip / pandas.Series.clip with bounds from numpy.quantile (winsorising).
 * Throws `KernelError('INVALID_INPUT')` for a categorical column, a side given both as a
 * value and a quantile, a quantile outside [0, 1], or lower > upper.
 */
export function fitClip(column: NumericColumn, opts: ClipOptions): ClipState {
  checkColumn(column, 'fitClip');
  check(!isCategorical(column), 'fitClip: expected a numeric column');
  checkOptions(opts, 'fitClip');
  let sorted: Float64Array | null = null;
  return clipFromQuantiles(opts, (p) => {
    if (!sorted) {
      const n = column.values.length;
      const out = new Float64Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) if (numericPresent(column, i)) out[m++] = column.values[i];
      sorted = out.subarray(0, m).sort();
    }
    return quantileOfSorted(sorted, p);
  });
}

/**
 * Clips present values to [lower, upper] (a null bound leaves that side alone); missing
 * values stay missing. Output values are a new Float64Array [nRows].
 * Throws `KernelError('INVALID_INPUT')` for a categorical or malformed column.
 */
export function applyClip(column: NumericColumn, state: ClipState): ClipResult {
  checkColumn(column, 'applyClip');
  check(!isCategorical(column), 'applyClip: expected a numeric column');
  const lo = state.lower ?? -Infinity;
  const hi = state.upper ?? Infinity;
  const n = column.values.length;
  const values = new Float64Array(n);
  let clippedLow = 0;
  let clippedHigh = 0;
  for (let i = 0; i < n; i++) {
    const v = column.values[i];
    if (!numericPresent(column, i)) {
      values[i] = v;
      continue;
    }
    if (v < lo) {
      values[i] = lo;
      clippedLow++;
    } else if (v > hi) {
      values[i] = hi;
      clippedHigh++;
    } else values[i] = v;
  }
  return { column: { values, valid: column.valid ? Uint8Array.from(column.valid) : null }, clippedLow, clippedHigh };
}

/** Validates a parsed clip artifact. Throws `KernelError('INVALID_ARTIFACT')`. */
export function clipFromJSON(json: unknown): ClipState {
  const j = json as Partial<ClipState> | null;
  const bound = (b: unknown) => b === null || (typeof b === 'number' && Number.isFinite(b));
  if (!j || j.kind !== 'clip' || j.version !== 1 || !bound(j.lower) || !bound(j.upper)) {
    throw new KernelError('INVALID_ARTIFACT', 'clipFromJSON: not a saved clip step (kind "clip", version 1, lower/upper number or null)');
  }
  return j as ClipState;
}
