/**
 * The fast path of ingest for all-numeric files: the embedded DuckDB engine (`@duckdb/node-api`,
 * its multi-threaded RFC 4180 CSV reader) parses the file and hands back columns as float64
 * vectors, which go straight into the same converters, profilers and Arrow batches as the
 * JavaScript path. The typing contract of ./values.ts and ./infer.ts is kept exactly:
 *
 * - DuckDB's number cast is laxer than ours. Checked exhaustively over every string of up to 5
 *   characters from `0-9 . e E + -` (see engine-duckdb.test.ts), it differs only on leading-zero
 *   integers (`007`: a code for us, 7 for DuckDB) and on a `+-` prefix; beyond that alphabet it
 *   also takes `_` digit separators and surrounding whitespace / control characters. A check of
 *   the text of every value looks for exactly those forms (and for decimal points / exponents,
 *   which make a column float rather than integer); any of
 *   them declines the fast path.
 * - NaN or ±Infinity in a column (`nan`, `inf`, `1e999`) declines too: the JavaScript path decides
 *   between an infinity token, an overflowing code and a non-number.
 * - Any DuckDB error (ragged row, unclosed quote, invalid UTF-8, a line over the limit, a value
 *   that is not a number) declines: the JavaScript path then reads the file and reports the
 *   error with its line and column, or types the column as text. A streamed read that meets an
 *   error in a later chunk just ends early (it does not fail), so the number of rows read must
 *   equal the file's record count, counted independently (the byte-wise check, or `count(*)`
 *   of the text query).
 * - The plan is speculated from a prefix of the file (as the single pass does); when the whole
 *   file gives another plan (an integer column with a fraction after the prefix, an Int32 column
 *   with a value beyond it) the fast path declines.
 *
 * Declining costs the time spent so far and never changes a result: an ingest gives the same
 * schema, profile, warnings and Arrow data with either engine (engine-duckdb.test.ts compares
 * both on every case file, the shipped datasets and generated edge cases).
 */
import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { RecordBatchFileWriter, type RecordBatch } from 'apache-arrow';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { arrowSchema, makeBatch } from './arrow-writer.js';
import { isCorrelated, makeConverter, NumericConverter } from './convert.js';
import type { ColumnPlan } from './infer.js';
import { Kind } from './kinds.js';
import type { ResolvedOptions } from './options.js';
import { CorrelationSampler } from './profile.js';
import { classify } from './values.js';
import { scanNumericTextInWorker, verificationSql } from './numeric-text-check.js';

/** What the fast path needs to know about the file (from the sniffer and the prefix pass). */
export interface DuckDBSource {
  delimiter: string;
  encoding: string;
  /** The parser the JavaScript path chose: papaparse means one line ending, LF or CRLF. */
  parser: 'papaparse' | 'csv-parse';
}

/** A finished fast-path ingest: final plans, converters (profiles) and the Arrow file written. */
export interface DuckDBIngest {
  plans: ColumnPlan[];
  rows: number;
  batches: number;
  converters: NumericConverter[];
  corr: CorrelationSampler;
  corrPlans: ColumnPlan[];
}

/** Kinds that make a null token look like a number (such tokens keep the JavaScript path). */
const NUMERIC_KINDS = new Set<number>([Kind.Int, Kind.Float, Kind.LeadZero, Kind.Overflow, Kind.BigInt, Kind.Inf]);

/** True when the fast path may be tried for a file with the speculative plan `spec`. */
export function duckdbEligible(spec: readonly ColumnPlan[], src: DuckDBSource, o: ResolvedOptions): boolean {
  if (o.engine !== 'auto' || o.skipBadRows) return false;
  if (Object.keys(o.typeOverrides).length > 0 || Object.keys(o.columnNullTokens).length > 0) return false;
  // `;` files take decimal commas, which DuckDB's cast does not
  if (src.encoding !== 'utf8' || src.parser !== 'papaparse' || !(src.delimiter === ',' || src.delimiter === '\t' || src.delimiter === '|')) return false;
  if (spec.length < 2 || !spec.every((p) => p.type === 'integer' || p.type === 'float')) return false;
  return o.nullTokens.values().every((t) => !NUMERIC_KINDS.has(classify(t, false)));
}

