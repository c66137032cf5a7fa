/**
 * Fitted preprocessing steps: each is fitted on the train frame, applied to every frame
 * (train, test, and later prediction input), and saved in the model artifact so prediction
 * applies exactly the same steps. States are JSON. Impute, scale and one-hot live here; the
 * other steps each have a file under `steps/`.
 */
import {
  applyImputer,
  applyOneHot,
  applyStandardScaler,
  fitImputer,
  fitOneHot,
  fitStandardScaler,
  type ImputerState,
  type NumericColumn,
  type OneHotState,
  type StandardScalerState,
} from '@weft/kernels';
import {
  ClipParams,
  DatetimeFeaturesParams,
  ImputeParams,
  OneHotParams,
  OrdinalParams,
  ScaleParams,
  TargetEncodeParams,
  VarianceThresholdParams,
  WeftError,
} from '@weft/proto';
import type { z } from 'zod';
import { FeatureColumn, Frame, asCategorical, asNumeric, presentCount } from './frame.js';
import { pick, type ApplyReport } from './steps/common.js';
import { applyOrdinalStep, fitOrdinalStep, type OrdinalStep } from './steps/ordinal.js';
import { applyTargetEncodeStep, fitTransformTargetEncodeStep, type TargetEncodeStep, type TrainTarget } from './steps/target-encode.js';
import { applyDatetimeStep, fitDatetimeStep, type DatetimeStep } from './steps/datetime.js';
import { applyClipStep, fitClipStep, type ClipStep } from './steps/clip.js';
import { applyVarianceStep, fitVarianceStep, type VarianceThresholdStep } from './steps/variance.js';

export { pick, type ApplyReport } from './steps/common.js';
export type { TrainTarget } from './steps/target-encode.js';

type Impute = z.output<typeof ImputeParams>;
type Scale = z.output<typeof ScaleParams>;
type OneHot = z.output<typeof OneHotParams>;

/** Min-max or robust scaling parameters: transform (x - center) / scale. */
export interface AffineScaleState {
  kind: 'affine_scaler';
  method: 'minmax' | 'robust';
  center: number;
  scale: number;
}

export type FittedStep =
  | { type: 'impute'; nodeId: string; columns: Array<{ name: string; state: ImputerState; indicator: boolean }> }
  | { type: 'scale'; nodeId: string; columns: Array<{ name: string; state: StandardScalerState | AffineScaleState }> }
  | { type: 'one_hot'; nodeId: string; columns: Array<{ name: string; state: OneHotState }> }
  | OrdinalStep
  | TargetEncodeStep
  | DatetimeStep
  | ClipStep
  | VarianceThresholdStep;

/** Every step type a model artifact may hold. */
export const FITTED_STEP_TYPES = ['impute', 'scale', 'one_hot', 'ordinal', 'target_encode', 'datetime_features', 'clip', 'variance_threshold'] as const satisfies ReadonlyArray<FittedStep['type']>;

/**
 * Fits one step on the train frame and returns it with the train frame transformed. For
 * every step but target encoding that is `applyStep(fitStep(…), train)`; target encoding
 * returns the train part encoded out of fold (and needs `target`).
 */
export function fitTransformStep(type: string, nodeId: string, params: Record<string, unknown>, train: Frame, target?: TrainTarget): { step: FittedStep; train: Frame } {
  if (type === 'target_encode') return fitTransformTargetEncodeStep(nodeId, TargetEncodeParams.parse(params), train, target);
  const step = fitStep(type, nodeId, params, train);
  return { step, train: applyStep(step, train) };
}

/** Fits one step on the train frame. */
export function fitStep(type: string, nodeId: string, params: Record<string, unknown>, train: Frame): FittedStep {
  switch (type) {
    case 'impute': {
      const p = params as Impute;
      const cols = pick(train, p.columns, nodeId, () => true);
      return {
        type: 'impute',
        nodeId,
        columns: cols.map((f) => {
          const strategy = f.kind === 'categorical' && (p.strategy === 'mean' || p.strategy === 'median') ? 'most_frequent' : p.strategy;
          const fillValue = p.fillValue === undefined ? undefined : f.kind === 'categorical' ? String(p.fillValue) : Number(p.fillValue);
          return {
            name: f.name,
            state: fitImputer(f.column, { strategy, ...(fillValue !== undefined ? { fillValue } : {}) }),
            indicator: p.addIndicator && presentCount(f) < train.nRows,
          };
        }),
      };
    }
    case 'scale': {
      const p = params as Scale;
      const cols = pick(train, p.columns, nodeId, (f) => f.kind === 'numeric' && !f.derivedFrom);
      return {
        type: 'scale',
        nodeId,
        columns: cols.map((f) => {
          if (f.kind !== 'numeric') {
            throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": column "${f.name}" is ${f.kind} and cannot be scaled`, { nodeId, field: 'params.columns' });
          }
          const col = asNumeric(f);
          return { name: f.name, state: p.method === 'standard' ? fitStandardScaler(col) : fitAffine(col, p.method) };
        }),
      };
    }
    case 'one_hot': {
      const p = params as OneHot;
      const cols = pick(train, p.columns, nodeId, (f) => f.kind === 'categorical');
      return {
        type: 'one_hot',
        nodeId,
        columns: cols.map((f) => {
          if (f.kind !== 'categorical') {
            throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": column "${f.name}" is numeric; one-hot encoding takes categorical columns`, { nodeId, field: 'params.columns' });
          }
          return { name: f.name, state: fitOneHot(asCategorical(f), { maxCategories: p.maxCategories }) };
        }),
      };
    }
    case 'ordinal':
      return fitOrdinalStep(nodeId, OrdinalParams.parse(params), train);
    case 'datetime_features':
      return fitDatetimeStep(nodeId, DatetimeFeaturesParams.parse(params), train);
    case 'clip':
      return fitClipStep(nodeId, ClipParams.parse(params), train);
    case 'variance_threshold':
      return fitVarianceStep(nodeId, VarianceThresholdParams.parse(params), train);
    case 'target_encode':
      throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": target encoding is fitted with the train targets (fitTransformStep)`, { nodeId, field: 'type' });
    default:
      throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": "${type}" is not a preprocessing step`, { nodeId, field: 'type' });
  }
}

