/**
 * Distributed evaluation. Map: per shard, on its test rows, the confusion counts, summed
 * log loss, score histograms and calibration sums (classification) or residual sums
 * (regression). Reduce: metrics from the merged counts.
 *
 * | metric | from | exact? |
 * |---|---|---|
 * | accuracy, balanced_accuracy, precision/recall/f1 (binary, `_macro`, `_weighted`) | confusion counts | exact |
 * | log_loss | summed per-row losses | exact (up to float summation order) |
 * | calibration bins | per-bin count, Σ probability, positives (`cal_*` vectors) | exact (same bins as the kernel) |
 * | roc_auc, ROC curve | histograms of `binsFor(K)` equal-width score bins (ties within a bin count half) | within ≈ 1/bins |
 * | pr_auc, PR curve | the same histograms (rows sharing a bin are one threshold) | approximate |
 */
import { addCalibrationRow, averagedScoresFromConfusion, calibrationFromSums, emptyCalibrationSums, topClass, CALIBRATION_BINS } from '@weft/kernels';
import type { CalibrationSums } from '@weft/kernels';
import type { Metrics, NodeResult, ShardStats } from '@weft/proto';

/** Score histogram bins per class (binary: 4096; multiclass one-vs-rest: 512 per class). */
export const binsFor = (K: number) => (K === 2 ? 4096 : 512);
const EPS = 1e-15;

/** Map: classification statistics of the test rows. proba: [n, K] row-major. */
export function classificationEvalStats(yTrue: Int32Array, yPred: Int32Array, proba: Float64Array, K: number): Pick<ShardStats, 'scalars' | 'vectors'> {
  const n = yTrue.length;
  const B = binsFor(K);
  const confusion = new Array<number>(K * K).fill(0);
  let logLoss = 0;
  const vectors: Record<string, number[]> = {};
  const classesScored = K === 2 ? [1] : Array.from({ length: K }, (_, k) => k);
  for (const k of classesScored) {
    vectors[`pos_${k}`] = new Array<number>(B).fill(0);
    vectors[`neg_${k}`] = new Array<number>(B).fill(0);
  }
  // Calibration sums: binary both orientations (P(class 1) vs y = 1 and P(class 0) vs y = 0,
  // so the reduce can honour positiveClass exactly); multiclass the top-class confidence.
  const calKeys = K === 2 ? ['1', '0'] : ['top'];
  const cal = new Map<string, CalibrationSums>(calKeys.map((k) => [k, emptyCalibrationSums(CALIBRATION_BINS)]));
  const calInvalid = new Map<string, number>(calKeys.map((k) => [k, 0]));
  const addCal = (key: string, p: number, positive: boolean) => {
    if (p >= 0 && p <= 1) addCalibrationRow(cal.get(key)!, p, positive);
    else calInvalid.set(key, calInvalid.get(key)! + 1);
  };
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    confusion[y * K + yPred[i]!]! += 1;
    if (K === 2) {
      addCal('1', proba[2 * i + 1]!, y === 1);
      addCal('0', proba[2 * i]!, y === 0);
    } else {
      const top = topClass(proba, i, K);
      addCal('top', proba[i * K + top]!, top === y);
    }
    let sum = 0;
    for (let c = 0; c < K; c++) sum += Math.min(Math.max(proba[i * K + c]!, EPS), 1 - EPS);
    logLoss -= Math.log(Math.min(Math.max(proba[i * K + y]!, EPS), 1 - EPS) / sum);
    for (const k of classesScored) {
      const b = Math.min(B - 1, Math.floor(proba[i * K + k]! * B));
      vectors[y === k ? `pos_${k}` : `neg_${k}`]![b]! += 1;
    }
  }
  vectors.confusion = confusion;
  const scalars: Record<string, number> = { n, logLoss };
  for (const [key, sums] of cal) {
    vectors[`cal_count_${key}`] = sums.count;
    vectors[`cal_sum_${key}`] = sums.sumPredicted;
    vectors[`cal_pos_${key}`] = sums.positives;
    scalars[`cal_invalid_${key}`] = calInvalid.get(key)!;
  }
  return { scalars, vectors };
}

/** Map: regression residual sums of the test rows. */
export function regressionEvalStats(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): Pick<ShardStats, 'scalars'> {
  let sse = 0;
  let sae = 0;
  let sy = 0;
  let syy = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const r = yTrue[i]! - yPred[i]!;
    sse += r * r;
    sae += Math.abs(r);
    sy += yTrue[i]!;
    syy += yTrue[i]! * yTrue[i]!;
  }
  return { scalars: { n: yTrue.length, sse, sae, sy, syy } };
}

