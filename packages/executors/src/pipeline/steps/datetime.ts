/**
 * The `datetime_features` step: each datetime column (epoch milliseconds, UTC) is replaced by
 * numeric calendar features named `<column>__<feature>`. Nothing is fitted: the chosen
 * columns and features are the state.
 */
import { datetimeFeatures, type DatetimeFeature } from '@weft/kernels';
import type { DatetimeFeaturesParams } from '@weft/proto';
import type { z } from 'zod';
import type { FeatureColumn, Frame } from '../frame.js';
import { columnGetter, pickKind } from './common.js';

export interface DatetimeStep {
  type: 'datetime_features';
  nodeId: string;
  features: DatetimeFeature[];
  /** The datetime columns replaced. */
  columns: string[];
}

type Params = z.output<typeof DatetimeFeaturesParams>;

/** The step for a frame (every datetime column, or the named ones). @throws WeftError naming params.columns.i */
export function fitDatetimeStep(nodeId: string, p: Params, train: Frame): DatetimeStep {
  const cols = pickKind(train, p.columns, nodeId, 'datetime', 'datetime features');
  return { type: 'datetime_features', nodeId, features: [...p.features], columns: cols.map((f) => f.name) };
}

/** Output column names of one datetime column. */
export const datetimeOutputName = (column: string, feature: string) => `${column}__${feature}`;

/**
 * Replaces each datetime column by its features (numeric; missing timestamps give missing
 * features). Outputs are ordinary numeric features: scaling and clipping take them by default.
 */
export function applyDatetimeStep(step: DatetimeStep, frame: Frame): Frame {
  const get = columnGetter(frame, step.nodeId);
  for (const c of step.columns) get(c);
  const done = new Set(step.columns);
  const out: FeatureColumn[] = [];
  for (const f of frame.features) {
    if (!done.has(f.name)) {
      out.push(f);
      continue;
    }
    const cols = datetimeFeatures(f.column as never, step.features);
    cols.forEach((column, j) => out.push({ name: datetimeOutputName(f.name, step.features[j]!), kind: 'numeric', column }));
  }
  return { nRows: frame.nRows, features: out };
}
