/**
 * The model's input matrix from a frame of numeric feature columns: Float32Array
 * [nRows, nFeatures] row-major. Models that route missing values themselves (trees,
 * boosting) get NaN where a value is missing; for every other model a missing value is an
 * error naming the column (`MISSING_VALUES_REACH_MODEL`), so nothing is silently imputed.
 */
import { assembleMatrix, type AssembledMatrix, type NumericColumn } from '@weft/kernels';
import type { Frame } from './frame.js';

export function modelMatrix(frame: Frame, acceptsMissing: boolean): AssembledMatrix {
  const named = frame.features.map((f) => ({ name: f.name, column: f.column as NumericColumn }));
  if (!acceptsMissing) return assembleMatrix(named);
  // Missing → NaN, then the same checks (shape, ±Infinity) as assembleMatrix.
  const withNaN = named.map(({ name, column }) => {
    const values = Float64Array.from(column.values);
    if (column.valid) for (let i = 0; i < values.length; i++) if (column.valid[i] === 0) values[i] = NaN;
    return { name, values };
  });
  const nRows = frame.nRows;
  const nFeatures = withNaN.length;
  const X = new Float32Array(nRows * nFeatures);
  for (let j = 0; j < nFeatures; j++) {
    const v = withNaN[j].values;
    for (let i = 0; i < nRows; i++) X[i * nFeatures + j] = v[i];
  }
  return { X, nRows, nFeatures, featureNames: withNaN.map((c) => c.name) };
}
