/**
 * Charts drawn with recharts: ROC and precision–recall (binary classification), calibration
 * (reliability diagram), training loss per epoch, residuals vs predicted (regression) and a
 * model's feature importances.
 */
import { Bar, BarChart, CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { NodeResult } from '../api/types';
import { fmtNum } from '../ui/format';

export function RocChart({ fpr, tpr, auc }: { fpr: number[]; tpr: number[]; auc?: number | null | undefined }) {
  const data = fpr.map((x, i) => ({ fpr: x, tpr: tpr[i] ?? 0 }));
  return (
    <figure className="chart-figure" aria-label="ROC curve">
      <figcaption>ROC curve{typeof auc === 'number' ? ` · AUC ${fmtNum(auc, 3)}` : ''}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis dataKey="fpr" type="number" domain={[0, 1]} tickCount={6} tick={{ fontSize: 11 }} label={{ value: 'false positive rate', position: 'insideBottom', offset: -10, fontSize: 11 }} />
          <YAxis type="number" domain={[0, 1]} tickCount={6} tick={{ fontSize: 11 }} width={36} />
          <Tooltip formatter={(v) => fmtNum(Number(v), 3)} labelFormatter={(l) => `FPR ${fmtNum(Number(l), 3)}`} />
          <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="var(--muted)" strokeDasharray="4 4" />
          <Line type="stepAfter" dataKey="tpr" name="TPR" stroke="var(--chart-1)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Average precision of a precision–recall curve (step-wise, as scikit-learn's average_precision_score). */
export function averagePrecision(precision: number[], recall: number[]): number {
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i]! - recall[i - 1]!) * (precision[i] ?? 0);
  return ap;
}

/** `ap`: the evaluator's pr_auc (exact); without it, the AP of the (possibly thinned) curve. */
export function PrChart({ precision, recall, ap }: { precision: number[]; recall: number[]; ap?: number | null | undefined }) {
  const data = recall.map((r, i) => ({ recall: r, precision: precision[i] ?? 0 }));
  return (
    <figure className="chart-figure" aria-label="Precision-recall curve">
      <figcaption>Precision–recall curve · AP {fmtNum(typeof ap === 'number' ? ap : averagePrecision(precision, recall), 3)}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis dataKey="recall" type="number" domain={[0, 1]} tickCount={6} tick={{ fontSize: 11 }} label={{ value: 'recall', position: 'insideBottom', offset: -10, fontSize: 11 }} />
          <YAxis type="number" domain={[0, 1]} tickCount={6} tick={{ fontSize: 11 }} width={36} />
          <Tooltip formatter={(v) => fmtNum(Number(v), 3)} labelFormatter={(l) => `recall ${fmtNum(Number(l), 3)}`} />
          <Line type="stepBefore" dataKey="precision" name="precision" stroke="var(--chart-2)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/**
 * Reliability diagram: observed fraction of positives (or of right top-class predictions)
 * against the mean predicted probability, one dot per non-empty bin; the diagonal is perfect
 * calibration.
 */
export function CalibrationChart({ calibration }: { calibration: NonNullable<NodeResult['calibration']> }) {
  const c = calibration;
  const data = c.bin.map((b, i) => ({ bin: b, predicted: c.meanPredicted[i] ?? 0, observed: c.fractionPositive[i] ?? 0, rows: c.count[i] ?? 0 }));
  const what = c.kind === 'top_class' ? 'top-class confidence' : 'predicted probability';
  return (
    <figure className="chart-figure" aria-label="Calibration curve">
      <figcaption>
        Calibration · {c.nBins} bins of {what}
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis dataKey="predicted" type="number" domain={[0, 1]} tickCount={6} tick={{ fontSize: 11 }} label={{ value: `mean ${what}`, position: 'insideBottom', offset: -10, fontSize: 11 }} />
          <YAxis type="number" domain={[0, 1]} tickCount={6} tick={{ fontSize: 11 }} width={36} />
          <Tooltip
            formatter={(v, n) => [fmtNum(Number(v), 3), String(n)]}
            labelFormatter={(l, p) => `predicted ${fmtNum(Number(l), 3)} · ${(p?.[0]?.payload as { rows?: number } | undefined)?.rows ?? 0} rows`}
          />
          <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="var(--muted)" strokeDasharray="4 4" />
          <Line type="linear" dataKey="observed" name={c.kind === 'top_class' ? 'fraction right' : 'fraction positive'} stroke="var(--chart-3)" strokeWidth={2} dot isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function LossChart({ loss }: { loss: number[] }) {
  const data = loss.map((v, i) => ({ epoch: i + 1, loss: v }));
  return (
    <figure className="chart-figure" aria-label="Training loss curve">
      <figcaption>Training loss per epoch · final {fmtNum(loss[loss.length - 1], 4)}</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} label={{ value: 'epoch', position: 'insideBottom', offset: -10, fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={48} tickFormatter={(v: number) => fmtNum(v, 2)} domain={['auto', 'auto']} />
          <Tooltip formatter={(v) => [fmtNum(Number(v), 5), 'loss']} labelFormatter={(l) => `epoch ${l}`} />
          <Line type="monotone" dataKey="loss" stroke="var(--chart-3)" strokeWidth={2} dot={loss.length < 30} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Residual (actual − predicted) against the prediction, one dot per sampled test row. */
export function ResidualsChart({ predicted, residual, rowsTest }: { predicted: number[]; residual: number[]; rowsTest?: number | undefined }) {
  const data = predicted.map((p, i) => ({ predicted: p, residual: residual[i] ?? 0 }));
  const sampled = rowsTest !== undefined && rowsTest > data.length;
  return (
    <figure className="chart-figure" aria-label="Residuals vs predicted">
      <figcaption>
        Residuals vs predicted · {data.length} {sampled ? `of ${rowsTest} ` : ''}test rows
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <ScatterChart margin={{ top: 8, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" />
          <XAxis dataKey="predicted" type="number" name="predicted" domain={['auto', 'auto']} tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmtNum(v, 1)} label={{ value: 'predicted', position: 'insideBottom', offset: -10, fontSize: 11 }} />
          <YAxis dataKey="residual" type="number" name="residual" domain={['auto', 'auto']} tick={{ fontSize: 11 }} width={56} tickFormatter={(v: number) => fmtNum(v, 1)} label={{ value: 'actual − predicted', angle: -90, position: 'insideLeft', offset: 10, dy: 50, fontSize: 11 }} />
          <Tooltip cursor={{ strokeDasharray: '3 3' }} formatter={(v, n) => [fmtNum(Number(v), 3), String(n)]} />
          <ReferenceLine y={0} stroke="var(--muted)" strokeDasharray="4 4" />
          <Scatter data={data} name="test rows" fill="var(--chart-1)" fillOpacity={0.6} isAnimationActive={false} shape="circle" />
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** A model's feature importances, largest first (at most `top` features). */
export function FeatureImportanceChart({ names, values, top = 20 }: { names: string[]; values: number[]; top?: number }) {
  const all = names.map((name, i) => ({ name, value: values[i] ?? 0 })).filter((d) => Number.isFinite(d.value));
  const data = all.sort((a, b) => b.value - a.value || a.name.localeCompare(b.name)).slice(0, top);
  const height = Math.max(120, data.length * 20 + 36);
  return (
    <figure className="chart-figure" aria-label="Feature importance">
      <figcaption>
        Feature importance{all.length > data.length ? ` · top ${data.length} of ${all.length}` : ''}
      </figcaption>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid stroke="var(--grid)" horizontal={false} />
          <XAxis type="number" domain={[0, 'auto']} tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmtNum(v, 2)} />
          <YAxis type="category" dataKey="name" width={110} interval={0} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => [fmtNum(Number(v), 4), 'importance']} />
          <Bar dataKey="value" name="importance" fill="var(--chart-2, var(--chart-1))" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Rows per cluster (k-means): one bar per cluster id, in id order. */
export function ClusterSizesChart({ sizes, part }: { sizes: number[]; /** Which rows were counted, e.g. "train" or "test". */ part: string }) {
  const data = sizes.map((rows, c) => ({ cluster: String(c), rows }));
  return (
    <figure className="chart-figure" aria-label="Cluster sizes">
      <figcaption>
        Cluster sizes · {part} rows · {sizes.length} clusters
      </figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <BarChart data={data} margin={{ top: 4, right: 16, bottom: 16, left: 4 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="cluster" tick={{ fontSize: 11 }} label={{ value: 'cluster', position: 'insideBottom', offset: -8, fontSize: 11 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => [String(v), 'rows']} labelFormatter={(l) => `cluster ${String(l)}`} />
          <Bar dataKey="rows" name="rows" fill="var(--chart-1)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
