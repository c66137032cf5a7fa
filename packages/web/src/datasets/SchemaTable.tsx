/**
 * The inferred schema: one row per column with its type and role editable (PATCH
 * /api/datasets/:id/schema), and the profile's counts beside them so a change's effect shows.
 */
import { useState } from 'react';
import { api, ApiError } from '../api/client';
import { datasetsStore } from '../api/datasets-store';
import type { ColumnRole, ColumnType, DatasetDoc } from '../api/types';
import { Badge, ErrorNote } from '../ui/kit';
import { fmtNum } from '../ui/format';

const TYPES: ColumnType[] = ['integer', 'float', 'boolean', 'categorical', 'datetime', 'text', 'identifier'];
const ROLES: ColumnRole[] = ['feature', 'target', 'ignore'];

function summary(d: DatasetDoc, name: string): string {
  const p = d.profile.columns[name];
  if (!p) return '';
  if (typeof p.mean === 'number') return `mean ${fmtNum(p.mean, 2)} · sd ${fmtNum(p.std ?? null, 2)} · ${fmtNum(p.min, 2)} – ${fmtNum(p.max, 2)}`;
  if (p.topCategories?.length) return p.topCategories.slice(0, 3).map((c) => `${c.value} (${c.count})`).join(', ');
  if (p.trueCount !== undefined) return `true ${p.trueCount} · false ${p.falseCount ?? 0}`;
  if (p.min !== undefined && p.min !== null) return `${p.min} – ${p.max}`;
  return '';
}

export function SchemaTable({ dataset }: { dataset: DatasetDoc }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function patch(name: string, change: { role?: ColumnRole; type?: ColumnType }) {
    setError(null);
    setBusy(name);
    const columns: Record<string, { role?: ColumnRole; type?: ColumnType }> = { [name]: change };
    // One target at a time: the previous target becomes a feature in the same request.
    if (change.role === 'target') {
      for (const c of dataset.schema.columns) if (c.role === 'target' && c.name !== name) columns[c.name] = { role: 'feature' };
    }
    try {
      datasetsStore.put(await api.patchSchema(dataset.id, columns));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div>
      {error && <ErrorNote>{error}</ErrorNote>}
      <div className="table-wrap">
        <table className="table schema-table" aria-label="Schema">
          <thead>
            <tr>
              <th>Column</th>
              <th>Type</th>
              <th>Role</th>
              <th className="num">Missing</th>
              <th className="num">Distinct</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            {dataset.schema.columns.map((c) => {
              const p = dataset.profile.columns[c.name];
              const missingPct = p && p.count > 0 ? p.missing / p.count : 0;
              return (
                <tr key={c.name} className={`role-${c.role}`} data-column={c.name}>
                  <th scope="row">
                    <span className="col-name">{c.name}</span>
                    {c.role === 'target' && <Badge tone="primary">target</Badge>}
                    {c.invalidCount ? <Badge tone="warning" title="Values that did not fit the type are stored as missing">{c.invalidCount} invalid</Badge> : null}
                  </th>
                  <td>
                    <select aria-label={`Type of ${c.name}`} value={c.type} disabled={busy === c.name} onChange={(e) => void patch(c.name, { type: e.target.value as ColumnType })}>
                      {TYPES.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select aria-label={`Role of ${c.name}`} value={c.role} disabled={busy === c.name} onChange={(e) => void patch(c.name, { role: e.target.value as ColumnRole })}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="num">
                    <span className={p?.missing ? 'text-warning' : 'muted'}>{p ? p.missing.toLocaleString() : '—'}</span>
                    {p && p.missing > 0 && <span className="muted small"> ({(missingPct * 100).toFixed(1)}%)</span>}
                  </td>
                  <td className="num">{p?.distinct ?? '—'}</td>
                  <td className="summary ellipsis" title={summary(dataset, c.name)}>
                    {summary(dataset, c.name)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
