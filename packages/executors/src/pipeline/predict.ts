/**
 * The predict task: replays a model's fitted preprocessing on new rows and predicts.
 * Unseen and missing categories are encoded as each encoder says (all-zero one-hot rows,
 * the ordinal unknownValue, the target mean) and reported.
 */
import { KernelError } from '@weft/kernels';
import { modelEntry } from './model-registry.js';
import { modelMatrix } from './matrix.js';
import type { ModelTask, PredictSpec, TaskResult } from '@weft/proto';
import { WeftError } from '@weft/proto';
import { parseArtifact } from './artifact.js';
import { frameFromTable } from './dataset-frame.js';
import { readArrowTable } from './load.js';
import { ApplyReport, applyStep } from './transforms.js';
import type { TaskContext } from './context.js';

/** The predictions document written to the object store at `spec.outputKey`. */
export interface PredictionsDoc {
  modelId: string;
  task: ModelTask;
  /** "" for a clustering model trained without a target. */
  target: string;
  rowCount: number;
  classes: string[] | null;
  /** One prediction per input row, in input order (class name, number, or cluster id 0..k−1). */
  predictions: Array<string | number>;
  /** Classification: probability of each class per row, [rowCount][classes.length]. */
  probabilities: number[][] | null;
  /** Clustering: Euclidean distance of each row to its cluster's centre (preprocessed feature units). */
  distances?: number[];
  unseenCategories: ApplyReport['unseenCategories'];
  missingCategories: ApplyReport['missingCategories'];
}

/** Runs a `predict` task. @throws WeftError when the input lacks a column the model reads. */
export async function runPredict(spec: PredictSpec, ctx: TaskContext): Promise<TaskResult> {
  const t0 = Date.now();
  ctx.onProgress({ nodeId: spec.nodeId, phase: 'load' });
  let artifact;
  try {
    artifact = parseArtifact(JSON.parse((await ctx.store.get(spec.artifactKey)).toString('utf8')));
  } catch (err) {
    throw new WeftError('INVALID_MODEL_ARTIFACT', `Model ${spec.modelId}: ${(err as Error).message}`, { modelId: spec.modelId });
  }
  const table = readArrowTable(await ctx.store.get(spec.dataset.objectKey));
  const missing = artifact.inputColumns.filter((c) => !table.getChild(c.name)).map((c) => c.name);
  if (missing.length) {
    throw new WeftError('PREDICT_COLUMN_MISSING', `The input lacks column(s) the model reads: ${missing.map((m) => `"${m}"`).join(', ')}`, { columns: missing });
  }
  let frame = frameFromTable(table, artifact.inputColumns);
  const report: ApplyReport = { unseenCategories: {}, missingCategories: {} };
  ctx.onProgress({ nodeId: spec.nodeId, phase: 'predict' });
  let predictions: Array<string | number>;
  let probabilities: number[][] | null = null;
  let distances: number[] | undefined;
  try {
    for (const step of artifact.steps) frame = applyStep(step, frame, report);
    const entry = modelEntry(artifact.nodeType);
    const X = modelMatrix(frame, entry.acceptsMissing);
    const model = entry.load(artifact.model);
    const out = model.predict(X.X, X.nRows);
    if (artifact.task === 'classification') {
      predictions = Array.from(out, (k) => artifact.classes![k]);
      if (model.predictProba) {
        const proba = model.predictProba(X.X, X.nRows);
        const K = artifact.classes!.length;
        probabilities = Array.from({ length: X.nRows }, (_, i) => Array.from(proba.subarray(i * K, i * K + K)));
      }
    } else {
      predictions = Array.from(out);
      if (model.clustering) distances = Array.from(model.clustering.distances(X.X, X.nRows));
    }
  } catch (err) {
    if (err instanceof KernelError && err.code === 'MISSING_VALUES_REACH_MODEL') {
      throw new WeftError('MISSING_VALUES_REACH_MODEL', `${err.message.replace(/^MISSING_VALUES_REACH_MODEL: /, '')}; the model's workflow has no imputation for it`, err.details);
    }
    if (err instanceof KernelError && err.code === 'NON_FINITE_VALUES') throw new WeftError('NON_FINITE_VALUES', err.message.replace(/^NON_FINITE_VALUES: /, ''), err.details);
    throw err;
  }
  const doc: PredictionsDoc = {
    modelId: spec.modelId,
    task: artifact.task,
    target: artifact.target,
    rowCount: table.numRows,
    classes: artifact.classes,
    predictions,
    probabilities,
    ...(distances ? { distances } : {}),
    unseenCategories: report.unseenCategories,
    missingCategories: report.missingCategories,
  };
  await ctx.store.put(spec.outputKey, Buffer.from(JSON.stringify(doc)), 'application/json');
  const warnings = Object.entries(report.unseenCategories).map(([c, u]) => `column "${c}": ${u.count} row(s) with categories not seen in training (${u.values.join(', ')}) were encoded as ${u.encodedAs ?? 'all zeros'}`);
  return {
    nodes: { [spec.nodeId]: { rowsTest: table.numRows, durationMs: Date.now() - t0, ...(warnings.length ? { warnings } : {}) } },
    predictions: { outputKey: spec.outputKey, rowCount: table.numRows },
  };
}