/** A SQL string literal (single quotes doubled; DuckDB literals have no backslash escapes). */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `read_csv(...)` over the file with every column of type `type`, named c0..c{n-1}. */
function readCsvSql(csvPath: string, ncols: number, type: 'DOUBLE' | 'VARCHAR', src: DuckDBSource, o: ResolvedOptions): string {
  const columns = Array.from({ length: ncols }, (_, i) => `'c${i}': '${type}'`).join(', ');
  const nulls = o.nullTokens.values().map(sqlString).join(', ');
  const maxLine = Math.max(o.maxFieldBytes, Math.min(o.maxFieldBytes * 8, 64 << 20));
  return (
    `read_csv(${sqlString(csvPath)}, delim=${sqlString(src.delimiter)}, quote='"', escape='"', header=true, auto_detect=false, ` +
    `strict_mode=true, columns={${columns}}, nullstr=[${nulls}], allow_quoted_nulls=true, max_line_size=${maxLine})`
  );
}

type DuckDBModule = typeof import('@duckdb/node-api');
let duckdb: DuckDBModule | null | undefined;

/** The DuckDB binding, or null where its native part is not installed for this platform. */
function loadDuckDB(): DuckDBModule | null {
  if (duckdb === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      duckdb = require('@duckdb/node-api') as DuckDBModule;
    } catch {
      duckdb = null;
    }
  }
  return duckdb;
}

/** Thrown inside the fast path when it must decline (caught by {@link ingestNumericWithDuckDB}). */
class Decline extends Error {}

/**
 * Reads the CSV at `csvPath` (already sniffed; a prefix typed every column integer or float,
 * `spec`; `prefixHasFloat[i]`: the prefix had a decimal or exponent value in column i) with DuckDB, writes the Arrow IPC file to `arrowPath` in record batches of
 * `o.batchRows` rows and returns the final plans with the columns' converters (profiles, histograms
 * not yet binned). Returns null when it declines (see the module comment): the caller then runs
 * the JavaScript path, which overwrites `arrowPath`.
 *
 * @throws the signal's AbortError when `o.signal` aborts; nothing else (every failure declines).
 */
export async function ingestNumericWithDuckDB(
  csvPath: string,
  arrowPath: string,
  src: DuckDBSource,
  o: ResolvedOptions,
  spec: ColumnPlan[],
  prefixHasFloat: readonly boolean[],
): Promise<DuckDBIngest | null> {
  const ddb = loadDuckDB();
  if (ddb === null) return null;
  const ncols = spec.length;
  let instance: InstanceType<DuckDBModule['DuckDBInstance']> | null = null;
  try {
    instance = await ddb.DuckDBInstance.create(':memory:', { threads: String(Math.max(1, availableParallelism())), memory_limit: '1GB' });
    const readCon = await instance.connect();
    const checkCon = await instance.connect();
    const onAbort = () => {
      readCon.interrupt();
      checkCon.interrupt();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // the typed read and the byte-wise check of the text run at once; the SQL check only when needed
      const askFloat = spec.map((p, i) => p.type === 'integer' || !prefixHasFloat[i]);
      const [read, scan] = await Promise.all([
        readNumbers(readCon, readCsvSql(csvPath, ncols, 'DOUBLE', src, o), arrowPath, o, spec),
        scanNumericTextInWorker(csvPath, src.delimiter, ncols, o.signal),
      ]);
      let flags: Array<[boolean, boolean, boolean]>;
      let records = scan.records;
      if (!scan.needsSql) {
        flags = spec.map((_, i) => [false, scan.leadingZero[i], askFloat[i] && scan.floatForm[i]]);
      } else {
        const v = verificationSql(readCsvSql(csvPath, ncols, 'VARCHAR', src, o), spec, askFloat, true);
        const row = (await checkCon.runAndReadAll(v.sql)).getRows()[0] as Array<boolean | bigint | null>;
        flags = v.at.map(([u, z, f]) => [u >= 0 && row[u] === true, row[z] === true, f >= 0 && row[f] === true]);
        records = Number(row[row.length - 1]);
      }
      // A streamed DuckDB read that meets an error in a later chunk ends early instead of failing
      // (@duckdb/node-api 1.5: fetchChunk returns an empty chunk): every record must have arrived.
      if (read.rows !== records) throw new Decline(`the read ended after ${read.rows} of ${records} records`);
      o.signal?.throwIfAborted();
      return finalPlans(read, flags, askFloat, spec);
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      readCon.closeSync();
      checkCon.closeSync();
    }
  } catch (e) {
    o.signal?.throwIfAborted();
    if (process.env.WEFT_DEBUG_DUCKDB) console.error("duckdb fast path declined:", e);
    if (e instanceof Decline || e instanceof Error) return null;
    throw e;
  } finally {
    instance?.closeSync();
  }
}

