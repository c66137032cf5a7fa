import { KernelError, check } from '../errors.js';
import { CategoricalColumn, NumericColumn, categoricalPresent, checkColumn, isCategorical } from './columns.js';

/** Options for `fitOrdinal`. */
export interface OrdinalOptions {
  /** Code of a category not seen at fit (scikit-learn `unknown_value` with handle_unknown='use_encoded_value'). Default -1. */
  unknownValue?: number;
  /** Code of a missing value (scikit-learn `encoded_missing_value`); null (default) keeps it missing. */
  encodedMissingValue?: number | null;
}

/** Fitted ordinal encoder (JSON-serialisable). Category `categories[k]` encodes as k. */
export interface OrdinalState {
  kind: 'ordinal';
  version: 1;
  /** Categories seen at fit (missing rows ignored), sorted lexicographically as scikit-learn's OrdinalEncoder. */
  categories: string[];
  unknownValue: number;
  /** null: missing values stay missing (NaN, valid 0). */
  encodedMissingValue: number | null;
}

/** Result of `applyOrdinal`. */
export interface OrdinalResult {
  /** Float64Array [nRows] codes; `valid` marks missing rows (null when none stay missing). */
  column: NumericColumn;
  /** Present rows whose category was not seen at fit (encoded as `unknownValue`). */
  unknownCount: number;
  /** Missing rows (encoded as `encodedMissingValue`, or left missing). */
  missingCount: number;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Learns the sorted category set of a categorical column (missing rows ignored).
 * Source: scikit-learn OrdinalEncoder(categories='auto', handle_unknown='use_encoded_value')
 * (sklearn/preprocessing/_encoders.py). Like scikit-learn, refuses an `unknownValue` or
 * `encodedMissingValue` that is the code of a seen category (0 .. categories − 1), since the
 * two could not be told apart.
 * Throws `KernelError('INVALID_INPUT')` for a numeric column, non-finite codes or such a clash.
 */
export function fitOrdinal(column: CategoricalColumn, opts: OrdinalOptions = {}): OrdinalState {
  checkColumn(column, 'fitOrdinal');
  check(isCategorical(column), 'fitOrdinal: expected a categorical column (codes + dictionary)');
  const unknownValue = opts.unknownValue ?? -1;
  const missing = opts.encodedMissingValue ?? null;
  check(Number.isFinite(unknownValue), `fitOrdinal: unknownValue must be a finite number, got ${unknownValue}`);
  check(missing === null || Number.isFinite(missing), `fitOrdinal: encodedMissingValue must be a finite number or null, got ${missing}`);
  const seen = new Uint8Array(column.dictionary.length);
  for (let i = 0; i < column.codes.length; i++) if (categoricalPresent(column, i)) seen[column.codes[i]] = 1;
  const categories = [...new Set(column.dictionary.filter((_, k) => seen[k] === 1))].sort(byCodePoint);
  const isCode = (v: number) => Number.isInteger(v) && v >= 0 && v < categories.length;
  check(!isCode(unknownValue), `fitOrdinal: unknownValue ${unknownValue} is the code of seen category "${categories[unknownValue]}"; use a negative value or one ≥ ${categories.length}`, { field: 'unknownValue' });
  check(missing === null || !isCode(missing), `fitOrdinal: encodedMissingValue ${missing} is the code of seen category "${categories[missing as number]}"`, { field: 'encodedMissingValue' });
  return { kind: 'ordinal', version: 1, categories, unknownValue, encodedMissingValue: missing };
}

/**
 * Encodes a categorical column against fitted categories (matched by string, so the
 * column's dictionary may differ from the one seen at fit): category k → k, unseen →
 * `unknownValue`, missing → `encodedMissingValue` (or missing). Counts unknown and missing rows.
 * Throws `KernelError('INVALID_INPUT')` for a numeric or malformed column.
 */
export function applyOrdinal(column: CategoricalColumn, state: OrdinalState): OrdinalResult {
  checkColumn(column, 'applyOrdinal');
  check(isCategorical(column), 'applyOrdinal: expected a categorical column (codes + dictionary)');
  const index = new Map(state.categories.map((c, k) => [c, k]));
  const map = column.dictionary.map((s) => index.get(s) ?? -1);
  const n = column.codes.length;
  const values = new Float64Array(n);
  const keepMissing = state.encodedMissingValue === null;
  let valid: Uint8Array | null = null;
  let unknownCount = 0;
  let missingCount = 0;
  for (let i = 0; i < n; i++) {
    if (!categoricalPresent(column, i)) {
      missingCount++;
      if (keepMissing) {
        if (!valid) valid = new Uint8Array(n).fill(1);
        valid[i] = 0;
        values[i] = NaN;
      } else values[i] = state.encodedMissingValue as number;
      continue;
    }
    const k = map[column.codes[i]];
    if (k < 0) {
      unknownCount++;
      values[i] = state.unknownValue;
    } else values[i] = k;
  }
  return { column: { values, valid }, unknownCount, missingCount };
}

/** Validates a parsed ordinal-encoder artifact. Throws `KernelError('INVALID_ARTIFACT')`. */
export function ordinalFromJSON(json: unknown): OrdinalState {
  const j = json as Partial<OrdinalState> | null;
  const ok =
    !!j && j.kind === 'ordinal' && j.version === 1 && Array.isArray(j.categories) && j.categories.every((c) => typeof c === 'string') &&
    typeof j.unknownValue === 'number' && (j.encodedMissingValue === null || typeof j.encodedMissingValue === 'number');
  if (!ok) throw new KernelError('INVALID_ARTIFACT', 'ordinalFromJSON: not a saved ordinal encoder (kind "ordinal", version 1, categories string[])');
  return j as OrdinalState;
}
