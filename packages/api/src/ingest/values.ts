/**
 * Classification and parsing of single CSV field values (already known not to be a null token).
 *
 * Rules (documented contract of ingest):
 * - integers: optional sign then digits; `00501` (a leading zero followed by digits) is a *code*,
 *   not a number, and makes its column a string column; integers beyond ±2^53 are identifiers
 *   (a float would silently lose digits) and also make the column a string column.
 * - floats: decimal and exponent forms (`1.5`, `.5`, `1.`, `-2e-3`); with a non-comma delimiter a
 *   decimal comma (`1,5`) is accepted too. A numeric-looking token that overflows to ±Infinity
 *   (`3E1777`) is a code, not a number. `inf`, `+inf`, `-inf`, `infinity` (any case) are ±Infinity.
 * - booleans: `true/false`, `t/f`, `yes/no`, `y/n` in any case. `0/1` are integers.
 * - datetimes: see ./datetime.ts (ISO 8601, numeric day-first / month-first with 4- or 2-digit
 *   years, English month names such as `05-Jan-2020` or `Jan 5, 2020`).
 * Surrounding whitespace is ignored for numbers, booleans and datetimes.
 */
import { classifyDate, isMonthInitial } from './datetime.js';
import { Kind } from './kinds.js';

export { Kind, KIND_COUNT } from './kinds.js';

/** Value of the last number classified by {@link classify} (Int or Float kinds). */
export let lastNumber = 0;

const BOOL_TOKENS = new Map<string, boolean>([
  ['true', true], ['false', false], ['t', true], ['f', false],
  ['yes', true], ['no', false], ['y', true], ['n', false],
]);

/** Returns the boolean a token stands for, or undefined. Whitespace around it is ignored. */
export function parseBool(s: string): boolean | undefined {
  const t = trimIfNeeded(s);
  if (t.length > 5) return undefined;
  return BOOL_TOKENS.get(t.toLowerCase());
}

/** `s.trim()`, but without allocating when there is nothing to trim. */
export function trimIfNeeded(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  return s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32 ? s.trim() : s;
}

function isInfToken(t: string): number {
  // returns +1 / -1 for infinity tokens, 0 otherwise
  let i = 0;
  let sign = 1;
  const c0 = t.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    sign = c0 === 45 ? -1 : 1;
    i = 1;
  }
  const rest = t.length - i;
  if (rest !== 3 && rest !== 8) return 0;
  const w = t.slice(i).toLowerCase();
  return w === 'inf' || w === 'infinity' ? sign : 0;
}

/**
 * Scans a trimmed token as a number. Returns a numeric kind (Int, Float, LeadZero, Overflow,
 * BigInt) or -1 if the token is not number-shaped. Sets {@link lastNumber} for Int/Float.
 */
export function scanNumber(t: string, decimalComma: boolean): number {
  const n = t.length;
  let i = 0;
  let c = t.charCodeAt(0);
  if (c === 43 || c === 45) {
    i = 1;
    if (n === 1) return -1;
  }
  const intStart = i;
  while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) i++;
  const intDigits = i - intStart;
  if (i === n) {
    if (intDigits === 0) return -1;
    if (intDigits > 1 && t.charCodeAt(intStart) === 48) return Kind.LeadZero;
    const v = intDigits <= 15 ? fastInt(t, intStart, n, intStart === 1 && t.charCodeAt(0) === 45) : Number(t);
    if (!Number.isSafeInteger(v)) return Kind.BigInt;
    lastNumber = v === 0 ? 0 : v; // no -0
    return Kind.Int;
  }
  let fracDigits = 0;
  let usedComma = false;
  if (c === 46 || (decimalComma && c === 44)) {
    usedComma = c === 44;
    i++;
    const fs = i;
    while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) i++;
    fracDigits = i - fs;
    if (i === n && intDigits + fracDigits > 0 && intDigits + fracDigits <= 15) {
      // Fast path (Clinger): an exact integer mantissa < 10^15 divided by an exact power of ten
      // is correctly rounded, i.e. identical to Number(t).
      let m = 0;
      for (let j = intStart; j < intStart + intDigits; j++) m = m * 10 + (t.charCodeAt(j) - 48);
      for (let j = fs; j < n; j++) m = m * 10 + (t.charCodeAt(j) - 48);
      const v = m / POW10[fracDigits];
      lastNumber = v === 0 ? 0 : intStart === 1 && t.charCodeAt(0) === 45 ? -v : v;
      return Kind.Float;
    }
  }
  if (intDigits + fracDigits === 0) return -1;
  if (i < n) {
    c = t.charCodeAt(i);
    if (c !== 101 && c !== 69) return -1; // e E
    i++;
    if (i < n && ((c = t.charCodeAt(i)) === 43 || c === 45)) i++;
    const es = i;
    while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) i++;
    if (i === es || i !== n) return -1;
  }
  const v = Number(usedComma ? t.replace(',', '.') : t);
  if (!Number.isFinite(v)) return Kind.Overflow;
  lastNumber = v === 0 ? 0 : v;
  return Kind.Float;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function fastInt(t: string, from: number, to: number, negative: boolean): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (t.charCodeAt(i) - 48);
  return negative ? -v : v;
}

/**
 * Classifies one non-null field value. Returns a {@link Kind}; for Int and Float the parsed
 * value is left in {@link lastNumber}. Numbers are tried first: a token that is a number is
 * never a date, and a number costs no date check.
 */
export function classify(s: string, decimalComma: boolean): number {
  const t = trimIfNeeded(s);
  if (t.length === 0) return Kind.Other;
  const c = t.charCodeAt(0);
  const digit = c >= 48 && c <= 57;
  if (digit || c === 43 || c === 45 || c === 46) {
    const k = scanNumber(t, decimalComma);
    if (k >= 0) return k;
    if (digit) {
      const d = classifyDate(t);
      if (d >= 0) return d;
      return Kind.Other;
    }
  }
  if (t.length <= 5 && BOOL_TOKENS.has(t.toLowerCase())) return Kind.Bool;
  if (isInfToken(t) !== 0) return Kind.Inf;
  // month-first dates (`Jan 5, 2020`); other words are rejected on their first letters
  if (t.length >= 8 && isMonthInitial(c)) {
    const d = classifyDate(t);
    if (d >= 0) return d;
  }
  return Kind.Other;
}

/**
 * Parses a value of a numeric column. Returns NaN when the value does not fit (the caller
 * stores null and counts it invalid); ±Infinity for infinity tokens.
 */
export function parseNumber(s: string, decimalComma: boolean, integer: boolean): number {
  const t = trimIfNeeded(s);
  if (t.length === 0) return NaN;
  const k = scanNumber(t, decimalComma);
  if (k === Kind.Int) return lastNumber;
  // A leading-zero code only reaches here when the caller forced a numeric type.
  if (k === Kind.LeadZero) return Number(t);
  if (integer) return k === Kind.Float && Number.isSafeInteger(lastNumber) ? lastNumber : NaN; // `3.0` fits an integer column
  if (k === Kind.BigInt) return Number(t);
  if (k === Kind.Float) return lastNumber;
  if (k === -1) {
    const inf = isInfToken(t);
    if (inf !== 0) return inf * Infinity;
  }
  return NaN;
}
