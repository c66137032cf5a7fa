/**
 * Pass 2 per-column converters: each turns the raw strings of one column into its planned
 * type, writes them to the column's Arrow batch buffer, and feeds the column's profiler.
 * A value that does not fit the planned type is stored as null and counted invalid
 * (never coerced); the first {@link MAX_INVALID_LINES} lines are kept for the warning.
 */
import type { ColumnProfile } from '@weft/proto';
import type { Data, Dictionary, Int32, Utf8 } from 'apache-arrow';
import { Float64, Int32 as Int32Type, Int64, TimestampMillisecond } from 'apache-arrow';
import {
  arrowType, BigIntBatchColumn, BoolBatchColumn, DictionaryBatchColumn, dictionaryVector, NumberBatchColumn, Utf8BatchColumn,
  type BatchColumn,
} from './arrow-writer.js';
import { parseDateMs } from './datetime.js';
import type { ColumnPlan } from './infer.js';
import { isNullValue } from './options.js';
import {
  BooleanProfiler, CategoricalProfiler, type CorrelationSampler, DatetimeProfiler, NumericProfiler, type Profiler, StringProfiler,
} from './profile.js';
import { Kind } from './kinds.js';
import { lastNumber, parseBool, parseNumber, trimIfNeeded } from './values.js';

export const MAX_INVALID_LINES = 10;

export abstract class Converter {
  invalidCount = 0;
  readonly invalidLines: number[] = [];
  protected abstract readonly column: BatchColumn;
  protected abstract readonly profiler: Profiler;
  constructor(readonly plan: ColumnPlan) {}
  /** Converts one raw value at batch position `row`; `line()` gives the record's 1-based start line (for warnings). */
  push(raw: string, row: number, line: () => number): void {
    if (isNullValue(raw, this.plan.nullTokens)) {
      this.column.setNull(row);
      this.profiler.addMissing();
    } else if (!this.accept(raw, row)) {
      this.column.setNull(row);
      this.profiler.addMissing();
      if (this.invalidCount++ < MAX_INVALID_LINES) this.invalidLines.push(line());
    }
  }
  /**
   * As {@link push}, for a value the type inferrer has just classified: `kind` -1 is missing (the
   * inferrer uses the same null tokens), else the value's {@link Kind} (for Int and Float its number
   * is in `lastNumber`), which spares numeric columns a second scan.
   */
  pushKind(raw: string, kind: number, row: number, line: () => number): void {
    if (kind < 0) {
      this.column.setNull(row);
      this.profiler.addMissing();
    } else if (!this.acceptKind(raw, kind, row)) {
      this.column.setNull(row);
      this.profiler.addMissing();
      if (this.invalidCount++ < MAX_INVALID_LINES) this.invalidLines.push(line());
    }
  }
  /** Stores a missing value at batch position `row`. */
  pushMissing(row: number): void {
    this.column.setNull(row);
    this.profiler.addMissing();
  }
  protected acceptKind(raw: string, _kind: number, row: number): boolean {
    return this.accept(raw, row);
  }
  /** Stores a non-missing value; false when it does not fit the type. */
  protected abstract accept(raw: string, row: number): boolean;
  finish(length: number): Data {
    return this.column.finish(length);
  }
  profile(): ColumnProfile {
    return this.profiler.result();
  }
}

export class NumericConverter extends Converter {
  protected readonly column: NumberBatchColumn<Float64 | Int32Type> | BigIntBatchColumn;
  protected readonly profiler: NumericProfiler;
  private readonly integer: boolean;
  private readonly int32: boolean;
  constructor(plan: ColumnPlan, capacity: number, private readonly corr: CorrelationSampler | null, private readonly corrIndex: number) {
    super(plan);
    this.integer = plan.type === 'integer';
    this.int32 = this.integer && plan.intBits === 32;
    this.column = !this.integer ? new NumberBatchColumn(new Float64(), capacity) : this.int32 ? new NumberBatchColumn(new Int32Type(), capacity) : new BigIntBatchColumn(new Int64(), capacity);
    this.profiler = new NumericProfiler(plan.min, plan.max, this.integer, 1000 + plan.index);
  }
  /** The column's profiler (the single-pass ingest fills its histogram afterwards). */
  get numericProfiler(): NumericProfiler {
    return this.profiler;
  }
  /**
   * Stores `count` values `xs[from..from+count)` at batch rows `row..row+count)`, missing where bit
   * `i` of `valid` (LSB-first bitmap over `xs`, null = all valid) is 0. The values must fit the
   * column (finite, integral and in range for integer columns); -0 is stored as 0. Same result as
   * the per-value path. `scratch` (length ≥ count) is working space.
   */
  pushBlock(xs: Float64Array, from: number, count: number, valid: Uint8Array | null, row: number, scratch: Float64Array): void {
    const col = this.column;
    let k = 0;
    for (let r = from, at = row, end = from + count; r < end; r++, at++) {
      if (valid !== null && (valid[r >> 3] & (1 << (r & 7))) === 0) {
        col.setNull(at);
        continue;
      }
      const v = xs[r];
      const x = v === 0 ? 0 : v;
      col.set(at, x);
      scratch[k++] = x;
    }
    for (let i = k; i < count; i++) this.profiler.addMissing();
    this.profiler.addValues(scratch, k);
  }
  protected override acceptKind(raw: string, kind: number, row: number): boolean {
    if (kind !== Kind.Int && kind !== Kind.Float) return this.accept(raw, row);
    const x = lastNumber;
    // as parseNumber: `3.0` fits an integer column, `3.5` does not
    if (this.integer && kind === Kind.Float && !Number.isSafeInteger(x)) return false;
    return this.store(x, row);
  }
  protected accept(raw: string, row: number): boolean {
    const x = parseNumber(raw, this.plan.decimalComma, this.integer);
    if (x !== x) return false; // NaN
    return this.store(x, row);
  }
  private store(x: number, row: number): boolean {
    if (this.int32 && (x < -2147483648 || x > 2147483647)) return false;
    this.column.set(row, x);
    this.profiler.add(x);
    if (this.corrIndex >= 0) this.corr!.row[this.corrIndex] = x;
    return true;
  }
}

