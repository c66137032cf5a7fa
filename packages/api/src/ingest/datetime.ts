/**
 * Date and datetime recognition.
 *
 * Accepted forms. A time part `HH:MM[:SS[.fff]]` after `T` or one space is optional in every
 * form; only ISO 8601 takes a zone.
 * - ISO 8601: `YYYY-MM-DD`, also `YYYY/MM/DD`; an ISO time may end in `Z` or `±HH[:MM]`.
 * - numeric day-first or month-first: `DD/MM/YYYY`, `MM/DD/YYYY`, `DD/MM/YY`, `MM/DD/YY` with
 *   `/`, `-` or `.` separators (the same one twice; day and month of one or two digits). The
 *   last part is always the year: a year-first form needs four digits (ISO above).
 * - month names: English names (`January`) or their 3-letter abbreviations (`Jan`, also
 *   `Sept`), any case, in these forms:
 *   - day first: `05-Jan-2020`, `05/Jan/2020`, `05.Jan.2020`, `5 Jan 2020`, `5 Jan. 2020`;
 *   - month first: `Jan 5, 2020`, `Jan 5,2020`, `Jan 5 2020`, `January 5, 2020`, `Jan. 5, 2020`,
 *     `Jan-05-2020`, `Jan/05/2020`;
 *   - year first: `2020-Jan-05`, `2020/Jan/05`, `2020.Jan.05`, `2020 Jan 05`;
 *   the day- and month-first forms also take a two-digit year (`05-Jan-20`, `Jan 5, 20`).
 *   The month is named, so these fit any day/month order.
 *
 * Two-digit years follow the POSIX `strptime` `%y` rule (as Python's `strptime` and pandas do),
 * fixed, not relative to today: `69`–`99` → 1969–1999, `00`–`68` → 2000–2068.
 *
 * The day/month order of numeric forms is decided per column from all values: a value with a
 * first part > 12 is day-first only, a second part > 12 month-first only; when every value is
 * ambiguous the column is month-first (the pandas default). Impossible dates (`31-Feb-2020`,
 * `2023-02-29`, hour 24) do not fit any form: they are not dates, never rolled over.
 * Values without a zone are taken as UTC. Results are milliseconds since the Unix epoch.
 */
import { Kind } from './kinds.js';

