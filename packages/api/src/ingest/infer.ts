/**
 * Pass 1: type inference over every row. One type per column, decided from the kinds of all
 * its non-missing values (see ./values.ts and ./datetime.ts):
 *
 * - A type "fits" when at most 1 % (rounded down) of the non-missing values do not parse as
 *   it; those values are stored as null, counted in `invalidCount`, and warned about
 *   (INVALID_VALUES). Below 100 values every value must fit.
 * - boolean: true/false, t/f, yes/no, y/n (any case), possibly mixed with 0/1, with at least one
 *   true and one false token (an all-`yes` column is categorical). A column of only 0 and 1 is an
 *   *integer* column.
 * - integer / float: any leading-zero integer (`00501`), an overflowing exponent (`3E1777`) or an
 *   integer beyond ±2^53 marks a column of codes, which stays a string column.
 * - datetime: ISO, or day-first / month-first decided per column.
 * - strings: categorical when at most 1,000 distinct values and (≤ 20 distinct or ≤ half the
 *   values), and short (fewer than 5 words on average); text when long (≥ 5 words or > 64
 *   characters on average); otherwise identifier when ≥ half of the values are distinct
 *   (cars.csv `Name`: 311 distinct of 406), else text.
 * - a column with no values at all is float (all null).
 */
import type { ColumnType } from '@weft/proto';
import type { DateOrder } from './datetime.js';
import { Kind, KIND_COUNT } from './kinds.js';
import { DistinctCounter } from './sketch.js';
import { isNullValue as isNull, type NullTokens } from './options.js';
import { classify, lastNumber, parseBool } from './values.js';

export const CATEGORICAL_MAX = 1000;
/** Distinct values tracked for a column forced to categorical. */
export const FORCED_CATEGORICAL_MAX = 65536;

/** Everything pass 2 needs to know about a column. */
export interface ColumnPlan {
  index: number;
  name: string;
  originalName?: string;
  type: ColumnType;
  nullTokens: NullTokens;
  decimalComma: boolean;
  dateOrder: DateOrder;
  /** Datetime columns: no value decided the day/month order (every one like 01/02/2020); month-first was assumed. */
  dateOrderAssumed?: boolean;
  /** For integer columns: 32 when every value fits Int32, else 64. */
  intBits: 32 | 64;
  /** Categorical values in dictionary order (sorted by code unit). */
  categories?: string[];
  /** Finite numeric range seen in pass 1 (integer/float), for histogram bins. */
  min: number;
  max: number;
}

interface ColumnStats {
  kinds: Float64Array; // [KIND_COUNT]
  nonNull: number;
  int01: number;
  boolTrue: number;
  min: number;
  max: number;
  distinct: DistinctCounter<string> | null; // null once abandoned (numeric column)
  lenSum: number;
  wordSum: number;
  otherCount: number;
}

/** Accumulates pass-1 statistics, one `add` per good row. */
export class TypeInferrer {
  readonly stats: ColumnStats[];
  rows = 0;
  constructor(
    private readonly nullTokens: ReadonlyArray<NullTokens>,
    private readonly decimalComma: boolean,
    private readonly forcedCategorical: ReadonlyArray<boolean>,
  ) {
    this.stats = nullTokens.map((_, i) => ({
      kinds: new Float64Array(KIND_COUNT),
      nonNull: 0,
      int01: 0,
      boolTrue: 0,
      min: Infinity,
      max: -Infinity,
      distinct: new DistinctCounter<string>(forcedCategorical[i] ? FORCED_CATEGORICAL_MAX : CATEGORICAL_MAX + 1),
      lenSum: 0,
      wordSum: 0,
      otherCount: 0,
    }));
  }

  add(fields: readonly string[]): void {
    this.rows++;
    for (let c = 0; c < fields.length; c++) this.addValue(c, fields[c]);
  }

