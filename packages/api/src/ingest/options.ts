/** Options of {@link ingestCsvFile} and their defaults. */
import type { ColumnType } from '@weft/proto';

export interface IngestOptions {
  /** Rows per Arrow record batch. Default 65,536. */
  batchRows?: number;
  /** Values read as missing, compared after trimming whitespace. Default {@link DEFAULT_NULL_TOKENS}. */
  nullTokens?: string[];
  /** Per-column replacement of `nullTokens`, keyed by the final (schema) column name. */
  columnNullTokens?: Record<string, string[]>;
  /** Force a column's type, keyed by final column name (prediction uses the training schema). */
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
