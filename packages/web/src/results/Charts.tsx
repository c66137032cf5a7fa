/** Curves drawn with recharts: ROC (binary classification) and training loss per epoch. */
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
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
