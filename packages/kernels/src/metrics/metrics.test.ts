import * as assert from 'node:assert/strict';
import { accuracy, confusion_matrix, f1, precision, recall } from './classification.js';
import { log_loss, roc_auc, roc_curve } from './probabilistic.js';
import { mae, r2, rmse } from './regression.js';
import { classificationMetrics } from './report.js';
import { fixture } from '../testing/helpers.js';

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
  });

  it('rejects mismatched lengths', () => {
    assert.throws(() => accuracy([0, 1], [0]), /INVALID_INPUT/);
    assert.throws(() => rmse([], []), /INVALID_INPUT/);
  });
});