class BooleanConverter extends Converter {
  protected readonly column: BoolBatchColumn;
  protected readonly profiler = new BooleanProfiler();
  constructor(plan: ColumnPlan, capacity: number, private readonly corr: CorrelationSampler | null, private readonly corrIndex: number) {
    super(plan);
    this.column = new BoolBatchColumn(capacity);
  }
  protected accept(raw: string, row: number): boolean {
    let b = parseBool(raw);
    if (b === undefined) {
      const t = trimIfNeeded(raw);
      if (t === '1') b = true;
      else if (t === '0') b = false;
      else return false;
    }
    this.column.set(row, b);
    this.profiler.add(b);
    if (this.corrIndex >= 0) this.corr!.row[this.corrIndex] = b ? 1 : 0;
    return true;
  }
}

class CategoricalConverter extends Converter {
  protected readonly column: DictionaryBatchColumn;
  protected readonly profiler: CategoricalProfiler;
  private readonly codes = new Map<string, number>();
  constructor(plan: ColumnPlan, capacity: number) {
    super(plan);
    const cats = plan.categories ?? [];
    cats.forEach((c, i) => this.codes.set(c, i));
    this.column = new DictionaryBatchColumn(arrowType(plan) as Dictionary<Utf8, Int32>, dictionaryVector(cats), capacity);
    this.profiler = new CategoricalProfiler(cats);
  }
  protected accept(raw: string, row: number): boolean {
    const code = this.codes.get(raw);
    if (code === undefined) return false;
    this.column.set(row, code);
    this.profiler.add(code);
    return true;
  }
}

class DatetimeConverter extends Converter {
  protected readonly column: BigIntBatchColumn;
  protected readonly profiler = new DatetimeProfiler();
  constructor(plan: ColumnPlan, capacity: number) {
    super(plan);
    this.column = new BigIntBatchColumn(new TimestampMillisecond('UTC'), capacity);
  }
  protected accept(raw: string, row: number): boolean {
    const ms = parseDateMs(trimIfNeeded(raw), this.plan.dateOrder);
    if (ms !== ms) return false;
    this.column.set(row, ms);
    this.profiler.add(ms);
    return true;
  }
}

class StringConverter extends Converter {
  protected readonly column: Utf8BatchColumn;
  protected readonly profiler = new StringProfiler();
  constructor(plan: ColumnPlan, capacity: number) {
    super(plan);
    this.column = new Utf8BatchColumn(capacity);
  }
  protected accept(raw: string, row: number): boolean {
    this.column.set(row, raw);
    this.profiler.add(raw);
    return true;
  }
}

/** Column types that take part in correlations (as numbers; booleans as 0/1). */
export function isCorrelated(plan: ColumnPlan): boolean {
  return plan.type === 'integer' || plan.type === 'float' || plan.type === 'boolean';
}

/** A converter for a planned column. `corrIndex` is its slot in the correlation sample, or -1. */
export function makeConverter(plan: ColumnPlan, batchRows: number, corr: CorrelationSampler | null, corrIndex: number): Converter {
  switch (plan.type) {
    case 'integer':
    case 'float':
      return new NumericConverter(plan, batchRows, corr, corrIndex);
    case 'boolean':
      return new BooleanConverter(plan, batchRows, corr, corrIndex);
    case 'categorical':
      return new CategoricalConverter(plan, batchRows);
    case 'datetime':
      return new DatetimeConverter(plan, batchRows);
    default:
      return new StringConverter(plan, batchRows);
  }
}
