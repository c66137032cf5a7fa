/**
 * Streams the records of a CSV file through csv-parse (RFC 4180: quotes, doubled quotes,
 * delimiters and newlines inside quotes; CRLF, LF, CR and mixed line endings; UTF-8 BOM
 * stripped; blank lines skipped). Records are handed to a synchronous callback inside the
 * parser (no per-record stream objects); the callback may return a value (e.g. a finished
 * record batch) which is passed, with backpressure, to an async consumer.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError, type Options } from 'csv-parse';
import { WeftError } from '@weft/proto';
import { createDecoder, type Encoding } from './decode.js';
import { fieldTooLongError, parseError } from './errors.js';

export interface RecordSourceOptions {
  encoding: Encoding;
  /**
   * `papaparse` (fast; used when the line endings are all LF or all CRLF — anything else, a
   * quote error or a record over `maxRecordBytes` throws {@link UseFullParser}) or `csv-parse`
   * (every line ending, also mixed; precise errors). Default csv-parse.
   */
  parser?: 'papaparse' | 'csv-parse';
  /** The line ending papaparse splits on (from the sniffer). */
  newline?: '\n' | '\r\n';
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

/** Thrown by an `onRecord` callback to stop reading early; {@link readRecords} then resolves normally. */
export class StopReading extends Error {
  constructor() {
    super('stop reading');
  }
}

/**
 * Thrown by the papaparse reader when the file needs csv-parse after all (mixed or CR line endings,
 * LF inside quotes of a CRLF file, a quote error, a record over the size limit). The caller
 * restarts its pass with `parser: 'csv-parse'`, which gives the exact result or error.
 */
