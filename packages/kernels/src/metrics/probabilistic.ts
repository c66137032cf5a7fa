import { check } from '../errors.js';
import type { Labels } from './classification.js';

/** A metric that may be undefined for the input: `value` null and `reason` says why. */
export interface OptionalMetric {
  value: number | null;
  reason: string | null;
}

/** ROC curve points (thresholds descending; thresholds[0] = +Infinity, the (0, 0) point). */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/**
 * Scores layout accepted by roc_auc / log_loss: either [n] (binary: score or probability
 * of class 1) or [n, K] row-major (K = scores.length / n).
 */
function columnsOf(n: number, scores: ArrayLike<number>, what: string): number {
  check(n > 0, `${what}: empty input`);
  check(scores.length % n === 0 && scores.length > 0, `${what}: scores has ${scores.length} values, expected n = ${n} or n*K`);
  return scores.length / n;
}

/** Binary AUC by the rank statistic (Mann–Whitney U with average ranks for ties). */
function binaryAuc(pos: (i: number) => boolean, score: (i: number) => number, n: number): OptionalMetric {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score(a) - score(b));
  let nPos = 0;
  let rankSum = 0;
  for (let s = 0; s < n; ) {
    let e = s;
    while (e + 1 < n && score(order[e + 1]) === score(order[s])) e++;
    const avgRank = (s + e) / 2 + 1;
    for (let q = s; q <= e; q++) {
      if (pos(order[q])) {
        nPos++;
        rankSum += avgRank;
      }
    }
    s = e + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    return { value: null, reason: `ROC AUC is undefined: only one class present in yTrue (${nPos} positive, ${nNeg} negative rows)` };
  }
  return { value: (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg), reason: null };
}

/**
 * Area under the ROC curve. Binary: scores [n] for class 1 (or [n, 2], column 1 used), yTrue
 * in {0, 1}. Multiclass: scores [n, K] probabilities, one-vs-rest macro average over the K
 * classes (scikit-learn `roc_auc_score(multi_class='ovr', average='macro')`).
 * Returns `{value: null, reason}` when undefined (a class absent from yTrue) — never 0.5.
 * Ties in scores are handled as scikit-learn (trapezoids = average ranks).
 * Throws `KernelError('INVALID_INPUT')` on shape errors or labels >= K.
 */
export function roc_auc(yTrue: Labels, scores: ArrayLike<number>): OptionalMetric {
  const n = yTrue.length;
  const k = columnsOf(n, scores, 'roc_auc');
  for (let i = 0; i < n; i++) {
    if (!(Number.isInteger(yTrue[i]) && yTrue[i] >= 0 && yTrue[i] < Math.max(k, 2))) check(false, `roc_auc: yTrue[${i}] = ${yTrue[i]} is not a class index below ${Math.max(k, 2)}`);
  }
  if (k === 1 || k === 2) {
    const col = k === 1 ? 0 : 1;
    return binaryAuc((i) => yTrue[i] === 1, (i) => scores[i * k + col], n);
  }
  let s = 0;
  for (let c = 0; c < k; c++) {
    const r = binaryAuc((i) => yTrue[i] === c, (i) => scores[i * k + c], n);
    if (r.value === null) return { value: null, reason: `one-vs-rest ROC AUC is undefined for class ${c}: ${r.reason}` };
    s += r.value;
  }
  return { value: s / k, reason: null };
}

/**
 * ROC curve of a binary problem: yTrue in {0, 1}, scores [n] for class 1. One point per
 * distinct score (no intermediate points dropped), plus the (0, 0) start at threshold +Infinity.
 * Equal to sklearn.metrics.roc_curve(drop_intermediate=False) except thresholds[0]
 * (scikit-learn 1.2 uses max(score) + 1). Returns null if only one class is present.
 */
export function roc_curve(yTrue: Labels, scores: ArrayLike<number>): RocCurve | null {
  const n = yTrue.length;
  check(scores.length === n && n > 0, `roc_curve: need n = ${n} > 0 scores, got ${scores.length}`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === 1) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let q = 0; q < n; q++) {
    if (yTrue[order[q]] === 1) tp++;
    else fp++;
    if (q + 1 === n || scores[order[q + 1]] !== scores[order[q]]) {
      fpr.push(fp / nNeg);
      tpr.push(tp / nPos);
      thresholds.push(scores[order[q]]);
    }
  }
  return { fpr, tpr, thresholds };
}

/**
 * Mean cross-entropy in nats. proba: [n] probability of class 1 (binary) or [n, K] row-major.
 * Probabilities are clipped to [eps, 1 - eps] (eps default 1e-15) and rows renormalised, as
 * sklearn.metrics.log_loss(eps=1e-15). Throws on shape errors or labels >= K.
 */
