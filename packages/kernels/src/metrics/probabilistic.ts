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