interface Read extends Omit<DuckDBIngest, 'plans'> {
  /** Per column: every non-missing value is an integer (as a float64). */
  integral: boolean[];
  min: number[];
  max: number[];
  nonNull: number[];
}

/** Decides the final plans from the read and the text checks; throws Decline when they differ from `spec`. */
function finalPlans(read: Read, flags: Array<[boolean, boolean, boolean]>, askFloat: readonly boolean[], spec: ColumnPlan[]): DuckDBIngest {
  const plans = spec.map((p, i): ColumnPlan => {
    const [u, z, f] = flags[i];
    if (u || z) throw new Decline(`column ${p.name}: a value DuckDB reads as a number but the typing rules do not`);
    const nonNull = read.nonNull[i];
    // as decideType: integer when every value is an integer literal, float otherwise (also when
    // all missing). `f` is not asked where the prefix already had a decimal: that column is float.
    const integer = nonNull > 0 && askFloat[i] && !f && read.integral[i];
    if (integer && (read.min[i] < -Number.MAX_SAFE_INTEGER || read.max[i] > Number.MAX_SAFE_INTEGER)) throw new Decline(`column ${p.name}: integers beyond 2^53 are codes`);
    const type = integer ? 'integer' : 'float';
    const intBits: 32 | 64 = read.min[i] >= -2147483648 && read.max[i] <= 2147483647 ? 32 : 64;
    return { ...p, type, intBits, min: read.min[i], max: read.max[i] };
  });
  plans.forEach((p, i) => {
    const s = spec[i];
    if (p.type !== s.type || (p.type === 'integer' && p.intBits !== s.intBits)) throw new Decline(`column ${p.name}: the prefix's plan does not hold`);
  });
  return { plans, rows: read.rows, batches: read.batches, converters: read.converters, corr: read.corr, corrPlans: read.corrPlans };
}

/**
 * Streams the typed query's chunks (2,048 rows each) into record batches: values go to the
 * converters (Arrow buffers + profile) column by column, then the correlation sample row by row.
 */