/** AUC and ROC points from positive/negative score histograms (bins ascending in score). */
function aucOf(pos: number[], neg: number[]): { auc: number | null; fpr: number[]; tpr: number[] } {
  const P = pos.reduce((a, b) => a + b, 0);
  const N = neg.reduce((a, b) => a + b, 0);
  if (P === 0 || N === 0) return { auc: null, fpr: [], tpr: [] };
  let negBelow = 0;
  let s = 0;
  for (let b = 0; b < pos.length; b++) {
    s += pos[b]! * (negBelow + 0.5 * neg[b]!);
    negBelow += neg[b]!;
  }
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let b = pos.length - 1; b >= 0; b--) {
    if (!pos[b] && !neg[b]) continue;
    tp += pos[b]!;
    fp += neg[b]!;
    fpr.push(fp / N);
    tpr.push(tp / P);
  }
  const keep = Math.max(1, Math.ceil(fpr.length / 256));
  const idx = fpr.map((_, i) => i).filter((i) => i % keep === 0 || i === fpr.length - 1);
  return { auc: s / (P * N), fpr: idx.map((i) => fpr[i]!), tpr: idx.map((i) => tpr[i]!) };
}

/**
 * Average precision and PR curve points from positive/negative score histograms (bins
 * ascending in score): each non-empty bin is one threshold, taken from the top bin down.
 * Null without positive rows.
 */
function apOf(pos: number[], neg: number[]): { ap: number | null; precision: number[]; recall: number[] } {
  const P = pos.reduce((a, b) => a + b, 0);
  if (P === 0) return { ap: null, precision: [], recall: [] };
  const precision = [1];
  const recall = [0];
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let b = pos.length - 1; b >= 0; b--) {
    if (!pos[b] && !neg[b]) continue;
    tp += pos[b]!;
    fp += neg[b] ?? 0;
    const r = tp / P;
    const p = tp / (tp + fp);
    ap += (r - recall[recall.length - 1]!) * p;
    precision.push(p);
    recall.push(r);
  }
  const keep = Math.max(1, Math.ceil(recall.length / 256));
  const idx = recall.map((_, i) => i).filter((i) => i % keep === 0 || i === recall.length - 1);
  return { ap, precision: idx.map((i) => precision[i]!), recall: idx.map((i) => recall[i]!) };
}

/** Calibration bins from merged `cal_*_<key>` sums, or the reason there are none. */
function calibrationOf(st: ShardStats, key: string, kind: 'positive_class' | 'top_class'): { calibration?: NodeResult['calibration']; reason?: string } {
  const count = st.vectors?.[`cal_count_${key}`];
  const sumPredicted = st.vectors?.[`cal_sum_${key}`];
  const positives = st.vectors?.[`cal_pos_${key}`];
  if (!count || !sumPredicted || !positives) return {};
  const invalid = st.scalars?.[`cal_invalid_${key}`] ?? 0;
  if (invalid > 0) return { reason: `${invalid} test row(s) have a predicted probability outside [0, 1]: no calibration bins` };
  return { calibration: calibrationFromSums(kind, { count, sumPredicted, positives }) };
}

/**
 * Reduce: classification metrics from merged statistics. Binary metrics are for the
 * positive class (`positiveClass`, else the second class), as the single-task evaluator;
 * the metric names, notes and plot fields are those of `evaluateClassification`.
 */
