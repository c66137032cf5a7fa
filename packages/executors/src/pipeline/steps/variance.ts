/**
 * The `variance_threshold` step: numeric features whose train variance is at or below the
 * threshold are dropped (scikit-learn VarianceThreshold). The state lists every considered
 * column with its variance and whether it is kept.
 */
import { thresholdVariance, varianceStats, type VarianceStats } from '@weft/kernels';
import { WeftError, type VarianceThresholdParams } from '@weft/proto';
import type { z } from 'zod';
import { asNumeric, type FeatureColumn, type Frame } from '../frame.js';
import { columnGetter, pickKind } from './common.js';

export interface VarianceThresholdStep {
  type: 'variance_threshold';
  nodeId: string;
  threshold: number;
  /** variance null: the column had no present value in the train part (dropped). */
  columns: Array<{ name: string; variance: number | null; keep: boolean }>;
}

type Params = z.output<typeof VarianceThresholdParams>;

/** The columns considered: the named ones (numeric), else every numeric feature, encoder outputs included. */
export function varianceColumns(frame: Frame, p: Params, nodeId: string): FeatureColumn[] {
  return pickKind(frame, p.columns, nodeId, 'numeric', 'variance threshold');
}

/**
 * The step from each column's moments (one pass or merged over shards).
 * @throws WeftError NO_FEATURES naming params.threshold when no feature of the frame would be left
 */
export function varianceStepFromStats(nodeId: string, p: Params, frame: Frame, stats: Array<{ name: string; stats: VarianceStats }>): VarianceThresholdStep {
  const columns = stats.map(({ name, stats: s }) => {
    const v = thresholdVariance(s, p.threshold);
    return { name, variance: v === v ? v : null, keep: v > p.threshold };
  });
  const dropped = new Set(columns.filter((c) => !c.keep).map((c) => c.name));
  if (frame.features.length > 0 && frame.features.every((f) => dropped.has(f.name))) {
    const best = columns.reduce<{ name: string; variance: number | null } | null>((a, c) => (c.variance !== null && (a === null || a.variance === null || c.variance > a.variance) ? c : a), null);
    throw new WeftError(
      'NO_FEATURES',
      `Node "${nodeId}": no feature has a train variance above the threshold ${p.threshold}${best?.variance != null ? ` (largest: ${best.variance} for "${best.name}")` : ''}`,
      { nodeId, field: 'params.threshold' },
    );
  }
  return { type: 'variance_threshold', nodeId, threshold: p.threshold, columns };
}

export function fitVarianceStep(nodeId: string, p: Params, train: Frame): VarianceThresholdStep {
  return varianceStepFromStats(nodeId, p, train, varianceColumns(train, p, nodeId).map((f) => ({ name: f.name, stats: varianceStats(asNumeric(f)) })));
}

/** Drops the columns not kept (they need not be in the input at all). */
export function applyVarianceStep(step: VarianceThresholdStep, frame: Frame): Frame {
  const get = columnGetter(frame, step.nodeId);
  for (const c of step.columns) if (c.keep) get(c.name);
  const dropped = new Set(step.columns.filter((c) => !c.keep).map((c) => c.name));
  return { nRows: frame.nRows, features: frame.features.filter((f) => !dropped.has(f.name)) };
}