/** Applies a fitted step to a frame (any rows). */
export function applyStep(step: FittedStep, frame: Frame, report?: ApplyReport): Frame {
  const byName = new Map(frame.features.map((f) => [f.name, f]));
  const get = (name: string): FeatureColumn => {
    const f = byName.get(name);
    if (!f) throw new WeftError('PREDICT_COLUMN_MISSING', `Column "${name}" needed by step "${step.nodeId}" is missing from the input`, { column: name });
    return f;
  };
  switch (step.type) {
    case 'impute': {
      const out: FeatureColumn[] = [];
      const done = new Map(step.columns.map((c) => [c.name, c]));
      for (const f of frame.features) {
        const c = done.get(f.name);
        if (!c) {
          out.push(f);
          continue;
        }
        out.push({ ...f, column: applyImputer(f.column, c.state) });
        if (c.indicator) {
          const values = new Float64Array(frame.nRows);
          const v = f.column.valid;
          const isNum = f.kind !== 'categorical';
          for (let i = 0; i < frame.nRows; i++) {
            const present = (v === null || v[i] === 1) && (isNum ? (f.column as NumericColumn).values[i] === (f.column as NumericColumn).values[i] : asCategorical(f).codes[i] >= 0);
            values[i] = present ? 0 : 1;
          }
          out.push({ name: `${f.name}__missing`, kind: 'numeric', column: { values, valid: null }, derivedFrom: { column: f.name, by: 'impute' } });
        }
      }
      for (const c of step.columns) get(c.name);
      return { nRows: frame.nRows, features: out };
    }
    case 'scale': {
      const states = new Map(step.columns.map((c) => [c.name, c.state]));
      for (const c of step.columns) get(c.name);
      return {
        nRows: frame.nRows,
        features: frame.features.map((f) => {
          const s = states.get(f.name);
          if (!s) return f;
          const col = asNumeric(f);
          return { ...f, column: s.kind === 'affine_scaler' ? applyAffine(col, s) : applyStandardScaler(col, s) };
        }),
      };
    }
    case 'one_hot': {
      const states = new Map(step.columns.map((c) => [c.name, c.state]));
      for (const c of step.columns) get(c.name);
      const out: FeatureColumn[] = [];
      for (const f of frame.features) {
        const s = states.get(f.name);
        if (!s) {
          out.push(f);
          continue;
        }
        const cat = asCategorical(f);
        const r = applyOneHot(cat, s);
        if (report && (r.unknownCount > 0 || r.missingCount > 0)) {
          if (r.unknownCount > 0) {
            const known = new Set(s.categories);
            const values = new Set<string>();
            for (let i = 0; i < cat.codes.length && values.size < 20; i++) {
              const code = cat.codes[i];
              if (code >= 0 && (cat.valid === null || cat.valid[i] === 1) && !known.has(cat.dictionary[code])) values.add(cat.dictionary[code]);
            }
            report.unseenCategories[f.name] = { count: r.unknownCount, values: [...values] };
          }
          if (r.missingCount > 0) report.missingCategories[f.name] = r.missingCount;
        }
        r.columns.forEach((column, j) => out.push({ name: `${f.name}=${r.categories[j]}`, kind: 'numeric', column, derivedFrom: { column: f.name, by: 'one_hot' } }));
      }
      return { nRows: frame.nRows, features: out };
    }
    case 'ordinal':
      return applyOrdinalStep(step, frame, report);
    case 'target_encode':
      return applyTargetEncodeStep(step, frame, report);
    case 'datetime_features':
      return applyDatetimeStep(step, frame);
    case 'clip':
      return applyClipStep(step, frame);
    case 'variance_threshold':
      return applyVarianceStep(step, frame);
  }
}

function presentSorted(col: NumericColumn): Float64Array {
  const { values, valid } = col;
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) if ((valid === null || valid[i] === 1) && values[i] === values[i]) out[m++] = values[i];
  return out.subarray(0, m).sort();
}

function quantileSorted(s: Float64Array, q: number): number {
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Min-max ([0, 1], as scikit-learn MinMaxScaler) or robust (median / IQR, as RobustScaler
 * with quantile_range (25, 75), linear interpolation) scaling. A constant column scales to 0.
 */
export function fitAffine(col: NumericColumn, method: 'minmax' | 'robust'): AffineScaleState {
  const s = presentSorted(col);
  if (s.length === 0) return { kind: 'affine_scaler', method, center: 0, scale: 1 };
  let center: number;
  let scale: number;
  if (method === 'minmax') {
    center = s[0];
    scale = s[s.length - 1] - s[0];
  } else {
    center = quantileSorted(s, 0.5);
    scale = quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
  }
  if (!(scale > 1e-12 * Math.max(1, Math.abs(center)))) scale = 1;
  return { kind: 'affine_scaler', method, center, scale };
}

/** Applies (x - center) / scale, keeping missing values missing. */
export function applyAffine(col: NumericColumn, s: AffineScaleState): NumericColumn {
  const values = new Float64Array(col.values.length);
  for (let i = 0; i < values.length; i++) values[i] = (col.values[i] - s.center) / s.scale;
  return { values, valid: col.valid };
}