async function readNumbers(con: Awaited<ReturnType<InstanceType<DuckDBModule['DuckDBInstance']>['connect']>>, from: string, arrowPath: string, o: ResolvedOptions, spec: ColumnPlan[]): Promise<Read> {
  const ncols = spec.length;
  const batchRows = o.batchRows;
  // numeric histograms are binned after the pass, over the final range
  const convPlans = spec.map((p) => ({ ...p, min: NaN, max: NaN }));
  const schema = arrowSchema(spec);
  const corrPlans = spec.filter(isCorrelated).slice(0, CorrelationSampler.MAX_COLUMNS);
  const corr = new CorrelationSampler(corrPlans.length);
  const corrCols = corrPlans.map((p) => p.index);
  // the converters do not feed the correlation sample here: it is filled row by row below
  const converters = convPlans.map((p) => makeConverter(p, batchRows, null, -1) as NumericConverter);
  const integral = new Array<boolean>(ncols).fill(true);
  const min = new Array<number>(ncols).fill(Infinity);
  const max = new Array<number>(ncols).fill(-Infinity);
  const nonNull = new Array<number>(ncols).fill(0);
  const int32 = spec.map((p) => p.type === 'integer' && p.intBits === 32);
  let inBatch = 0;
  let rows = 0;
  let batches = 0;

  const cols: Float64Array[] = new Array(ncols);
  const valid: Array<Uint8Array | null> = new Array(ncols);
  const res = await con.stream(`SELECT ${spec.map((_, i) => `c${i}`).join(', ')} FROM ${from}`);

  // A throw inside the generator that Readable.from drives leaves an unhandled rejection in
  // Node 20 (it surfaced as a 500): failures are kept here and thrown after the pipeline.
  let failure: unknown = null;
  async function* produce(): AsyncGenerator<RecordBatch> {
    try {
      yield* batches_();
    } catch (e) {
      failure = e;
    }
  }
  async function* batches_(): AsyncGenerator<RecordBatch> {
    for (;;) {
      o.signal?.throwIfAborted();
      const chunk = await res.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      let at = 0; // rows of this chunk already placed
      for (let c = 0; c < ncols; c++) {
        const v = chunk.getColumnVector(c) as unknown as { items: Float64Array; validity: { data: BigUint64Array | null } };
        cols[c] = v.items;
        const d = v.validity.data;
        valid[c] = d ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : null;
      }
      while (at < n) {
        const take = Math.min(n - at, batchRows - inBatch);
        for (let c = 0; c < ncols; c++) pushColumn(c, at, take);
        if (corr.k > 0) {
          for (let r = at; r < at + take; r++) {
            const slot = corr.nextSlot();
            if (slot < 0) continue;
            const row = corr.slotRow(slot);
            for (let j = 0; j < corrCols.length; j++) {
              const c = corrCols[j];
              const m = valid[c];
              row[j] = m !== null && (m[r >> 3] & (1 << (r & 7))) === 0 ? NaN : normalise(cols[c][r]);
            }
          }
        }
        inBatch += take;
        rows += take;
        at += take;
        if (inBatch === batchRows) yield finishBatch();
      }
    }
    if (inBatch > 0 || batches === 0) yield finishBatch();
  }

  const scratch = new Float64Array(batchRows);
  function pushColumn(c: number, from: number, count: number): void {
    const xs = cols[c];
    const m = valid[c];
    let lo = min[c], hi = max[c], nn = nonNull[c], isInt = integral[c];
    const i32 = int32[c];
    for (let r = from, end = from + count; r < end; r++) {
      if (m !== null && (m[r >> 3] & (1 << (r & 7))) === 0) continue;
      const x = xs[r];
      if (x - x !== 0) throw new Decline('NaN or infinity'); // see the module comment
      if (isInt && Math.floor(x) !== x) isInt = false;
      if (i32 && (x < -2147483648 || x > 2147483647)) throw new Decline('an Int32 column has a value beyond Int32');
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      nn++;
    }
    min[c] = lo === 0 ? 0 : lo;
    max[c] = hi === 0 ? 0 : hi;
    nonNull[c] = nn;
    integral[c] = isInt;
    converters[c].pushBlock(xs, from, count, m, inBatch, scratch);
  }

  function finishBatch(): RecordBatch {
    const b = makeBatch(schema, inBatch, converters.map((c) => c.finish(inBatch)));
    inBatch = 0;
    batches++;
    return b;
  }

  await pipeline(Readable.from(produce(), { objectMode: true, highWaterMark: 1 }), RecordBatchFileWriter.throughNode(), createWriteStream(arrowPath));
  if (failure !== null) throw failure;
  return { rows, batches, converters, corr, corrPlans, integral, min, max, nonNull };
}

/** -0 as 0, as the JavaScript path's number scanner gives it. */
function normalise(x: number): number {
  return x === 0 ? 0 : x;
}
