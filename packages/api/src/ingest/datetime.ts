/**
 * Date and datetime recognition.
 *
 * Accepted forms (a time part `HH:MM[:SS[.fff]]` after `T` or a space is optional everywhere):
 * - ISO 8601: `YYYY-MM-DD`, also `YYYY/MM/DD`; an ISO time may end in `Z` or `±HH[:MM]`.
 * - day-first or month-first: `DD/MM/YYYY`, `MM/DD/YYYY` with `/`, `-` or `.` separators.
 *   The order is decided per column from all values: a value with a first part > 12 is
 *   day-first only, a second part > 12 month-first only; when every value is ambiguous the
 *   column is month-first (the pandas default).
 * Values without a zone are taken as UTC. Results are milliseconds since the Unix epoch.
 */
import { Kind } from './kinds.js';

const ISO_RE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const DMY_RE = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?$/;

/** Day/month order of a column's non-ISO dates. */
export type DateOrder = 'mdy' | 'dmy';

function daysIn(year: number, month: number): number {
  return month === 2 ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function validYmd(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

function validTime(h: string | undefined, mi: string | undefined, s: string | undefined): boolean {
  if (h === undefined) return true;
  return +h < 24 && +mi! < 60 && (s === undefined || +s < 60);
}

function toMs(y: number, m: number, d: number, h?: string, mi?: string, s?: string, frac?: string): number {
  const ms = frac ? Math.floor(Number('0.' + frac) * 1000) : 0;
  const t = Date.UTC(2000, m - 1, d, h ? +h : 0, mi ? +mi : 0, s ? +s : 0, ms);
  // Date.UTC maps years 0..99 to 1900..1999: set the year separately.
  const date = new Date(t);
  date.setUTCFullYear(y);
  return date.getTime();
}

function zoneOffsetMs(z: string | undefined): number {
  if (!z || z === 'Z' || z === 'z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const hh = +digits.slice(0, 2);
  const mm = digits.length > 2 ? +digits.slice(2, 4) : 0;
  return sign * (hh * 60 + mm) * 60000;
}

/** Kind of a trimmed token that starts with a digit: DateIso, DateAmbig, DateDmy, DateMdy or -1. */
export function classifyDate(t: string): number {
  if (t.length < 8) return -1;
  let m = ISO_RE.exec(t);
  if (m) return validYmd(+m[1], +m[2], +m[3]) && validTime(m[4], m[5], m[6]) ? Kind.DateIso : -1;
  m = DMY_RE.exec(t);
  if (!m || !validTime(m[5], m[6], m[7])) return -1;
  const a = +m[1], b = +m[3], y = +m[4];
  const asDmy = validYmd(y, b, a);
  const asMdy = validYmd(y, a, b);
  if (asDmy && asMdy) return Kind.DateAmbig;
  if (asDmy) return Kind.DateDmy;
  if (asMdy) return Kind.DateMdy;
  return -1;
}

/** Parses a (trimmed) date/datetime token to epoch milliseconds (UTC), or NaN if it does not fit. */
export function parseDateMs(t: string, order: DateOrder): number {
  let m = ISO_RE.exec(t);
  if (m) {
    const y = +m[1], mo = +m[2], d = +m[3];
    if (!validYmd(y, mo, d) || !validTime(m[4], m[5], m[6])) return NaN;
    return toMs(y, mo, d, m[4], m[5], m[6], m[7]) - zoneOffsetMs(m[8]);
  }
  m = DMY_RE.exec(t);
  if (!m || !validTime(m[5], m[6], m[7])) return NaN;
  const a = +m[1], b = +m[3], y = +m[4];
  const [mo, d] = order === 'dmy' ? [b, a] : [a, b];
  if (!validYmd(y, mo, d)) return NaN;
  return toMs(y, mo, d, m[5], m[6], m[7], m[8]);
}
