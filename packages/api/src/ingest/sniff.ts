/**
 * Looks at the first 64 KiB of a file before parsing: empty, binary, byte-order mark,
 * delimiter, and a quick column count of the header so a megabyte of commas is refused
 * before any parsing or per-column state.
 */
import { open } from 'node:fs/promises';
import type { Encoding } from './decode.js';
import { binaryError, emptyError, tooManyColumnsError } from './errors.js';

export const HEAD_BYTES = 64 * 1024;
const BINARY_CHECK_BYTES = 1024;
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

export interface Sniffed {
  /** Encoding decided from the byte-order mark; `utf8` without one (it may still turn out to be Windows-1252). */
  encoding: Encoding;
  delimiter: string;
  /** File size in bytes. */
  byteSize: number;
  /** Fields of the header (quote-aware count over the head). */
  headerFields: number;
  /** The head's line ending: `\r\n` if it has one, else `\r` if it has one, else `\n`. */
  newline: '\n' | '\r\n' | '\r';
}

/** Reads up to `HEAD_BYTES` from the start of the file. */
export async function readHead(path: string): Promise<{ head: Buffer; byteSize: number }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    let got = 0;
    while (got < head.length) {
      const { bytesRead } = await fh.read(head, got, head.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { head: head.subarray(0, got), byteSize: size };
  } finally {
    await fh.close();
  }
}

const MAGIC: Array<[number[], string]> = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an Excel .xlsx workbook?)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an OLE2 document (an Excel .xls workbook?)'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x1f, 0x8b], 'gzip-compressed data'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file'],
  [[0x41, 0x52, 0x52, 0x4f, 0x57, 0x31], 'an Arrow IPC file'],
];

/** Throws CSV_BINARY when the first KiB holds a known binary signature, a NUL byte, or is mostly control bytes. */
export function checkBinary(head: Uint8Array, start: number): void {
  for (const [sig, what] of MAGIC) {
    if (sig.every((b, i) => head[start + i] === b)) throw binaryError(`it starts like ${what}`, start);
  }
  const end = Math.min(head.length, start + BINARY_CHECK_BYTES);
  let control = 0;
  let firstControl = -1;
  for (let i = start; i < end; i++) {
    const b = head[i];
    if (b === 0) throw binaryError('NUL byte', i);
    // control bytes other than TAB LF VT FF CR ESC
    if (b < 32 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 27) {
      control++;
      if (firstControl < 0) firstControl = i;
    }
  }
  const n = end - start;
  if (n > 0 && control / n > 0.1) throw binaryError(`${control} of the first ${n} bytes are control bytes`, firstControl);
}

/** Encoding and BOM length from a byte-order mark. */
export function detectBom(head: Uint8Array): { encoding: Encoding; bomBytes: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', bomBytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  return { encoding: 'utf8', bomBytes: 0 };
}

/**
 * Field counts per record (quote-aware) of `text` for one delimiter. The last record is
 * dropped when the text was truncated (it may be incomplete); blank lines are skipped.
 */
function fieldCounts(text: string, delim: string, truncated: boolean, maxRecords: number): number[] {
  const counts: number[] = [];
  let inQuotes = false;
  let n = 0;
  let blank = true;
  for (let i = 0; i < text.length && counts.length < maxRecords; i++) {
    const c = text[i];
    if (c === '"') {
      inQuotes = !inQuotes;
      blank = false;
    } else if (inQuotes) continue;
    else if (c === delim) {
      n++;
      blank = false;
    } else if (c === '\n' || c === '\r') {
      if (!blank) counts.push(n + 1);
      n = 0;
      blank = true;
    } else if (c !== ' ') blank = false;
  }
  if (!truncated && !blank && counts.length < maxRecords) counts.push(n + 1);
  return counts;
}

/**
 * Picks the delimiter whose per-record field count is most consistent (header included) and
 * greater than one; ties go to the earlier candidate in `, ; TAB |`. Defaults to `,`.
 */
export function sniffDelimiter(text: string, truncated: boolean): string {
  let best: string = ',';
  let bestScore = 0;
  for (const d of DELIMITER_CANDIDATES) {
    const counts = fieldCounts(text, d, truncated, 50);
    if (counts.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 1;
    let modeFreq = 0;
    for (const [c, f] of freq) if (f > modeFreq || (f === modeFreq && c > mode)) (mode = c), (modeFreq = f);
    if (mode <= 1) continue;
    const score = modeFreq / counts.length;
    if (score > bestScore) (best = d), (bestScore = score);
  }
  return best;
}

/** Counts the header's fields (quote-aware) in the head text; stops as soon as `limit` is passed. */
export function countHeaderFields(text: string, delim: string, limit: number): number {
  let inQuotes = false;
  let n = 1;
  let i = 0;
  while (i < text.length && (text[i] === '\n' || text[i] === '\r')) i++; // leading blank lines
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (text.startsWith(delim, i)) {
      if (++n > limit) return n;
      i += delim.length - 1;
    } else if (c === '\n' || c === '\r') break;
  }
  return n;
}

/**
 * Sniffs the file: throws CSV_EMPTY (0 bytes, or nothing but whitespace and a BOM),
 * CSV_BINARY, CSV_TOO_MANY_COLUMNS (header wider than `maxColumns`).
 */
export async function sniffFile(path: string, opts: { delimiter?: string; maxColumns: number }): Promise<Sniffed> {
  const { head, byteSize } = await readHead(path);
  if (byteSize === 0) throw emptyError('0 bytes, no header');
  const { encoding, bomBytes } = detectBom(head);
  let text: string;
  if (encoding === 'utf8') {
    checkBinary(head, bomBytes);
    // lenient decode only for sniffing; the real decoder validates
    text = head.subarray(bomBytes).toString('latin1');
  } else {
    const usable = head.length - bomBytes - ((head.length - bomBytes) % 2);
    text = new TextDecoder(encoding).decode(head.subarray(bomBytes, bomBytes + usable));
  }
  if (text.trim().length === 0 && byteSize <= head.length) throw emptyError('no header, only whitespace');
  const truncated = byteSize > head.length;
  const delimiter = opts.delimiter ?? sniffDelimiter(text, truncated);
  const cols = countHeaderFields(text, delimiter, opts.maxColumns);
  if (cols > opts.maxColumns) throw tooManyColumnsError(cols, opts.maxColumns, 1);
  const newline = text.includes('\r\n') ? '\r\n' : text.includes('\r') ? '\r' : '\n';
  return { encoding, delimiter, byteSize, headerFields: cols, newline };
}
