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
    `${total} row${total === 1 ? '' : 's'} do not have the header's ${expected} fields: ${listed.join('; ')}${more}. ` +
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

/** Maps a csv-parse CsvError (code CSV_QUOTE_NOT_CLOSED, CSV_INVALID_CLOSING_QUOTE, …) to CSV_PARSE_ERROR. */
export function parseError(err: { code?: string; message: string; lines?: number }, records: number): WeftError {
  const line = typeof err.lines === 'number' ? err.lines : undefined;
  return new WeftError('CSV_PARSE_ERROR', `CSV syntax error${line === undefined ? '' : ` at line ${line}`}: ${err.message}`, {
    line,
    row: records, // 1-based data row being read (the header is row 0)
    parserCode: err.code,
  });
}
