/**
 * CSV → Arrow IPC file + profile, in two streaming passes over the file:
 * pass 1 reads the header, checks row shapes and limits, and infers one type per column over
 * all rows; pass 2 converts every value, writes record batches and computes the profile.
 */
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { RecordBatchFileWriter, RecordBatchReader, type RecordBatch } from 'apache-arrow';
import type { DatasetProfile, DatasetSchema, DatasetWarning } from '@weft/proto';
import { arrowSchema, makeBatch } from './arrow-writer.js';
import { isCorrelated, makeConverter, NumericConverter, type Converter } from './convert.js';
import { locateByte, MixedUtf8, NotUtf8, type Encoding } from './decode.js';
import { emptyError, fieldTooLongError, MAX_LISTED_ROWS, mixedEncodingError, raggedError, type RaggedRow, tooManyColumnsError, unknownColumnError } from './errors.js';
import { nameColumns, type HeaderColumn } from './header.js';
import { TypeInferrer, type ColumnPlan } from './infer.js';
import { Kind } from './kinds.js';
import { batchRowsFor, resolveOptions, unknownColumns, type IngestOptions, type ResolvedOptions } from './options.js';
import { CorrelationSampler, type NumericProfiler } from './profile.js';
import { lineBreaksIn, readRecords, StopReading, UseFullParser } from './records.js';
import { sniffFile } from './sniff.js';
import { columnWarnings, windows1252Warning } from './warnings.js';
import { duckdbEligible, ingestNumericWithDuckDB } from './engine-duckdb.js';

export interface IngestResult {
  schema: DatasetSchema;
  profile: DatasetProfile;
  warnings: DatasetWarning[];
  /** Data rows stored (header and skipped rows excluded). */
  rowCount: number;
  /** Record batches in the Arrow file (a file with no rows holds one empty batch). */
  batchCount: number;
  /** With skipBadRows: 1-based file lines of the skipped rows (at most 1,000 listed). */
  skippedRows?: number[];
  /** The engine that read the file: `duckdb` (all-numeric fast path, ./engine-duckdb.ts) or `js`. */
  engine: 'duckdb' | 'js';
}


interface Source {
  encoding: Encoding;
  utf8InvalidAt: number;
  delimiter: string;
  parser: 'papaparse' | 'csv-parse';
  newline: '\n' | '\r\n';
}

interface Pass1 {
  header: HeaderColumn[] | null;
  headerWarnings: DatasetWarning[];
  inferrer: TypeInferrer | null;
  ragged: RaggedRow[];
  raggedTotal: number;
  rows: number;
}

/** Upper bound of one record in bytes while it is being parsed (bounded memory on an unclosed quote). */
function maxRecordBytes(o: ResolvedOptions): number {
  return Math.max(o.maxFieldBytes, Math.min(o.maxFieldBytes * 8, 64 << 20));
}

/** Throws CSV_FIELD_TOO_LONG for the first field over the limit. */
function checkFieldLengths(fields: readonly string[], limit: number, line: number, names: readonly HeaderColumn[] | null): void {
  const quick = limit / 3; // a UTF-16 code unit is at most 3 UTF-8 bytes
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length > quick) {
      const bytes = Buffer.byteLength(f, 'utf8');
      if (bytes > limit) throw fieldTooLongError(line - lineBreaksIn(fields), limit, names?.[i]?.name ?? `column ${i + 1}`, bytes);
    }
  }
}

function isBlankRecord(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0].trim().length === 0;
}

/**
 * The record handling both passes share: the first non-blank record is the header (read into
 * `r`); blank records are skipped; a record of another width is counted ragged (the first
 * {@link MAX_LISTED_ROWS} listed); a data record has its field lengths checked and is counted.
 * Returns true for a data record.
 */
