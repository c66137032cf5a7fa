import { KernelError, check } from '../errors.js';
import { Column, NumericColumn, checkColumn, isCategorical } from './columns.js';

/** A named numeric feature column for `assembleMatrix`. */
export interface NamedColumn {
  name: string;
  column: NumericColumn;
}

/** Model input: X Float32Array [nRows, nFeatures] row-major, with the feature name of each column. */
export interface AssembledMatrix {
  X: Float32Array;
  nRows: number;
  nFeatures: number;
  featureNames: string[];
}

/**
 * Interleaves numeric columns into a row-major float32 matrix for the models.
 * Throws `KernelError('MISSING_VALUES_REACH_MODEL')` naming the first column with a missing
 * value (valid[i] == 0 or NaN), its first missing row and its missing count — impute first;
 * `KernelError('NON_FINITE_VALUES')` for ±Infinity (also after float32 rounding), naming column
 * and row; `KernelError('INVALID_INPUT')` for no columns, unequal lengths, categorical columns
 * (one-hot encode first).
 */
export function assembleMatrix(columns: NamedColumn[]): AssembledMatrix {
  check(Array.isArray(columns) && columns.length > 0, 'assembleMatrix: need at least one column');
  const nRows = (columns[0].column as NumericColumn).values?.length ?? -1;
  const nFeatures = columns.length;
  for (const { name, column } of columns) {
    check(!isCategorical(column as Column), `assembleMatrix: column '${name}' is categorical; one-hot encode it first`);
    checkColumn(column, `assembleMatrix: column '${name}'`);
    check(column.values.length === nRows, `assembleMatrix: column '${name}' has ${column.values.length} rows, expected ${nRows}`);
  }
  const X = new Float32Array(nRows * nFeatures);
  for (let j = 0; j < nFeatures; j++) {
    const { name, column } = columns[j];
    const { values, valid } = column;
    let missing = 0;
    let firstRow = -1;
    for (let i = 0; i < nRows; i++) {
      const v = values[i];
      if (v !== v || (valid !== null && valid[i] === 0)) {
        if (missing++ === 0) firstRow = i;
        continue;
      }
      X[i * nFeatures + j] = v;
      if (!Number.isFinite(X[i * nFeatures + j])) {
        throw new KernelError(
          'NON_FINITE_VALUES',
          `column '${name}' row ${i} is ${v}${Number.isFinite(v) ? ' (beyond float32)' : ''}; a model cannot take it: clip the column (a clip node) or read such values as missing (upload with nullTokens) and impute`,
          { column: name, row: i, value: String(v) },
        );
      }
    }
    if (missing > 0) {
      throw new KernelError(
        'MISSING_VALUES_REACH_MODEL',
        `column '${name}' has ${missing} missing value(s) (first at row ${firstRow}) that would reach the model; add an imputer or drop those rows`,
        { column: name, row: firstRow, missingCount: missing },
      );
    }
  }
  return { X, nRows, nFeatures, featureNames: columns.map((c) => c.name) };
}
