/**
 * Looks at the first 64 KiB of a file before parsing: empty, binary, byte-order mark or
 * BOM-less UTF-16, delimiter, and a quick column count of the header so a megabyte of commas
 * is refused before any parsing or per-column state.
 */
import { open } from 'node:fs/promises';
import type { Encoding } from './decode.js';
import { binaryError, emptyError, tooManyColumnsError } from './errors.js';

export const HEAD_BYTES = 64 * 1024;
const BINARY_CHECK_BYTES = 1024;
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

export interface Sniffed {
  /**
   * Encoding decided from the byte-order mark, else UTF-16 from the head's byte pattern (see
   * {@link detectUtf16}), else `utf8` (it may still turn out to be Windows-1252).
   */
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

/** Throws CSV_BINARY when the bytes at `start` are a known binary signature (ZIP, PNG, PDF, …). */
export function checkSignature(head: Uint8Array, start: number): void {
  for (const [sig, what] of MAGIC) {
    if (sig.every((b, i) => head[start + i] === b)) throw binaryError(`it starts like ${what}`, start);
  }
}

/** True for a C0 control character other than TAB LF VT FF CR ESC (text does not hold them). */
function isStrayControl(c: number): boolean {
  return c < 32 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13 && c !== 27;
}

/** Throws CSV_BINARY when the first KiB holds a known binary signature, a NUL byte, or is mostly control bytes. */
export function checkBinary(head: Uint8Array, start: number): void {
  checkSignature(head, start);
  const end = Math.min(head.length, start + BINARY_CHECK_BYTES);
  let control = 0;
  let firstControl = -1;
  for (let i = start; i < end; i++) {
    const b = head[i];
    if (b === 0) throw binaryError('NUL byte', i);
    if (isStrayControl(b)) {
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

/** Least share of code units whose high byte is zero for a head to be taken as BOM-less UTF-16. */
const UTF16_MIN_ZERO_HIGH = 0.2;
/** Most code units with a zero low byte (U+0100, U+4E00, a U+1F600 low surrogate, …) per unit with a zero high byte. */
const UTF16_MAX_ZERO_LOW_RATIO = 1 / 8;
/** Most share of stray control characters (see isStrayControl) in BOM-less UTF-16. */
const UTF16_MAX_CONTROL = 0.01;

/**
 * Detects UTF-16 without a byte-order mark from the byte pattern of the head: text in UTF-16LE
 * has a zero high byte (odd offsets) for every ASCII character, UTF-16BE at even offsets, while
 * 8-bit text has no zero bytes and binary data has zeros at both. Decides `utf-16le` (or `-be`)
 * when at least 20% of the head's code units have a zero high byte, at most an eighth as many a
 * zero low byte, none is U+0000 and at most 1% are C0 control characters other than TAB LF VT FF
 * CR ESC (so CSV in non-Latin scripts, whose delimiters, digits and line breaks are ASCII, is
 * found too, and 16-bit binary data, which holds U+0000 and control units, is not).
 * Returns null otherwise: the caller's binary check then reports the NUL bytes.
 */
export function detectUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = head.length - (head.length % 2);
  const units = n / 2;
  if (units === 0) return null;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) zeroEven++;
    if (head[i + 1] === 0) zeroOdd++;
  }
  const le = zeroOdd >= zeroEven;
  const zeroHigh = le ? zeroOdd : zeroEven;
  const zeroLow = le ? zeroEven : zeroOdd;
  if (zeroHigh < UTF16_MIN_ZERO_HIGH * units || zeroLow > UTF16_MAX_ZERO_LOW_RATIO * zeroHigh) return null;
  const lo = le ? 0 : 1;
  let control = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i + 1 - lo] !== 0) continue;
    const c = head[i + lo];
    if (c === 0) return null; // U+0000
    if (isStrayControl(c)) control++;
  }
  if (control > UTF16_MAX_CONTROL * units) return null;
  return le ? 'utf-16le' : 'utf-16be';
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
 * Sniffs the file: encoding (BOM, else BOM-less UTF-16 from the byte pattern, else UTF-8),
 * delimiter, header width, line ending. Throws CSV_EMPTY (0 bytes, or nothing but whitespace
 * and a BOM), CSV_BINARY (a binary signature, NUL or control bytes in 8-bit text: reason and
 * byte offset), CSV_TOO_MANY_COLUMNS (header wider than `maxColumns`).
 */
export async function sniffFile(path: string, opts: { delimiter?: string; maxColumns: number }): Promise<Sniffed> {
  const { head, byteSize } = await readHead(path);
  if (byteSize === 0) throw emptyError('0 bytes, no header');
  const bom = detectBom(head);
  const bomBytes = bom.bomBytes;
  let encoding = bom.encoding;
  if (bomBytes === 0) {
    checkSignature(head, 0); // a PNG or ZIP header is binary even where it could pass as UTF-16
    encoding = detectUtf16(head) ?? encoding;
  }
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
