/**
 * Training-time checks made at Submit, before any work is scheduled. Each failure is a
 * WeftError naming the dataset and column. A target with missing values is not an error:
 * the pipeline drops those rows with a warning.
 */
import { WeftError, nodeTypeDef, type DatasetProfile, type ColumnProfile } from '@weft/proto';
import type { PlannedTask } from './planner.js';

/** Dataset facts the checks read. */
export interface CheckDataset {
  id: string;
  name: string;
  rowCount: number;
  profile: DatasetProfile;
}

/** The single non-missing value of a column profile, as text (best effort). */
function singleValue(p: ColumnProfile): string {
  if (p.topCategories?.length) return p.topCategories[0]!.value;
  if (p.trueCount !== undefined && p.falseCount !== undefined) return p.trueCount > 0 ? 'true' : 'false';
  if (p.min !== undefined && p.min !== null) return String(p.min);
  return '?';
}

/**
 * Checks every planned task against its dataset.
 * @throws WeftError DATASET_EMPTY | TARGET_SINGLE_CLASS
 */
export function checkTrainingData(tasks: readonly PlannedTask[], datasets: ReadonlyMap<string, CheckDataset>): void {
  for (const t of tasks) {
    const ds = datasets.get(t.datasetId);
    if (!ds) continue;
    if (ds.rowCount === 0) {
      throw new WeftError('DATASET_EMPTY', `dataset ${ds.id} ("${ds.name}") has no rows`, { datasetId: ds.id });
    }
    const steps = t.spec.kind === 'train_pipeline' ? t.spec.steps : t.spec.kind === 'shard_map' ? t.spec.pipeline.steps : null;
    if (!steps) continue;
    const model = steps.find((s) => s.id === t.modelNodeId);
    if (!model || nodeTypeDef(model.type)?.task !== 'classification') continue;
    const target = (steps[0]!.params as { target?: string }).target;
    const prof = target ? ds.profile.columns[target] : undefined;
    if (!target || !prof) continue;
    if (prof.distinct === 1) {
      const value = singleValue(prof);
      throw new WeftError(
        'TARGET_SINGLE_CLASS',
        `target column "${target}" of dataset ${ds.id} has a single class ("${value}"); classification needs at least two`,
        { datasetId: ds.id, column: target, value, nodeId: t.modelNodeId },
      );
    }
  }
}
