/**
 * Everything one node produced: metrics, confusion matrix, ROC curve, training loss,
 * precision–recall curve, calibration (reliability) bins, residuals vs predicted (regression), cluster sizes (k-means), feature importance (tree
 * models), and a note on the plots a result does not have.
 */
import type { NodeResult } from '../api/types';
import { Badge } from '../ui/kit';
import { fmtDuration } from '../ui/format';
import { CalibrationChart, ClusterSizesChart, FeatureImportanceChart, LossChart, PrChart, ResidualsChart, RocChart } from './Charts';
import { ConfusionMatrix } from './ConfusionMatrix';
import { MetricsTable } from './MetricsTable';

export function ResultsView({ result, lossCurve, title }: { result: NodeResult; /** Loss of the model feeding an evaluator. */ lossCurve?: number[] | undefined; title?: string }) {
  const cm = result.metrics?.confusion_matrix;
  const loss = result.lossCurve ?? lossCurve;
  const isRegression = typeof result.metrics?.r2 === 'number' || typeof result.metrics?.rmse === 'number';
  const isClustering = Boolean(result.clusterSizes) || typeof result.metrics?.inertia === 'number';
  const isEvaluation = Boolean(cm) || isRegression || (isClustering && !result.modelId);
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
      {result.pr && result.pr.recall.length > 1 && <PrChart precision={result.pr.precision} recall={result.pr.recall} ap={result.metrics?.pr_auc as number | null | undefined} />}
      {result.calibration && result.calibration.bin.length > 0 && <CalibrationChart calibration={result.calibration} />}
      {loss && loss.length > 1 && <LossChart loss={loss} />}
      {result.residuals && result.residuals.predicted.length > 0 && <ResidualsChart predicted={result.residuals.predicted} residual={result.residuals.residual} rowsTest={result.rowsTest} />}
      {result.clusterSizes && result.clusterSizes.length > 0 && <ClusterSizesChart sizes={result.clusterSizes} part={result.modelId ? 'train' : 'test'} />}
      {result.featureImportances && result.featureImportances.names.length > 0 && <FeatureImportanceChart names={result.featureImportances.names} values={result.featureImportances.values} />}
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
      {isEvaluation && !isRegression && !isClustering && !result.roc && <p className="muted small unavailable">ROC and precision–recall curves are drawn for binary targets only.</p>}
      {isRegression && !result.residuals && <p className="muted small unavailable">Residuals were not reported for this run.</p>}
      {!result.metrics && !loss && !cm && !result.featureImportances && <p className="muted small">This node reports no metrics.</p>}
    </div>
  );
}
