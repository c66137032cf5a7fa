/** Options of {@link ingestCsvFile} and their defaults. */
import type { ColumnType } from '@weft/proto';

export interface IngestOptions {
  /** Rows per Arrow record batch. Default 65,536; wide files get fewer (see {@link batchRowsFor}). */
  batchRows?: number;
  /** Values read as missing, compared after trimming whitespace. Default {@link DEFAULT_NULL_TOKENS}. */
  nullTokens?: string[];
  /** Per-column replacement of `nullTokens`, keyed by the final (schema) column name; a name the
   *  header does not have is an UNKNOWN_COLUMN error (with the closest existing names). */
  columnNullTokens?: Record<string, string[]>;
  /** Force a column's type, keyed by final column name (prediction uses the training schema);
   *  a name the header does not have is an UNKNOWN_COLUMN error. */
  typeOverrides?: Record<string, ColumnType>;
  /** Default false: a row whose field count differs from the header's is an error (CSV_RAGGED_ROWS).
   *  With true such rows are skipped (never padded) and reported in `skippedRows`. */
  skipBadRows?: boolean;
  /** Field delimiter. Default: sniffed among `,` `;` TAB `|` from the first 64 KiB. */
  delimiter?: string;
  /** Most columns accepted (CSV_TOO_MANY_COLUMNS). Default 10,000. */
  maxColumns?: number;
  /** Longest field accepted, in UTF-8 bytes (CSV_FIELD_TOO_LONG). Default 1 MiB. */
  maxFieldBytes?: number;
  /** Aborts the ingest; the partly written Arrow file is deleted. */
  signal?: AbortSignal;
  /** `auto` (default): the embedded DuckDB engine for all-numeric files it can prove it reads exactly
   *  as the JavaScript path would (see ./engine-duckdb.ts), else the JavaScript path. `js`: always the
   *  JavaScript path. */
  engine?: 'auto' | 'js';
  /** Rows of the prefix whose plan the single pass speculates on (default 50,000, fewer for wide files). */
  prefixRows?: number;
}

export const DEFAULT_NULL_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'na', 'n/a', 'null', 'NULL', 'None', 'NaN', 'nan', '?', '-', '#N/A'];
export const DEFAULT_BATCH_ROWS = 65536;
/** Values (rows × columns) one record batch holds at most: wide files get shorter batches, so the
 *  per-column batch buffers stay bounded (10,000 columns → 419 rows per batch). */
export const BATCH_VALUE_BUDGET = 1 << 22;

/** Rows per record batch for a file of `columns` columns: `batchRows`, capped by {@link BATCH_VALUE_BUDGET}. */
export function batchRowsFor(batchRows: number, columns: number): number {
  return Math.max(1, Math.min(batchRows, Math.floor(BATCH_VALUE_BUDGET / Math.max(1, columns))));
}
export const DEFAULT_MAX_COLUMNS = 10000;
export const DEFAULT_MAX_FIELD_BYTES = 1 << 20;

/** A set of null tokens (trimmed) with its longest token, so long values skip the lookup. */
export class NullTokens {
  private readonly set: ReadonlySet<string>;
  readonly maxLength: number;
  constructor(tokens: Iterable<string>) {
    this.set = new Set([...tokens].map((t) => t.trim()));
    let m = 0;
    for (const t of this.set) m = Math.max(m, t.length);
    this.maxLength = m;
  }
  /** The tokens (trimmed). */
  values(): string[] {
    return [...this.set];
  }
  has(trimmed: string): boolean {
    return trimmed.length <= this.maxLength && this.set.has(trimmed);
  }
}

/** Options with every default applied. */
export interface ResolvedOptions {
  batchRows: number;
  nullTokens: NullTokens;
  columnNullTokens: Record<string, NullTokens>;
  typeOverrides: Record<string, ColumnType>;
  skipBadRows: boolean;
  delimiter?: string;
  maxColumns: number;
  maxFieldBytes: number;
  signal?: AbortSignal;
  engine: 'auto' | 'js';
  prefixRows?: number;
}