export class UseFullParser extends Error {
  constructor(readonly reason: string) {
    super(`needs the full parser: ${reason}`);
  }
}

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
  if (o.parser === 'papaparse') return readRecordsPapa(path, o, onRecord, tail);
  let records = 0;
  // where the last record ended and how many empty lines csv-parse had skipped by then: the
  // record being read when an error stops the parser starts after both (an unclosed quote
  // always opens on its record's first line, since a line break outside quotes ends a record)
  let lastEndLine = 0;
  let lastEmptyLines = 0;
  const parser = parse({
    delimiter: o.delimiter,
    bom: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: o.maxRecordBytes,
    readableHighWaterMark: 1,
    on_record: (record: string[], info: { lines: number; empty_lines?: number }) => {
      records++;
      lastEndLine = info.lines;
      lastEmptyLines = info.empty_lines ?? 0;
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
    if (e instanceof StopReading) return;
    if (e instanceof WeftError) throw e;
    if (e instanceof CsvError || (e as { code?: string }).code?.startsWith?.('CSV_')) {
      const ce = e as CsvError & { lines?: number; column?: number | string; empty_lines?: number };
      const recordLine = lastEndLine + 1 + Math.max(0, (typeof ce.empty_lines === 'number' ? ce.empty_lines : lastEmptyLines) - lastEmptyLines);
      if (ce.code === 'CSV_MAX_RECORD_SIZE') {
        const name = typeof ce.column === 'number' ? (o.nameOf?.(ce.column) ?? `column ${ce.column + 1}`) : undefined;
        throw fieldTooLongError(typeof ce.lines === 'number' ? Math.min(recordLine, ce.lines) : recordLine, o.maxFieldBytes, name, undefined, o.maxRecordBytes);
      }
      throw parseError(ce, records, typeof ce.lines === 'number' ? Math.min(recordLine, ce.lines) : recordLine);
    }
    throw e;
  }
}

interface PapaResult {
  data: string[][];
  errors: Array<{ type: string; code: string }>;
  meta: { cursor: number };
}
interface PapaModule {
  Parser: new (config: { delimiter: string; newline: string; quoteChar: string }) => { parse(input: string, baseIndex: number, ignoreLastRow: boolean): PapaResult };
}
// papaparse ships no types of its own
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Papa = require('papaparse') as PapaModule;

/**
 * Records through papaparse's parser (RFC 4180 quotes; a chunk without any quote is split on
 * the line ending and the delimiter). Bytes are checked for the one line ending first, so a
 * file that is not consistently LF or CRLF goes to csv-parse (see {@link UseFullParser}).
 */
class PapaRecords<T> extends Transform {
  private readonly parser;
  private readonly text = new StringDecoder('utf8');
  private readonly crlf: boolean;
  private pending = '';
  private first = true;
  private line = 1; // 1-based line where the next record starts
  private lastCr = false; // CRLF mode: the previous chunk ended in CR
  records = 0;
  constructor(
    private readonly o: RecordSourceOptions,
    private readonly onRecord: OnRecord<T>,
  ) {
    super({ readableObjectMode: true, readableHighWaterMark: 1 });
    this.crlf = o.newline === '\r\n';
    this.parser = new Papa.Parser({ delimiter: o.delimiter, newline: o.newline ?? '\n', quoteChar: '"' });
  }
  /** Throws UseFullParser unless every line ending of the bytes is the expected one. */
  private checkLineEndings(b: Buffer): void {
    if (!this.crlf) {
      if (b.indexOf(13) >= 0) throw new UseFullParser('CR in an LF file');
      return;
    }
    if (this.lastCr && b[0] !== 10) throw new UseFullParser('bare CR');
    let crs = 0;
    for (let i = b.indexOf(13); i >= 0; i = b.indexOf(13, i + 1)) {
      if (i + 1 < b.length && b[i + 1] !== 10) throw new UseFullParser('bare CR');
      crs++;
    }
    let lfs = 0;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lfs++;
    // every LF must follow a CR (the first LF may follow the previous chunk's CR)
    if (lfs !== crs - (b[b.length - 1] === 13 ? 1 : 0) + (this.lastCr ? 1 : 0)) throw new UseFullParser('LF in a CRLF file');
    this.lastCr = b[b.length - 1] === 13;
  }
  private run(text: string, final: boolean): void {
    if (text.length === 0) return;
    const res = this.parser.parse(text, 0, !final);
    if (res.errors.length > 0) throw new UseFullParser(`papaparse ${res.errors[0].code}`);
    this.pending = final ? '' : text.slice(res.meta.cursor);
    if (this.pending.length > this.o.maxRecordBytes) throw new UseFullParser('record over the size limit');
    const rows = res.data;
    // Line breaks inside quoted fields: only when the parsed text has more LFs than records ended
    // (papaparse only gets files whose line breaks are all LF or all CRLF; a CR alone is refused).
    let embedded = false;
    if (text.indexOf('"') >= 0) {
      const end = final ? text.length : res.meta.cursor;
      let lfs = 0;
      for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) lfs++;
      embedded = lfs !== (final ? rows.length - 1 : rows.length);
    }
    for (let i = 0; i < rows.length; i++) {
      const fields = rows[i];
      const endLine = embedded ? this.line + lineBreaksIn(fields) : this.line;
      this.line = endLine + 1;
      this.records++;
      const out = this.onRecord(fields, endLine);
      if (out !== null && out !== undefined) this.push(out);
    }
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    try {
      this.checkLineEndings(chunk);
      let s = this.text.write(chunk);
      if (this.first && s.length > 0) {
        this.first = false;
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      }
      this.run(this.pending + s, false);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      if (this.lastCr) throw new UseFullParser('bare CR');
      let s = this.pending + this.text.end();
      if (this.first && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      // a final line ending would give papaparse a phantom empty record
      if (s.endsWith(this.crlf ? '\r\n' : '\n')) s = s.slice(0, this.crlf ? -2 : -1);
      this.pending = '';
      if (s.length > 0) this.run(s, true);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

async function readRecordsPapa<T>(path: string, o: RecordSourceOptions, onRecord: OnRecord<T>, tail?: NodeJS.ReadWriteStream[] | [...NodeJS.ReadWriteStream[], NodeJS.WritableStream]): Promise<void> {
  const rest = tail ?? [new Writable({ objectMode: true, write: (_item: T, _enc, cb) => cb() })];
  const parser = new PapaRecords<T>(o, onRecord);
  try {
    await pipeline([createReadStream(path, { highWaterMark: 1 << 20 }), createDecoder(o.encoding, o.utf8InvalidAt), parser, ...rest], { signal: o.signal });
  } catch (e) {
    if (e instanceof StopReading) return;
    throw e;
  }
}
