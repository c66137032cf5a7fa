/**
 * Byte-level decoding in front of the CSV parser. Every decoder emits UTF-8 bytes.
 *
 * - `utf8`: bytes pass through unchanged; they are validated (simdutf via `buffer.isUtf8`).
 *   Invalid UTF-8 throws {@link NotUtf8}, which says whether valid non-ASCII UTF-8 came before
 *   the invalid byte (then the file mixes UTF-8 with other bytes and is refused by the caller),
 *   else the caller retries as Windows-1252.
 * - `windows-1252`: transcoded with the WHATWG table. The five bytes Windows-1252 leaves
 *   undefined (0x81 0x8D 0x8F 0x90 0x9D) are CSV_ENCODING errors: such a file is neither.
 *   A valid UTF-8 multi-byte sequence anywhere in the file throws {@link MixedUtf8}: a genuine
 *   Windows-1252 file practically never holds one, a UTF-8 file with one stray byte always does.
 * - `utf-16le` / `utf-16be` (from a byte-order mark, or without one from the byte pattern of the
 *   head, see ./sniff.ts): transcoded; an unpaired surrogate or an odd trailing byte is a
 *   CSV_ENCODING error naming its byte offset, a U+0000 character a CSV_BINARY error.
 * NUL bytes anywhere in an 8-bit encoding are CSV_BINARY errors. Nothing is ever replaced by U+FFFD.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { binaryError, encodingError } from './errors.js';

export type Encoding = 'utf8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/**
 * Thrown by the UTF-8 validator; `offset` is the byte offset of the first invalid sequence,
 * `utf8At` the offset of the first valid multi-byte UTF-8 sequence before it (-1: only ASCII
 * came before, so the file may be Windows-1252).
 */
export class NotUtf8 extends Error {
  constructor(
    readonly offset: number,
    readonly utf8At = -1,
  ) {
    super(`invalid UTF-8 at byte ${offset}`);
  }
}

/**
 * The file holds valid UTF-8 multi-byte sequences (first at `utf8At`) and bytes that are not
 * UTF-8 (first at `invalidAt`): it is neither clean UTF-8 nor Windows-1252 text. The caller
 * turns it into CSV_ENCODING with the line (see {@link locateByte}).
 */
export class MixedUtf8 extends Error {
  constructor(
    readonly invalidAt: number,
    readonly utf8At: number,
  ) {
    super(`valid UTF-8 at byte ${utf8At} and invalid UTF-8 at byte ${invalidAt}`);
  }
}

/** Index of the first byte >= 0x80 in buf, or -1. */
function firstNonAscii(buf: Uint8Array): number {
  if (isAscii(buf)) return -1;
  for (let i = 0; i < buf.length; i++) if (buf[i] >= 0x80) return i;
  return -1;
}

/**
 * Index (in [from, to)) of the first byte that starts a complete, valid UTF-8 multi-byte
 * sequence lying inside buf, or -1. Sequences running past the end of buf are not counted.
 */
export function findUtf8Sequence(buf: Uint8Array, from = 0, to = buf.length): number {
  const n = buf.length;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (b < 0xc2 || b > 0xf4) continue;
    const need = b <= 0xdf ? 1 : b <= 0xef ? 2 : 3;
    if (i + need >= n) continue;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) continue;
    const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) continue;
    return i;
  }
  return -1;
}

/**
 * The 1-based line (LF, CRLF or CR line breaks) holding byte `offset` of the file, and that
 * byte's value (-1 past the end). Streams the file up to the offset; used on error paths only.
 */
