import { check } from '../errors.js';

/**
 * A numeric column (e.g. an Arrow Float64/Float32/Int vector converted to floats).
 * Row i is missing when `valid` is non-null and valid[i] == 0, or when values[i] is NaN.
 */
export interface NumericColumn {
  values: Float64Array | Float32Array;
  valid: Uint8Array | null;
}

/**
 * A categorical (dictionary-encoded) column, like an Arrow Dictionary<Utf8, Int32> vector.
 * Row i is missing when valid[i] == 0 (valid non-null) or codes[i] < 0; otherwise its
 * category is dictionary[codes[i]].
 */
export interface CategoricalColumn {
  codes: Int32Array;
  dictionary: string[];
  valid: Uint8Array | null;
}

/** Either kind of column. */
export type Column = NumericColumn | CategoricalColumn;

/** True if `c` is a `CategoricalColumn`. */
export function isCategorical(c: Column): c is CategoricalColumn {
  return (c as CategoricalColumn).codes !== undefined;
}

/** Number of rows of a column. */
export function columnLength(c: Column): number {
  return isCategorical(c) ? c.codes.length : c.values.length;
}

/** Checks a column's arrays are consistent; `what` names the caller for the error message. */
export function checkColumn(c: Column, what: string): void {
  check(c !== null && typeof c === 'object', `${what}: column must be an object`);
  if (isCategorical(c)) {
    check(c.codes instanceof Int32Array, `${what}: categorical codes must be an Int32Array`);
    check(Array.isArray(c.dictionary), `${what}: categorical dictionary must be a string[]`);
    for (let i = 0; i < c.codes.length; i++) {
      check(c.codes[i] < c.dictionary.length, `${what}: code ${c.codes[i]} at row ${i} is outside the dictionary (size ${c.dictionary.length})`, { row: i });
    }
  } else {
    check(c.values instanceof Float64Array || c.values instanceof Float32Array, `${what}: numeric values must be a Float64Array or Float32Array`);
  }
  check(c.valid === null || c.valid instanceof Uint8Array, `${what}: valid must be a Uint8Array or null`);
  if (c.valid) check(c.valid.length === columnLength(c), `${what}: valid has ${c.valid.length} entries, expected ${columnLength(c)}`);
}

/** True if row i of a numeric column is present (valid and not NaN). */
export function numericPresent(c: NumericColumn, i: number): boolean {
  const v = c.values[i];
  return v === v && (c.valid === null || c.valid[i] !== 0);
}

/** True if row i of a categorical column is present. */
export function categoricalPresent(c: CategoricalColumn, i: number): boolean {
  return c.codes[i] >= 0 && (c.valid === null || c.valid[i] !== 0);
}

/** Count of missing rows in a column. */
export function countMissing(c: Column): number {
  const n = columnLength(c);
  let m = 0;
  if (isCategorical(c)) {
    for (let i = 0; i < n; i++) if (!categoricalPresent(c, i)) m++;
  } else {
    for (let i = 0; i < n; i++) if (!numericPresent(c, i)) m++;
  }
  return m;
}
