/** Column names from the CSV header: unique, non-empty and deterministic. */
import type { DatasetWarning } from '@weft/proto';

export interface HeaderColumn {
  /** Final, unique, non-empty name. */
  name: string;
  /** The header cell as written, when it differs from `name`. */
  originalName?: string;
}

/**
 * Names columns from header cells. Cells are trimmed; an empty cell at 1-based position p
 * becomes `column_p`; a repeated name gets `_2`, `_3`, … (skipping names used anywhere in the
 * header). Each rename yields a COLUMN_RENAMED warning.
 */
export function nameColumns(cells: readonly string[]): { columns: HeaderColumn[]; warnings: DatasetWarning[] } {
  const trimmed = cells.map((c) => c.trim());
  const taken = new Set(trimmed.filter((c) => c.length > 0));
  const used = new Set<string>();
  const columns: HeaderColumn[] = [];
  const warnings: DatasetWarning[] = [];
  trimmed.forEach((t, i) => {
    let name = t;
    if (t.length === 0 || used.has(t)) {
      const base = t.length === 0 ? `column_${i + 1}` : t;
      name = base;
      for (let k = 2; used.has(name) || (name !== base && taken.has(name)) || (t.length === 0 && taken.has(name)); k++) name = `${base}_${k}`;
    }
    used.add(name);
    const original = cells[i];
    columns.push(name === original ? { name } : { name, originalName: original });
    if (name !== original) {
      const why = t.length === 0 ? 'its header is empty' : name === t ? 'its header had surrounding spaces' : `the name "${t}" is used by an earlier column`;
      warnings.push({ code: 'COLUMN_RENAMED', column: name, message: `Column ${i + 1} was named "${name}" because ${why}.` });
    }
  });
  return { columns, warnings };
}