export function classificationMetricsFromStats(st: ShardStats, classes: string[], positiveClass?: string): Pick<NodeResult, 'metrics' | 'notes' | 'roc' | 'pr' | 'calibration'> {
  const K = classes.length;
  const conf = st.vectors?.confusion ?? new Array<number>(K * K).fill(0);
  const n = st.scalars?.n ?? 0;
  const cell = (t: number, p: number) => conf[t * K + p]!;
  let correct = 0;
  for (let k = 0; k < K; k++) correct += cell(k, k);
  const prf = (k: number) => {
    let col = 0;
    let row = 0;
    for (let j = 0; j < K; j++) {
      col += cell(j, k);
      row += cell(k, j);
    }
    const p = col ? cell(k, k) / col : 0;
    const r = row ? cell(k, k) / row : 0;
    return { p, r, f: p + r ? (2 * p * r) / (p + r) : 0, col, row };
  };
  const notes: Record<string, string> = {};
  const avg = averagedScoresFromConfusionOrZero(conf, K);
  let precision: number;
  let recall: number;
  let f1: number;
  let auc: number | null;
  let ap: number | null;
  let roc: NodeResult['roc'];
  let pr: NodeResult['pr'];
  let cal: ReturnType<typeof calibrationOf>;
  if (K === 2) {
    const pos = positiveClass !== undefined && positiveClass === classes[0] ? 0 : 1;
    const m = prf(pos);
    [precision, recall, f1] = [m.p, m.r, m.f];
    if (m.col === 0) notes.precision = 'no positive predictions: precision is undefined and reported as 0';
    if (m.col === 0 || m.row === 0) notes.f1 = m.col === 0 ? 'no positive predictions: F1 reported as 0' : 'no positive rows in the test part: F1 reported as 0';
    // Scores are P(class 1); for positive class 0 swap roles (AUC is unchanged, the curve mirrors).
    const h1 = st.vectors?.pos_1 ?? [];
    const h0 = st.vectors?.neg_1 ?? [];
    const [hp, hn] = pos === 1 ? [h1, h0] : [[...h0].reverse(), [...h1].reverse()];
    const a = aucOf(hp, hn);
    auc = a.auc;
    if (a.auc !== null) roc = { fpr: a.fpr, tpr: a.tpr };
    else notes.roc_auc = 'only one class is present in the test part: ROC AUC is undefined';
    const c = apOf(hp, hn);
    ap = c.ap;
    if (c.ap !== null) pr = { precision: c.precision, recall: c.recall };
    else notes.pr_auc = 'no positive rows in the test part: PR AUC (average precision) is undefined';
    cal = calibrationOf(st, String(pos), 'positive_class');
  } else {
    [precision, recall, f1] = [avg.precision_macro, avg.recall_macro, avg.f1_macro];
    let s = 0;
    auc = 0;
    for (let k = 0; k < K && auc !== null; k++) {
      const a = aucOf(st.vectors?.[`pos_${k}`] ?? [], st.vectors?.[`neg_${k}`] ?? []);
      if (a.auc === null) {
        auc = null;
        notes.roc_auc = `one-vs-rest ROC AUC is undefined for class ${k}: only one class is present`;
      } else s += a.auc;
    }
    if (auc !== null) auc = s / K;
    s = 0;
    ap = 0;
    for (let k = 0; k < K && ap !== null; k++) {
      const c = apOf(st.vectors?.[`pos_${k}`] ?? [], st.vectors?.[`neg_${k}`] ?? []);
      if (c.ap === null) {
        ap = null;
        notes.pr_auc = `one-vs-rest PR AUC (average precision) is undefined for class ${k}: it has no rows in the test part`;
      } else s += c.ap;
    }
    if (ap !== null) ap = s / K;
    cal = calibrationOf(st, 'top', 'top_class');
  }
  if (cal.reason) notes.calibration = cal.reason;
  const matrix = Array.from({ length: K }, (_, t) => Array.from({ length: K }, (_, p) => cell(t, p)));
  const metrics: Metrics = {
    accuracy: n ? correct / n : 0,
    balanced_accuracy: avg.balanced_accuracy,
    precision,
    recall,
    f1,
    precision_macro: avg.precision_macro,
    recall_macro: avg.recall_macro,
    f1_macro: avg.f1_macro,
    precision_weighted: avg.precision_weighted,
    recall_weighted: avg.recall_weighted,
    f1_weighted: avg.f1_weighted,
    roc_auc: auc,
    pr_auc: ap,
    log_loss: n ? (st.scalars?.logLoss ?? 0) / n : null,
    confusion_matrix: matrix,
  };
  return {
    metrics,
    ...(Object.keys(notes).length ? { notes } : {}),
    ...(roc ? { roc } : {}),
    ...(pr ? { pr } : {}),
    ...(cal.calibration ? { calibration: cal.calibration } : {}),
  };
}

/** `averagedScoresFromConfusion` of a flat K×K confusion vector; all 0 when it counts no rows. */
function averagedScoresFromConfusionOrZero(conf: number[], K: number) {
  const rows = Array.from({ length: K }, (_, t) => conf.slice(t * K, (t + 1) * K));
  if (conf.every((v) => v === 0)) {
    return { balanced_accuracy: 0, precision_macro: 0, recall_macro: 0, f1_macro: 0, precision_weighted: 0, recall_weighted: 0, f1_weighted: 0 };
  }
  return averagedScoresFromConfusion(rows);
}

/** Reduce: r2, rmse, mae from merged residual sums. */
export function regressionMetricsFromStats(st: ShardStats): Metrics {
  const s = st.scalars ?? {};
  const n = s.n ?? 0;
  if (!n) return { r2: null, rmse: null, mae: null };
  const sst = (s.syy ?? 0) - ((s.sy ?? 0) * (s.sy ?? 0)) / n;
  return { r2: sst > 0 ? 1 - (s.sse ?? 0) / sst : 0, rmse: Math.sqrt((s.sse ?? 0) / n), mae: (s.sae ?? 0) / n };
}
