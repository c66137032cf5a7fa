/**
 * Reduce of shard statistics: plain arithmetic only (sums, Chan's merge of moments, sketch
 * merge, count sums). The scheduler imports no kernels; executors turn merged statistics
 * into fitted steps, models and metrics.
 */
import type { ColumnSummary, ShardStats } from '@weft/proto';
import { mergeSketches } from './sketch.js';

function addCounts(a: Record<string, number> | undefined, b: Record<string, number> | undefined): Record<string, number> | undefined {
  if (!a) return b ? { ...b } : undefined;
  if (!b) return { ...a };
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * Merges the summaries of one column over disjoint rows. Mean and M2 use the pairwise
 * update of Chan, Golub & LeVeque (1979): stable for large counts and far-off means.
 */
export function mergeColumn(a: ColumnSummary, b: ColumnSummary, sketchSize: number): ColumnSummary {
  const n = a.n + b.n;
  let mean = a.mean;
  let m2 = a.m2;
  if (a.n === 0) {
    mean = b.mean;
    m2 = b.m2;
  } else if (b.n > 0) {
    const delta = b.mean - a.mean;
    mean = a.mean + (delta * b.n) / n;
    m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  }
  const pick = (x: number | null, y: number | null, f: (u: number, v: number) => number) => (x === null ? y : y === null ? x : f(x, y));
  const out: ColumnSummary = { n, missing: a.missing + b.missing, mean, m2, min: pick(a.min, b.min, Math.min), max: pick(a.max, b.max, Math.max) };
  if (a.sketch || b.sketch) out.sketch = mergeSketches(a.sketch ?? [], b.sketch ?? [], sketchSize);
  const counts = addCounts(a.counts, b.counts);
  if (counts) out.counts = counts;
  return out;
}

function addVectors(a: number[], b: number[], what: string): number[] {
  if (a.length !== b.length) throw new Error(`SHARD_STATS_MISMATCH: vector "${what}" has ${a.length} values in one shard and ${b.length} in another`);
  return a.map((x, i) => x + b[i]!);
}

/** Merges two shards' statistics (rows disjoint). @throws Error SHARD_STATS_MISMATCH on vector length mismatch. */
export function mergeStats(a: ShardStats, b: ShardStats, sketchSize: number): ShardStats {
  const out: ShardStats = {
    rowsTrain: a.rowsTrain + b.rowsTrain,
    rowsTest: a.rowsTest + b.rowsTest,
    droppedMissing: (a.droppedMissing ?? 0) + (b.droppedMissing ?? 0),
  };
  const lc = addCounts(a.labelCounts, b.labelCounts);
  if (lc) out.labelCounts = lc;
  const tlc = addCounts(a.trainLabelCounts, b.trainLabelCounts);
  if (tlc) out.trainLabelCounts = tlc;
  if (a.columns || b.columns) {
    const cols: Record<string, ColumnSummary> = { ...(a.columns ?? {}) };
    for (const [k, v] of Object.entries(b.columns ?? {})) cols[k] = cols[k] ? mergeColumn(cols[k]!, v, sketchSize) : v;
    out.columns = cols;
  }
  const sc = addCounts(a.scalars, b.scalars);
  if (sc) out.scalars = sc;
  if (a.vectors || b.vectors) {
    const vs: Record<string, number[]> = { ...(a.vectors ?? {}) };
    for (const [k, v] of Object.entries(b.vectors ?? {})) vs[k] = vs[k] ? addVectors(vs[k]!, v, k) : v;
    out.vectors = vs;
  }
  if (a.meta || b.meta) out.meta = { ...(b.meta ?? {}), ...(a.meta ?? {}) };
  return out;
}

/** Merges every shard's statistics (in shard order, so the result is deterministic). */
export function mergeAll(parts: ShardStats[], sketchSize: number): ShardStats {
  if (parts.length === 0) return { rowsTrain: 0, rowsTest: 0, droppedMissing: 0 };
  return parts.slice(1).reduce((acc, p) => mergeStats(acc, p, sketchSize), parts[0]!);
}
