/**
 * Cross-validation reduce: when every fold task of a model node has succeeded, the mean and
 * (population) standard deviation of each numeric metric over the folds. Pure arithmetic.
 */
import type { Metrics, NodeResult, TaskResult, TrainPipelineSpec } from '@weft/proto';
import type { GroupTask } from './advance.js';

/** The cross-validation summary of a fold group, or null while folds are outstanding. */
export function foldSummary(tasks: readonly GroupTask[], group: string): NonNullable<NodeResult['crossValidation']> | null {
  const folds = tasks.filter((t) => (t.spec as TrainPipelineSpec | undefined)?.fold?.group === group);
  if (!folds.length || folds.some((t) => t.state !== 'succeeded' || !t.result?.fold)) return null;
  const perFold = folds.map((t) => (t.result as TaskResult).fold!).sort((a, b) => a.index - b.index).map((f) => f.metrics);
  const mean: Metrics = {};
  const std: Metrics = {};
  const names = new Set(perFold.flatMap((m) => Object.keys(m)));
  for (const name of names) {
    const vals = perFold.map((m) => m[name]);
    if (!vals.every((v): v is number => typeof v === 'number')) continue;
    const mu = vals.reduce((a, b) => a + b, 0) / vals.length;
    mean[name] = mu;
    std[name] = Math.sqrt(vals.reduce((a, b) => a + (b - mu) * (b - mu), 0) / vals.length);
  }
  return { folds: folds.length, mean, std, perFold };
}
