/**
 * Arrow side of pass 2: per-column batch buffers written directly as typed arrays plus a
 * validity bitmap (no row objects, no tableFromJSON), the Arrow schema of a plan, and record
 * batch assembly. Batches are written with `RecordBatchFileWriter.throughNode()` (IPC *file*
 * format) into the output file with stream backpressure.
 *
 * Types: integer → Int32 when every value fits, else Int64; float → Float64; boolean → Bool;
 * categorical → Dictionary<Int32, Utf8> (dictionary id = column index, one dictionary for all
 * batches, values in schema `categories` order); datetime → Timestamp(ms, "UTC");
 * text / identifier → Utf8. Every field is nullable; missing values are Arrow nulls.
 */
import {
  Bool, Dictionary, Field, Float64, Int32, Int64, makeData, RecordBatch, Schema, Struct, TimestampMillisecond, Utf8,
  vectorFromArray, type Data, type DataType, type Vector,
} from 'apache-arrow';
import type { ColumnPlan } from './infer.js';

/** A column's values for one batch. Row indices are positions inside the batch. */
export interface BatchColumn {
  setNull(row: number): void;
  /** Builds the batch's Data from rows [0, length) and starts a fresh buffer. */
  finish(length: number): Data;
}

function bitmapBytes(rows: number): number {
  return (rows + 7) >> 3;
}

abstract class ValidityColumn implements BatchColumn {
  protected valid: Uint8Array;
  protected nulls = 0;
  constructor(protected readonly capacity: number) {
    this.valid = new Uint8Array(bitmapBytes(capacity));
  }
  setNull(_row: number): void {
    this.nulls++; // bit stays 0
  }
  protected markValid(row: number): void {
    this.valid[row >> 3] |= 1 << (row & 7);
  }
  protected takeValidity(length: number): { nullBitmap: Uint8Array | undefined; nullCount: number } {
    const nullCount = this.nulls;
    const nullBitmap = nullCount === 0 ? undefined : this.valid.subarray(0, bitmapBytes(length));
    this.valid = new Uint8Array(bitmapBytes(this.capacity));
    this.nulls = 0;
    return { nullBitmap, nullCount };
  }
  abstract finish(length: number): Data;
}

/** Float64, Int32 column. */
export class NumberBatchColumn<T extends Float64 | Int32> extends ValidityColumn {
  private values: Float64Array | Int32Array;
  constructor(readonly type: T, capacity: number) {
    super(capacity);
    this.values = this.alloc();
  }
  private alloc(): Float64Array | Int32Array {
    return this.type instanceof Int32 ? new Int32Array(this.capacity) : new Float64Array(this.capacity);
  }
  set(row: number, v: number): void {
    this.values[row] = v;
    this.markValid(row);
  }
  finish(length: number): Data {
    const { nullBitmap, nullCount } = this.takeValidity(length);
    const data = this.values.subarray(0, length);
    this.values = this.alloc();
    return makeData({ type: this.type as Float64, length, nullCount, nullBitmap, data: data as Float64Array });
  }
}

/** Int64 and Timestamp(ms) columns (BigInt64Array storage). */
export class BigIntBatchColumn extends ValidityColumn {
  private values: BigInt64Array;
  constructor(readonly type: Int64 | TimestampMillisecond, capacity: number) {
    super(capacity);
    this.values = new BigInt64Array(capacity);
  }
  set(row: number, v: number): void {
    this.values[row] = BigInt(v);
    this.markValid(row);
  }
  finish(length: number): Data {
    const { nullBitmap, nullCount } = this.takeValidity(length);
    const data = this.values.subarray(0, length);
    this.values = new BigInt64Array(this.capacity);
    return makeData({ type: this.type as Int64, length, nullCount, nullBitmap, data });
  }
}

export class BoolBatchColumn extends ValidityColumn {
  private bits: Uint8Array;
  constructor(capacity: number) {
    super(capacity);
    this.bits = new Uint8Array(bitmapBytes(capacity));
  }
  set(row: number, v: boolean): void {
    if (v) this.bits[row >> 3] |= 1 << (row & 7);
    this.markValid(row);
  }
  finish(length: number): Data {
    const { nullBitmap, nullCount } = this.takeValidity(length);
    const data = this.bits.subarray(0, bitmapBytes(length));
    this.bits = new Uint8Array(bitmapBytes(this.capacity));
    return makeData({ type: new Bool(), length, nullCount, nullBitmap, data });
  }
}

export class DictionaryBatchColumn extends ValidityColumn {
  private codes: Int32Array;
  constructor(readonly type: Dictionary<Utf8, Int32>, private readonly dictionary: Vector<Utf8>, capacity: number) {
    super(capacity);
    this.codes = new Int32Array(capacity);
  }
  set(row: number, code: number): void {
    this.codes[row] = code;
    this.markValid(row);
  }
  finish(length: number): Data {
    const { nullBitmap, nullCount } = this.takeValidity(length);
    const data = this.codes.subarray(0, length);
    this.codes = new Int32Array(this.capacity);
    return makeData({ type: this.type, length, nullCount, nullBitmap, data, dictionary: this.dictionary });
  }
}

/** Utf8: strings are UTF-8 encoded into a growing byte buffer as they arrive. */
export class Utf8BatchColumn extends ValidityColumn {
  private offsets: Int32Array;
  private bytes = Buffer.allocUnsafe(1 << 16);
  private end = 0;
  private row = 0;
  constructor(capacity: number) {
    super(capacity);
    this.offsets = new Int32Array(capacity + 1);
  }
  private fill(row: number): void {
    // rows skipped since the last value (nulls) get empty slots
    while (this.row < row) this.offsets[++this.row] = this.end;
  }
  override setNull(row: number): void {
    super.setNull(row);
    this.fill(row + 1);
  }
  set(row: number, s: string): void {
    this.fill(row);
    const need = this.end + s.length * 3;
    if (need > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(next, 0, 0, this.end);
      this.bytes = next;
    }
    this.end += this.bytes.write(s, this.end, 'utf8');
    this.offsets[++this.row] = this.end;
    this.markValid(row);
  }
  finish(length: number): Data {
    this.fill(length);
    const { nullBitmap, nullCount } = this.takeValidity(length);
    const valueOffsets = this.offsets.subarray(0, length + 1);
    const data = new Uint8Array(this.end);
    data.set(this.bytes.subarray(0, this.end));
    this.offsets = new Int32Array(this.capacity + 1);
    this.end = 0;
    this.row = 0;
    return makeData({ type: new Utf8(), length, nullCount, nullBitmap, valueOffsets, data });
  }
}

/** The Arrow type a planned column is stored as. */
export function arrowType(plan: ColumnPlan): DataType {
  switch (plan.type) {
    case 'integer':
      return plan.intBits === 32 ? new Int32() : new Int64();
    case 'float':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'categorical':
      return new Dictionary(new Utf8(), new Int32(), plan.index, false);
    case 'datetime':
      return new TimestampMillisecond('UTC');
    default:
      return new Utf8();
  }
}

/** The Arrow schema of the planned columns (all nullable). */
export function arrowSchema(plans: readonly ColumnPlan[]): Schema {
  return new Schema(plans.map((p) => new Field(p.name, arrowType(p), true)));
}

/** The shared dictionary vector of a categorical column. */
export function dictionaryVector(categories: readonly string[]): Vector<Utf8> {
  return vectorFromArray(categories as string[], new Utf8());
}

/** One record batch from the finished column data (all of the same length). */
export function makeBatch(schema: Schema, length: number, children: Data[]): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}
