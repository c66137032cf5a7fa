/**
 * Everything one node produced: metrics, confusion matrix, ROC curve, training loss, and a
 * note on the plots the api does not report yet.
 */
import type { NodeResult } from '../api/types';
import { Badge } from '../ui/kit';
import { fmtDuration } from '../ui/format';
import { LossChart, RocChart } from './Charts';
import { ConfusionMatrix } from './ConfusionMatrix';
import { MetricsTable } from './MetricsTable';

export function ResultsView({ result, lossCurve, title }: { result: NodeResult; /** Loss of the model feeding an evaluator. */ lossCurve?: number[] | undefined; title?: string }) {
  const cm = result.metrics?.confusion_matrix;
  const loss = result.lossCurve ?? lossCurve;
  const isRegression = typeof result.metrics?.r2 === 'number' || typeof result.metrics?.rmse === 'number';
  const isEvaluation = Boolean(cm) || isRegression;
  return (
    <div className="results" aria-label={title ?? 'Results'}>
      <div className="results-meta">
        {result.rowsTrain !== undefined && <Badge>train {result.rowsTrain} rows</Badge>}
        {result.rowsTest !== undefined && <Badge>test {result.rowsTest} rows</Badge>}
        {result.durationMs !== undefined && <Badge>{fmtDuration(result.durationMs)}</Badge>}
        {result.modelId && <Badge tone="primary" title={result.modelId}>model {result.modelId.slice(0, 14)}…</Badge>}
      </div>
      <MetricsTable result={result} label={title ? `Metrics of ${title}` : 'Metrics'} />
      {Array.isArray(cm) && <ConfusionMatrix matrix={cm as number[][]} classes={result.classes} />}
      {result.roc && <RocChart fpr={result.roc.fpr} tpr={result.roc.tpr} auc={result.metrics?.roc_auc as number | null | undefined} />}
      {loss && loss.length > 1 && <LossChart loss={loss} />}
      {result.warnings && result.warnings.length > 0 && (
        <ul className="note note-warning">
          {result.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {result.notes && Object.keys(result.notes).length > 0 && (
        <ul className="muted small notes">
          {Object.entries(result.notes).map(([k, v]) => (
            <li key={k}>
              <strong>{k}</strong>: {v}
            </li>
          ))}
        </ul>
      )}
      {isEvaluation && (
        <p className="muted small unavailable">
          {isRegression ? 'Residuals-vs-predicted' : 'Precision–recall curve'} and feature importance are not reported by the api yet.
          {!result.roc && !isRegression && ' The ROC curve is drawn for binary targets only.'}
        </p>
      )}
      {!result.metrics && !loss && !cm && <p className="muted small">This node reports no metrics.</p>}
    </div>
  );
}