export function log_loss(yTrue: Labels, proba: ArrayLike<number>, eps = 1e-15): number {
  const n = yTrue.length;
  const k = columnsOf(n, proba, 'log_loss');
  let s = 0;
  const kk = k === 1 ? 2 : k;
  const row = new Float64Array(kk);
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!(Number.isInteger(y) && y >= 0 && y < kk)) check(false, `log_loss: yTrue[${i}] = ${y} is not a class index below ${kk}`);
    if (k === 1) {
      row[1] = proba[i];
      row[0] = 1 - proba[i];
    } else for (let c = 0; c < k; c++) row[c] = proba[i * k + c];
    let sum = 0;
    for (let c = 0; c < kk; c++) sum += row[c] = Math.min(Math.max(row[c], eps), 1 - eps);
    s -= Math.log(row[y] / sum);
  }
  return s / n;
}

/**
 * Binary average precision: Σ (R_i − R_{i−1}) P_i over distinct score thresholds, descending
 * (tied scores share one threshold). Null with a reason when yTrue has no positive row.
 */
function binaryAp(pos: (i: number) => boolean, score: (i: number) => number, n: number): OptionalMetric {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score(b) - score(a));
  let nPos = 0;
  for (let i = 0; i < n; i++) if (pos(i)) nPos++;
  if (nPos === 0) return { value: null, reason: `average precision is undefined: no positive row in yTrue (${n} negative rows)` };
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let q = 0; q < n; q++) {
    if (pos(order[q])) tp++;
    else fp++;
    if (q + 1 < n && score(order[q + 1]) === score(order[q])) continue;
    const recall = tp / nPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return { value: ap, reason: null };
}

/**
 * Area under the precision–recall curve as average precision (the step-wise sum
 * Σ (R_i − R_{i−1}) P_i over distinct thresholds, no interpolation), in [0, 1].
 * Binary: scores [n] for class 1 (or [n, 2], column 1 used), yTrue in {0, 1}; equals
 * sklearn.metrics.average_precision_score(yTrue, scores). Multiclass: scores [n, K]
 * probabilities, one-vs-rest macro average over the K classes; equals
 * `average_precision_score(label_binarize(yTrue, classes=range(K)), scores, average='macro')`.
 * Returns `{value: null, reason}` when a scored class has no positive row (scikit-learn 1.2
 * warns and returns 0 there instead). Throws `KernelError('INVALID_INPUT')` on shape errors,
 * labels >= K or non-finite scores.
 */
export function average_precision(yTrue: Labels, scores: ArrayLike<number>): OptionalMetric {
  const n = yTrue.length;
  const k = columnsOf(n, scores, 'average_precision');
  for (let i = 0; i < n; i++) {
    if (!(Number.isInteger(yTrue[i]) && yTrue[i] >= 0 && yTrue[i] < Math.max(k, 2))) check(false, `average_precision: yTrue[${i}] = ${yTrue[i]} is not a class index below ${Math.max(k, 2)}`);
  }
  for (let i = 0; i < scores.length; i++) if (!Number.isFinite(scores[i])) check(false, `average_precision: scores[${i}] = ${scores[i]} is not finite`);
  if (k === 1 || k === 2) {
    const col = k === 1 ? 0 : 1;
    return binaryAp((i) => yTrue[i] === 1, (i) => scores[i * k + col], n);
  }
  let s = 0;
  for (let c = 0; c < k; c++) {
    const r = binaryAp((i) => yTrue[i] === c, (i) => scores[i * k + c], n);
    if (r.value === null) return { value: null, reason: `one-vs-rest average precision is undefined for class ${c}: ${r.reason}` };
    s += r.value;
  }
  return { value: s / k, reason: null };
}

/**
 * Reliability diagram data: per non-empty probability bin, ascending. `kind` says what was
 * binned: 'positive_class' = the probability of class 1 against yTrue == 1 (binary);
 * 'top_class' = the top-class confidence max_k p_k against (argmax_k p_k == yTrue)
 * (multiclass; the first maximum wins ties, as numpy.argmax).
 */
export interface CalibrationCurve {
  kind: 'positive_class' | 'top_class';
  /** Uniform bins over [0, 1]; bin b covers (b/nBins, (b+1)/nBins], bin 0 also holds 0. */
  nBins: number;
  /** Bin index (0..nBins-1) of each reported (non-empty) bin, ascending. */
  bin: number[];
  /** Mean predicted probability of the rows in the bin. */
  meanPredicted: number[];
  /** Fraction of those rows that are positive (or correct, for 'top_class'). */
  fractionPositive: number[];
  /** Rows in the bin (≥ 1). */
  count: number[];
}

/** Per-bin sums behind a calibration curve; each array is [nBins]. Sums of several parts add element-wise. */
export interface CalibrationSums {
  /** Rows per bin. */
  count: number[];
  /** Sum of the predicted probabilities of the rows per bin. */
  sumPredicted: number[];
  /** Positive (or correct) rows per bin. */
  positives: number[];
}