  /**
   * Adds one value of column `c` (call {@link countRow} once per row when adding values one by
   * one). Returns -1 for a missing value, else its {@link Kind}; for Int and Float the parsed
   * number is then in `lastNumber` of ./values.ts (the single pass reuses both for conversion).
   */
  addValue(c: number, v: string): number {
    if (isNull(v, this.nullTokens[c])) return -1;
    const st = this.stats[c];
    st.nonNull++;
    const k = classify(v, this.decimalComma);
    st.kinds[k]++;
    if (k === Kind.Int || k === Kind.Float) {
      const x = lastNumber;
      if (x < st.min) st.min = x;
      if (x > st.max) st.max = x;
      if (k === Kind.Int && (x === 0 || x === 1)) st.int01++;
    } else if (k === Kind.Bool) {
      if (parseBool(v)) st.boolTrue++;
    } else if (k === Kind.Other) {
      st.otherCount++;
      st.wordSum += countWords(v);
    }
    st.lenSum += v.length;
    const d = st.distinct;
    if (d !== null) {
      d.add(v);
      // A numeric column that passed the categorical limit: stop tracking its strings.
      if (!d.exact && !this.forcedCategorical[c] && st.kinds[Kind.Int] + st.kinds[Kind.Float] + st.kinds[Kind.Inf] >= 0.99 * st.nonNull) st.distinct = null;
    }
    return k;
  }

  /** Counts a row whose values were given by {@link addValue}. */
  countRow(): void {
    this.rows++;
  }

  /** Decides each column's type. `overrides` (by final name) win over inference. */
  plan(columns: ReadonlyArray<{ name: string; originalName?: string }>, overrides: Record<string, ColumnType>): ColumnPlan[] {
    return columns.map((col, i) => {
      const st = this.stats[i];
      const type = overrides[col.name] ?? decideType(st);
      const k = st.kinds;
      const dmyFit = k[Kind.DateIso] + k[Kind.DateAmbig] + k[Kind.DateDmy];
      const mdyFit = k[Kind.DateIso] + k[Kind.DateAmbig] + k[Kind.DateMdy];
      const plan: ColumnPlan = {
        index: i,
        name: col.name,
        ...(col.originalName !== undefined ? { originalName: col.originalName } : {}),
        type,
        nullTokens: this.nullTokens[i],
        decimalComma: this.decimalComma,
        dateOrder: dmyFit > mdyFit ? 'dmy' : 'mdy',
        intBits: st.min >= -2147483648 && st.max <= 2147483647 ? 32 : 64,
        min: st.min,
        max: st.max,
      };
      if (type === 'datetime' && k[Kind.DateAmbig] > 0 && k[Kind.DateDmy] === 0 && k[Kind.DateMdy] === 0) plan.dateOrderAssumed = true;
      if (type === 'categorical') {
        const counts = st.distinct?.counts;
        plan.categories = counts ? [...counts.keys()].sort(compareStrings) : [];
      }
      return plan;
    });
  }
}

/** Code-unit order (deterministic, locale-independent). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countWords(s: string): number {
  let n = 1;
  let i = s.indexOf(' ');
  while (i >= 0) {
    n++;
    i = s.indexOf(' ', i + 1);
  }
  return n;
}

/** The inference rules of this module's doc comment. */
export function decideType(st: ColumnStats): ColumnType {
  const nn = st.nonNull;
  if (nn === 0) return 'float';
  const k = st.kinds;
  const need = nn - Math.floor(nn * 0.01);
  // both a true and a false token must appear: an all-`yes` column keeps its own label as a category
  const bools = k[Kind.Bool];
  if (bools > 0 && st.boolTrue > 0 && st.boolTrue < bools && bools + st.int01 >= need) return 'boolean';
  const codes = k[Kind.LeadZero] + k[Kind.Overflow] + k[Kind.BigInt];
  const numeric = k[Kind.Int] + k[Kind.Float] + k[Kind.Inf];
  if (codes === 0 && numeric >= need && k[Kind.Int] + k[Kind.Float] > 0) return k[Kind.Float] + k[Kind.Inf] === 0 ? 'integer' : 'float';
  const dates = k[Kind.DateIso] + k[Kind.DateAmbig] + Math.max(k[Kind.DateDmy], k[Kind.DateMdy]);
  if (dates > 0 && dates >= need) return 'datetime';
  const d = st.distinct;
  if (d === null) return 'identifier';
  const distinct = d.distinct;
  const avgLen = st.lenSum / nn;
  const avgWords = st.otherCount > 0 ? st.wordSum / st.otherCount : 1;
  const long = avgWords >= 5 || avgLen > 64;
  if (d.exact && distinct <= CATEGORICAL_MAX && (distinct <= 20 || distinct <= 0.5 * nn) && (!long || distinct <= 20)) return 'categorical';
  if (long) return 'text';
  return distinct >= 0.5 * nn ? 'identifier' : 'text';
}