/** The optional time part of the non-ISO forms: 4 groups (hour, minute, second, fraction). */
const TIME = String.raw`(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?`;
// Groups: 1 year, 2 month, 3 day, 4-7 time, 8 zone.
const ISO_RE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
// Groups: 1 first part, 2 separator, 3 second part, 4 year, 5-8 time.
const DMY_RE = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})${TIME}$`);
// Groups: 1 day, 2 separator, 3 month (separator form), 4 month (space form), 5 year, 6-9 time.
const D_MON_Y_RE = new RegExp(String.raw`^(\d{1,2})(?:([-/.])([a-z]{3,9})\2| ([a-z]{3,9})\.? )(\d{4}|\d{2})${TIME}$`, 'i');
// Groups: 1 month, 2 separator, 3 day (separator form), 4 day (space form), 5 year, 6-9 time.
const MON_D_Y_RE = new RegExp(String.raw`^([a-z]{3,9})(?:([-/])(\d{1,2})\2|\.? (\d{1,2})(?:, ?| ))(\d{4}|\d{2})${TIME}$`, 'i');
// Groups: 1 year, 2 separator, 3 month, 4 day, 5-8 time.
const Y_MON_D_RE = new RegExp(String.raw`^(\d{4})([-/. ])([a-z]{3,9})\2(\d{1,2})${TIME}$`, 'i');

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** Lower-case month name or abbreviation → month number 1..12. */
const MONTHS = new Map<string, number>();
/** Month number 1..12 by the first three letters (a..z, any case) packed by {@link prefixIndex}; 0 for none. */
const MONTH_BY_PREFIX = new Uint8Array(26 * 26 * 26);
MONTH_NAMES.forEach((name, i) => {
  MONTHS.set(name, i + 1);
  MONTHS.set(name.slice(0, 3), i + 1);
  MONTH_BY_PREFIX[prefixIndex(name)] = i + 1;
});
MONTHS.set('sept', 9);
/** Bit `i` set when a month's name starts with the letter `a` + i (a, d, f, j, m, n, o, s). */
const MONTH_INITIALS = MONTH_NAMES.reduce((mask, name) => mask | (1 << (name.charCodeAt(0) - 97)), 0);

/** Index in MONTH_BY_PREFIX of the first three characters of `t` when they are ASCII letters, else 0 (no month). */
function prefixIndex(t: string): number {
  const a = (t.charCodeAt(0) | 32) - 97;
  const b = (t.charCodeAt(1) | 32) - 97;
  const c = (t.charCodeAt(2) | 32) - 97;
  // `| 32` maps exactly the ASCII letters into 97..122; past the end NaN | 32 is 32
  if (a >>> 0 >= 26 || b >>> 0 >= 26 || c >>> 0 >= 26) return 0;
  return (a * 26 + b) * 26 + c;
}

/** True when `c` (a char code) is the first letter of a month name, any case: a cheap pre-check before {@link classifyDate}. */
export function isMonthInitial(c: number): boolean {
  const i = (c | 32) - 97;
  return i >= 0 && i < 26 && ((MONTH_INITIALS >>> i) & 1) === 1;
}

/** Month number 1..12 of an English month name or abbreviation (any case), or 0. */
export function monthNumber(name: string): number {
  if (MONTH_BY_PREFIX[prefixIndex(name)] === 0) return 0;
  return MONTHS.get(name.toLowerCase()) ?? 0;
}

/**
 * The full year of a year field: two digits follow the POSIX `strptime` `%y` pivot
 * (`69`–`99` → 1969–1999, `00`–`68` → 2000–2068); four digits are taken as written.
 */
export function fullYear(digits: string): number {
  const y = +digits;
  return digits.length === 2 ? (y >= 69 ? 1900 + y : 2000 + y) : y;
}

/** Day/month order of a column's numeric non-ISO dates. */
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
  if (y >= 100) return Date.UTC(y, m - 1, d, h ? +h : 0, mi ? +mi : 0, s ? +s : 0, ms);
  // Date.UTC maps years 0..99 to 1900..1999: set the year separately.
  const date = new Date(Date.UTC(2000, m - 1, d, h ? +h : 0, mi ? +mi : 0, s ? +s : 0, ms));
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

/** What {@link matchDate} found: nothing, a date with a known month, or day/month of unknown order. */
const NO_MATCH = 0;
const FIXED = 1;
const NUMERIC = 2;

/**
 * Fields of the last token {@link matchDate} accepted (module state: no allocation per value).
 * FIXED: `y`, `a` = month, `b` = day, `zone`. NUMERIC: `y`, `a` and `b` the first and second parts.
 */
const p = {
  y: 0,
  a: 0,
  b: 0,
  h: undefined as string | undefined,
  mi: undefined as string | undefined,
  s: undefined as string | undefined,
  frac: undefined as string | undefined,
  zone: undefined as string | undefined,
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c | 32) >= 97 && (c | 32) <= 122;
}

function setTime(m: RegExpExecArray, at: number): boolean {
  p.h = m[at];
  p.mi = m[at + 1];
  p.s = m[at + 2];
  p.frac = m[at + 3];
  return validTime(p.h, p.mi, p.s);
}

/**
 * Matches a trimmed token against the accepted forms and fills {@link p}. Returns NO_MATCH,
 * FIXED or NUMERIC. The day is not checked against the month here; the time is.
 * Dispatches on the first characters, so most non-dates cost a few comparisons and no regex.
 */
function matchDate(t: string): number {
  const n = t.length;
  if (n < 6 || n > 64) return NO_MATCH;
  const c0 = t.charCodeAt(0);
  if (isDigit(c0)) {
    let i = 1;
    while (i < n && isDigit(t.charCodeAt(i))) i++;
    if (i === 4) {
      if (isLetter(t.charCodeAt(5))) {
        const m = Y_MON_D_RE.exec(t);
        if (!m || (p.a = monthNumber(m[3])) === 0) return NO_MATCH;
        p.y = +m[1];
        p.b = +m[4];
        p.zone = undefined;
        return setTime(m, 5) ? FIXED : NO_MATCH;
      }
      const m = ISO_RE.exec(t);
      if (!m) return NO_MATCH;
      p.y = +m[1];
      p.a = +m[2];
      p.b = +m[3];
      p.zone = m[8];
      return setTime(m, 4) ? FIXED : NO_MATCH;
    }
    if (i > 2 || i + 1 >= n) return NO_MATCH;
    if (isLetter(t.charCodeAt(i + 1))) {
      const m = D_MON_Y_RE.exec(t);
      if (!m || (p.a = monthNumber(m[3] ?? m[4])) === 0) return NO_MATCH;
      p.b = +m[1];
      p.y = fullYear(m[5]);
      p.zone = undefined;
      return setTime(m, 6) ? FIXED : NO_MATCH;
    }
    const m = DMY_RE.exec(t);
    if (!m) return NO_MATCH;
    p.a = +m[1];
    p.b = +m[3];
    p.y = fullYear(m[4]);
    return setTime(m, 5) ? NUMERIC : NO_MATCH;
  }
  if (isLetter(c0)) {
    // cheap rejection of ordinary words before the regex: a month's initial, 3 to 9 letters
    // starting like a month, then `.`, ` `, `-` or `/` and a digit
    if (!isMonthInitial(c0) || MONTH_BY_PREFIX[prefixIndex(t)] === 0) return NO_MATCH;
    let j = 3;
    while (j < n && isLetter(t.charCodeAt(j))) j++;
    if (j > 9) return NO_MATCH;
    let c = t.charCodeAt(j);
    if (c === 46 /* . */) c = t.charCodeAt(++j);
    if ((c !== 32 && c !== 45 && c !== 47) || !isDigit(t.charCodeAt(j + 1))) return NO_MATCH;
    const m = MON_D_Y_RE.exec(t);
    if (!m || (p.a = monthNumber(m[1])) === 0) return NO_MATCH;
    p.b = +(m[3] ?? m[4]);
    p.y = fullYear(m[5]);
    p.zone = undefined;
    return setTime(m, 6) ? FIXED : NO_MATCH;
  }
  return NO_MATCH;
}

/**
 * Kind of a trimmed token that is not a number: DateIso (an order-free date: ISO 8601 or a
 * named month), DateAmbig, DateDmy or DateMdy (numeric day/month forms), or -1 when it is no
 * date of the accepted forms (including impossible dates such as `31-Feb-2020`).
 */
export function classifyDate(t: string): number {
  const form = matchDate(t);
  if (form === FIXED) return validYmd(p.y, p.a, p.b) ? Kind.DateIso : -1;
  if (form === NO_MATCH) return -1;
  const asDmy = validYmd(p.y, p.b, p.a);
  const asMdy = validYmd(p.y, p.a, p.b);
  if (asDmy && asMdy) return Kind.DateAmbig;
  if (asDmy) return Kind.DateDmy;
  if (asMdy) return Kind.DateMdy;
  return -1;
}

/**
 * Parses a trimmed date/datetime token of any accepted form to milliseconds since the Unix
 * epoch (UTC; an ISO zone is applied), or NaN if it does not fit (not a date, an impossible
 * date, or a numeric form that does not fit `order`). `order` only decides numeric day/month
 * forms; ISO and named-month forms parse the same under either order.
 */
export function parseDateMs(t: string, order: DateOrder): number {
  const form = matchDate(t);
  if (form === NO_MATCH) return NaN;
  const monthFirst = form === FIXED || order === 'mdy';
  const mo = monthFirst ? p.a : p.b;
  const d = monthFirst ? p.b : p.a;
  if (!validYmd(p.y, mo, d)) return NaN;
  const ms = toMs(p.y, mo, d, p.h, p.mi, p.s, p.frac);
  return form === FIXED ? ms - zoneOffsetMs(p.zone) : ms;
}