export async function locateByte(path: string, offset: number): Promise<{ line: number; byte: number }> {
  let line = 1;
  let pos = 0;
  let lastCr = false;
  let byte = -1;
  if (offset < 0) return { line, byte };
  const stream = createReadStream(path, { start: 0, end: offset, highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const n = Math.min(chunk.length, offset - pos); // bytes before the offset in this chunk
    for (let i = 0; i < n; i++) {
      const c = chunk[i];
      if (c === 10) {
        if (!lastCr) line++;
        lastCr = false;
      } else if (c === 13) {
        line++;
        lastCr = true;
      } else lastCr = false;
    }
    if (n < chunk.length) byte = chunk[n];
    pos += chunk.length;
  }
  return { line, byte };
}

/** Byte offset (relative to buf) of the first invalid UTF-8 sequence, or -1. `final` = no more bytes follow. */
export function findInvalidUtf8(buf: Uint8Array, final: boolean): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) (need = 1), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (min = 0x10000);
    else return i;
    if (i + need >= n) {
      // incomplete sequence at the end
      if (!final) {
        for (let k = i + 1; k < n; k++) if ((buf[k] & 0xc0) !== 0x80) return i;
        return -1;
      }
      return i;
    }
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Length of buf without a trailing incomplete UTF-8 sequence (at most 3 bytes are held back). */
function completeLength(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

abstract class CountingDecoder extends Transform {
  protected offset = 0; // bytes of input consumed before the current chunk
  constructor() {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
  }
  protected checkNul(chunk: Buffer): void {
    const z = chunk.indexOf(0);
    if (z >= 0) throw binaryError('NUL byte', this.offset + z);
  }
}

class Utf8Validator extends CountingDecoder {
  private carry: Buffer | null = null;
  /** Byte offset of the first non-ASCII byte (= first valid multi-byte sequence) seen, or -1. */
  private utf8At = -1;
  /** Records the first non-ASCII byte of `valid` (already validated bytes starting at file offset `base`). */
  private noteUtf8(valid: Uint8Array, base: number): void {
    if (this.utf8At >= 0) return;
    const i = firstNonAscii(valid);
    if (i >= 0) this.utf8At = base + i;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.checkNul(chunk);
      const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      const base = this.offset - (this.carry ? this.carry.length : 0);
      const ok = completeLength(buf);
      if (!isUtf8(buf.subarray(0, ok))) {
        const bad = findInvalidUtf8(buf.subarray(0, ok), false);
        this.noteUtf8(buf.subarray(0, bad), base);
        throw new NotUtf8(base + bad, this.utf8At);
      }
      this.noteUtf8(buf.subarray(0, ok), base);
      this.carry = ok < buf.length ? Buffer.from(buf.subarray(ok)) : null;
      this.offset += chunk.length;
      cb(null, chunk);
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    if (this.carry) return cb(new NotUtf8(this.offset - this.carry.length, this.utf8At));
    cb();
  }
}

/** WHATWG windows-1252 code points for bytes 0x80..0x9F; 0 marks the five undefined bytes. */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];
const CP1252 = new Uint16Array(256);
for (let b = 0; b < 256; b++) CP1252[b] = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : b;

/** Decodes a complete Windows-1252 buffer; returns the string or the index of an undefined byte. */
export function decodeWindows1252(buf: Uint8Array): string | number {
  const out = new Uint16Array(buf.length);
  for (let i = 0; i < buf.length; i++) {
    const c = CP1252[buf[i]];
    if (c === 0 && buf[i] !== 0) return i;
    out[i] = c;
  }
  return new TextDecoder('utf-16le').decode(out);
}

class Windows1252Decoder extends CountingDecoder {
  /** The last (at most 3) bytes of the previous chunk: a UTF-8 sequence may straddle chunks. */
  private tail: Buffer | null = null;
  constructor(private readonly utf8InvalidAt: number) {
    super();
  }
  /** Chunk index of the first valid UTF-8 multi-byte sequence touching this chunk (negative: starts in the previous chunk), or null. */
  private utf8SequenceIn(chunk: Buffer): number | null {
    const tail = this.tail;
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 3)));
    if (tail) {
      const joined = Buffer.concat([tail, chunk.subarray(0, 3)]);
      const j = findUtf8Sequence(joined, 0, tail.length);
      if (j >= 0) return j - tail.length;
    }
    const i = findUtf8Sequence(chunk);
    return i >= 0 ? i : null;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.checkNul(chunk);
      const u = this.utf8SequenceIn(chunk);
      const s = decodeWindows1252(chunk);
      // UTF-8 first: e.g. "Á" is C3 81 in UTF-8, and 0x81 is undefined in Windows-1252
      if (u !== null && (typeof s !== 'number' || u <= s)) throw new MixedUtf8(this.utf8InvalidAt, this.offset + u);
      if (typeof s === 'number') {
        const at = this.offset + s;
        throw encodingError(
          `The file is neither UTF-8 (invalid sequence at byte ${this.utf8InvalidAt}) nor Windows-1252 (undefined byte 0x${chunk[s].toString(16).toUpperCase()} at byte ${at}). Save it as UTF-8.`,
          { offset: this.utf8InvalidAt, utf8InvalidAt: this.utf8InvalidAt, windows1252InvalidAt: at },
        );
      }
      this.offset += chunk.length;
      cb(null, Buffer.from(s, 'utf8'));
    } catch (e) {
      cb(e as Error);
    }
  }
}

