import * as assert from 'node:assert/strict';
import { accuracy, averagedScoresFromConfusion, balanced_accuracy, confusion_matrix, f1, precision, recall } from './classification.js';
import { average_precision, calibrationBin, calibration_curve, log_loss, roc_auc, roc_curve } from './probabilistic.js';
import { mae, r2, rmse } from './regression.js';
import { classificationMetrics } from './report.js';
import { fixture } from '../testing/helpers.js';
import { adjusted_rand_score, silhouette_score } from './clustering.js';

/*
 * Reference values for balanced accuracy, macro/weighted P/R/F1, average precision and
 * calibration bins: scikit-learn 1.2.1, numpy 1.24.2, python 3.11 (Debian python3-sklearn),
 * run from the repository root with /usr/bin/python3 (CI has no python, so the values are
 * recorded here):
 *
 *   import json, numpy as np
 *   from sklearn import metrics as M
 *   from sklearn.calibration import calibration_curve
 *   from sklearn.preprocessing import label_binarize
 *   f = json.load(open('packages/kernels/fixtures/metrics.json'))
 *   def cal(y, p, n_bins=10):
 *       prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy='uniform')
 *       ids = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], p)
 *       cnt = np.bincount(ids, minlength=n_bins)
 *       return dict(bin=np.nonzero(cnt)[0].tolist(), mean_predicted=prob_pred.tolist(), fraction_positive=prob_true.tolist(), count=cnt[cnt > 0].tolist())
 *   def prf(yt, yp):
 *       return {f'{m}_{a}': getattr(M, f'{m}_score')(yt, yp, average=a, zero_division=0) for m in ('precision', 'recall', 'f1') for a in ('macro', 'weighted')}
 *   b = f['binary']; yt, yp, s = np.array(b['y_true']), np.array(b['y_pred']), np.array(b['scores'])
 *   out = {'binary': dict(balanced_accuracy=M.balanced_accuracy_score(yt, yp), **prf(yt, yp), average_precision=M.average_precision_score(yt, s), calibration=cal(yt, s))}
 *   ty = np.array(TIES_Y); tp = np.array(TIES_P)   # the arrays below
 *   out['ties'] = dict(average_precision=M.average_precision_score(ty, tp), calibration=cal(ty, tp), calibration_5=cal(ty, tp, 5))
 *   m = f['multiclass']; yt, yp, P = np.array(m['y_true']), np.array(m['y_pred']), np.array(m['proba'])
 *   conf = P.max(1)
 *   out['multiclass'] = dict(balanced_accuracy=M.balanced_accuracy_score(yt, yp), **prf(yt, yp),
 *       average_precision_ovr_macro=M.average_precision_score(label_binarize(yt, classes=[0, 1, 2]), P, average='macro'),
 *       calibration_top_class=cal((P.argmax(1) == yt).astype(int), conf),
 *       calibration_top_class_vs_y_pred=cal((P.argmax(1) == yp).astype(int), conf))
 *   out['absent'] = dict(balanced_accuracy=M.balanced_accuracy_score(ABSENT_T, ABSENT_P), **prf(ABSENT_T, ABSENT_P))
 *   print(json.dumps(out, indent=1))
 */
