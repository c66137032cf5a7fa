import { accuracy, averagedScoresFromConfusion, confusion_matrix, f1, precision, recall } from './classification.js';
import { average_precision, calibration_curve, CalibrationCurve, log_loss, OptionalMetric, roc_auc, roc_curve, RocCurve } from './probabilistic.js';
import { mae, r2, rmse } from './regression.js';
import { check, KernelError } from '../errors.js';

/** All classification metrics at once (names match the individual functions). */
export interface ClassificationMetrics {
  accuracy: number;
  /** Mean recall over the classes present in yTrue. */
  balanced_accuracy: number;
  /** Binary: of class 1; multiclass: macro average. */
  precision: number;
  recall: number;
  f1: number;
  /** Unweighted means over the labels present in yTrue or yPred (binary problems too). */
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  /** Means weighted by true-row support (recall_weighted equals accuracy). */
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
  roc_auc: number | null;
  /** Why roc_auc is null, else null. */
  roc_auc_reason: string | null;
  /** Average precision (binary: of class 1; multiclass: one-vs-rest macro). */
  pr_auc: number | null;
  /** Why pr_auc is null, else null. */
  pr_auc_reason: string | null;
  log_loss: number;
  confusion_matrix: number[][];
  /** Binary problems only (class 1 scores); null otherwise or when undefined. */
  roc_curve: RocCurve | null;
  /** Reliability bins (10 uniform): class 1 (binary) or top-class confidence (multiclass); null when a probability is outside [0, 1]. */
  calibration: CalibrationCurve | null;
  /** Why calibration is null, else null. */
  calibration_reason: string | null;
}

/**
 * Evaluates a classifier: yTrue, yPred Int32Array [n]; proba Float64Array [n, nClasses]
 * row-major (as `LogisticRegression.predictProba`). Binary (nClasses == 2) metrics are for
 * class 1; multiclass precision/recall/f1 are macro averages and roc_auc / pr_auc are
 * one-vs-rest macro. The `_macro` / `_weighted` averages and balanced_accuracy are computed
 * from the confusion matrix (`averagedScoresFromConfusion`), as distributed evaluation does.
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
  const cm = confusion_matrix(yTrue, yPred, nClasses);
  let ap: OptionalMetric;
  try {
    ap = average_precision(yTrue, proba);
  } catch (err) {
    if (!(err instanceof KernelError)) throw err;
    ap = { value: null, reason: err.message.replace(/^INVALID_INPUT: /, '') };
  }
  let calibration: CalibrationCurve | null = null;
  let calibrationReason: string | null = null;
  try {
    calibration = calibration_curve(yTrue, proba);
  } catch (err) {
    if (!(err instanceof KernelError)) throw err;
    calibrationReason = err.message.replace(/^INVALID_INPUT: /, '');
  }
  return {
    accuracy: accuracy(yTrue, yPred),
    ...averagedScoresFromConfusion(cm),
    precision: precision(yTrue, yPred, { average }),
    recall: recall(yTrue, yPred, { average }),
    f1: f1(yTrue, yPred, { average }),
    roc_auc: auc.value,
    roc_auc_reason: auc.reason,
    pr_auc: ap.value,
    pr_auc_reason: ap.reason,
    log_loss: log_loss(yTrue, proba),
    confusion_matrix: cm,
    roc_curve: curve,
    calibration,
    calibration_reason: calibrationReason,
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
