import { KernelError, check } from '../errors.js';
import { rowHash } from '../split/hash.js';
import { CategoricalColumn, NumericColumn, categoricalPresent, checkColumn, isCategorical } from './columns.js';

/**
 * The target a target encoder learns from, one entry per row of the column.
 * - `continuous`: regression values (finite).
 * - `binary`: labels 0/1; the encoding estimates P(label = 1).
 * - `multiclass`: labels 0..nClasses−1; one output per class, each estimating P(label = k)
 *   (one-vs-rest, as scikit-learn ≥ 1.4's TargetEncoder).
 */
export type EncoderTarget =
  | { type: 'continuous'; values: Float64Array | Float32Array }
  | { type: 'binary'; labels: Int32Array }
  | { type: 'multiclass'; labels: Int32Array; nClasses: number };

/** Options of the target encoder. */
export interface TargetEncoderOptions {
  /**
   * Shrinkage toward the target mean. 'auto' (default): empirical Bayes, λ = n·τ² / (n·τ² + σ²)
   * with τ² the target variance and σ² the category's target variance, encoding
   * λ·mean_cat + (1 − λ)·mean. A number m ≥ 0: (sum_cat + m·mean) / (n_cat + m).
   */
  smooth?: 'auto' | number;
}

/** Fitted target encoder (JSON-serialisable). */
export interface TargetEncoderState {
  kind: 'target_encoder';
  version: 1;
  targetType: EncoderTarget['type'];
  /** Outputs per encoded column: 1 (continuous, binary) or nClasses (multiclass). */
  nOutputs: number;
  smooth: 'auto' | number;
  /** Categories seen at fit (present rows), sorted lexicographically. */
  categories: string[];
  /** encodings[o][k]: output o of category `categories[k]`. */
  encodings: number[][];
  /** Encoding of a missing value per output when missing values were seen at fit (missing is a category of its own, as scikit-learn); else null. */
  missingEncoding: number[] | null;
  /** Target mean per output: the encoding of categories not seen at fit (and of missing values when none were seen). */
  targetMean: number[];
}