function isHighSurrogate(u: number): boolean {
  return u >= 0xd800 && u <= 0xdbff;
}

function isLowSurrogate(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}

/**
 * Byte offset (relative to buf) of the first UTF-16 code unit that is an unpaired surrogate, or
 * -1. `buf` holds whole code units (an even number of bytes); a high surrogate in its last unit
 * counts as unpaired.
 */
export function findInvalidUtf16(buf: Uint8Array, littleEndian: boolean): number {
  const lo = littleEndian ? 0 : 1;
  const hi = 1 - lo;
  for (let i = 0; i + 1 < buf.length; i += 2) {
    const u = buf[i + lo] | (buf[i + hi] << 8);
    if (isHighSurrogate(u)) {
      const j = i + 2;
      if (j + 1 >= buf.length || !isLowSurrogate(buf[j + lo] | (buf[j + hi] << 8))) return i;
      i = j;
    } else if (isLowSurrogate(u)) return i;
  }
  return -1;
}

/**
 * UTF-16 (with or without a byte-order mark) to UTF-8. A code unit or surrogate pair split
 * across chunks is carried over; a BOM is dropped only at the start of the file. Errors name
 * the byte offset in the file: CSV_ENCODING for an unpaired surrogate or an odd byte at the end,
 * CSV_BINARY for a U+0000 character.
 */
class Utf16Decoder extends CountingDecoder {
  private readonly dec: InstanceType<typeof TextDecoder>;
  private readonly littleEndian: boolean;
  private carry: Buffer | null = null;
  constructor(private readonly encoding: 'utf-16le' | 'utf-16be') {
    super();
    this.dec = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    this.littleEndian = encoding === 'utf-16le';
  }
  private unitAt(buf: Uint8Array, i: number): number {
    return this.littleEndian ? buf[i] | (buf[i + 1] << 8) : (buf[i] << 8) | buf[i + 1];
  }
  private invalid(at: number, what: string): Error {
    const name = this.littleEndian ? 'UTF-16LE' : 'UTF-16BE';
    return encodingError(`The file is not valid ${name} text: ${what} at byte ${at}. Save it as UTF-8.`, { offset: at, encoding: this.encoding });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      const base = this.offset - (this.carry ? this.carry.length : 0);
      let end = buf.length - (buf.length % 2);
      if (end >= 2 && isHighSurrogate(this.unitAt(buf, end - 2))) end -= 2; // its pair may follow
      this.carry = end < buf.length ? Buffer.from(buf.subarray(end)) : null;
      this.offset += chunk.length;
      if (end === 0) return cb();
      const bytes = buf.subarray(0, end);
      let s: string;
      try {
        s = this.dec.decode(bytes);
      } catch {
        throw this.invalid(base + findInvalidUtf16(bytes, this.littleEndian), 'an unpaired surrogate');
      }
      const skip = base === 0 && s.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
      const z = s.indexOf('\0');
      if (z >= 0) throw binaryError('NUL character', base + 2 * z);
      cb(null, Buffer.from(skip ? s.slice(1) : s, 'utf8'));
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    const c = this.carry;
    if (!c) return cb();
    const at = this.offset - c.length;
    cb(c.length >= 2 && isHighSurrogate(this.unitAt(c, 0)) ? this.invalid(at, 'an unpaired surrogate') : this.invalid(at, 'the file ends inside a 2-byte code unit'));
  }
}

/** A Transform from file bytes in `encoding` to UTF-8 bytes. `utf8InvalidAt` is reported by windows-1252 errors. */
export function createDecoder(encoding: Encoding, utf8InvalidAt = -1): Transform {
  switch (encoding) {
    case 'utf8':
      return new Utf8Validator();
    case 'windows-1252':
      return new Windows1252Decoder(utf8InvalidAt);
    default:
      return new Utf16Decoder(encoding);
  }
}
