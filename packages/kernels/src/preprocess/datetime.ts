import { check } from '../errors.js';
import { NumericColumn, checkColumn, isCategorical, numericPresent } from './columns.js';

/**
 * Calendar features of a timestamp, all in UTC (as pandas' `Series.dt` on a UTC series):
 * year; quarter 1–4; month 1–12; day of month 1–31; day_of_week 0 = Monday … 6 = Sunday;
 * day_of_year 1–366; hour 0–23; minute 0–59; second 0–59 (whole seconds); is_weekend 1 on
 * Saturday and Sunday, else 0; epoch_seconds = seconds since 1970-01-01T00:00:00Z (fractional).
 */
export const DATETIME_FEATURES = ['year', 'quarter', 'month', 'day', 'day_of_week', 'day_of_year', 'hour', 'minute', 'second', 'is_weekend', 'epoch_seconds'] as const;
export type DatetimeFeature = (typeof DATETIME_FEATURES)[number];

const MS_PER_DAY = 86_400_000;

/**
 * Civil date (proleptic Gregorian) of a day count since 1970-01-01. Algorithm: H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", `civil_from_days` (exact for every day
 * count a float64 millisecond timestamp can hold).
 */
function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/**
 * Extracts calendar features from a timestamp column.
 * Input: a numeric column of milliseconds since the Unix epoch (UTC), as Arrow
 * TimestampMillisecond / Date64 read into Float64Array [nRows]; missing rows (valid 0 or NaN)
 * stay missing in every output. Output: one Float64Array [nRows] column per requested
 * feature, in `features` order, each with the input's validity (null when nothing is missing).
 * Throws `KernelError('INVALID_INPUT')` for a categorical column, an empty or unknown feature
 * list, or a non-finite present value.
 */
export function datetimeFeatures(column: NumericColumn, features: readonly DatetimeFeature[]): NumericColumn[] {
  checkColumn(column, 'datetimeFeatures');
  check(!isCategorical(column), 'datetimeFeatures: expected a numeric column of epoch milliseconds');
  check(Array.isArray(features) && features.length > 0, 'datetimeFeatures: need at least one feature');
  for (const f of features) check((DATETIME_FEATURES as readonly string[]).includes(f), `datetimeFeatures: unknown feature '${String(f)}' (one of ${DATETIME_FEATURES.join(', ')})`);
  const n = column.values.length;
  const outs = features.map(() => new Float64Array(n));
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (!numericPresent(column, i)) {
      if (!valid) valid = new Uint8Array(n).fill(1);
      valid[i] = 0;
      for (const o of outs) o[i] = NaN;
      continue;
    }
    const ms = column.values[i];
    check(Number.isFinite(ms), `datetimeFeatures: row ${i} is ${ms}, not a timestamp`, { row: i });
    const days = Math.floor(ms / MS_PER_DAY);
    const msOfDay = ms - days * MS_PER_DAY;
    const { y, m, d } = civilFromDays(days);
    const dow = (((days + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (3 with Monday = 0)
    for (let j = 0; j < features.length; j++) {
      let v: number;
      switch (features[j]) {
        case 'year': v = y; break;
        case 'quarter': v = Math.floor((m - 1) / 3) + 1; break;
        case 'month': v = m; break;
        case 'day': v = d; break;
        case 'day_of_week': v = dow; break;
        case 'day_of_year': v = DAYS_BEFORE_MONTH[m - 1] + d + (m > 2 && isLeap(y) ? 1 : 0); break;
        case 'hour': v = Math.floor(msOfDay / 3_600_000); break;
        case 'minute': v = Math.floor(msOfDay / 60_000) % 60; break;
        case 'second': v = Math.floor(msOfDay / 1000) % 60; break;
        case 'is_weekend': v = dow >= 5 ? 1 : 0; break;
        default: v = ms / 1000; // epoch_seconds
      }
      outs[j][i] = v;
    }
  }
  return outs.map((values) => ({ values, valid: valid ? Uint8Array.from(valid) : null }));
}