const TIES_Y = [0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1];
/** Ties and probabilities on the edges of the uniform 10-bin grid (0, 0.1, 0.3, 0.5, 0.6, 0.7, 0.9, 1). */
const TIES_P = [0.0, 0.1, 0.1, 0.3, 0.3, 0.5, 0.5, 0.7, 0.7, 0.9, 1.0, 0.35, 0.85, 0.2, 0.6, 0.6];
/** A label (2) only predicted, never true. */
const ABSENT_T = [0, 0, 1, 1, 1];
const ABSENT_P = [0, 2, 1, 1, 0];
const SK = {
  binary: {
    balanced_accuracy: 0.6571428571428571,
    precision_macro: 0.6571428571428571,
    precision_weighted: 0.6666666666666666,
    recall_macro: 0.6571428571428571,
    recall_weighted: 0.6666666666666666,
    f1_macro: 0.6571428571428571,
    f1_weighted: 0.6666666666666666,
    average_precision: 0.9095238095238094,
    calibration: {
      bin: [0, 1, 2, 3, 5, 6, 7, 8, 9],
      mean_predicted: [0.1, 0.2, 0.3, 0.35, 0.575, 0.7, 0.8, 0.9, 0.99],
      fraction_positive: [0.0, 0.0, 1.0, 0.5, 0.0, 1.0, 1.0, 1.0, 1.0],
      count: [1, 1, 1, 2, 2, 1, 2, 1, 1],
    },
  },
  ties: {
    average_precision: 0.6257902591235924,
    calibration: {
      bin: [0, 1, 2, 3, 4, 5, 6, 8, 9],
      mean_predicted: [0.06666666666666667, 0.2, 0.3, 0.35, 0.5, 0.6, 0.7, 0.875, 1.0],
      fraction_positive: [0.6666666666666666, 1.0, 0.5, 0.0, 0.5, 0.5, 0.5, 0.5, 1.0],
      count: [3, 1, 2, 1, 2, 2, 2, 2, 1],
    },
    calibration_5: {
      bin: [0, 1, 2, 3, 4],
      mean_predicted: [0.1, 0.31666666666666665, 0.55, 0.7, 0.9166666666666666],
      fraction_positive: [0.75, 0.3333333333333333, 0.5, 0.5, 0.6666666666666666],
      count: [4, 3, 4, 2, 3],
    },
  },
  multiclass: {
    balanced_accuracy: 0.6944444444444443,
    precision_macro: 0.75,
    precision_weighted: 0.75,
    recall_macro: 0.6944444444444443,
    recall_weighted: 0.7,
    f1_macro: 0.7071428571428572,
    f1_weighted: 0.7114285714285715,
    average_precision_ovr_macro: 0.9833333333333334,
    calibration_top_class: {
      bin: [4, 5, 7],
      mean_predicted: [0.4485165738310667, 0.5260078318196996, 0.7297387551548407],
      fraction_positive: [1.0, 1.0, 1.0],
      count: [2, 7, 1],
    },
    calibration_top_class_vs_y_pred: {
      bin: [4, 5, 7],
      mean_predicted: [0.4485165738310667, 0.5260078318196996, 0.7297387551548407],
      fraction_positive: [1.0, 0.5714285714285714, 1.0],
      count: [2, 7, 1],
    },
  },
  absent: {
    balanced_accuracy: 0.5833333333333333,
    precision_macro: 0.5,
    precision_weighted: 0.8,
    recall_macro: 0.38888888888888884,
    recall_weighted: 0.6,
    f1_macro: 0.43333333333333335,
    f1_weighted: 0.68,
  },
};

