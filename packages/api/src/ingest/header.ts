/** Column names from the CSV header: unique, non-empty and deterministic. */
import type { DatasetWarning } from '@weft/proto';

export interface HeaderColumn {
  /** Final, unique, non-empty name. */
  name: string;
  /** The header cell as written, when it differs from `name`. */
  originalName?: string;
}

/** Longest column name kept, in UTF-16 code units; longer header cells are cut. */
export const MAX_COLUMN_NAME_LENGTH = 256;

// C0/C1 controls, DEL, and the bidirectional overrides/isolates that can disguise text.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The header cell as a safe name: unsafe characters removed, trimmed, at most 256 long. */
function cleanName(cell: string): { name: string; why?: string } {
  const stripped = cell.replace(UNSAFE_CHARS, '');
  let name = stripped.trim();
  let why: string | undefined = stripped !== cell ? 'its header had control or bidirectional-override characters, which were removed' : undefined;
  if (name.length > MAX_COLUMN_NAME_LENGTH) {
    name = name.slice(0, MAX_COLUMN_NAME_LENGTH).trim();
    why = `its header was longer than ${MAX_COLUMN_NAME_LENGTH} characters`;
  }
  return why ? { name, why } : { name };
}

/** The original header cell for display: unsafe characters shown as \u escapes, at most 1,000 long. */
function visible(cell: string): string {
  const v = cell.replace(UNSAFE_CHARS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return v.length > 1000 ? `${v.slice(0, 1000)}…` : v;
}

/**
 * Names columns from header cells. Control and bidirectional-override characters are removed
 * and names are cut at 256 characters. Cells are trimmed; an empty cell at 1-based position p
 * becomes `column_p`; a repeated name gets `_2`, `_3`, … (skipping names used anywhere in the
 * header). Each rename yields a COLUMN_RENAMED warning.
 */
export function nameColumns(cells: readonly string[]): { columns: HeaderColumn[]; warnings: DatasetWarning[] } {
  const cleaned = cells.map(cleanName);
  const trimmed = cleaned.map((c) => c.name);
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
    columns.push(name === original ? { name } : { name, originalName: visible(original) });
    if (name !== original) {
      const why =
        t.length === 0 ? 'its header is empty' : name !== t ? `the name "${t}" is used by an earlier column` : (cleaned[i].why ?? 'its header had surrounding spaces');
      warnings.push({ code: 'COLUMN_RENAMED', column: name, message: `Column ${i + 1} was named "${name}" because ${why}.` });
    }
  });
  return { columns, warnings };
}
