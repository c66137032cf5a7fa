/** Construction of the WeftErrors ingest throws; each names the place at fault. */
import { WeftError } from '@weft/proto';

/** A row whose field count differs from the header's. `line` is the 1-based line where the row starts. */
export interface RaggedRow {
  line: number;
  fields: number;
  expected: number;
}

/** Most bad rows listed in an error's details and message (the total is always given). */
export const MAX_LISTED_ROWS = 1000;
const MAX_ROWS_IN_MESSAGE = 20;

export function emptyError(reason: string): WeftError {
  return new WeftError('CSV_EMPTY', `The CSV file is empty: ${reason}.`, { reason });
}

export function binaryError(reason: string, offset: number): WeftError {
  return new WeftError('CSV_BINARY', `The file does not look like CSV text: ${reason} at byte ${offset}.`, { reason, offset });
}

export function raggedError(rows: RaggedRow[], total: number): WeftError {
  const listed = rows.slice(0, MAX_ROWS_IN_MESSAGE).map((r) => `line ${r.line} has ${r.fields} field${r.fields === 1 ? '' : 's'}`);
  const more = total > listed.length ? `, and ${total - listed.length} more` : '';
  const expected = rows[0]?.expected ?? 0;
  return new WeftError(
    'CSV_RAGGED_ROWS',
    `${total} row${total === 1 ? ' does' : 's do'} not have the header's ${expected} fields: ${listed.join('; ')}${more}. ` +
      'Fix the file or ingest with skipBadRows to skip them.',
    { expected, total, rows: rows.slice(0, MAX_LISTED_ROWS) },
  );
}

export function tooManyColumnsError(columns: number, limit: number, line: number): WeftError {
  return new WeftError('CSV_TOO_MANY_COLUMNS', `Line ${line} has ${columns > limit ? `more than ${limit}` : columns} columns; at most ${limit} are accepted.`, {
    line,
    limit,
    columns,
  });
}

/**
 * A field longer than `limitBytes`. With `recordLimitBytes` the parser stopped while reading a
 * record that grew past that size (usually an unclosed quote), so `bytes` is unknown.
 */
export function fieldTooLongError(line: number, limitBytes: number, column?: string, bytes?: number, recordLimitBytes?: number): WeftError {
  const where = `${column === undefined ? 'a field' : `field "${column}"`} at line ${line}`;
  const msg =
    recordLimitBytes === undefined
      ? `${where} is ${bytes} bytes, longer than the limit of ${limitBytes} bytes.`
      : `${where} makes its record larger than ${recordLimitBytes} bytes (the field limit is ${limitBytes} bytes); often an unclosed quote.`;
  return new WeftError('CSV_FIELD_TOO_LONG', msg, {
    line,
    limitBytes,
    ...(column === undefined ? {} : { column }),
    ...(bytes === undefined ? {} : { bytes }),
    ...(recordLimitBytes === undefined ? {} : { recordLimitBytes }),
  });
}

export function encodingError(message: string, details: Record<string, unknown>): WeftError {
  return new WeftError('CSV_ENCODING', message, details);
}

/**
 * A file with valid UTF-8 multi-byte sequences and bytes that are not UTF-8: decoding it as
 * Windows-1252 would garble every UTF-8 character, decoding it as UTF-8 is impossible.
 */
export function mixedEncodingError(invalidAt: number, byte: number, line: number, utf8At: number): WeftError {
  const hex = byte >= 0 ? `0x${byte.toString(16).toUpperCase().padStart(2, '0')} ` : '';
  return new WeftError(
    'CSV_ENCODING',
    `The file mixes UTF-8 text with bytes that are not UTF-8: invalid byte ${hex}at byte ${invalidAt} (line ${line}), ` +
      `while it also holds UTF-8 characters (first at byte ${utf8At}). Fix or remove that byte, or save the whole file as UTF-8.`,
    { offset: invalidAt, line, ...(byte >= 0 ? { byte } : {}), utf8At, reason: 'mixed UTF-8 and non-UTF-8 bytes' },
  );
}

/**
 * Maps a csv-parse CsvError (code CSV_QUOTE_NOT_CLOSED, CSV_INVALID_CLOSING_QUOTE, …) to
 * CSV_PARSE_ERROR. `recordLine` is the 1-based line where the record being read starts: for an
 * unclosed quote that is where the quote opened (csv-parse itself names the end of the file).
 */
export function parseError(err: { code?: string; message: string; lines?: number }, records: number, recordLine?: number): WeftError {
  const at = typeof err.lines === 'number' ? err.lines : undefined;
  if (err.code === 'CSV_QUOTE_NOT_CLOSED' && recordLine !== undefined) {
    return new WeftError(
      'CSV_PARSE_ERROR',
      `CSV syntax error at line ${recordLine}: the quote opened at line ${recordLine} is never closed${at === undefined ? '' : ` (the file ends inside it at line ${at})`}.`,
      { line: recordLine, row: records, parserCode: err.code, ...(at === undefined ? {} : { endLine: at }) },
    );
  }
  return new WeftError('CSV_PARSE_ERROR', `CSV syntax error${at === undefined ? '' : ` at line ${at}`}: ${err.message}`, {
    line: at,
    row: records, // 1-based data row being read (the header is row 0)
    parserCode: err.code,
  });
}

/**
 * An ingest option (`columnNullTokens`, `typeOverrides`) names columns the file does not have.
 * `suggestions` maps an unknown name to the closest existing names.
 */
export function unknownColumnError(option: string, unknown: string[], suggestions: Record<string, string[]>): WeftError {
  const show = (n: string) => JSON.stringify(n.length > 100 ? `${n.slice(0, 100)}…` : n);
  const listed = unknown.slice(0, 20).map((n) => {
    const s = suggestions[n];
    return s && s.length > 0 ? `${show(n)} (did you mean ${s.map(show).join(' or ')}?)` : show(n);
  });
  const more = unknown.length > listed.length ? `, and ${unknown.length - listed.length} more` : '';
  return new WeftError(
    'UNKNOWN_COLUMN',
    `${option} names column${unknown.length === 1 ? '' : 's'} the file does not have: ${listed.join(', ')}${more}. Use the column names of the file's header (as renamed, if it was).`,
    { option, columns: unknown.slice(0, 1000), suggestions },
  );
}
