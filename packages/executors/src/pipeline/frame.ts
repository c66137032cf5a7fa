/**
 * A frame: the feature columns of a dataset (or of one side of a split), each numeric,
 * categorical or datetime, all of the same length. Transforms map frames to frames; `gather`
 * takes rows.
 */
import type { CategoricalColumn, Column, NumericColumn } from '@weft/kernels';

/**
 * How a column is held: numeric and datetime columns as `NumericColumn` (datetime values are
 * milliseconds since the epoch, UTC), categorical ones as `CategoricalColumn`. Datetime
 * columns enter a frame only for a `datetime_features` node, which replaces them.
 */
export type ColumnKind = 'numeric' | 'categorical' | 'datetime';

export interface FeatureColumn {
  name: string;
  kind: ColumnKind;
  column: Column;
  /** Set on columns a transform created (e.g. one-hot outputs): scaling skips them by default. */
  derivedFrom?: { column: string; by: string };
}

export interface Frame {
  nRows: number;
  features: FeatureColumn[];
}

/** The numeric view of a feature column. @throws Error if the column is categorical. */
export function asNumeric(f: FeatureColumn): NumericColumn {
  if (f.kind !== 'numeric') throw new Error(`column "${f.name}" is categorical`);
  return f.column as NumericColumn;
}

/** The categorical view of a feature column. @throws Error if the column is numeric. */
export function asCategorical(f: FeatureColumn): CategoricalColumn {
  if (f.kind !== 'categorical') throw new Error(`column "${f.name}" is numeric`);
  return f.column as CategoricalColumn;
}

/** Rows `rows` (indices into the frame) as a new frame; dictionaries are shared. */
export function gather(frame: Frame, rows: Int32Array): Frame {
  const n = rows.length;
  return {
    nRows: n,
    features: frame.features.map((f) => {
      const valid = f.column.valid;
      const v = valid ? new Uint8Array(n) : null;
      if (v && valid) for (let i = 0; i < n; i++) v[i] = valid[rows[i]];
      if (f.kind !== 'categorical') {
        const src = (f.column as NumericColumn).values;
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = src[rows[i]];
        return { ...f, column: { values, valid: v } };
      }
      const c = f.column as CategoricalColumn;
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = c.codes[rows[i]];
      return { ...f, column: { codes, dictionary: c.dictionary, valid: v } };
    }),
  };
}

/** Present (non-missing) count of a column. */
export function presentCount(f: FeatureColumn): number {
  const c = f.column;
  let n = 0;
  if (f.kind !== 'categorical') {
    const { values, valid } = c as NumericColumn;
    for (let i = 0; i < values.length; i++) if ((valid === null || valid[i] === 1) && values[i] === values[i]) n++;
  } else {
    const { codes, valid } = c as CategoricalColumn;
    for (let i = 0; i < codes.length; i++) if ((valid === null || valid[i] === 1) && codes[i] >= 0) n++;
  }
  return n;
}
