/**
 * The `target_encode` step: each categorical feature becomes the smoothed mean of the target
 * per category (scikit-learn TargetEncoder). The train part is encoded out of fold — each
 * row by an encoder fitted on the other `cv` folds, folds drawn from the dataset row id —
 * while the test part and prediction use the encoder fitted on the whole train part.
 * Regression and binary targets give one column (same name); a K-class target gives K
 * columns `<column>__target=<class>` (one-vs-rest). Unseen categories get the target mean.
 */
import { applyTargetEncoder, fitTransformTargetEncoder, outOfFoldAssignment, type EncoderTarget, type TargetEncoderState } from '@weft/kernels';
import { WeftError, type TargetEncodeParams } from '@weft/proto';
import type { z } from 'zod';
import { asCategorical, type FeatureColumn, type Frame } from '../frame.js';
import { columnGetter, pickKind, reportUnseen, type ApplyReport } from './common.js';

export interface TargetEncodeStep {
  type: 'target_encode';
  nodeId: string;
  columns: Array<{ name: string; state: TargetEncoderState; outputs: string[] }>;
}

/** What supervised steps see of the train part, row-aligned with the train frame. */
export interface TrainTarget {
  task: 'classification' | 'regression';
  /** Classification: label 0..K−1 per train row and the class names. */
  labels?: Int32Array;
  classes?: string[];
  /** Regression: target per train row. */
  values?: Float64Array;
  /** Dataset row id of each train row (the out-of-fold assignment hashes it). */
  rowIds: Int32Array;
  /** The workflow seed (default of params.seed). */
  seed: number;
}

type Params = z.output<typeof TargetEncodeParams>;

function encoderTarget(t: TrainTarget): EncoderTarget {
  if (t.task === 'regression') return { type: 'continuous', values: t.values! };
  const K = t.classes!.length;
  return K === 2 ? { type: 'binary', labels: t.labels! } : { type: 'multiclass', labels: t.labels!, nClasses: K };
}

/** Output names of an encoded column. */
export function targetOutputs(name: string, t: Pick<TrainTarget, 'task' | 'classes'>): string[] {
  return t.task === 'classification' && t.classes!.length > 2 ? t.classes!.map((c) => `${name}__target=${c}`) : [name];
}

function replace(frame: Frame, outputs: Map<string, FeatureColumn[]>): Frame {
  const features: FeatureColumn[] = [];
  for (const f of frame.features) features.push(...(outputs.get(f.name) ?? [f]));
  return { nRows: frame.nRows, features };
}

/**
 * Fits on the train frame and returns it encoded out of fold.
 * @throws WeftError WORKFLOW_INVALID without a target (no model downstream) or for a named non-categorical column
 */
export function fitTransformTargetEncodeStep(nodeId: string, p: Params, train: Frame, target: TrainTarget | undefined): { step: TargetEncodeStep; train: Frame } {
  if (!target) throw new WeftError('WORKFLOW_INVALID', `Node "${nodeId}": target encoding needs the model's target; connect it between a split and a model`, { nodeId, field: 'type' });
  const cols = pickKind(train, p.columns, nodeId, 'categorical', 'target encoding');
  const y = encoderTarget(target);
  const folds = outOfFoldAssignment(target.rowIds, p.cv, p.seed ?? target.seed);
  const outputs = new Map<string, FeatureColumn[]>();
  const columns = cols.map((f) => {
    const { state, columns: oof } = fitTransformTargetEncoder(asCategorical(f), y, folds, p.cv, { smooth: p.smooth });
    const names = targetOutputs(f.name, target);
    outputs.set(f.name, oof.map((column, o) => ({ name: names[o]!, kind: 'numeric', column })));
    return { name: f.name, state, outputs: names };
  });
  return { step: { type: 'target_encode', nodeId, columns }, train: replace(train, outputs) };
}

/** Encodes with the full-train encoder (test part, prediction). Outputs are ordinary numeric features. */
export function applyTargetEncodeStep(step: TargetEncodeStep, frame: Frame, report?: ApplyReport): Frame {
  const get = columnGetter(frame, step.nodeId);
  const outputs = new Map<string, FeatureColumn[]>();
  for (const c of step.columns) {
    const f = get(c.name);
    const r = applyTargetEncoder(asCategorical(f), c.state);
    reportUnseen(report, f, new Set(c.state.categories), r.unknownCount, 'the target mean');
    if (report && r.missingCount > 0) report.missingCategories[f.name] = r.missingCount;
    outputs.set(c.name, r.columns.map((column, o) => ({ name: c.outputs[o]!, kind: 'numeric', column })));
  }
  return replace(frame, outputs);
}
