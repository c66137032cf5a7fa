/** Pearson correlations between numeric columns as a diverging heatmap (−1 blue … +1 red). */
import type { DatasetDoc } from '../api/types';

function color(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'var(--surface-2)';
  const a = Math.min(1, Math.abs(v));
  // Interpolate from white to the end colour of the sign.
  const [r, g, b] = v >= 0 ? [220, 38, 38] : [37, 99, 235];
  const mix = (c: number) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

export function CorrelationHeatmap({ dataset }: { dataset: DatasetDoc }) {
  const corr = dataset.profile.correlations;
  if (!corr || corr.columns.length < 2) return <p className="muted">Correlations need at least two numeric columns.</p>;
  const n = corr.columns.length;
  const showValues = n <= 14;
  return (
    <div className="heatmap-wrap">
      <div
        className={`heatmap ${n <= 6 ? 'heatmap-few' : ''}`}
        role="table"
        aria-label="Correlation heatmap"
        style={{ gridTemplateColumns: `minmax(120px, max-content) repeat(${n}, ${n <= 6 ? 'minmax(72px, 110px)' : 'minmax(40px, 64px)'})` }}
      >
        <div role="row" className="heatmap-row">
          <span role="columnheader" />
          {corr.columns.map((c) => (
            <span key={c} role="columnheader" className="heatmap-col" title={c}>
              <span>{c}</span>
            </span>
          ))}
        </div>
        {corr.columns.map((row, i) => (
          <div role="row" key={row} className="heatmap-row">
            <span role="rowheader" className="heatmap-rowhead ellipsis" title={row}>
              {row}
            </span>
            {corr.matrix[i]!.map((v, j) => (
              <span
                key={j}
                role="cell"
                className="heatmap-cell"
                style={{ background: color(v), color: v !== null && Math.abs(v) > 0.6 ? '#fff' : 'var(--text)' }}
                title={`${row} × ${corr.columns[j]}: ${v === null ? 'undefined' : v.toFixed(3)}`}
              >
                {showValues ? (v === null ? '—' : v.toFixed(2)) : ''}
              </span>
            ))}
          </div>
        ))}
      </div>
      <div className="heatmap-legend" aria-hidden="true">
        <span>−1</span>
        <span className="heatmap-scale" />
        <span>+1</span>
      </div>
    </div>
  );
}
