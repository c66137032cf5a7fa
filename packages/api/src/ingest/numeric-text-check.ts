/**
 * The fast path's check of the text of every value (see ./engine-duckdb.ts): the forms DuckDB
 * reads as numbers but the typing rules do not, decimal/exponent forms, and the record count —
 * byte-wise for files without quotes, as one SQL aggregate otherwise.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ColumnPlan } from './infer.js';
import { callWorker } from './worker-call.js';

/**
 * One aggregate query over the text of every non-missing value, per column: `z` a leading-zero
 * integer form (`007`, `-01`; also `00.5`, which only over-declines); `f` (where `askFloat`) a
 * decimal point or exponent, which makes the column float; and with `odd` (the text has bytes
 * that could form one, see {@link scanNumericText}) `u`, a form DuckDB reads as a number but the
 * typing rules do not: a `_` digit separator, a `+-` prefix, surrounding whitespace or control
 * characters (`' 007'` is a code for us). Returns the SQL and, per column, the result positions
 * of `u`, `z`, `f` (-1 when not asked); the last result is the record count.
 */
export function verificationSql(from: string, spec: readonly ColumnPlan[], askFloat: readonly boolean[], odd: boolean): { sql: string; at: Array<[number, number, number]> } {
  const parts: string[] = [];
  const at: Array<[number, number, number]> = [];
  spec.forEach((p, i) => {
    const c = `c${i}`;
    const pos: [number, number, number] = [-1, -1, -1];
    if (odd) {
      pos[0] = parts.length;
      parts.push(`bool_or(contains(${c}, '_') OR starts_with(${c}, '+-') OR ord(${c}) <= 32 OR ord(right(${c}, 1)) <= 32)`);
    }
    pos[1] = parts.length;
    parts.push(`bool_or(${c} GLOB '0[0-9]*' OR ${c} GLOB '[-+]0[0-9]*')`);
    if (askFloat[i]) {
      pos[2] = parts.length;
      parts.push(`bool_or(${c} GLOB '*[.eE]*')`);
    }
    at.push(pos);
  });
  // the last result is the number of records (the streamed read must deliver that many)
  return { sql: `SELECT ${parts.join(', ')}, count(*) FROM ${from}`, at };
}

/** What {@link scanNumericText} found. */
export interface TextScan {
  /** The data rows hold a quote or a byte that could form a number DuckDB reads but we do not
   *  (`_`, `+`, whitespace or a control character other than the line ending and the delimiter):
   *  the fields cannot be checked byte-wise; run {@link verificationSql} instead. */
  needsSql: boolean;
  /** Data records (non-blank lines after the header); meaningful only without `needsSql`. */
  records: number;
  /** Per column: a field starts with a leading-zero integer form (`007`, `-01`, also `00.5`). */
  leadingZero: boolean[];
  /** Per column: a field holds `.`, `e` or `E` (a decimal or exponent). */
  floatForm: boolean[];
}

/**
 * The checks of {@link verificationSql} done on the raw bytes, for files whose data rows have no
 * quote: then every delimiter byte separates fields and every LF (or CRLF) ends a record, so a
 * field's column is its delimiter count (the header line is skipped). Rows with another field
 * count make DuckDB's strict read fail, which declines the fast path anyway. One sequential read
 * with a bounded buffer; ~1 ns per byte.
 */
export async function scanNumericText(path: string, delimiter: string, ncols: number, signal?: AbortSignal): Promise<TextScan> {
  const delim = delimiter.charCodeAt(0);
  const leadingZero = new Array<boolean>(ncols).fill(false);
  const floatForm = new Array<boolean>(ncols).fill(false);
  const lz = new Uint8Array(ncols + 1);
  const ff = new Uint8Array(ncols + 1);
  const result = (needsSql: boolean): TextScan => {
    for (let c = 0; c < ncols; c++) {
      leadingZero[c] = lz[c] === 1;
      floatForm[c] = ff[c] === 1;
    }
    return { needsSql, leadingZero, floatForm, records };
  };
  let records = 0;
  const fh = await open(path, 'r');
  try {
    const nodeBuf = Buffer.allocUnsafe(4 << 20);
    // a plain Uint8Array view: element reads on it are faster than on the Buffer subclass
    const buf = new Uint8Array(nodeBuf.buffer, nodeBuf.byteOffset, nodeBuf.length);
    let carry = 0; // bytes kept from the previous read (a field start needs 2 bytes of look-ahead)
    let inHeader = true;
    let col = 0;
    let atStart = true;
    let content = false; // the current line has a byte other than CR
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(nodeBuf, carry, buf.length - carry, null);
      const len = carry + bytesRead;
      const eof = bytesRead === 0;
      const stop = eof ? len : len - 2;
      let i = 0;
      if (inHeader) {
        const nl = buf.subarray(0, len).indexOf(10);
        if (nl < 0) {
          if (eof) return result(false); // header only: no records
          carry = 0; // still in the header: drop what was read
          continue;
        }
        inHeader = false;
        i = nl + 1;
      }
      for (; i < stop; i++) {
        const b = buf[i];
        if (b === 10) {
          if (content) records++;
          content = false;
          col = 0;
          atStart = true;
          continue;
        }
        if (b !== 13) content = true;
        if (b === delim) {
          if (col < ncols) col++;
          atStart = true;
        } else if (b >= 48 && b <= 57) {
          // a digit: the common byte; a field starting with 0 and another digit is a leading-zero form
          if (atStart) {
            atStart = false;
            if (b === 48) {
              const b1 = i + 1 < len ? buf[i + 1] : 0;
              if (b1 >= 48 && b1 <= 57) lz[col] = 1;
            }
          }
        } else if (b === 46 || b === 101 || b === 69) {
          ff[col] = 1;
          atStart = false;
        } else if (b === 45) {
          if (atStart) {
            atStart = false;
            const b1 = i + 1 < len ? buf[i + 1] : 0;
            const b2 = i + 2 < len ? buf[i + 2] : 0;
            if (b1 === 48 && b2 >= 48 && b2 <= 57) lz[col] = 1;
          }
        } else if (b <= 32) {
          if (b !== 13 || (i + 1 < len && buf[i + 1] !== 10)) return result(true);
        } else if (b === 34 /* " */ || b === 95 /* _ */ || b === 43 /* + */) {
          return result(true);
        } else atStart = false;
      }
      if (eof) {
        if (content) records++;
        return result(false);
      }
      carry = len - stop;
      buf.copyWithin(0, stop, len);
    }
  } finally {
    await fh.close();
  }
}

/**
 * {@link scanNumericText} on another thread, so it runs beside the typed read instead of on
 * the thread that converts and profiles the values. Aborting terminates it.
 * @throws the scan's error, or the signal's reason.
 */
export function scanNumericTextInWorker(csvPath: string, delimiter: string, ncols: number, signal?: AbortSignal): Promise<TextScan> {
  return callWorker(path.join(__dirname, 'scan-worker.js'), { csvPath, delimiter, ncols }, signal, (m: { ok: true; scan: TextScan } | { ok: false; message: string }) => {
    if (!m.ok) throw new Error(m.message);
    return m.scan;
  });
}
