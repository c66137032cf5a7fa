/**
 * CSV → Arrow IPC file + profile, in two streaming passes over the file:
 * pass 1 reads the header, checks row shapes and limits, and infers one type per column over
 * all rows; pass 2 converts every value, writes record batches and computes the profile.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { RecordBatchFileWriter, type RecordBatch } from 'apache-arrow';
import type { DatasetProfile, DatasetSchema, DatasetWarning } from '@weft/proto';
import { arrowSchema, makeBatch } from './arrow-writer.js';
import { isCorrelated, makeConverter, type Converter } from './convert.js';
import { NotUtf8, type Encoding } from './decode.js';
import { emptyError, fieldTooLongError, MAX_LISTED_ROWS, raggedError, type RaggedRow, tooManyColumnsError } from './errors.js';
import { nameColumns, type HeaderColumn } from './header.js';
import { TypeInferrer, type ColumnPlan } from './infer.js';
import { resolveOptions, type IngestOptions, type ResolvedOptions } from './options.js';
import { CorrelationSampler } from './profile.js';
import { lineBreaksIn, readRecords } from './records.js';
import { sniffFile } from './sniff.js';
import { columnWarnings } from './warnings.js';

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
}


interface Source {
  encoding: Encoding;
  utf8InvalidAt: number;
  delimiter: string;
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

async function runPass1(csvPath: string, src: Source, o: ResolvedOptions): Promise<Pass1> {
  const r: Pass1 = { header: null, headerWarnings: [], inferrer: null, ragged: [], raggedTotal: 0, rows: 0 };
  let ncols = 0;
  await readRecords<never>(
    csvPath,
    { ...src, maxRecordBytes: maxRecordBytes(o), maxFieldBytes: o.maxFieldBytes, signal: o.signal, nameOf: (i) => r.header?.[i]?.name },
    (fields, endLine) => {
      if (r.header === null) {
        if (isBlankRecord(fields)) return null;
        if (fields.length > o.maxColumns) throw tooManyColumnsError(fields.length, o.maxColumns, endLine);
        checkFieldLengths(fields, o.maxFieldBytes, endLine, null);
        const named = nameColumns(fields);
        r.header = named.columns;
        r.headerWarnings = named.warnings;
        ncols = fields.length;
        const tokens = named.columns.map((c) => o.columnNullTokens[c.name] ?? o.nullTokens);
        const forced = named.columns.map((c) => o.typeOverrides[c.name] === 'categorical');
        r.inferrer = new TypeInferrer(tokens, src.delimiter === ';', forced);
        return null;
      }
      if (fields.length !== ncols) {
        if (isBlankRecord(fields)) return null;
        if (r.ragged.length < MAX_LISTED_ROWS) r.ragged.push({ line: endLine - lineBreaksIn(fields), fields: fields.length, expected: ncols });
        r.raggedTotal++;
        return null;
      }
      checkFieldLengths(fields, o.maxFieldBytes, endLine, r.header);
      r.rows++;
      // Once the file is certain to be rejected, only keep looking for bad rows.
      if (r.raggedTotal === 0 || o.skipBadRows) r.inferrer!.add(fields);
      return null;
    },
  );
  return r;
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
 *   CSV_ENCODING (neither UTF-8 nor Windows-1252: byte offsets), CSV_PARSE_ERROR (e.g. unclosed
 *   quote: line, row), CSV_RAGGED_ROWS (unless skipBadRows: [{line, fields, expected}]),
 *   CSV_TOO_MANY_COLUMNS, CSV_FIELD_TOO_LONG. A partly written `arrowPath` is deleted on any error
 *   (also on abort through `opts.signal`, which rejects with the signal's AbortError).
 */
export async function ingestCsvFile(csvPath: string, arrowPath: string, opts?: IngestOptions): Promise<IngestResult> {
  const o = resolveOptions(opts);
  o.signal?.throwIfAborted();
  const sniffed = await sniffFile(csvPath, { delimiter: o.delimiter, maxColumns: o.maxColumns });
  const src: Source = { encoding: sniffed.encoding, utf8InvalidAt: -1, delimiter: sniffed.delimiter };
  let p1: Pass1;
  try {
    p1 = await runPass1(csvPath, src, o);
  } catch (e) {
    if (!(e instanceof NotUtf8) || src.encoding !== 'utf8') throw e;
    src.encoding = 'windows-1252';
    src.utf8InvalidAt = e.offset;
    p1 = await runPass1(csvPath, src, o);
  }
  if (p1.header === null || p1.inferrer === null) throw emptyError('no header row, only blank lines');
  if (p1.raggedTotal > 0 && !o.skipBadRows) throw raggedError(p1.ragged, p1.raggedTotal);
  const plans = p1.inferrer.plan(p1.header, o.typeOverrides);

  let p2: Pass2;
  try {
    p2 = await runPass2(csvPath, arrowPath, src, o, plans);
  } catch (e) {
    await rm(arrowPath, { force: true });
    throw e;
  }

  const facts = p2.converters.map((c) => ({ plan: c.plan, profile: c.profile(), invalidCount: c.invalidCount, invalidLines: c.invalidLines }));
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

  const warnings: DatasetWarning[] = [...p1.headerWarnings, ...columnWarnings(facts, p2.rows)];
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
  return { schema, profile, warnings, rowCount: p2.rows, batchCount: p2.batches, ...(skippedRows ? { skippedRows } : {}) };
}