function takeRecord(r: Pass1, fields: string[], endLine: number, src: Source, o: ResolvedOptions): boolean {
  if (r.header === null) {
    if (isBlankRecord(fields)) return false;
    const h = readHeader(fields, endLine, src, o);
    r.header = h.header;
    r.headerWarnings = h.headerWarnings;
    r.inferrer = h.inferrer;
    return false;
  }
  const ncols = r.header.length;
  if (fields.length !== ncols) {
    if (isBlankRecord(fields)) return false;
    if (r.ragged.length < MAX_LISTED_ROWS) r.ragged.push({ line: endLine - lineBreaksIn(fields), fields: fields.length, expected: ncols });
    r.raggedTotal++;
    return false;
  }
  checkFieldLengths(fields, o.maxFieldBytes, endLine, r.header);
  r.rows++;
  return true;
}

/** Pass 1 (inference only). With `limitRows` it stops after that many data rows (the speculative prefix). */
async function runPass1(csvPath: string, src: Source, o: ResolvedOptions, limitRows = Infinity): Promise<Pass1> {
  const r: Pass1 = { header: null, headerWarnings: [], inferrer: null, ragged: [], raggedTotal: 0, rows: 0 };
  await readRecords<never>(
    csvPath,
    { ...src, maxRecordBytes: maxRecordBytes(o), maxFieldBytes: o.maxFieldBytes, signal: o.signal, nameOf: (i) => r.header?.[i]?.name },
    (fields, endLine) => {
      if (!takeRecord(r, fields, endLine, src, o)) return null;
      // Once the file is certain to be rejected, only keep looking for bad rows.
      if (r.raggedTotal === 0 || o.skipBadRows) r.inferrer!.add(fields);
      if (r.rows >= limitRows) throw new StopReading();
      return null;
    },
  );
  return r;
}

/** Column names, rename warnings and a fresh inferrer from the header record. */
function readHeader(fields: string[], endLine: number, src: Source, o: ResolvedOptions): Pick<Pass1, 'headerWarnings'> & { header: HeaderColumn[]; inferrer: TypeInferrer } {
  if (fields.length > o.maxColumns) throw tooManyColumnsError(fields.length, o.maxColumns, endLine);
  checkFieldLengths(fields, o.maxFieldBytes, endLine, null);
  const named = nameColumns(fields);
  const names = named.columns.map((c) => c.name);
  for (const [option, keyed] of [
    ['columnNullTokens', o.columnNullTokens],
    ['typeOverrides', o.typeOverrides],
  ] as const) {
    const { unknown, suggestions } = unknownColumns(Object.keys(keyed), names, fields);
    if (unknown.length > 0) throw unknownColumnError(option, unknown, suggestions);
  }
  const tokens = named.columns.map((c) => o.columnNullTokens[c.name] ?? o.nullTokens);
  const forced = named.columns.map((c) => o.typeOverrides[c.name] === 'categorical');
  return { header: named.columns, headerWarnings: named.warnings, inferrer: new TypeInferrer(tokens, src.delimiter === ';', forced) };
}