const close = (a: number | null, b: number, tol = 1e-9, what = '') => {
  assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs sklearn ${b}`);
};

describe('kernels/metrics vs scikit-learn', () => {
  const f = fixture('metrics.json');

  it('binary classification metrics', () => {
    const b = f.binary;
    close(accuracy(b.y_true, b.y_pred), b.accuracy, 1e-12, 'accuracy');
    close(precision(b.y_true, b.y_pred), b.precision, 1e-12, 'precision');
    close(recall(b.y_true, b.y_pred), b.recall, 1e-12, 'recall');
    close(f1(b.y_true, b.y_pred), b.f1, 1e-12, 'f1');
    close(roc_auc(b.y_true, b.scores).value, b.roc_auc, 1e-12, 'roc_auc');
    close(log_loss(b.y_true, b.scores), b.log_loss, 1e-12, 'log_loss');
    close(log_loss([0, 1, 1], [0, 1, 0]), b.log_loss_extreme, 1e-9, 'log_loss clipped');
    assert.deepEqual(confusion_matrix(b.y_true, b.y_pred), b.confusion_matrix);
  });

  it('ROC curve points (sklearn drop_intermediate=False)', () => {
    const b = f.binary;
    const c = roc_curve(b.y_true, b.scores)!;
    assert.deepEqual(c.fpr.map((v) => +v.toFixed(12)), b.roc_curve.fpr.map((v: number) => +v.toFixed(12)));
    assert.deepEqual(c.tpr.map((v) => +v.toFixed(12)), b.roc_curve.tpr.map((v: number) => +v.toFixed(12)));
    assert.deepEqual(c.thresholds.slice(1), b.roc_curve.thresholds_from_1);
    assert.equal(c.thresholds[0], Infinity);
  });

  it('multiclass macro metrics, OvR AUC, log loss', () => {
    const m = f.multiclass;
    const proba = (m.proba as number[][]).flat();
    close(accuracy(m.y_true, m.y_pred), m.accuracy, 1e-12, 'accuracy');
    close(precision(m.y_true, m.y_pred), m.precision_macro, 1e-12, 'precision');
    close(recall(m.y_true, m.y_pred), m.recall_macro, 1e-12, 'recall');
    close(f1(m.y_true, m.y_pred), m.f1_macro, 1e-12, 'f1');
    close(roc_auc(m.y_true, proba).value, m.roc_auc_ovr_macro, 1e-12, 'roc_auc');
    close(log_loss(m.y_true, proba), m.log_loss, 1e-12, 'log_loss');
    assert.deepEqual(confusion_matrix(m.y_true, m.y_pred), m.confusion_matrix);
  });

  it('balanced accuracy and macro / weighted precision, recall, F1', () => {
    const b = f.binary;
    const m = f.multiclass;
    const scalars = (o: object) => o as Record<string, number>;
    const cases: Array<[string, number[], number[], Record<string, number>]> = [
      ['binary', b.y_true, b.y_pred, scalars(SK.binary)],
      ['multiclass', m.y_true, m.y_pred, scalars(SK.multiclass)],
      ['label only predicted', ABSENT_T, ABSENT_P, SK.absent],
    ];
    for (const [name, yt, yp, ref] of cases) {
      close(balanced_accuracy(yt, yp), ref.balanced_accuracy, 1e-12, `${name} balanced_accuracy`);
      for (const average of ['macro', 'weighted'] as const) {
        close(precision(yt, yp, { average }), ref[`precision_${average}`], 1e-12, `${name} precision_${average}`);
        close(recall(yt, yp, { average }), ref[`recall_${average}`], 1e-12, `${name} recall_${average}`);
        close(f1(yt, yp, { average }), ref[`f1_${average}`], 1e-12, `${name} f1_${average}`);
      }
      // The same figures from the confusion matrix alone (what distributed evaluation has);
      // a 4th class with no rows at all is left out, as scikit-learn's labels=None.
      const fromCm = averagedScoresFromConfusion(confusion_matrix(yt, yp, 4)) as unknown as Record<string, number>;
      for (const k of Object.keys(fromCm)) close(fromCm[k], ref[k], 1e-12, `${name} ${k} from the confusion matrix`);
    }
    assert.throws(() => averagedScoresFromConfusion([[0, 0], [0, 0]]), /INVALID_INPUT.*no rows/);
    assert.throws(() => averagedScoresFromConfusion([[1, 0], [0]]), /INVALID_INPUT/);
    assert.throws(() => precision([0, 1], [0, 1], { average: 'micro' as 'macro' }), /INVALID_INPUT.*unknown average/);
  });

  it('PR AUC (average precision): binary, ties, one-vs-rest macro', () => {
    const b = f.binary;
    close(average_precision(b.y_true, b.scores).value, SK.binary.average_precision, 1e-12, 'binary AP');
    close(average_precision(b.y_true, (b.scores as number[]).flatMap((p) => [1 - p, p])).value, SK.binary.average_precision, 1e-12, 'binary AP, [n, 2]');
    close(average_precision(TIES_Y, TIES_P).value, SK.ties.average_precision, 1e-12, 'AP with ties');
    const m = f.multiclass;
    close(average_precision(m.y_true, (m.proba as number[][]).flat()).value, SK.multiclass.average_precision_ovr_macro, 1e-12, 'OvR macro AP');
  });

  it('PR AUC is null with a reason without positive rows; rejects non-finite scores', () => {
    const r = average_precision([0, 0, 0], [0.2, 0.5, 0.9]);
    assert.equal(r.value, null);
    assert.match(r.reason!, /no positive row/);
    const m = average_precision([0, 1, 0], [0.5, 0.3, 0.2, 0.1, 0.8, 0.1, 0.6, 0.2, 0.2]);
    assert.equal(m.value, null);
    assert.match(m.reason!, /class 2/);
    assert.throws(() => average_precision([0, 1], [0.1, NaN]), /INVALID_INPUT.*not finite/);
  });

  it('calibration bins equal sklearn calibration_curve(strategy="uniform"), with counts', () => {
    const same = (got: ReturnType<typeof calibration_curve>, ref: { bin: number[]; mean_predicted: number[]; fraction_positive: number[]; count: number[] }, what: string) => {
      assert.deepEqual(got.bin, ref.bin, `${what} bins`);
      assert.deepEqual(got.count, ref.count, `${what} counts`);
      got.meanPredicted.forEach((v, i) => close(v, ref.mean_predicted[i]!, 1e-12, `${what} meanPredicted[${i}]`));
      got.fractionPositive.forEach((v, i) => close(v, ref.fraction_positive[i]!, 1e-12, `${what} fractionPositive[${i}]`));
    };
    const b = f.binary;
    const c = calibration_curve(b.y_true, b.scores);
    assert.equal(c.kind, 'positive_class');
    assert.equal(c.nBins, 10);
    same(c, SK.binary.calibration, 'binary');
    same(calibration_curve(b.y_true, (b.scores as number[]).flatMap((p) => [1 - p, p])), SK.binary.calibration, 'binary [n, 2]');
    same(calibration_curve(TIES_Y, TIES_P), SK.ties.calibration, 'bin edges');
    same(calibration_curve(TIES_Y, TIES_P, 5), SK.ties.calibration_5, 'bin edges, 5 bins');
    const m = f.multiclass;
    const proba = (m.proba as number[][]).flat();
    const top = calibration_curve(m.y_true, proba);
    assert.equal(top.kind, 'top_class');
    same(top, SK.multiclass.calibration_top_class, 'top class');
    same(calibration_curve(m.y_pred, proba), SK.multiclass.calibration_top_class_vs_y_pred, 'top class vs y_pred');
  });

  it('calibration bins are right-closed on the float64 grid and reject bad input', () => {
    // np.searchsorted(np.linspace(0, 1, 11)[1:-1], p): 0.3 <= 0.30000000000000004 falls in bin 2.
    assert.deepEqual([0, 0.1, 0.1000001, 0.3, 0.5, 0.7, 0.9, 0.95, 1].map((p) => calibrationBin(p, 10)), [0, 0, 1, 2, 4, 6, 8, 9, 9]);
    assert.throws(() => calibration_curve([0, 1], [0.2, 1.5]), /INVALID_INPUT.*row 1 is outside \[0, 1\]/);
    assert.throws(() => calibration_curve([0, 1], [0.2, NaN]), /INVALID_INPUT/);
    assert.throws(() => calibration_curve([0, 2], [0.2, 0.5]), /INVALID_INPUT.*not a class index/);
    assert.throws(() => calibration_curve([0, 1], [0.2, 0.5], 0), /INVALID_INPUT.*nBins/);
  });

  it('regression metrics', () => {
    const r = f.regression;
    close(rmse(r.y_true, r.y_pred), r.rmse, 1e-12, 'rmse');
    close(mae(r.y_true, r.y_pred), r.mae, 1e-12, 'mae');
    close(r2(r.y_true, r.y_pred), r.r2, 1e-12, 'r2');
    assert.equal(r2([2, 2, 2], [2, 2, 2]), 1);
    assert.equal(r2([2, 2, 2], [2, 3, 2]), 0);
  });

  it('ROC AUC is null with a reason when only one class is present (never 0.5)', () => {
    const r = roc_auc([1, 1, 1], [0.2, 0.5, 0.9]);
    assert.equal(r.value, null);
    assert.match(r.reason!, /only one class/);
    const m = roc_auc([0, 1, 0], [0.5, 0.3, 0.2, 0.1, 0.8, 0.1, 0.6, 0.2, 0.2]);
    assert.equal(m.value, null);
    assert.match(m.reason!, /class 2/);
    assert.equal(roc_curve([0, 0], [0.1, 0.2]), null);
  });

  it('confusion matrix is always K×K', () => {
    assert.deepEqual(confusion_matrix([0, 0], [0, 0], 3), [[2, 0, 0], [0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(confusion_matrix([0, 0], [0, 0]), [[2, 0], [0, 0]]);
    assert.throws(() => confusion_matrix([0, 3], [0, 0], 3), /INVALID_INPUT/);
  });

  it('classificationMetrics bundles everything', () => {
    const b = f.binary;
    const proba = (b.scores as number[]).flatMap((p) => [1 - p, p]);
    const all = classificationMetrics(b.y_true, b.y_pred, proba, 2);
    close(all.roc_auc, b.roc_auc, 1e-12, 'roc_auc');
    close(all.f1, b.f1, 1e-12, 'f1');
    assert.ok(all.roc_curve && all.roc_curve.fpr.length > 2);
    close(all.balanced_accuracy, SK.binary.balanced_accuracy, 1e-12, 'balanced_accuracy');
    close(all.f1_weighted, SK.binary.f1_weighted, 1e-12, 'f1_weighted');
    close(all.precision_macro, SK.binary.precision_macro, 1e-12, 'precision_macro');
    close(all.pr_auc, SK.binary.average_precision, 1e-12, 'pr_auc');
    assert.equal(all.pr_auc_reason, null);
    assert.deepEqual(all.calibration?.count, SK.binary.calibration.count);
    assert.equal(all.calibration_reason, null);
    const m = f.multiclass;
    const mc = classificationMetrics(m.y_true, m.y_pred, (m.proba as number[][]).flat(), 3);
    close(mc.recall_weighted, SK.multiclass.recall_weighted, 1e-12, 'multiclass recall_weighted');
    close(mc.pr_auc, SK.multiclass.average_precision_ovr_macro, 1e-12, 'multiclass pr_auc');
    assert.equal(mc.calibration?.kind, 'top_class');
    // A probability outside [0, 1] leaves calibration null with the reason, not a throw.
    const bad = classificationMetrics([0, 1], [0, 1], [0.9, 0.1, -0.5, 1.5], 2);
    assert.equal(bad.calibration, null);
    assert.match(bad.calibration_reason!, /outside \[0, 1\]/);
  });

  it('rejects mismatched lengths', () => {
    assert.throws(() => accuracy([0, 1], [0]), /INVALID_INPUT/);
    assert.throws(() => rmse([], []), /INVALID_INPUT/);
  });
});

describe('kernels/metrics clustering', () => {
  it('silhouette_score: hand-computed values, singleton rule, relabelling invariance', () => {
    // Points 0, 1 | 10, 11 on a line: a = 1, b = 10.5 (ends) or 9.5 (inner rows).
    const X = [0, 1, 10, 11];
    const want = (2 * (1 - 1 / 10.5) + 2 * (1 - 1 / 9.5)) / 4;
    assert.ok(Math.abs(silhouette_score(X, 4, 1, [0, 0, 1, 1]) - want) < 1e-12);
    assert.ok(Math.abs(silhouette_score(X, 4, 1, [7, 7, 3, 3]) - want) < 1e-12);
    // Row 0 alone scores 0; rows 1..3: a = mean to own cluster, b = distance to row 0.
    const a1 = (9 + 10) / 2, b1 = 1;
    const a2 = (9 + 1) / 2, b2 = 10;
    const a3 = (10 + 1) / 2, b3 = 11;
    const manual = (0 + (b1 - a1) / Math.max(a1, b1) + (b2 - a2) / Math.max(a2, b2) + (b3 - a3) / Math.max(a3, b3)) / 4;
    assert.ok(Math.abs(silhouette_score(X, 4, 1, [0, 1, 1, 1]) - manual) < 1e-12);
    assert.throws(() => silhouette_score(X, 4, 1, [0, 0, 0, 0]), /INVALID_INPUT/);
    assert.throws(() => silhouette_score(X, 4, 1, [0, 1]), /INVALID_INPUT/);
  });

  it('adjusted_rand_score: 1 for a relabelling, ≤ 0 for an independent split', () => {
    assert.equal(adjusted_rand_score([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9]), 1);
    assert.ok(adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) <= 0);
  });
});