function positiveInt(v: number | undefined, dflt: number): number {
  return v !== undefined && Number.isInteger(v) && v > 0 ? v : dflt;
}

/** Applies defaults. Null tokens are stored trimmed (values are compared after trimming). */
export function resolveOptions(o: IngestOptions = {}): ResolvedOptions {
  const toks = (a: readonly string[]) => new NullTokens(a);
  const columnNullTokens: Record<string, NullTokens> = {};
  for (const [k, v] of Object.entries(o.columnNullTokens ?? {})) columnNullTokens[k] = toks(v);
  return {
    batchRows: positiveInt(o.batchRows, DEFAULT_BATCH_ROWS),
    nullTokens: toks(o.nullTokens ?? DEFAULT_NULL_TOKENS),
    columnNullTokens,
    typeOverrides: { ...(o.typeOverrides ?? {}) },
    skipBadRows: o.skipBadRows ?? false,
    delimiter: o.delimiter,
    maxColumns: positiveInt(o.maxColumns, DEFAULT_MAX_COLUMNS),
    maxFieldBytes: positiveInt(o.maxFieldBytes, DEFAULT_MAX_FIELD_BYTES),
    signal: o.signal,
    engine: o.engine === 'js' ? 'js' : 'auto',
    prefixRows: o.prefixRows !== undefined ? positiveInt(o.prefixRows, 1) : undefined,
  };
}

/** True when the value is missing under the given null tokens (whitespace-only is always missing). */
export function isNullValue(v: string, tokens: NullTokens): boolean {
  const n = v.length;
  if (n === 0) return true;
  if (v.charCodeAt(0) <= 32 || v.charCodeAt(n - 1) <= 32) {
    const t = v.trim();
    return t.length === 0 || tokens.has(t);
  }
  return tokens.has(v);
}

/** Levenshtein distance between a and b when it is at most `max`, else max + 1 (banded, O(|a|·max)). */
function editDistanceAtMost(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    cur[0] = i;
    if (lo > 1) cur[lo - 1] = max + 1;
    let rowMin = lo === 1 ? i : max + 1;
    for (let j = lo; j <= hi; j++) {
      const sub = prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
      const del = j <= i + max - 1 ? prev[j] + 1 : max + 1;
      const ins = j > lo ? cur[j - 1] + 1 : max + 1;
      const v = Math.min(sub, del, ins, max + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < b.length) cur[hi + 1] = max + 1;
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[b.length], max + 1);
}

/** Unknown names whose suggestions are computed (the rest are only listed). */
const MAX_SUGGESTED = 20;

/**
 * The keys of `keys` that are not column names (`names`: final, deduplicated names; `cells`:
 * the header cells as written, same order), each with up to 3 closest existing names: the column
 * whose header cell is exactly the key (renamed), names equal ignoring case and surrounding
 * spaces, then names within a small edit distance.
 */
export function unknownColumns(keys: readonly string[], names: readonly string[], cells: readonly string[]): { unknown: string[]; suggestions: Record<string, string[]> } {
  const known = new Set(names);
  const unknown = keys.filter((k) => !known.has(k));
  const suggestions: Record<string, string[]> = {};
  for (const key of unknown.slice(0, MAX_SUGGESTED)) {
    if (key.length > 300) continue;
    const norm = key.trim().toLowerCase();
    const max = Math.min(3, Math.max(1, Math.floor(norm.length / 4)));
    const found: Array<{ name: string; score: number }> = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      let score: number;
      if (cells[i] === key) score = -2;
      else if (name.toLowerCase() === norm) score = -1;
      else score = editDistanceAtMost(norm, name.toLowerCase(), max);
      if (score <= max) found.push({ name, score });
    }
    found.sort((a, b) => a.score - b.score);
    const best = found.slice(0, 3).map((f) => f.name);
    if (best.length > 0) suggestions[key] = best;
  }
  return { unknown, suggestions };
}
