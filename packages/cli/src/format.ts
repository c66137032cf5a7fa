/** Human-readable output of the CLI: dataset summaries, metric tables, api errors. */
import type { DatasetDoc } from '@weft/proto';
import type { ApiError, JobDoc } from './api-client.js';

/** Pads cells into aligned columns. */
export function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => (indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).trimEnd()).join('\n');
}

/** A metric value as text: 4 significant decimals, matrices row by row. */
export function formatMetric(v: unknown): string {
  if (v === null || v === undefined) return 'n/a';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (Array.isArray(v)) return v.map((row) => (Array.isArray(row) ? `[${row.join(' ')}]` : String(row))).join(' ');
  return String(v);
}

/** Summary of an uploaded dataset: rows, columns with types and roles, warnings. */
export function datasetSummary(d: DatasetDoc): string {
  const lines = [`Dataset ${d.name} (${d.id})`, `  ${d.rowCount} rows, ${d.schema.columns.length} columns, ${d.batchCount} batch(es), ${d.byteSize} bytes stored`, '', '  Columns:'];
  const rows = d.schema.columns.map((c) => {
    const p = d.profile?.columns?.[c.name];
    const missing = p && p.missing > 0 ? `${p.missing} missing` : '';
    return [c.name, c.type, c.role === 'feature' ? '' : c.role, missing];
  });
  lines.push(table(rows, '    '));
  if (d.warnings.length > 0) {
    lines.push('', '  Warnings:');
    for (const w of d.warnings) lines.push(`    - ${w.code}${w.column ? ` [${w.column}]` : ''}: ${w.message}`);
  }
  return lines.join('\n');
}

/** The metrics of every node that produced some, one small table per node. */
export function metricsTables(job: JobDoc): string {
  const out: string[] = [];
  const types = new Map((job.workflow?.nodes ?? []).map((n) => [n.id, n.type]));
  for (const [nodeId, r] of Object.entries(job.result?.nodes ?? {})) {
    const metrics = Object.entries(r.metrics ?? {});
    if (metrics.length === 0) continue;
    out.push(`${nodeId}${types.get(nodeId) ? ` (${types.get(nodeId)})` : ''}`);
    out.push(table(metrics.map(([k, v]) => [k, formatMetric(v) + (r.notes?.[k] ? `  (${r.notes[k]})` : '')])));
    if (r.classes?.length) out.push(`  classes: ${r.classes.join(', ')}`);
    if (r.modelId) out.push(`  model: ${r.modelId}`);
    for (const w of r.warnings ?? []) out.push(`  warning: ${w}`);
  }
  return out.length > 0 ? out.join('\n') : '(no metrics)';
}

/** One line about a finished job. */
export function jobSummaryLine(job: JobDoc): string {
  const dur = job.durationMs !== null ? ` in ${(job.durationMs / 1000).toFixed(1)} s` : '';
  const why = job.errorCode ? `: ${job.errorCode}: ${job.errorMessage ?? ''}` : '';
  return `Job ${job.id} ${job.state}${dur}${why}`;
}

/** An api error as printed to stderr: code, message, and each workflow issue with its node and field. */
export function formatApiError(err: ApiError): string {
  const lines = [`error: ${err.code}: ${err.message}`];
  const d = err.details as { issues?: Array<{ code?: string; message?: string; nodeId?: string; field?: string; path?: string }> } | undefined;
  for (const i of d?.issues ?? []) {
    const where = [i.nodeId ? `node "${i.nodeId}"` : '', i.field ? `field "${i.field}"` : i.path ? `field "${i.path}"` : ''].filter(Boolean).join(' ');
    lines.push(`  - ${i.code ? `${i.code} ` : ''}${where ? `at ${where}: ` : ''}${i.message ?? ''}`);
  }
  if (!d?.issues && d && typeof d === 'object') lines.push(`  details: ${JSON.stringify(d)}`);
  return lines.join('\n');
}
