import { check } from '../errors.js';

/** Integer labels 0..K-1 (Int32Array or any array-like of integers). */
export type Labels = ArrayLike<number>;

/** Options shared by precision / recall / f1. */
export interface AverageOptions {
  /**
   * 'binary': score of the positive class 1 (default when every label is 0 or 1);
   * 'macro': unweighted mean over the labels present in yTrue or yPred (default otherwise),
   * as scikit-learn's `average='macro'`;
   * 'weighted': mean over the same labels weighted by their number of true rows (support),
   * as scikit-learn's `average='weighted'` (a label only predicted has weight 0).
   */
  average?: 'binary' | 'macro' | 'weighted';
}

function checkPair(yTrue: Labels, yPred: Labels, what: string): void {
  check(yTrue.length === yPred.length, `${what}: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  check(yTrue.length > 0, `${what}: empty input`);
  for (let i = 0; i < yTrue.length; i++) {
    if (!(Number.isInteger(yTrue[i]) && yTrue[i] >= 0)) check(false, `${what}: yTrue[${i}] = ${yTrue[i]} is not a class index`);
    if (!(Number.isInteger(yPred[i]) && yPred[i] >= 0)) check(false, `${what}: yPred[${i}] = ${yPred[i]} is not a class index`);
  }
}

/**
 * Fraction of rows with yPred == yTrue, in [0, 1]. Source: sklearn.metrics.accuracy_score.
 * Throws `KernelError('INVALID_INPUT')` on length mismatch, empty input or non-integer labels.
 */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkPair(yTrue, yPred, 'accuracy');
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

/**
 * Confusion matrix C (always nClasses × nClasses, number[][]): C[t][p] = rows with true
 * class t predicted as p. nClasses defaults to max(label) + 1 (at least 2).
 * Source: sklearn.metrics.confusion_matrix. Throws if a label is >= nClasses.
 */
export function confusion_matrix(yTrue: Labels, yPred: Labels, nClasses?: number): number[][] {
  checkPair(yTrue, yPred, 'confusion_matrix');
  let k = nClasses ?? 2;
  if (nClasses === undefined) for (let i = 0; i < yTrue.length; i++) k = Math.max(k, yTrue[i] + 1, yPred[i] + 1);
  check(Number.isInteger(k) && k >= 1, `confusion_matrix: nClasses must be a positive integer, got ${k}`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    check(yTrue[i] < k && yPred[i] < k, `confusion_matrix: label ${Math.max(yTrue[i], yPred[i])} at row ${i} is >= nClasses = ${k}`);
    m[yTrue[i]][yPred[i]]++;
  }
  return m;
}

interface Counts {
  labels: number[];
  tp: Map<number, number>;
  predicted: Map<number, number>;
  actual: Map<number, number>;
  binary: boolean;
}

function counts(yTrue: Labels, yPred: Labels, what: string): Counts {
  checkPair(yTrue, yPred, what);
  const tp = new Map<number, number>();
  const predicted = new Map<number, number>();
  const actual = new Map<number, number>();
  const inc = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < yTrue.length; i++) {
    inc(actual, yTrue[i]);
    inc(predicted, yPred[i]);
    if (yTrue[i] === yPred[i]) inc(tp, yTrue[i]);
  }
  const labels = [...new Set([...actual.keys(), ...predicted.keys()])].sort((a, b) => a - b);
  return { labels, tp, predicted, actual, binary: labels.every((l) => l <= 1) };
}

type PerClass = (tp: number, predicted: number, actual: number) => number;

function averaged(yTrue: Labels, yPred: Labels, opts: AverageOptions, what: string, score: PerClass): number {
  const c = counts(yTrue, yPred, what);
  const average = opts.average ?? (c.binary ? 'binary' : 'macro');
  if (average === 'binary') {
    check(c.binary, `${what}: average 'binary' needs labels 0/1 only; got labels ${c.labels.join(', ')} (use average 'macro')`);
    return score(c.tp.get(1) ?? 0, c.predicted.get(1) ?? 0, c.actual.get(1) ?? 0);
  }
  check(average === 'macro' || average === 'weighted', `${what}: unknown average '${String(average)}'`);
  let s = 0;
  let w = 0;
  for (const l of c.labels) {
    const a = c.actual.get(l) ?? 0;
    const weight = average === 'macro' ? 1 : a;
    s += weight * score(c.tp.get(l) ?? 0, c.predicted.get(l) ?? 0, a);
    w += weight;
  }
  return s / w;
}

const div = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Precision tp / (tp + fp) — of the positive class 1 (binary), macro- or weighted-averaged.
 * 0 when nothing is predicted positive (scikit-learn's zero_division=0 behaviour).
 * Source: sklearn.metrics.precision_score.
 */
export function precision(yTrue: Labels, yPred: Labels, opts: AverageOptions = {}): number {
  return averaged(yTrue, yPred, opts, 'precision', (tp, p) => div(tp, p));
}

/**
 * Recall tp / (tp + fn), binary (class 1), macro or weighted; 0 when a class has no true rows.
 * Weighted recall equals accuracy. Source: sklearn.metrics.recall_score.
 */
export function recall(yTrue: Labels, yPred: Labels, opts: AverageOptions = {}): number {
  return averaged(yTrue, yPred, opts, 'recall', (tp, _p, a) => div(tp, a));
}

/**
 * F1 = 2 tp / (2 tp + fp + fn), binary (class 1), macro (mean of per-class F1, as
 * scikit-learn) or weighted (by support); 0 when undefined. Source: sklearn.metrics.f1_score.
 */
export function f1(yTrue: Labels, yPred: Labels, opts: AverageOptions = {}): number {
  return averaged(yTrue, yPred, opts, 'f1', (tp, p, a) => div(2 * tp, p + a));
}

/**
 * Balanced accuracy: the mean recall over the classes present in yTrue, in [0, 1] (classes
 * only predicted are left out, as scikit-learn, which warns). Source:
 * sklearn.metrics.balanced_accuracy_score(adjusted=False).
 * Throws `KernelError('INVALID_INPUT')` on length mismatch, empty input or non-integer labels.
 */
export function balanced_accuracy(yTrue: Labels, yPred: Labels): number {
  const c = counts(yTrue, yPred, 'balanced_accuracy');
  let s = 0;
  for (const [l, a] of c.actual) s += (c.tp.get(l) ?? 0) / a;
  return s / c.actual.size;
}

/** Averaged scores of a confusion matrix (see `averagedScoresFromConfusion`). */
export interface AveragedScores {
  balanced_accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
}

/**
 * Balanced accuracy and macro / weighted precision, recall and F1 from a K×K confusion
 * matrix C (C[t][p] = rows of true class t predicted p; counts, not necessarily integers).
 * Labels with neither true nor predicted rows are left out, so the values equal
 * `balanced_accuracy`, `precision(…, {average: 'macro' | 'weighted'})` etc. on the rows the
 * matrix counts (scikit-learn's labels=None, zero_division=0). Used where only merged counts
 * exist (distributed evaluation). Throws `KernelError('INVALID_INPUT')` if C is not square,
 * has a negative or non-finite cell, or counts no rows.
 */
export function averagedScoresFromConfusion(cm: ArrayLike<ArrayLike<number>>): AveragedScores {
  const k = cm.length;
  let n = 0;
  for (let t = 0; t < k; t++) {
    check(cm[t].length === k, `averagedScoresFromConfusion: row ${t} has ${cm[t].length} cells, expected ${k}`);
    for (let p = 0; p < k; p++) {
      const v = cm[t][p];
      if (!(Number.isFinite(v) && v >= 0)) check(false, `averagedScoresFromConfusion: cell [${t}][${p}] = ${v} is not a count`);
      n += v;
    }
  }
  check(n > 0, 'averagedScoresFromConfusion: the matrix counts no rows');
  const sum = { pm: 0, rm: 0, fm: 0, pw: 0, rw: 0, fw: 0, bal: 0 };
  let labels = 0;
  let present = 0;
  for (let l = 0; l < k; l++) {
    let actual = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      actual += cm[l][j];
      predicted += cm[j][l];
    }
    if (actual === 0 && predicted === 0) continue;
    const tp = cm[l][l];
    const p = div(tp, predicted);
    const r = div(tp, actual);
    const f = div(2 * tp, predicted + actual);
    labels++;
    sum.pm += p;
    sum.rm += r;
    sum.fm += f;
    sum.pw += actual * p;
    sum.rw += actual * r;
    sum.fw += actual * f;
    if (actual > 0) {
      present++;
      sum.bal += r;
    }
  }
  return {
    balanced_accuracy: sum.bal / present,
    precision_macro: sum.pm / labels,
    recall_macro: sum.rm / labels,
    f1_macro: sum.fm / labels,
    precision_weighted: sum.pw / n,
    recall_weighted: sum.rw / n,
    f1_weighted: sum.fw / n,
  };
}
