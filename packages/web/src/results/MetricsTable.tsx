/** Scalar metrics of a node, with the reason beside any that is undefined. */
import type { NodeResult } from '../api/types';
import { fmtNum } from '../ui/format';

const NAMES: Record<string, string> = {
  accuracy: 'Accuracy',
  balanced_accuracy: 'Balanced accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  precision_macro: 'Precision (macro)',
  recall_macro: 'Recall (macro)',
  f1_macro: 'F1 (macro)',
  precision_weighted: 'Precision (weighted)',
  recall_weighted: 'Recall (weighted)',
  f1_weighted: 'F1 (weighted)',
  roc_auc: 'ROC AUC',
  pr_auc: 'PR AUC (average precision)',
  log_loss: 'Log loss',
  r2: 'R²',
  rmse: 'RMSE',
  mae: 'MAE',
  inertia: 'Inertia (Σ squared distance to centre)',
  inertia_per_row: 'Inertia per row',
  adjusted_rand: 'Adjusted Rand index (vs target)',
  silhouette: 'Silhouette score',
  train_loss: 'Final training loss',
  train_seconds: 'Training time (s)',
  features: 'Features',
};

export function MetricsTable({ result, label = 'Metrics' }: { result: NodeResult; label?: string }) {
  const rows = Object.entries(result.metrics ?? {}).filter(([, v]) => !Array.isArray(v));
  if (rows.length === 0) return null;
  return (
    <table className="table metrics-table" aria-label={label}>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k} data-metric={k}>
            <th scope="row">{NAMES[k] ?? k.replace(/_/g, ' ')}</th>
            <td className="num">
              <strong>{fmtNum(v, 4)}</strong>
              {v === null && result.notes?.[k] && <span className="muted small"> {result.notes[k]}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
