import { check } from '../errors.js';
import { accuracy } from '../metrics/classification.js';
import { r2 } from '../metrics/regression.js';
import { Rng } from '../models/rng.js';

/** Options for `permutationImportance`. */
export interface PermutationImportanceOptions {
  /** Shuffles per feature (default 5). */
  nRepeats?: number;
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /** Score, higher is better (default: accuracy when y is an Int32Array, else R²). */
  scoring?: (yTrue: ArrayLike<number>, yPred: ArrayLike<number>) => number;
}

/** Result of `permutationImportance`; importances are drops in score (may be negative). */
export interface PermutationImportanceResult {
  /** Score on the unshuffled data. */
  baseline: number;
  /** Float64Array [nFeatures]: mean over repeats of baseline − shuffled score. */
  importancesMean: Float64Array;
  /** Float64Array [nFeatures]: population standard deviation over repeats. */
  importancesStd: Float64Array;
  /** Float64Array [nFeatures, nRepeats]. */
  importances: Float64Array;
}

/**
 * Model-agnostic permutation feature importance (Breiman 2001; scikit-learn's
 * `sklearn.inspection.permutation_importance`): for every feature, shuffle its column
 * `nRepeats` times (seeded) and record how much the score drops. `predict` is any fitted
 * model's predict (X Float32Array [nRows, nFeatures] -> labels or values). X is not modified.
 */
export function permutationImportance(
  predict: (X: Float32Array, nRows: number) => ArrayLike<number>,
  X: Float32Array, nRows: number, nFeatures: number, y: ArrayLike<number>, opts: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  check(X.length === nRows * nFeatures, `permutationImportance: X has ${X.length} values, expected ${nRows}*${nFeatures}`);
  check(y.length === nRows && nRows >= 2, `permutationImportance: y must have nRows (>= 2) values`);
  const nRepeats = opts.nRepeats ?? 5;
  check(Number.isInteger(nRepeats) && nRepeats >= 1, `permutationImportance: nRepeats must be a positive integer`);
  const scoring = opts.scoring ?? (y instanceof Int32Array ? accuracy : r2);
  const rng = new Rng(opts.seed ?? 0);
  const baseline = scoring(y, predict(X, nRows));
  const Xp = Float32Array.from(X);
  const d = nFeatures;
  const imps = new Float64Array(d * nRepeats);
  const perm = new Int32Array(nRows);
  for (let f = 0; f < d; f++) {
    for (let r = 0; r < nRepeats; r++) {
      for (let i = 0; i < nRows; i++) perm[i] = i;
      for (let i = nRows - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      for (let i = 0; i < nRows; i++) Xp[i * d + f] = X[perm[i] * d + f];
      imps[f * nRepeats + r] = baseline - scoring(y, predict(Xp, nRows));
    }
    for (let i = 0; i < nRows; i++) Xp[i * d + f] = X[i * d + f];
  }
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    let s = 0;
    for (let r = 0; r < nRepeats; r++) s += imps[f * nRepeats + r];
    mean[f] = s / nRepeats;
    let v = 0;
    for (let r = 0; r < nRepeats; r++) v += (imps[f * nRepeats + r] - mean[f]) ** 2;
    std[f] = Math.sqrt(v / nRepeats);
  }
  return { baseline, importancesMean: mean, importancesStd: std, importances: imps };
}
