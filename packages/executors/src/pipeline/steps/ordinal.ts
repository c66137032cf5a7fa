/**
 * The `ordinal` step: each categorical feature becomes the index of its category among the
 * train categories in sorted order (scikit-learn OrdinalEncoder); unseen categories get
 * `unknownValue`, missing values `encodedMissingValue` or stay missing.
 */
import { applyOrdinal, fitOrdinal, type OrdinalState } from '@weft/kernels';
import type { OrdinalParams } from '@weft/proto';
import type { z } from 'zod';
import { asCategorical, type FeatureColumn, type Frame } from '../frame.js';
import { columnGetter, pickKind, reportUnseen, withParamErrors, type ApplyReport } from './common.js';

export interface OrdinalStep {
  type: 'ordinal';
  nodeId: string;
  columns: Array<{ name: string; state: OrdinalState }>;
}

type Params = z.output<typeof OrdinalParams>;

/** The columns the step encodes (named ones must be categorical). */
export function ordinalColumns(frame: Frame, p: Params, nodeId: string): FeatureColumn[] {
  return pickKind(frame, p.columns, nodeId, 'categorical', 'ordinal encoding');
}

/** Fitted state of one column from the categories seen in the train part (with their counts: only the keys matter). */
export function ordinalFromCategories(categories: string[], p: Params, nodeId: string): OrdinalState {
  const column = { codes: Int32Array.from(categories, (_, k) => k), dictionary: categories, valid: null };
  return withParamErrors(nodeId, () => fitOrdinal(column, { unknownValue: p.unknownValue, encodedMissingValue: p.encodedMissingValue ?? null }));
}

/** Fits on the train frame. @throws WeftError WORKFLOW_INVALID naming params.columns.i / params.unknownValue */
export function fitOrdinalStep(nodeId: string, p: Params, train: Frame): OrdinalStep {
  return {
    type: 'ordinal',
    nodeId,
    columns: ordinalColumns(train, p, nodeId).map((f) => ({
      name: f.name,
      state: withParamErrors(nodeId, () => fitOrdinal(asCategorical(f), { unknownValue: p.unknownValue, encodedMissingValue: p.encodedMissingValue ?? null })),
    })),
  };
}

/** Replaces each encoded column by its codes (same name, numeric). Codes are not scaled by default. */
export function applyOrdinalStep(step: OrdinalStep, frame: Frame, report?: ApplyReport): Frame {
  const get = columnGetter(frame, step.nodeId);
  for (const c of step.columns) get(c.name);
  const states = new Map(step.columns.map((c) => [c.name, c.state]));
  return {
    nRows: frame.nRows,
    features: frame.features.map((f) => {
      const s = states.get(f.name);
      if (!s) return f;
      const r = applyOrdinal(asCategorical(f), s);
      reportUnseen(report, f, new Set(s.categories), r.unknownCount, String(s.unknownValue));
      if (report && r.missingCount > 0) report.missingCategories[f.name] = r.missingCount;
      return { name: f.name, kind: 'numeric', column: r.column, derivedFrom: { column: f.name, by: 'ordinal' } };
    }),
  };
}
