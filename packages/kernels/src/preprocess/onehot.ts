import { KernelError, check } from '../errors.js';
import { CategoricalColumn, NumericColumn, categoricalPresent, checkColumn, isCategorical } from './columns.js';

/** Options for `fitOneHot`. */
export interface OneHotOptions {
  /** Keep only the K most frequent categories (ties broken by name); others encode as all-zero rows. */
  maxCategories?: number;
}

/** Fitted one-hot encoder (JSON-serialisable). Output column j is 1 where the value is categories[j]. */
export interface OneHotState {
  kind: 'one_hot';
  version: 1;
  /** Kept categories, sorted lexicographically (as scikit-learn's OneHotEncoder). */
  categories: string[];
  /** Distinct categories seen at fit but dropped by maxCategories. */
  droppedCategories: number;
}

/** Result of `applyOneHot`. */
export interface OneHotResult {
  /** One numeric column per category (Float32Array 0/1 values, valid null), in `state.categories` order. */
  columns: NumericColumn[];
  /** Category name of each output column. */
  categories: string[];
  /** Rows whose (present) category is not among the fitted categories -> all-zero rows. */
  unknownCount: number;
  /** Rows that were missing -> all-zero rows. */
  missingCount: number;
}

/**
 * Learns the categories present in a categorical column (missing rows ignored).
 * With `maxCategories`, keeps the most frequent ones. Source: scikit-learn OneHotEncoder
 * with handle_unknown='ignore' and max_categories (sklearn/preprocessing/_encoders.py).
 * Throws `KernelError('INVALID_INPUT')` for a numeric column or a bad maxCategories.
 */
export function fitOneHot(column: CategoricalColumn, opts: OneHotOptions = {}): OneHotState {
  checkColumn(column, 'fitOneHot');
  check(isCategorical(column), 'fitOneHot: expected a categorical column (codes + dictionary)');
  const max = opts.maxCategories;
  check(max === undefined || (Number.isInteger(max) && max >= 1), `fitOneHot: maxCategories must be a positive integer, got ${max}`);
  const counts = new Map<string, number>();
  for (let i = 0; i < column.codes.length; i++) {
    if (!categoricalPresent(column, i)) continue;
    const s = column.dictionary[column.codes[i]];
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  let cats = [...counts.keys()];
  let dropped = 0;
  if (max !== undefined && cats.length > max) {
    cats.sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
    dropped = cats.length - max;
    cats = cats.slice(0, max);
  }
  cats.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { kind: 'one_hot', version: 1, categories: cats, droppedCategories: dropped };
}

/**
 * Encodes a categorical column against fitted categories (matched by string, so the
 * column's dictionary may differ from the one seen at fit). Unknown and missing values
 * become all-zero rows and are counted. Throws `KernelError('INVALID_INPUT')`.
 */
export function applyOneHot(column: CategoricalColumn, state: OneHotState): OneHotResult {
  checkColumn(column, 'applyOneHot');
  check(isCategorical(column), 'applyOneHot: expected a categorical column (codes + dictionary)');
  const n = column.codes.length;
  const index = new Map<string, number>();
  state.categories.forEach((c, j) => index.set(c, j));
  // dictionary code -> output column (-1 = unknown)
  const map = column.dictionary.map((s) => index.get(s) ?? -1);
  const outs = state.categories.map(() => new Float32Array(n));
  let unknownCount = 0;
  let missingCount = 0;
  for (let i = 0; i < n; i++) {
    if (!categoricalPresent(column, i)) {
      missingCount++;
      continue;
    }
    const j = map[column.codes[i]];
    if (j < 0) unknownCount++;
    else outs[j][i] = 1;
  }
  return { columns: outs.map((values) => ({ values, valid: null })), categories: [...state.categories], unknownCount, missingCount };
}

/** Validates a parsed one-hot artifact. Throws `KernelError('INVALID_ARTIFACT')`. */
export function oneHotFromJSON(json: unknown): OneHotState {
  const j = json as Partial<OneHotState> | null;
  if (!j || j.kind !== 'one_hot' || j.version !== 1 || !Array.isArray(j.categories) || !j.categories.every((c) => typeof c === 'string')) {
    throw new KernelError('INVALID_ARTIFACT', 'oneHotFromJSON: not a saved one-hot encoder (kind "one_hot", version 1, categories string[])');
  }
  return { kind: 'one_hot', version: 1, categories: j.categories, droppedCategories: j.droppedCategories ?? 0 };
}
