/**
 * Distributed evaluation. Map: per shard, on its test rows, the confusion counts, summed
 * log loss and score histograms (classification) or residual sums (regression). Reduce:
 * metrics from the merged counts. Accuracy, precision, recall, F1 and log loss are exact;
 * ROC AUC and the ROC curve come from histograms of `BINS` equal-width score bins (ties
 * within a bin count half), within ≈ 1/BINS of the exact value.
 */
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
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    confusion[y * K + yPred[i]!]! += 1;
    let sum = 0;
    for (let c = 0; c < K; c++) sum += Math.min(Math.max(proba[i * K + c]!, EPS), 1 - EPS);
    logLoss -= Math.log(Math.min(Math.max(proba[i * K + y]!, EPS), 1 - EPS) / sum);
    for (const k of classesScored) {
      const b = Math.min(B - 1, Math.floor(proba[i * K + k]! * B));
      vectors[y === k ? `pos_${k}` : `neg_${k}`]![b]! += 1;
    }
  }
  vectors.confusion = confusion;
  return { scalars: { n, logLoss }, vectors };
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
 * Reduce: classification metrics from merged statistics. Binary metrics are for the
 * positive class (`positiveClass`, else the second class), as the single-task evaluator.
 */
export function classificationMetricsFromStats(st: ShardStats, classes: string[], positiveClass?: string): Pick<NodeResult, 'metrics' | 'notes' | 'roc'> {
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
  let precision: number;
  let recall: number;
  let f1: number;
  let auc: number | null;
  let roc: NodeResult['roc'];
  if (K === 2) {
    const pos = positiveClass !== undefined && positiveClass === classes[0] ? 0 : 1;
    const m = prf(pos);
    [precision, recall, f1] = [m.p, m.r, m.f];
    if (m.col === 0) notes.precision = 'no positive predictions: precision is undefined and reported as 0';
    if (m.col === 0 || m.row === 0) notes.f1 = m.col === 0 ? 'no positive predictions: F1 reported as 0' : 'no positive rows in the test part: F1 reported as 0';
    // Scores are P(class 1); for positive class 0 swap roles (AUC is unchanged, the curve mirrors).
    const h1 = st.vectors?.pos_1 ?? [];
    const h0 = st.vectors?.neg_1 ?? [];
    const a = pos === 1 ? aucOf(h1, h0) : aucOf([...h0].reverse(), [...h1].reverse());
    auc = a.auc;
    if (a.auc !== null) roc = { fpr: a.fpr, tpr: a.tpr };
    else notes.roc_auc = 'only one class is present in the test part: ROC AUC is undefined';
  } else {
    const ms = Array.from({ length: K }, (_, k) => prf(k));
    precision = ms.reduce((a, m) => a + m.p, 0) / K;
    recall = ms.reduce((a, m) => a + m.r, 0) / K;
    f1 = ms.reduce((a, m) => a + m.f, 0) / K;
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
  }
  const matrix = Array.from({ length: K }, (_, t) => Array.from({ length: K }, (_, p) => cell(t, p)));
  const metrics: Metrics = { accuracy: n ? correct / n : 0, precision, recall, f1, roc_auc: auc, log_loss: n ? (st.scalars?.logLoss ?? 0) / n : null, confusion_matrix: matrix };
  return { metrics, ...(Object.keys(notes).length ? { notes } : {}), ...(roc ? { roc } : {}) };
}

/** Reduce: r2, rmse, mae from merged residual sums. */
export function regressionMetricsFromStats(st: ShardStats): Metrics {
  const s = st.scalars ?? {};
  const n = s.n ?? 0;
  if (!n) return { r2: null, rmse: null, mae: null };
  const sst = (s.syy ?? 0) - ((s.sy ?? 0) * (s.sy ?? 0)) / n;
  return { r2: sst > 0 ? 1 - (s.sse ?? 0) / sst : 0, rmse: Math.sqrt((s.sse ?? 0) / n), mae: (s.sae ?? 0) / n };
}