/** Default number of calibration bins (scikit-learn's calibration_curve default is 5; 10 is the common reliability diagram). */
export const CALIBRATION_BINS = 10;

/**
 * Uniform bin (0..nBins-1) of a probability p in [0, 1], exactly as
 * `np.searchsorted(np.linspace(0, 1, nBins + 1)[1:-1], p)` in sklearn.calibration_curve
 * (strategy='uniform'): bins are right-closed, (e_b, e_{b+1}] with e_b = b · (1/nBins) in
 * float64, and bin 0 is [0, e_1]. Throws `KernelError('INVALID_INPUT')` if p is not in [0, 1].
 */
export function calibrationBin(p: number, nBins: number = CALIBRATION_BINS): number {
  if (!(p >= 0 && p <= 1)) check(false, `calibration: probability ${p} is outside [0, 1]`);
  const step = 1 / nBins;
  let b = Math.min(nBins - 1, Math.max(0, Math.ceil(p * nBins) - 1));
  while (b > 0 && b * step >= p) b--;
  while (b < nBins - 1 && (b + 1) * step < p) b++;
  return b;
}

/** Empty calibration sums of `nBins` bins. */
export function emptyCalibrationSums(nBins: number = CALIBRATION_BINS): CalibrationSums {
  check(Number.isInteger(nBins) && nBins >= 1, `calibration: nBins must be a positive integer, got ${nBins}`);
  return { count: new Array<number>(nBins).fill(0), sumPredicted: new Array<number>(nBins).fill(0), positives: new Array<number>(nBins).fill(0) };
}

/** Adds one row (probability p in [0, 1], positive or not) to `sums` in place. Throws if p is outside [0, 1]. */
export function addCalibrationRow(sums: CalibrationSums, p: number, positive: boolean): void {
  const b = calibrationBin(p, sums.count.length);
  sums.count[b]++;
  sums.sumPredicted[b] += p;
  if (positive) sums.positives[b]++;
}

/** Index of the first maximum of row i of proba [n, K] row-major (numpy.argmax). */
export function topClass(proba: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
  return best;
}

/** The calibration curve of (possibly merged) per-bin sums; empty bins are left out. */
export function calibrationFromSums(kind: CalibrationCurve['kind'], sums: CalibrationSums): CalibrationCurve {
  const nBins = sums.count.length;
  check(sums.sumPredicted.length === nBins && sums.positives.length === nBins, `calibrationFromSums: arrays of ${nBins}, ${sums.sumPredicted.length} and ${sums.positives.length} bins`);
  const out: CalibrationCurve = { kind, nBins, bin: [], meanPredicted: [], fractionPositive: [], count: [] };
  for (let b = 0; b < nBins; b++) {
    const c = sums.count[b];
    if (!(c > 0)) continue;
    out.bin.push(b);
    out.meanPredicted.push(sums.sumPredicted[b] / c);
    out.fractionPositive.push(sums.positives[b] / c);
    out.count.push(c);
  }
  return out;
}

/**
 * Calibration (reliability) curve with `nBins` uniform bins over [0, 1] (default 10).
 * Binary: proba [n] probability of class 1, or [n, 2] (column 1 used), yTrue in {0, 1};
 * kind 'positive_class', equal to sklearn.calibration.calibration_curve(yTrue, p,
 * n_bins=nBins, strategy='uniform') → (fractionPositive, meanPredicted), plus the bin index
 * and row count of each non-empty bin. Multiclass: proba [n, K] (K > 2); kind 'top_class':
 * the same curve of the top-class confidence against whether the top class is yTrue.
 * Throws `KernelError('INVALID_INPUT')` on shape errors, labels >= K, a probability
 * outside [0, 1] (or NaN), or nBins not a positive integer.
 */
export function calibration_curve(yTrue: Labels, proba: ArrayLike<number>, nBins: number = CALIBRATION_BINS): CalibrationCurve {
  const n = yTrue.length;
  const k = columnsOf(n, proba, 'calibration_curve');
  const kk = Math.max(k, 2);
  const sums = emptyCalibrationSums(nBins);
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!(Number.isInteger(y) && y >= 0 && y < kk)) check(false, `calibration_curve: yTrue[${i}] = ${y} is not a class index below ${kk}`);
    const top = k <= 2 ? k - 1 : topClass(proba, i, k);
    const p = proba[i * k + top];
    if (!(p >= 0 && p <= 1)) check(false, `calibration_curve: probability ${p} at row ${i} is outside [0, 1]`);
    addCalibrationRow(sums, p, k <= 2 ? y === 1 : top === y);
  }
  return calibrationFromSums(k <= 2 ? 'positive_class' : 'top_class', sums);
}
