/**
 * Arrow record batches → columns the kernels consume. Nulls stay missing (validity bytes),
 * never zeros: Arrow's `Vector.toArray()` turns nulls into 0, so we read bitmaps directly.
 */
import { Data, Table, Type, Vector, tableFromIPC } from 'apache-arrow';
import type { CategoricalColumn, NumericColumn } from '@weft/kernels';

/** Decodes an Arrow IPC file (or stream) held in memory. */
export function readArrowTable(bytes: Uint8Array): Table {
  return tableFromIPC(bytes);
}

function validityOf(data: Data, out: Uint8Array, at: number): void {
  const n = data.length;
  const bitmap = data.nullBitmap;
  if (!bitmap || data.nullCount === 0 || bitmap.length === 0) {
    out.fill(1, at, at + n);
    return;
  }
  const off = data.offset;
  for (let i = 0; i < n; i++) {
    const b = off + i;
    out[at + i] = (bitmap[b >> 3] >> (b & 7)) & 1;
  }
}

/**
 * A numeric view of an integer, float, boolean or timestamp column: Float64Array values
 * [nRows] and validity [nRows] (1 = present). Timestamps are milliseconds since the epoch.
 * @throws Error for column types that are not numeric.
 */
export function numericColumn(vec: Vector): NumericColumn {
  const n = vec.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  let at = 0;
  for (const data of vec.data) {
    validityOf(data, valid, at);
    const len = data.length;
    const off = data.offset;
    switch (data.typeId) {
      case Type.Bool: {
        const bits = data.values as Uint8Array;
        for (let i = 0; i < len; i++) {
          const b = off + i;
          values[at + i] = (bits[b >> 3] >> (b & 7)) & 1;
        }
        break;
      }
      case Type.Int:
      case Type.Float:
      case Type.Timestamp:
      case Type.Date: {
        const src = data.values as ArrayLike<number | bigint>;
        const stride = data.stride || 1;
        if (typeof src[0] === 'bigint' || src instanceof BigInt64Array || src instanceof BigUint64Array) {
          for (let i = 0; i < len; i++) values[at + i] = Number(src[(off + i) * stride] as bigint);
        } else if (stride === 1) {
          for (let i = 0; i < len; i++) values[at + i] = src[off + i] as number;
        } else {
          // Older Arrow JS represents 64-bit ints as pairs of 32-bit words (low, high).
          for (let i = 0; i < len; i++) {
            const lo = src[(off + i) * 2] as number;
            const hi = src[(off + i) * 2 + 1] as number;
            values[at + i] = hi * 4294967296 + (lo >>> 0);
          }
        }
        break;
      }
      default:
        throw new Error(`column of Arrow type ${Type[data.typeId]} is not numeric`);
    }
    for (let i = 0; i < len; i++) if (valid[at + i] === 0) values[at + i] = NaN;
    at += len;
  }
  return { values, valid };
}

/**
 * A categorical view of a dictionary-encoded (or plain string) column: Int32 codes into one
 * dictionary shared by all batches; -1 and valid 0 for missing rows.
 */
export function categoricalColumn(vec: Vector): CategoricalColumn {
  const n = vec.length;
  const codes = new Int32Array(n);
  const valid = new Uint8Array(n);
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codeOf = (s: string): number => {
    let c = index.get(s);
    if (c === undefined) {
      c = dictionary.length;
      dictionary.push(s);
      index.set(s, c);
    }
    return c;
  };
  let at = 0;
  for (const data of vec.data) {
    validityOf(data, valid, at);
    const len = data.length;
    if (data.typeId === Type.Dictionary && data.dictionary) {
      const dict = data.dictionary;
      const remap = new Int32Array(dict.length);
      for (let k = 0; k < dict.length; k++) remap[k] = codeOf(String(dict.get(k)));
      const keys = data.values as ArrayLike<number>;
      for (let i = 0; i < len; i++) codes[at + i] = valid[at + i] ? remap[keys[data.offset + i]] : -1;
    } else {
      const chunk = new Vector([data]);
      for (let i = 0; i < len; i++) {
        const v = valid[at + i] ? chunk.get(i) : null;
        codes[at + i] = v === null || v === undefined ? -1 : codeOf(String(v));
        if (codes[at + i] < 0) valid[at + i] = 0;
      }
    }
    at += len;
  }
  return { codes, dictionary, valid };
}

/** Row values of any column as strings (null for missing), for targets and predictions. */
export function stringValues(vec: Vector): Array<string | null> {
  const out: Array<string | null> = new Array(vec.length);
  const cat = categoricalColumn(vec);
  for (let i = 0; i < vec.length; i++) out[i] = cat.codes[i] >= 0 ? cat.dictionary[cat.codes[i]] : null;
  return out;
}
