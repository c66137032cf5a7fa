/** Per-column profile cards: histogram (numeric), top categories, missing counts. */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DatasetDoc } from '../api/types';
import { Badge } from '../ui/kit';
import { fmtNum } from '../ui/format';

type Profile = DatasetDoc['profile']['columns'][string];

function Histogram({ p }: { p: Profile }) {
  const h = p.histogram!;
  const data = h.counts.map((count, i) => ({ bin: `${fmtNum(h.edges[i], 2)} – ${fmtNum(h.edges[i + 1], 2)}`, mid: (h.edges[i]! + h.edges[i + 1]!) / 2, count }));
  return (
    <ResponsiveContainer width="100%" height={140}>
      <BarChart data={data} margin={{ top: 6, right: 6, bottom: 0, left: -18 }} barCategoryGap={1}>
        <CartesianGrid vertical={false} stroke="var(--grid)" />
        <XAxis dataKey="mid" tickFormatter={(v: number) => fmtNum(v, 1)} tick={{ fontSize: 10 }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis tick={{ fontSize: 10 }} allowDecimals={false} width={44} />
        <Tooltip formatter={(v) => [String(v), 'rows']} labelFormatter={(_l, payload) => String(payload?.[0]?.payload?.bin ?? '')} />
        <Bar dataKey="count" fill="var(--chart-1)" isAnimationActive={false} radius={[2, 2, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function TopCategories({ p }: { p: Profile }) {
  const data = (p.topCategories ?? []).slice(0, 8).map((c) => ({ value: c.value, count: c.count }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(80, data.length * 22 + 16)}>
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
        <XAxis type="number" hide />
        <YAxis type="category" dataKey="value" width={96} tick={{ fontSize: 11 }} />
        <Tooltip formatter={(v) => [String(v), 'rows']} />
        <Bar dataKey="count" fill="var(--chart-2)" isAnimationActive={false} radius={[0, 3, 3, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function ProfileView({ dataset }: { dataset: DatasetDoc }) {
  return (
    <div className="profile-grid">
      {dataset.schema.columns.map((c) => {
        const p = dataset.profile.columns[c.name];
        if (!p) return null;
        const missingPct = p.count > 0 ? p.missing / p.count : 0;
        return (
          <article key={c.name} className="card profile-card" aria-label={`Profile of ${c.name}`}>
            <header className="profile-head">
              <h3 className="ellipsis" title={c.name}>
                {c.name}
              </h3>
              <Badge tone="neutral">{c.type}</Badge>
              {c.role !== 'feature' && <Badge tone={c.role === 'target' ? 'primary' : 'warning'}>{c.role}</Badge>}
            </header>
            {p.histogram && p.histogram.counts.length > 0 ? (
              <Histogram p={p} />
            ) : p.topCategories && p.topCategories.length > 0 ? (
              <TopCategories p={p} />
            ) : (
              <p className="muted small profile-none">No distribution for this type</p>
            )}
            <dl className="stats">
              <div>
                <dt>Missing</dt>
                <dd className={p.missing ? 'text-warning' : ''}>
                  {p.missing}
                  <span className="meter" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, missingPct * 100)}%` }} />
                  </span>
                </dd>
              </div>
              <div>
                <dt>Distinct</dt>
                <dd>{p.distinct ?? '—'}</dd>
              </div>
              {typeof p.mean === 'number' && (
                <div>
                  <dt>Mean</dt>
                  <dd>{fmtNum(p.mean, 2)}</dd>
                </div>
              )}
              {typeof p.std === 'number' && (
                <div>
                  <dt>Std</dt>
                  <dd>{fmtNum(p.std, 2)}</dd>
                </div>
              )}
            </dl>
          </article>
        );
      })}
    </div>
  );
}