/** Result of applying an encoder: one Float64Array column per output (no missing values). */
export interface TargetEncodeResult {
  columns: NumericColumn[];
  /** Present rows whose category was not seen at fit (encoded as the target mean). */
  unknownCount: number;
  missingCount: number;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function checkTarget(target: EncoderTarget, n: number, what: string): void {
  check(target && typeof target === 'object', `${what}: target must be an object`);
  if (target.type === 'continuous') {
    check(target.values instanceof Float64Array || target.values instanceof Float32Array, `${what}: continuous target values must be a Float64Array or Float32Array`);
    check(target.values.length === n, `${what}: target has ${target.values.length} rows, the column ${n}`);
    for (let i = 0; i < n; i++) check(Number.isFinite(target.values[i]), `${what}: target row ${i} is ${target.values[i]}; drop rows with a missing target first`, { row: i });
    return;
  }
  check(target.type === 'binary' || target.type === 'multiclass', `${what}: unknown target type '${String((target as { type: unknown }).type)}'`);
  check(target.labels instanceof Int32Array, `${what}: labels must be an Int32Array`);
  check(target.labels.length === n, `${what}: target has ${target.labels.length} rows, the column ${n}`);
  const K = target.type === 'binary' ? 2 : target.nClasses;
  check(Number.isInteger(K) && K >= 2, `${what}: nClasses must be an integer ≥ 2, got ${K}`);
  for (let i = 0; i < n; i++) check(target.labels[i] >= 0 && target.labels[i] < K, `${what}: label ${target.labels[i]} at row ${i} is outside 0..${K - 1}`, { row: i });
}

/** y per output as Float64Array [n]: the values, the 0/1 label, or one indicator per class. */
function outputsOf(target: EncoderTarget): Float64Array[] {
  if (target.type === 'continuous') return [Float64Array.from(target.values)];
  if (target.type === 'binary') return [Float64Array.from(target.labels)];
  const n = target.labels.length;
  const ys = Array.from({ length: target.nClasses }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) ys[target.labels[i]][i] = 1;
  return ys;
}

/**
 * Encodings of `nSlots` slots from the rows where `use` is 1 (all rows when null): slot[i] is
 * the slot of row i. Two passes per slot (mean, then squared deviations), as scikit-learn's
 * `_fit_encoding_fast_auto_smooth` / `_fit_encoding_fast` (sklearn/preprocessing/_target_encoder_fast.pyx).
 * A slot without rows, or with λ undefined (zero variances), encodes as the mean.
 */
function fitSlots(slot: Int32Array, nSlots: number, y: Float64Array, use: Uint8Array | null, smooth: 'auto' | number): { enc: Float64Array; mean: number } {
  const n = slot.length;
  let count = 0;
  let sum = 0;
  const cnt = new Float64Array(nSlots);
  const sums = new Float64Array(nSlots);
  for (let i = 0; i < n; i++) {
    if (use && use[i] === 0) continue;
    count++;
    sum += y[i];
    cnt[slot[i]] += 1;
    sums[slot[i]] += y[i];
  }
  const mean = count > 0 ? sum / count : 0;
  const enc = new Float64Array(nSlots);
  if (smooth !== 'auto') {
    for (let s = 0; s < nSlots; s++) {
      const denom = cnt[s] + smooth;
      enc[s] = denom === 0 ? mean : (sums[s] + smooth * mean) / denom;
    }
    return { enc, mean };
  }
  let ss = 0;
  const means = new Float64Array(nSlots);
  for (let s = 0; s < nSlots; s++) means[s] = sums[s] / cnt[s];
  const ssd = new Float64Array(nSlots);
  for (let i = 0; i < n; i++) {
    if (use && use[i] === 0) continue;
    const d = y[i] - mean;
    ss += d * d;
    const e = y[i] - means[slot[i]];
    ssd[slot[i]] += e * e;
  }
  const variance = count > 0 ? ss / count : 0;
  for (let s = 0; s < nSlots; s++) {
    const lambda = (variance * cnt[s]) / (variance * cnt[s] + ssd[s] / cnt[s]);
    enc[s] = lambda !== lambda ? mean : lambda * means[s] + (1 - lambda) * mean;
  }
  return { enc, mean };
}

/**
 * Seen categories (present rows, sorted; a dictionary that repeats a string counts it once)
 * and each row's slot: the index of its category, or `categories.length` for a missing row.
 */
function slotsOf(column: CategoricalColumn): { categories: string[]; slot: Int32Array; missingSeen: boolean } {
  const n = column.codes.length;
  const D = column.dictionary.length;
  const seen = new Uint8Array(D);
  let missingSeen = false;
  for (let i = 0; i < n; i++) {
    if (categoricalPresent(column, i)) seen[column.codes[i]] = 1;
    else missingSeen = true;
  }
  const categories = [...new Set(column.dictionary.filter((_, k) => seen[k] === 1))].sort(byCodePoint);
  const index = new Map(categories.map((c, j) => [c, j]));
  const canon = column.dictionary.map((s) => index.get(s) ?? -1);
  const slot = new Int32Array(n);
  for (let i = 0; i < n; i++) slot[i] = categoricalPresent(column, i) ? canon[column.codes[i]] : categories.length;
  return { categories, slot, missingSeen };
}

function checkSmooth(smooth: 'auto' | number, what: string): void {
  check(smooth === 'auto' || (typeof smooth === 'number' && Number.isFinite(smooth) && smooth >= 0), `${what}: smooth must be 'auto' or a finite number ≥ 0, got ${String(smooth)}`);
}

/**
 * Fits a target encoder on all rows of a categorical column.
 * Source: scikit-learn 1.3 TargetEncoder `fit` (Micci-Barreca 2001, eqs. 5–7); multiclass
 * one-vs-rest as scikit-learn 1.4. Missing values form a category of their own; categories
 * unseen at fit encode as the target mean.
 * Throws `KernelError('INVALID_INPUT')` for a numeric column, a target of another length,
 * labels out of range, non-finite regression targets or a bad `smooth`.
 */
export function fitTargetEncoder(column: CategoricalColumn, target: EncoderTarget, opts: TargetEncoderOptions = {}): TargetEncoderState {
  checkColumn(column, 'fitTargetEncoder');
  check(isCategorical(column), 'fitTargetEncoder: expected a categorical column (codes + dictionary)');
  const n = column.codes.length;
  checkTarget(target, n, 'fitTargetEncoder');
  const smooth = opts.smooth ?? 'auto';
  checkSmooth(smooth, 'fitTargetEncoder');
  const { categories, slot, missingSeen } = slotsOf(column);
  const ys = outputsOf(target);
  const fits = ys.map((y) => fitSlots(slot, categories.length + 1, y, null, smooth));
  return {
    kind: 'target_encoder',
    version: 1,
    targetType: target.type,
    nOutputs: ys.length,
    smooth,
    categories,
    encodings: fits.map((f) => Array.from(f.enc.subarray(0, categories.length))),
    missingEncoding: missingSeen ? fits.map((f) => f.enc[categories.length]) : null,
    targetMean: fits.map((f) => f.mean),
  };
}

/**
 * Encodes a categorical column with a fitted encoder (categories matched by string).
 * Returns `state.nOutputs` Float64Array [nRows] columns with no missing values.
 * Throws `KernelError('INVALID_INPUT')` for a numeric or malformed column.
 */
export function applyTargetEncoder(column: CategoricalColumn, state: TargetEncoderState): TargetEncodeResult {
  checkColumn(column, 'applyTargetEncoder');
  check(isCategorical(column), 'applyTargetEncoder: expected a categorical column (codes + dictionary)');
  const index = new Map(state.categories.map((c, k) => [c, k]));
  const map = column.dictionary.map((s) => index.get(s) ?? -1);
  const n = column.codes.length;
  const outs = Array.from({ length: state.nOutputs }, () => new Float64Array(n));
  let unknownCount = 0;
  let missingCount = 0;
  for (let i = 0; i < n; i++) {
    if (!categoricalPresent(column, i)) {
      missingCount++;
      for (let o = 0; o < outs.length; o++) outs[o][i] = state.missingEncoding ? state.missingEncoding[o] : state.targetMean[o];
      continue;
    }
    const k = map[column.codes[i]];
    if (k < 0) unknownCount++;
    for (let o = 0; o < outs.length; o++) outs[o][i] = k < 0 ? state.targetMean[o] : state.encodings[o][k];
  }
  return { columns: outs.map((values) => ({ values, valid: null })), unknownCount, missingCount };
}

/**
 * Out-of-fold fold of each row: ⌊rowHash(rowId, seed') · nFolds / 2³²⌋ with seed' a salted
 * `seed`, so it is independent of the train/test split and of CV folds drawn from the same
 * seed, and the same for a row wherever it is read (one task or one shard of many).
 * Returns Int32Array [rowIds.length] of folds 0..nFolds−1.
 */
export function outOfFoldAssignment(rowIds: ArrayLike<number>, nFolds: number, seed: number): Int32Array {
  check(Number.isInteger(nFolds) && nFolds >= 2, `outOfFoldAssignment: nFolds must be an integer ≥ 2, got ${nFolds}`);
  const salted = (seed ^ 0x2545f491) >>> 0;
  const out = new Int32Array(rowIds.length);
  for (let i = 0; i < rowIds.length; i++) out[i] = Math.floor((rowHash(rowIds[i], salted) / 4294967296) * nFolds);
  return out;
}

/**
 * Fits the encoder on all rows and encodes those same rows out of fold (scikit-learn
 * TargetEncoder.fit_transform): row i is encoded by an encoder fitted on the rows of the
 * other folds (their own target mean and variance), so a row's own target never leaks into
 * its encoding. `folds[i]` ∈ 0..nFolds−1 is row i's fold (see `outOfFoldAssignment`). A
 * category absent from the other folds encodes as their target mean.
 * Returns the full-data state (for the test part and prediction) and the out-of-fold columns.
 * Throws `KernelError('INVALID_INPUT')` as `fitTargetEncoder`, or for folds of another length.
 */
export function fitTransformTargetEncoder(
  column: CategoricalColumn,
  target: EncoderTarget,
  folds: Int32Array,
  nFolds: number,
  opts: TargetEncoderOptions = {},
): { state: TargetEncoderState; columns: NumericColumn[] } {
  const state = fitTargetEncoder(column, target, opts);
  const n = column.codes.length;
  check(folds instanceof Int32Array && folds.length === n, `fitTransformTargetEncoder: folds must be an Int32Array of ${n} rows`);
  check(Number.isInteger(nFolds) && nFolds >= 2, `fitTransformTargetEncoder: nFolds must be an integer ≥ 2, got ${nFolds}`);
  for (let i = 0; i < n; i++) check(folds[i] >= 0 && folds[i] < nFolds, `fitTransformTargetEncoder: fold ${folds[i]} at row ${i} is outside 0..${nFolds - 1}`, { row: i });
  const { categories, slot } = slotsOf(column);
  const nSlots = categories.length + 1;
  const ys = outputsOf(target);
  const outs = ys.map(() => new Float64Array(n));
  const use = new Uint8Array(n);
  for (let f = 0; f < nFolds; f++) {
    let inFold = 0;
    for (let i = 0; i < n; i++) {
      use[i] = folds[i] === f ? 0 : 1;
      inFold += 1 - use[i];
    }
    if (inFold === 0) continue;
    const allInFold = inFold === n;
    ys.forEach((y, o) => {
      // Every row in one fold (tiny data): nothing to fit on, so the fold gets the full-data mean.
      const { enc, mean } = allInFold ? { enc: null, mean: state.targetMean[o] } : fitSlots(slot, nSlots, y, use, state.smooth);
      for (let i = 0; i < n; i++) if (use[i] === 0) outs[o][i] = enc ? enc[slot[i]] : mean;
    });
  }
  return { state, columns: outs.map((values) => ({ values, valid: null })) };
}

/** Validates a parsed target-encoder artifact. Throws `KernelError('INVALID_ARTIFACT')`. */
export function targetEncoderFromJSON(json: unknown): TargetEncoderState {
  const j = json as Partial<TargetEncoderState> | null;
  const ok =
    !!j && j.kind === 'target_encoder' && j.version === 1 && typeof j.nOutputs === 'number' && Array.isArray(j.categories) &&
    Array.isArray(j.encodings) && j.encodings.length === j.nOutputs && j.encodings.every((e) => Array.isArray(e) && e.length === j.categories!.length) &&
    Array.isArray(j.targetMean) && j.targetMean.length === j.nOutputs && (j.missingEncoding === null || (Array.isArray(j.missingEncoding) && j.missingEncoding.length === j.nOutputs));
  if (!ok) throw new KernelError('INVALID_ARTIFACT', 'targetEncoderFromJSON: not a saved target encoder (kind "target_encoder", version 1, encodings [nOutputs][categories])');
  return j as TargetEncoderState;
}
