/**
 * The `clip` step: numeric features limited to [lower, upper], each side a value or a
 * quantile of the train part (winsorising). Missing values stay missing.
 */
import { applyClip, clipFromQuantiles, fitClip, type ClipOptions, type ClipState } from '@weft/kernels';
import type { ClipParams } from '@weft/proto';
import type { z } from 'zod';
import { asNumeric, type FeatureColumn, type Frame } from '../frame.js';
import { columnGetter, pickKind, withParamErrors } from './common.js';

export interface ClipStep {
  type: 'clip';
  nodeId: string;
  columns: Array<{ name: string; state: ClipState }>;
}

type Params = z.output<typeof ClipParams>;

/** Kernel options from params. */
export function clipOptions(p: Params): ClipOptions {
  const o: ClipOptions = {};
  if (p.lower !== undefined) o.lower = p.lower;
  if (p.upper !== undefined) o.upper = p.upper;
  if (p.lowerQuantile !== undefined) o.lowerQuantile = p.lowerQuantile;
  if (p.upperQuantile !== undefined) o.upperQuantile = p.upperQuantile;
  return o;
}

/** Whether fitting needs the train values (a quantile bound). */
export const clipNeedsQuantiles = (p: Params) => p.lowerQuantile !== undefined || p.upperQuantile !== undefined;

/** The columns clipped: the named ones (numeric), else every numeric feature not made by an encoder. */
export function clipColumns(frame: Frame, p: Params, nodeId: string): FeatureColumn[] {
  return pickKind(frame, p.columns, nodeId, 'numeric', 'clipping', (f) => !f.derivedFrom);
}

/** Fits the bounds on the train frame (exact quantiles). @throws WeftError naming the params at fault */
export function fitClipStep(nodeId: string, p: Params, train: Frame): ClipStep {
  const opts = clipOptions(p);
  return { type: 'clip', nodeId, columns: clipColumns(train, p, nodeId).map((f) => ({ name: f.name, state: withParamErrors(nodeId, () => fitClip(asNumeric(f), opts)) })) };
}

/** Bounds from a quantile function of the merged train values (distributed fit). */
export function clipStateFromQuantiles(nodeId: string, p: Params, q: (p: number) => number): ClipState {
  return withParamErrors(nodeId, () => clipFromQuantiles(clipOptions(p), q));
}

export function applyClipStep(step: ClipStep, frame: Frame): Frame {
  const get = columnGetter(frame, step.nodeId);
  for (const c of step.columns) get(c.name);
  const states = new Map(step.columns.map((c) => [c.name, c.state]));
  return {
    nRows: frame.nRows,
    features: frame.features.map((f) => {
      const s = states.get(f.name);
      return s ? { ...f, column: applyClip(asNumeric(f), s).column } : f;
    }),
  };
}