/** Passes record batches through; on end emits the last partial batch (or an empty one if none was written). */
class BatchFlusher extends Transform {
  batches = 0;
  constructor(private readonly last: () => RecordBatch | null) {
    super({ objectMode: true, highWaterMark: 1 });
  }
  override _transform(batch: RecordBatch, _e: BufferEncoding, cb: TransformCallback): void {
    this.batches++;
    cb(null, batch);
  }
  override _flush(cb: TransformCallback): void {
    try {
      const b = this.last();
      if (b) {
        this.batches++;
        this.push(b);
      }
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

interface Pass2 {
  rows: number;
  batches: number;
  converters: Converter[];
  corr: CorrelationSampler;
  corrPlans: ColumnPlan[];
}

async function runPass2(csvPath: string, arrowPath: string, src: Source, o: ResolvedOptions, plans: ColumnPlan[]): Promise<Pass2> {
  const schema = arrowSchema(plans);
  const corrPlans = plans.filter(isCorrelated).slice(0, CorrelationSampler.MAX_COLUMNS);
  const corr = new CorrelationSampler(corrPlans.length);
  const converters = plans.map((p) => makeConverter(p, o.batchRows, corr, corrPlans.indexOf(p)));
  const ncols = plans.length;
  const batchRows = o.batchRows;
  let inBatch = 0;
  let rows = 0;
  let written = 0;
  let headerSeen = false;
  // current record, for converters that need its start line (only on invalid values)
  let curFields: string[] = [];
  let curEnd = 0;
  const startLine = () => curEnd - lineBreaksIn(curFields);
  const finishBatch = (): RecordBatch => {
    const b = makeBatch(schema, inBatch, converters.map((c) => c.finish(inBatch)));
    inBatch = 0;
    written++;
    return b;
  };
  const flusher = new BatchFlusher(() => (inBatch > 0 || written === 0 ? finishBatch() : null));
  await readRecords<RecordBatch>(
    csvPath,
    { ...src, maxRecordBytes: maxRecordBytes(o), maxFieldBytes: o.maxFieldBytes, signal: o.signal, nameOf: (i) => plans[i]?.name },
    (fields, endLine) => {
      if (!headerSeen) {
        if (isBlankRecord(fields)) return null;
        headerSeen = true;
        return null;
      }
      if (fields.length !== ncols) return null; // blank or ragged (skipBadRows): reported by pass 1
      curFields = fields;
      curEnd = endLine;
      for (let c = 0; c < ncols; c++) converters[c].push(fields[c], inBatch, startLine);
      if (corr.k > 0) corr.commitRow();
      inBatch++;
      rows++;
      return inBatch === batchRows ? finishBatch() : null;
    },
    [flusher, RecordBatchFileWriter.throughNode(), createWriteStream(arrowPath)],
  );
  return { rows, batches: flusher.batches, converters, corr, corrPlans };
}

/** Rows read ahead to guess the plan of the single-pass ingest (also capped by {@link PREFIX_FIELDS}). */
const PREFIX_ROWS = 50_000;
/** Fields read ahead at most (wide files read fewer prefix rows). */
const PREFIX_FIELDS = 2_000_000;

/**
 * True when data converted under `spec` is exactly what `final` would have produced: same Arrow
 * storage and converter (text and identifier are both Utf8 strings), same Int32/Int64 choice,
 * date order and category dictionary. Histogram ranges are filled in afterwards.
 */
export function samePlanStorage(spec: ColumnPlan, final: ColumnPlan): boolean {
  const str = (t: string) => t === 'text' || t === 'identifier';
  if (spec.type !== final.type && !(str(spec.type) && str(final.type))) return false;
  if (final.type === 'integer' && spec.intBits !== final.intBits) return false;
  if (final.type === 'datetime' && spec.dateOrder !== final.dateOrder) return false;
  if (final.type === 'categorical') {
    const a = spec.categories ?? [], b = final.categories ?? [];
    if (a.length !== b.length || a.some((v, i) => v !== b[i])) return false;
  }
  return true;
}

interface Main extends Pass1 {
  /** The speculative plans held for the whole file: pass 2 is not needed. */
  held: boolean;
  p2: Pass2;
  /** Final plans when the DuckDB fast path read the file (the inferrer then saw only the prefix). */
  plans?: ColumnPlan[];
}

/**
 * The single pass: infers types over all rows exactly as pass 1 does and, at the same time,
 * converts, profiles and writes Arrow batches under `spec` (planned from a prefix of the file).
 * At every batch boundary the plan of the rows so far is compared with `spec`; once it differs the
 * conversion stops (only inference goes on) and the caller runs pass 2 with the final plan.
 */
async function runMain(csvPath: string, arrowPath: string, src: Source, o: ResolvedOptions, spec: ColumnPlan[]): Promise<Main> {
  const r: Pass1 = { header: null, headerWarnings: [], inferrer: null, ragged: [], raggedTotal: 0, rows: 0 };
  // numeric histograms are binned after the pass, over the final range
  const convPlans = spec.map((p) => (p.type === 'integer' || p.type === 'float' ? { ...p, min: NaN, max: NaN } : p));
  const schema = arrowSchema(spec);
  const corrPlans = spec.filter(isCorrelated).slice(0, CorrelationSampler.MAX_COLUMNS);
  const corr = new CorrelationSampler(corrPlans.length);
  const converters = convPlans.map((p, i) => makeConverter(p, o.batchRows, corr, corrPlans.indexOf(spec[i])));
  const ncols = spec.length;
  const batchRows = o.batchRows;
  let converting = true;
  let inBatch = 0;
  let rows = 0;
  let written = 0;
  let curFields: string[] = [];
  let curEnd = 0;
  const startLine = () => curEnd - lineBreaksIn(curFields);
  const finishBatch = (): RecordBatch => {
    const b = makeBatch(schema, inBatch, converters.map((c) => c.finish(inBatch)));
    inBatch = 0;
    written++;
    return b;
  };
  const stillHeld = (): boolean => {
    const now = r.inferrer!.plan(r.header!, o.typeOverrides);
    return now.every((p, i) => samePlanStorage(spec[i], p));
  };
  const flusher = new BatchFlusher(() => (converting && (inBatch > 0 || written === 0) ? finishBatch() : null));
  await readRecords<RecordBatch>(
    csvPath,
    { ...src, maxRecordBytes: maxRecordBytes(o), maxFieldBytes: o.maxFieldBytes, signal: o.signal, nameOf: (i) => r.header?.[i]?.name },
    (fields, endLine) => {
      const data = takeRecord(r, fields, endLine, src, o);
      // a ragged row: the file will be rejected (unless skipBadRows), so conversion stops
      if (r.raggedTotal > 0 && !o.skipBadRows) {
        converting = false;
        return null;
      }
      if (!data) return null;
      const inf = r.inferrer!;
      if (!converting) {
        inf.add(fields);
        return null;
      }
      curFields = fields;
      curEnd = endLine;
      inf.countRow();
      for (let c = 0; c < ncols; c++) {
        const v = fields[c];
        converters[c].pushKind(v, inf.addValue(c, v), inBatch, startLine);
      }
      if (corr.k > 0) corr.commitRow();
      inBatch++;
      rows++;
      if (inBatch !== batchRows) return null;
      if (!stillHeld()) {
        converting = false;
        return null;
      }
      return finishBatch();
    },
    [flusher, RecordBatchFileWriter.throughNode(), createWriteStream(arrowPath)],
  );
  // the last (partial) batch was written without a check: the plan of every row must still hold
  const held = converting && r.header !== null && stillHeld();
  return { ...r, held, p2: { rows, batches: flusher.batches, converters, corr, corrPlans } };
}

/** Bins every finite value of the numeric columns into their histograms, reading the Arrow file back batch by batch. */
async function binHistograms(arrowPath: string, plans: ColumnPlan[], converters: Converter[]): Promise<void> {
  const cols: Array<{ index: number; prof: NumericProfiler }> = [];
  plans.forEach((p, i) => {
    const c = converters[i];
    if (c instanceof NumericConverter) {
      c.numericProfiler.setRange(p.min, p.max);
      if (Number.isFinite(p.min) && Number.isFinite(p.max)) cols.push({ index: i, prof: c.numericProfiler });
    }
  });
  if (cols.length === 0) return;
  const fh = await open(arrowPath, 'r');
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    for await (const batch of reader) {
      for (const { index, prof } of cols) {
        for (const data of batch.getChildAt(index)!.data) {
          const values = data.values as Float64Array | Int32Array | BigInt64Array;
          const bitmap = data.nullCount > 0 ? data.nullBitmap : null;
          const off = data.offset;
          for (let i = 0; i < data.length; i++) {
            const j = i + off;
            if (bitmap && (bitmap[j >> 3] & (1 << (j & 7))) === 0) continue;
            const x = Number(values[j]);
            if (x - x === 0) prof.bin(x); // finite
          }
        }
      }
    }
  } finally {
    await fh.close();
  }
}

/** ENCODING_WINDOWS_1252 naming the first byte that is not UTF-8 (`offset`) and its line. */
async function encodingWarning(csvPath: string, offset: number): Promise<DatasetWarning> {
  const { line, byte } = await locateByte(csvPath, offset);
  return windows1252Warning(offset, line, byte);
}

/**
 * Reads the CSV at `csvPath` in two streaming passes (1: header, row shapes, type inference
 * over all rows; 2: conversion, Arrow record batches of `batchRows` rows, profile) and writes
 * an Arrow IPC *file* (not stream format) to `arrowPath`. Memory is bounded by one batch of
 * columns plus fixed-size sketches, whatever the file size.
 *
 * Column types and their Arrow storage: integer → Int32 (Int64 when a value is outside Int32),
 * float → Float64, boolean → Bool, categorical → Dictionary<Int32, Utf8> (dictionary = schema
 * `categories`), datetime → Timestamp(ms, UTC), text / identifier → Utf8; missing → null.
 *
 * @throws WeftError CSV_EMPTY (0 bytes / no header), CSV_BINARY (reason, byte offset),
 *   CSV_ENCODING (neither UTF-8 nor Windows-1252, or UTF-8 mixed with other bytes: byte offsets,
 *   line), CSV_PARSE_ERROR (e.g. unclosed quote: the line it opened at, row), UNKNOWN_COLUMN
 *   (columnNullTokens / typeOverrides name a column the header does not have), CSV_RAGGED_ROWS (unless skipBadRows: [{line, fields, expected}]),
 *   CSV_TOO_MANY_COLUMNS, CSV_FIELD_TOO_LONG. A partly written `arrowPath` is deleted on any error
 *   (also on abort through `opts.signal`, which rejects with the signal's AbortError).
 */
export async function ingestCsvFile(csvPath: string, arrowPath: string, opts?: IngestOptions): Promise<IngestResult> {
  const o = resolveOptions(opts);
  o.signal?.throwIfAborted();
  const sniffed = await sniffFile(csvPath, { delimiter: o.delimiter, maxColumns: o.maxColumns });
  o.batchRows = batchRowsFor(o.batchRows, sniffed.headerFields);
  const src: Source = {
    encoding: sniffed.encoding,
    utf8InvalidAt: -1,
    delimiter: sniffed.delimiter,
    // papaparse for files with one line ending (LF or CRLF); csv-parse for anything else
    parser: sniffed.newline === '\r' || sniffed.delimiter.length !== 1 ? 'csv-parse' : 'papaparse',
    newline: sniffed.newline === '\r\n' ? '\r\n' : '\n',
  };
  const mixedError = async (invalidAt: number, utf8At: number) => {
    const { line, byte } = await locateByte(csvPath, invalidAt);
    return mixedEncodingError(invalidAt, byte, line, utf8At);
  };
  /** Runs `f`, retrying as Windows-1252 on invalid UTF-8 and with csv-parse when papaparse cannot take the file. */
  const retrying = async <R>(f: () => Promise<R>): Promise<R> => {
    for (;;) {
      try {
        return await f();
      } catch (e) {
        if (e instanceof UseFullParser && src.parser === 'papaparse') src.parser = 'csv-parse';
        else if (e instanceof NotUtf8 && src.encoding === 'utf8') {
          // valid UTF-8 before the invalid byte: re-reading as Windows-1252 would garble it
          if (e.utf8At >= 0) throw await mixedError(e.offset, e.utf8At);
          src.encoding = 'windows-1252';
          src.utf8InvalidAt = e.offset;
        } else if (e instanceof MixedUtf8) throw await mixedError(e.invalidAt, e.utf8At);
        else throw e;
      }
    }
  };
  const run = async (): Promise<Main> => {
    // the plan of a prefix, held speculatively over the whole file in one pass
    const pre = await runPass1(csvPath, src, o, o.prefixRows ?? Math.max(1000, Math.min(PREFIX_ROWS, Math.floor(PREFIX_FIELDS / Math.max(1, sniffed.headerFields)))));
    if (pre.header === null || pre.inferrer === null) throw emptyError('no header row, only blank lines');
    const spec = pre.inferrer.plan(pre.header, o.typeOverrides);
    if (pre.raggedTotal === 0 && pre.rows > 0 && duckdbEligible(spec, src, o)) {
      const prefixHasFloat = pre.inferrer.stats.map((st) => st.kinds[Kind.Float] > 0);
      const fast = await ingestNumericWithDuckDB(csvPath, arrowPath, src, o, spec, prefixHasFloat);
      if (fast) return { ...pre, held: true, plans: fast.plans, p2: fast };
    }
    return runMain(csvPath, arrowPath, src, o, spec);
  };
  let p1: Main;
  let plans: ColumnPlan[];
  let p2: Pass2;
  try {
    p1 = await retrying(run);
    if (p1.header === null || p1.inferrer === null) throw emptyError('no header row, only blank lines');
    if (p1.raggedTotal > 0 && !o.skipBadRows) throw raggedError(p1.ragged, p1.raggedTotal);
    plans = p1.plans ?? p1.inferrer.plan(p1.header, o.typeOverrides);
    if (p1.held) {
      p2 = p1.p2;
      await binHistograms(arrowPath, plans, p2.converters);
    } else {
      p2 = await retrying(() => runPass2(csvPath, arrowPath, src, o, plans));
    }
  } catch (e) {
    await rm(arrowPath, { force: true });
    throw e;
  }

  const facts = p2.converters.map((c, i) => ({ plan: plans[i], profile: c.profile(), invalidCount: c.invalidCount, invalidLines: c.invalidLines }));
  const schema: DatasetSchema = {
    columns: plans.map((p, i) => ({
      name: p.name,
      type: p.type,
      role: 'feature' as const,
      ...(p.originalName !== undefined ? { originalName: p.originalName } : {}),
      ...(p.categories ? { categories: p.categories } : {}),
      invalidCount: p2.converters[i].invalidCount,
    })),
  };
  const profile: DatasetProfile = { columns: Object.fromEntries(facts.map((f) => [f.plan.name, f.profile])) };
  if (p2.corrPlans.length > 0) profile.correlations = { columns: p2.corrPlans.map((p) => p.name), matrix: p2.corr.matrix() };

  const warnings: DatasetWarning[] = [...(src.encoding === 'windows-1252' ? [await encodingWarning(csvPath, src.utf8InvalidAt)] : []), ...p1.headerWarnings, ...columnWarnings(facts, p2.rows)];
  if (p2.rows === 0) warnings.push({ code: 'NO_ROWS', message: 'The file has a header but no data rows.' });
  let skippedRows: number[] | undefined;
  if (o.skipBadRows) {
    skippedRows = p1.ragged.slice(0, MAX_LISTED_ROWS).map((r) => r.line);
    if (p1.raggedTotal > 0) {
      warnings.push({
        code: 'ROWS_SKIPPED',
        rows: skippedRows,
        message: `${p1.raggedTotal} row${p1.raggedTotal === 1 ? '' : 's'} without the header's ${plans.length} fields were skipped: ${p1.ragged
          .slice(0, 20)
          .map((r) => `line ${r.line} (${r.fields} fields)`)
          .join(', ')}${p1.raggedTotal > 20 ? ', …' : ''}.`,
      });
    }
  }
  return { schema, profile, warnings, rowCount: p2.rows, batchCount: p2.batches, ...(skippedRows ? { skippedRows } : {}), engine: p1.plans ? 'duckdb' : 'js' };
}
