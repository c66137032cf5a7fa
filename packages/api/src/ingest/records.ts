/**
 * Streams the records of a CSV file through csv-parse (RFC 4180: quotes, doubled quotes,
 * delimiters and newlines inside quotes; CRLF, LF, CR and mixed line endings; UTF-8 BOM
 * stripped; blank lines skipped). Records are handed to a synchronous callback inside the
 * parser (no per-record stream objects); the callback may return a value (e.g. a finished
 * record batch) which is passed, with backpressure, to an async consumer.
 */
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError, type Options } from 'csv-parse';
import { WeftError } from '@weft/proto';
import { createDecoder, type Encoding } from './decode.js';
import { fieldTooLongError, parseError } from './errors.js';

export interface RecordSourceOptions {
  encoding: Encoding;
  /** Byte offset of the first invalid UTF-8 sequence (for windows-1252 error messages). */
  utf8InvalidAt?: number;
  delimiter: string;
  /** csv-parse refuses a record larger than this many bytes while reading it. */
  maxRecordBytes: number;
  /** The field limit reported with that refusal. */
  maxFieldBytes: number;
  /** Column name by 0-based index, for error details (header not read yet: undefined). */
  nameOf?: (index: number) => string | undefined;
  signal?: AbortSignal;
}

/**
 * Called for each record with its fields and the 1-based line where it ends (equal to its
 * start line unless a quoted field spans lines). Return undefined/null to emit nothing.
 */
export type OnRecord<T> = (fields: string[], endLine: number) => T | null | undefined;

/** Number of line breaks inside a record's fields (CRLF counts once). */
export function lineBreaksIn(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 10) n++;
      else if (c === 13 && f.charCodeAt(i + 1) !== 10) n++;
    }
  }
  return n;
}

/**
 * Streams the file's records into `onRecord`. Values it returns flow into `tail` (streams
 * piped after the parser, e.g. an Arrow writer and the output file) with backpressure.
 * Parser errors become CSV_PARSE_ERROR / CSV_FIELD_TOO_LONG; WeftErrors pass through.
 */
export async function readRecords<T>(path: string, o: RecordSourceOptions, onRecord: OnRecord<T>, tail?: NodeJS.ReadWriteStream[] | [...NodeJS.ReadWriteStream[], NodeJS.WritableStream]): Promise<void> {
  let records = 0;
  const parser = parse({
    delimiter: o.delimiter,
    bom: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: o.maxRecordBytes,
    readableHighWaterMark: 1,
    on_record: (record: string[], info: { lines: number }) => {
      records++;
      return onRecord(record, info.lines) ?? null;
    },
  } as unknown as Options);
  // csv-parse builds a fresh info object (two object spreads) for every record it hands to
  // on_record; we only read `lines`, so hand it the live counters instead. This halves the
  // parser's cost per record. Guarded: if the internal name changes, the normal path runs.
  const api = (parser as unknown as { api?: { info?: unknown; __infoRecord?: () => unknown } }).api;
  if (api && typeof api.__infoRecord === 'function' && api.info) api.__infoRecord = function (this: { info: unknown }) { return this.info; };
  const rest = tail ?? [new Writable({ objectMode: true, write: (_item: T, _enc, cb) => cb() })];
  try {
    await pipeline([createReadStream(path, { highWaterMark: 1 << 20 }), createDecoder(o.encoding, o.utf8InvalidAt), parser, ...rest], { signal: o.signal });
  } catch (e) {
    if (e instanceof WeftError) throw e;
    if (e instanceof CsvError || (e as { code?: string }).code?.startsWith?.('CSV_')) {
      const ce = e as CsvError & { lines?: number; column?: number | string };
      if (ce.code === 'CSV_MAX_RECORD_SIZE') {
        const name = typeof ce.column === 'number' ? (o.nameOf?.(ce.column) ?? `column ${ce.column + 1}`) : undefined;
        throw fieldTooLongError(ce.lines ?? 0, o.maxFieldBytes, name, undefined, o.maxRecordBytes);
      }
      throw parseError(ce, records);
    }
    throw e;
  }
}
