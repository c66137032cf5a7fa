import { sharedArena } from '../wasm/runtime.js';
import { KernelError, check } from '../errors.js';
import { CategoricalColumn, Column, NumericColumn, categoricalPresent, checkColumn, columnLength, isCategorical, numericPresent } from './columns.js';

/** Imputation strategy, as scikit-learn's SimpleImputer (sklearn/impute/_base.py). */
export type ImputeStrategy = 'mean' | 'median' | 'most_frequent' | 'constant';

/** Options for `fitImputer`. */
export interface ImputerOptions {
  strategy: ImputeStrategy;
  /** For 'constant': the fill (number for numeric columns, default 0; string for categorical, default 'missing_value'). */
  fillValue?: number | string;
}

/** Fitted imputer for a numeric column (JSON-serialisable). */
export interface NumericImputerState {
  kind: 'imputer';
  version: 1;
  columnType: 'numeric';
  strategy: ImputeStrategy;
  fill: number;
  /** True if every value was missing at fit time (the fill then falls back to fillValue ?? 0). */
  emptyAtFit: boolean;
}

/** Fitted imputer for a categorical column (JSON-serialisable). */
export interface CategoricalImputerState {
  kind: 'imputer';
  version: 1;
  columnType: 'categorical';
  strategy: 'most_frequent' | 'constant';
  fill: string;
  emptyAtFit: boolean;
}

export type ImputerState = NumericImputerState | CategoricalImputerState;

function presentValues(c: NumericColumn): Float64Array {
  const n = c.values.length;
  const out = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (numericPresent(c, i)) out[m++] = c.values[i];
  return out.subarray(0, m);
}

/** Median of present values (mean of the two middle values for even counts, as numpy). */
function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Most frequent value; ties go to the smallest value (as scikit-learn). */
function modeNumeric(v: Float64Array): number {
  const counts = new Map<number, number>();
  for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best = NaN;
  let bestCount = 0;
  for (const [x, c] of counts) if (c > bestCount || (c === bestCount && x < best)) [best, bestCount] = [x, c];
  return best;
}

/**
 * Fits a SimpleImputer-style fill value on a column.
 * Numeric columns: mean, median, most_frequent (ties -> smallest) or constant (fillValue,
 * default 0). Categorical columns: most_frequent (ties -> lexicographically smallest) or
 * constant (fillValue, default 'missing_value'). Mean uses the `columnStats` wasm kernel.
 * If every value is missing, the fill is fillValue ?? 0 / 'missing_value' and `emptyAtFit` is true.
 * Throws `KernelError('INVALID_INPUT')` for an unknown strategy, mean/median on a
 * categorical column, or a fillValue of the wrong type.
 */
export function fitImputer(column: Column, opts: ImputerOptions): ImputerState {
  checkColumn(column, 'fitImputer');
  const strategy = opts.strategy;
  check(['mean', 'median', 'most_frequent', 'constant'].includes(strategy), `fitImputer: unknown strategy '${String(strategy)}'`);
  if (isCategorical(column)) {
    check(strategy === 'most_frequent' || strategy === 'constant', `fitImputer: strategy '${strategy}' needs a numeric column; use most_frequent or constant for categorical columns`);
    check(opts.fillValue === undefined || typeof opts.fillValue === 'string', 'fitImputer: fillValue for a categorical column must be a string');
    const dflt = (opts.fillValue as string | undefined) ?? 'missing_value';
    if (strategy === 'constant') return { kind: 'imputer', version: 1, columnType: 'categorical', strategy, fill: dflt, emptyAtFit: false };
    const counts = new Map<string, number>();
    for (let i = 0; i < column.codes.length; i++) {
      if (!categoricalPresent(column, i)) continue;
      const s = column.dictionary[column.codes[i]];
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestCount = 0;
    for (const [s, c] of counts) if (c > bestCount || (c === bestCount && best !== null && s < best)) [best, bestCount] = [s, c];
    return { kind: 'imputer', version: 1, columnType: 'categorical', strategy, fill: best ?? dflt, emptyAtFit: best === null };
  }
  check(opts.fillValue === undefined || typeof opts.fillValue === 'number', 'fitImputer: fillValue for a numeric column must be a number');
  const dflt = (opts.fillValue as number | undefined) ?? 0;
  if (strategy === 'constant') return { kind: 'imputer', version: 1, columnType: 'numeric', strategy, fill: dflt, emptyAtFit: false };
  let fill: number;
  let empty: boolean;
  if (strategy === 'mean') {
    const st = sharedArena().scoped((a) => {
      const vp = a.putF64(column.values);
      const mp = a.putMask(column.valid);
      const op = a.alloc(32);
      a.k.columnStats(vp, mp, column.values.length, op);
      return Array.from(a.f64(op, 4));
    });
    empty = st[0] === 0;
    fill = st[2];
  } else {
    const v = presentValues(column);
    empty = v.length === 0;
    fill = empty ? NaN : strategy === 'median' ? median(v) : modeNumeric(v);
  }
  return { kind: 'imputer', version: 1, columnType: 'numeric', strategy, fill: empty ? dflt : fill, emptyAtFit: empty };
}

/**
 * Replaces missing values with the fitted fill. Returns a new column of the same kind with
 * `valid: null` (numeric values as Float64Array; categorical dictionary extended with the
 * fill if needed). Numeric fill uses the `fillMissing` wasm kernel.
 * Throws `KernelError('INVALID_INPUT')` if the column kind differs from the fitted one.
 */
export function applyImputer(column: Column, state: ImputerState): Column {
  checkColumn(column, 'applyImputer');
  if (state.columnType === 'categorical') {
    check(isCategorical(column), 'applyImputer: imputer was fitted on a categorical column but got a numeric one');
    const c = column as CategoricalColumn;
    let code = c.dictionary.indexOf(state.fill);
    const dictionary = code >= 0 ? c.dictionary : [...c.dictionary, state.fill];
    if (code < 0) code = c.dictionary.length;
    const codes = new Int32Array(c.codes.length);
    for (let i = 0; i < codes.length; i++) codes[i] = categoricalPresent(c, i) ? c.codes[i] : code;
    return { codes, dictionary, valid: null };
  }
  check(!isCategorical(column), 'applyImputer: imputer was fitted on a numeric column but got a categorical one');
  const c = column as NumericColumn;
  const n = columnLength(c);
  const values = sharedArena().scoped((a) => {
    const vp = a.putF64(c.values);
    const mp = a.putMask(c.valid);
    const op = a.alloc(n * 8);
    a.k.fillMissing(vp, mp, n, state.fill, op);
    return Float64Array.from(a.f64(op, n));
  });
  return { values, valid: null };
}

/** Validates a parsed imputer artifact. Throws `KernelError('INVALID_ARTIFACT')`. */
export function imputerFromJSON(json: unknown): ImputerState {
  const j = json as Partial<ImputerState> | null;
  const ok =
    !!j && j.kind === 'imputer' && j.version === 1 &&
    ((j.columnType === 'numeric' && typeof j.fill === 'number') || (j.columnType === 'categorical' && typeof j.fill === 'string'));
  if (!ok) throw new KernelError('INVALID_ARTIFACT', 'imputerFromJSON: not a saved imputer (kind "imputer", version 1)');
  return j as ImputerState;
}
