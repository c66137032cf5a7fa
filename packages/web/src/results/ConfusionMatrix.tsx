/** A confusion matrix: rows are actual classes, columns predicted; shade by row share. */
export function ConfusionMatrix({ matrix, classes }: { matrix: number[][]; classes?: string[] | undefined }) {
  const k = matrix.length;
  const names = classes && classes.length === k ? classes : matrix.map((_, i) => `class ${i}`);
  return (
    <figure className="chart-figure">
      <figcaption>Confusion matrix</figcaption>
      <div className="cm" role="table" aria-label="Confusion matrix" style={{ gridTemplateColumns: `auto repeat(${k}, minmax(48px, 1fr))` }}>
        <span className="cm-corner" role="columnheader">
          actual ↓ / predicted →
        </span>
        {names.map((n) => (
          <span key={`h-${n}`} className="cm-head ellipsis" role="columnheader" title={n}>
            {n}
          </span>
        ))}
        {matrix.map((row, i) => {
          const total = row.reduce((a, b) => a + b, 0) || 1;
          return [
            <span key={`r-${i}`} className="cm-rowhead ellipsis" role="rowheader" title={names[i]}>
              {names[i]}
            </span>,
            ...row.map((v, j) => {
              const share = v / total;
              const diag = i === j;
              return (
                <span
                  key={`${i}-${j}`}
                  role="cell"
                  className={`cm-cell ${diag ? 'cm-diag' : ''}`}
                  style={{ background: diag ? `rgba(16, 185, 129, ${0.12 + share * 0.75})` : v > 0 ? `rgba(239, 68, 68, ${0.1 + share * 0.7})` : 'var(--surface-2)' }}
                  title={`actual ${names[i]}, predicted ${names[j]}: ${v} (${(share * 100).toFixed(1)}% of the row)`}
                >
                  {v}
                </span>
              );
            }),
          ];
        })}
      </div>
    </figure>
  );
}
