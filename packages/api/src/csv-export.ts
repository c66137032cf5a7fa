/**
 * CSV export with formula injection neutralised: a text cell starting with `=`, `+`, `-`, `@`,
 * tab or carriage return is prefixed with `'`, so spreadsheet programs show it as text instead
 * of evaluating it (OWASP "CSV injection"). Numbers and booleans are written as they are.
 */

/** One CSV cell: neutralised, then quoted per RFC 4180 when needed. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let s = typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document: header then rows, CRLF line ends. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Predictions as rows: `row` + `prediction` for scalars, `row` + one column per key for objects. */
export function predictionsTable(predictions: unknown[]): { header: string[]; rows: unknown[][] } {
  const keys: string[] = [];
  const seen = new Set<string>();
  const objects = predictions.length > 0 && predictions.every((p) => p !== null && typeof p === 'object' && !Array.isArray(p));
  if (!objects) return { header: ['row', 'prediction'], rows: predictions.map((p, i) => [i + 1, p]) };
  for (const p of predictions) for (const k of Object.keys(p as object)) if (!seen.has(k)) (seen.add(k), keys.push(k));
  return { header: ['row', ...keys], rows: predictions.map((p, i) => [i + 1, ...keys.map((k) => (p as Record<string, unknown>)[k])]) };
}
