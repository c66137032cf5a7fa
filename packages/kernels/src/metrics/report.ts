import { accuracy, confusion_matrix, f1, precision, recall } from './classification.js';
import { log_loss, roc_auc, roc_curve, RocCurve } from './probabilistic.js';
import { mae, r2, rmse } from './regression.js';
import { check } from '../errors.js';

/** All classification metrics at once (names match the individual functions). */
export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number | null;
  /** Why roc_auc is null, else null. */
  roc_auc_reason: string | null;
  log_loss: number;
  confusion_matrix: number[][];
  /** Binary problems only (class 1 scores); null otherwise or when undefined. */
  roc_curve: RocCurve | null;
}

/**
 * Evaluates a classifier: yTrue, yPred Int32Array [n]; proba Float64Array [n, nClasses]
 * row-major (as `LogisticRegression.predictProba`). Binary (nClasses == 2) metrics are for
 * class 1; multiclass precision/recall/f1 are macro averages and roc_auc is one-vs-rest macro.
 */
export function classificationMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, proba: ArrayLike<number>, nClasses: number): ClassificationMetrics {
  check(proba.length === yTrue.length * nClasses, `classificationMetrics: proba has ${proba.length} values, expected n*nClasses = ${yTrue.length}*${nClasses}`);
  const average = nClasses === 2 ? 'binary' : 'macro';
  const auc = roc_auc(yTrue, proba);
  let curve: RocCurve | null = null;
  if (nClasses === 2) {
    const p1 = new Float64Array(yTrue.length);
    for (let i = 0; i < p1.length; i++) p1[i] = proba[2 * i + 1];
    curve = roc_curve(yTrue, p1);
  }
  return {
    accuracy: accuracy(yTrue, yPred),
    precision: precision(yTrue, yPred, { average }),
    recall: recall(yTrue, yPred, { average }),
    f1: f1(yTrue, yPred, { average }),
    roc_auc: auc.value,
    roc_auc_reason: auc.reason,
    log_loss: log_loss(yTrue, proba),
    confusion_matrix: confusion_matrix(yTrue, yPred, nClasses),
    roc_curve: curve,
  };
}

/** All regression metrics at once, in units of y (r2 unitless). */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/** Evaluates a regressor on yTrue, yPred [n]. */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2(yTrue, yPred) };
}
