/**
 * The train pipeline task: dataset → split → fitted preprocessing → model → evaluators.
 * Preprocessing is fitted on the train part only and replayed on the test part; the fitted
 * steps are saved with the model so prediction replays them too.
 */
import { classificationMetrics, regressionMetrics, rowHash, splitMask, stratifiedSplitMask, KernelError } from '@weft/kernels';
import type { Metrics, ModelTask, NodeResult, TaskResult, TrainPipelineSpec } from '@weft/proto';
import { SplitParams, WeftError, nodeTypeDef } from '@weft/proto';
import { FittedModel, modelEntry } from './model-registry.js';
import { evaluateClustering, clusterSizes } from './clustering.js';
import { modelMatrix } from './matrix.js';
import type { z } from 'zod';
import { MODEL_ARTIFACT_FORMAT, ModelArtifact } from './artifact.js';
import { DatasetParamsIn, chooseFeatures, frameFromTable, kindOf } from './dataset-frame.js';
import { Frame, gather } from './frame.js';
import { numericColumn, readArrowTable, stringValues } from './load.js';
import { FittedStep, TrainTarget, applyStep, fitTransformStep } from './transforms.js';
import type { TaskContext } from './context.js';

/** Sorts class names numerically when all are numbers, else lexicographically (as numpy.unique). */
export function sortClasses(names: Iterable<string>): string[] {
  const arr = [...new Set(names)];
  const numeric = arr.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  return numeric ? arr.sort((a, b) => Number(a) - Number(b)) : arr.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface Target {
  task: ModelTask;
  /** Rows (dataset row ids) whose target is present (clustering: every row). */
  rows: Int32Array;
  labels?: Int32Array;
  classes?: string[];
  values?: Float64Array;
  /** Clustering with a target: class index per row of `rows`, −1 where missing (compared with the clusters only). */
  truth?: Int32Array;
  droppedMissing: number;
}

/** Clustering keeps every row; a target, if named, becomes class indices for the adjusted Rand index. */
function readClusteringTarget(spec: TrainPipelineSpec, table: ReturnType<typeof readArrowTable>, name: string | undefined): Target {
  const n = table.numRows;
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  if (!name) return { task: 'clustering', rows, droppedMissing: 0 };
  const vec = table.getChild(name);
  if (!vec) throw new WeftError('WORKFLOW_INVALID', `Target column "${name}" is not in dataset ${spec.dataset.id}`, { column: name });
  const raw = stringValues(vec);
  const classes = sortClasses(raw.filter((v): v is string => v !== null));
  const index = new Map(classes.map((c, k) => [c, k]));
  const truth = Int32Array.from(raw, (v) => (v === null ? -1 : index.get(v)!));
  return { task: 'clustering', rows, truth, classes, droppedMissing: 0 };
}

function readTarget(spec: TrainPipelineSpec, table: ReturnType<typeof readArrowTable>, name: string, task: 'classification' | 'regression'): Target {
  const vec = table.getChild(name);
  if (!vec) throw new WeftError('WORKFLOW_INVALID', `Target column "${name}" is not in dataset ${spec.dataset.id}`, { column: name });
  const n = table.numRows;
  if (task === 'classification') {
    const raw = stringValues(vec);
    const present: number[] = [];
    for (let i = 0; i < n; i++) if (raw[i] !== null) present.push(i);
    const classes = sortClasses(present.map((i) => raw[i]!));
    if (classes.length < 2) {
      throw new WeftError(
        'TARGET_SINGLE_CLASS',
        classes.length === 0
          ? `Target "${name}" has no values`
          : `Target "${name}" has a single class ("${classes[0]}"): a classifier needs at least two`,
        { column: name, classes },
      );
    }
    const index = new Map(classes.map((c, k) => [c, k]));
    const rows = Int32Array.from(present);
    const labels = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) labels[i] = index.get(raw[rows[i]]!)!;
    return { task, rows, labels, classes, droppedMissing: n - rows.length };
  }
  const col = numericColumn(vec);
  const present: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = col.values[i];
    if (v !== v) continue;
    if (!Number.isFinite(v)) throw new WeftError('NON_FINITE_VALUES', `Target "${name}" row ${i + 1} is ${v}`, { column: name, row: i + 1 });
    present.push(i);
  }
  const rows = Int32Array.from(present);
  const values = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = col.values[rows[i]];
  return { task, rows, values, droppedMissing: n - rows.length };
}

/** Converts kernel errors into stable WeftErrors (never retryable: the input is at fault). */
function kernelToWeft(err: unknown, nodeId: string): unknown {
  if (err instanceof KernelError) {
    if (err.code === 'ABORTED') return err;
    if (err.code === 'MISSING_VALUES_REACH_MODEL' || err.code === 'NON_FINITE_VALUES') {
      return new WeftError(err.code, `Node "${nodeId}": ${err.message.replace(/^[A-Z_]+: /, '')}`, { nodeId, ...err.details });
    }
    return new WeftError('KERNEL_ERROR', `Node "${nodeId}": ${err.message}`, { nodeId, ...err.details });
  }
  return err;
}

/** Runs a `train_pipeline` task. @throws WeftError for bad data or graphs (not retryable). */
export async function runTrainPipeline(spec: TrainPipelineSpec, ctx: TaskContext): Promise<TaskResult> {
  const nodes: Record<string, NodeResult> = {};
  const [dsStep, splitStep, ...rest] = spec.steps;
  const modelStep = rest[rest.length - 1];
  const transformSteps = rest.slice(0, -1);
  if (dsStep?.type !== 'dataset' || splitStep?.type !== 'split' || !modelStep || modelStep.id !== spec.modelNodeId) {
    throw new WeftError('WORKFLOW_INVALID', `Pipeline must run dataset → split → … → model, got ${spec.steps.map((s) => s.type).join(' → ')}`);
  }
  const modelDef = nodeTypeDef(modelStep.type);
  const task = modelDef?.task;
  if (!task) throw new WeftError('WORKFLOW_INVALID', `Node "${modelStep.id}": "${modelStep.type}" is not a model`, { nodeId: modelStep.id, field: 'type' });

  // Load
  let t0 = Date.now();
  ctx.onProgress({ nodeId: dsStep.id, phase: 'load', fraction: 0, message: `reading ${spec.dataset.rowCount} rows` });
  const bytes = await ctx.store.get(spec.dataset.objectKey);
  const table = readArrowTable(bytes);
  const dsParams = dsStep.params as DatasetParamsIn;
  if (!dsParams.target && task !== 'clustering') throw new WeftError('WORKFLOW_INVALID', `Node "${dsStep.id}": params.target is required to train`, { nodeId: dsStep.id, field: 'params.target' });
  if (table.numRows === 0) throw new WeftError('DATASET_EMPTY', `Dataset ${spec.dataset.id} has no rows to train on`, { datasetId: spec.dataset.id });
  const { columns, warnings: featureWarnings } = chooseFeatures(spec.dataset.schema, dsParams, spec.steps);
  const target = task === 'clustering' ? readClusteringTarget(spec, table, dsParams.target) : readTarget(spec, table, dsParams.target!, task);
  const inputColumns = columns.map((c) => ({ name: c.name, kind: kindOf(c), type: c.type }));
  const all = frameFromTable(table, inputColumns);
  const dsWarnings = [...featureWarnings];
  if (target.droppedMissing > 0) dsWarnings.push(`${target.droppedMissing} row(s) with a missing target "${dsParams.target}" were left out`);
  nodes[dsStep.id] = { warnings: dsWarnings, durationMs: Date.now() - t0 };

  // Split
  t0 = Date.now();
  const sp = splitStep.params as z.output<typeof SplitParams>;
  const seed = sp.seed ?? spec.seed;
  let testMask: Uint8Array;
  if (spec.fold) {
    // k-fold CV: fold of a row = ⌊hash(rowId, seed) · k / 2³²⌋; this task's fold is the test part.
    const { k, index } = spec.fold;
    testMask = new Uint8Array(target.rows.length);
    for (let i = 0; i < target.rows.length; i++) testMask[i] = Math.floor((rowHash(target.rows[i]!, seed) / 4294967296) * k) === index ? 1 : 0;
  } else if (task === 'classification' && sp.stratify) {
    testMask = stratifiedSplitMask(target.labels!, seed, sp.testFraction);
  } else {
    const byRow = splitMask(0, table.numRows, seed, sp.testFraction);
    testMask = new Uint8Array(target.rows.length);
    for (let i = 0; i < target.rows.length; i++) testMask[i] = byRow[target.rows[i]];
  }
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < testMask.length; i++) (testMask[i] ? testIdx : trainIdx).push(i);
  if (trainIdx.length === 0) throw new WeftError('EMPTY_SPLIT', `Node "${splitStep.id}": the train part is empty (${target.rows.length} rows, testFraction ${sp.testFraction})`, { nodeId: splitStep.id, field: 'params.testFraction' });
  const toRows = (idx: number[]) => Int32Array.from(idx, (i) => target.rows[i]);
  let train: Frame = gather(all, toRows(trainIdx));
  let test: Frame = gather(all, toRows(testIdx));
  const yTrainLabels = target.labels ? Int32Array.from(trainIdx, (i) => target.labels![i]) : undefined;
  const yTestLabels = target.labels ? Int32Array.from(testIdx, (i) => target.labels![i]) : undefined;
  const yTrainValues = target.values ? Float64Array.from(trainIdx, (i) => target.values![i]) : undefined;
  const yTestValues = target.values ? Float64Array.from(testIdx, (i) => target.values![i]) : undefined;
  const truthTest = target.truth ? Int32Array.from(testIdx, (i) => target.truth![i]) : undefined;
  if (yTrainLabels) {
    const seen = new Uint8Array(target.classes!.length);
    for (const y of yTrainLabels) seen[y] = 1;
    const absent = target.classes!.filter((_, k) => !seen[k]);
    if (absent.length > 0) {
      throw new WeftError('CLASS_MISSING_FROM_TRAIN', `Class(es) ${absent.map((c) => `"${c}"`).join(', ')} of target "${dsParams.target}" have no rows in the train part; use a stratified split or more data`, {
        column: dsParams.target,
        classes: absent,
      });
    }
  }
  nodes[splitStep.id] = { rowsTrain: train.nRows, rowsTest: test.nRows, durationMs: Date.now() - t0 };

  // Preprocessing: fit on train, apply to both. Supervised steps (target encoding) see the
  // train targets and row ids, and transform the train part out of fold.
  const fitted: FittedStep[] = [];
  // Clustering never shows the target to a step (validation refuses target encoding before it).
  const trainTarget: TrainTarget | undefined =
    task === 'clustering' ? undefined : { task, labels: yTrainLabels, classes: target.classes, values: yTrainValues, rowIds: toRows(trainIdx), seed: spec.seed };
  for (const step of transformSteps) {
    t0 = Date.now();
    ctx.onProgress({ nodeId: step.id, phase: 'preprocess' });
    let f: FittedStep;
    try {
      ({ step: f, train } = fitTransformStep(step.type, step.id, step.params, train, trainTarget));
      test = applyStep(f, test);
    } catch (err) {
      throw kernelToWeft(err, step.id);
    }
    fitted.push(f);
    nodes[step.id] = { durationMs: Date.now() - t0 };
  }

  // Model
  t0 = Date.now();
  const cat = train.features.find((f) => f.kind === 'categorical');
  if (cat) {
    throw new WeftError('CATEGORICAL_REACHES_MODEL', `Node "${modelStep.id}": categorical column "${cat.name}" reaches the model; add a one-hot node before it`, {
      nodeId: modelStep.id,
      column: cat.name,
    });
  }
  const lossCurve: number[] = [];
  let entry;
  try {
    entry = modelEntry(modelStep.type);
  } catch {
    throw new WeftError('WORKFLOW_INVALID', `Node "${modelStep.id}": model type "${modelStep.type}" has no trainer`, { nodeId: modelStep.id, field: 'type' });
  }
  let Xtrain, Xtest;
  try {
    Xtrain = modelMatrix(train, entry.acceptsMissing);
    Xtest = test.nRows > 0 ? modelMatrix(test, entry.acceptsMissing) : null;
  } catch (err) {
    throw kernelToWeft(err, modelStep.id);
  }
  let model: FittedModel;
  const started = Date.now();
  const epochs = entry.epochs(modelStep.params);
  try {
    const y = task === 'classification' ? yTrainLabels! : task === 'regression' ? yTrainValues! : new Int32Array(0);
    model = await entry.fit(Xtrain.X, Xtrain.nRows, Xtrain.nFeatures, y, modelStep.params, {
      seed: spec.seed,
      ...(target.classes && task === 'classification' ? { nClasses: target.classes.length } : {}),
      hooks: {
        signal: ctx.signal,
        onEpoch: (e) => {
          lossCurve.push(e.loss);
          const secs = (Date.now() - started) / 1000;
          ctx.onProgress({
            nodeId: modelStep.id,
            phase: 'train',
            epoch: e.epoch,
            epochs: Math.max(epochs, e.epoch),
            loss: e.loss,
            fraction: Math.min(1, e.epoch / Math.max(1, epochs)),
            ...(secs > 0 ? { rowsPerSec: (Xtrain.nRows * e.epoch) / secs } : {}),
          });
        },
      },
    });
  } catch (err) {
    throw kernelToWeft(err, modelStep.id);
  }
  const modelJson = model.toJSON();
  const predictTest = () => ({ yPred: model.predict(Xtest!.X, Xtest!.nRows), ...(model.predictProba ? { proba: model.predictProba(Xtest!.X, Xtest!.nRows) } : {}) });
  const importances = model.featureImportances ? { names: Xtrain.featureNames, values: Array.from(model.featureImportances) } : undefined;

  const trainSeconds = (Date.now() - t0) / 1000;
  const cl = model.clustering;
  nodes[modelStep.id] = {
    modelId: spec.modelId,
    artifactKey: spec.artifactKey,
    ...(target.classes && task === 'classification' ? { classes: target.classes } : {}),
    lossCurve,
    rowsTrain: train.nRows,
    rowsTest: test.nRows,
    metrics: {
      train_loss: lossCurve.length ? lossCurve[lossCurve.length - 1] : null,
      train_seconds: trainSeconds,
      features: Xtrain.nFeatures,
      ...(cl ? { inertia: cl.inertia, inertia_per_row: cl.inertia / Xtrain.nRows } : {}),
    },
    ...(cl ? { clusterSizes: clusterSizes(model.predict(Xtrain.X, Xtrain.nRows) as Int32Array, cl.nClusters) } : {}),
    ...(importances ? { featureImportances: importances } : {}),
    durationMs: Date.now() - t0,
  };

  // Evaluate
  let modelMetrics: Metrics | undefined;
  for (const ev of spec.evaluators) {
    t0 = Date.now();
    ctx.onProgress({ nodeId: ev.id, phase: 'evaluate' });
    if (!Xtest) {
      nodes[ev.id] = { metrics: {}, notes: { all: 'the test part is empty: no holdout metrics' }, durationMs: 0 };
      continue;
    }
    if (task === 'clustering') {
      const r = evaluateClustering(model, Xtest, truthTest);
      nodes[ev.id] = { ...r, rowsTest: test.nRows, durationMs: Date.now() - t0 };
      modelMetrics = r.metrics;
      continue;
    }
    const out = predictTest();
    if (task === 'classification') {
      const r = evaluateClassification(yTestLabels!, out.yPred as Int32Array, out.proba!, target.classes!, (ev.params as { positiveClass?: string }).positiveClass);
      nodes[ev.id] = { ...r, classes: target.classes!, rowsTest: test.nRows, durationMs: Date.now() - t0 };
      modelMetrics = r.metrics;
    } else {
      const m = regressionMetrics(yTestValues!, out.yPred as Float64Array);
      nodes[ev.id] = {
        metrics: { r2: m.r2, rmse: m.rmse, mae: m.mae },
        residuals: residualSample(yTestValues!, out.yPred as Float64Array),
        rowsTest: test.nRows,
        durationMs: Date.now() - t0,
      };
      modelMetrics = nodes[ev.id].metrics;
    }
  }

  if (spec.fold) {
    const scalar: Metrics = {};
    for (const [k, v] of Object.entries(modelMetrics ?? {})) if (typeof v === 'number' || v === null) scalar[k] = v;
    return { nodes: {}, fold: { index: spec.fold.index, metrics: scalar } };
  }

  // Persist
  ctx.onProgress({ nodeId: modelStep.id, phase: 'persist' });
  const artifact: ModelArtifact = {
    format: MODEL_ARTIFACT_FORMAT,
    modelId: spec.modelId,
    nodeId: modelStep.id,
    nodeType: modelStep.type,
    task,
    datasetId: spec.dataset.id,
    target: dsParams.target ?? '',
    classes: task === 'classification' ? target.classes! : null,
    inputColumns,
    steps: fitted,
    featureNames: Xtrain.featureNames,
    model: modelJson,
    trainedAtMs: Date.now(),
  };
  await ctx.store.put(spec.artifactKey, Buffer.from(JSON.stringify(artifact)), 'application/json');

  return {
    nodes,
    model: { id: spec.modelId, artifactKey: spec.artifactKey, nodeType: modelStep.type, task, target: dsParams.target ?? '', ...(modelMetrics ? { metrics: modelMetrics } : {}) },
  };
}

/** Most points of a residuals-vs-predicted sample. */
export const RESIDUAL_SAMPLE_MAX = 1000;

/**
 * A deterministic, evenly strided sample (at most `max` rows, in row order) of predictions
 * and residuals (actual − predicted); rows with a non-finite value are left out.
 */
export function residualSample(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, max = RESIDUAL_SAMPLE_MAX): { predicted: number[]; residual: number[] } {
  const n = Math.min(yTrue.length, yPred.length);
  const take = Math.min(n, Math.max(0, max));
  const predicted: number[] = [];
  const residual: number[] = [];
  for (let k = 0; k < take; k++) {
    const i = take === n ? k : Math.floor((k * n) / take);
    const p = yPred[i]!;
    const r = yTrue[i]! - p;
    if (!Number.isFinite(p) || !Number.isFinite(r)) continue;
    predicted.push(p);
    residual.push(r);
  }
  return { predicted, residual };
}

/**
 * Holdout classification metrics. Binary metrics (precision, recall, f1, roc_auc, pr_auc,
 * the ROC/PR curves and the calibration bins) are for the positive class: `positiveClass`
 * if given, else the second class in sorted order (as scikit-learn's pos_label=1 on 0/1).
 * Multiclass: precision/recall/f1 are macro averages, roc_auc and pr_auc one-vs-rest macro,
 * calibration bins the top-class confidence. `_macro` / `_weighted` averages and
 * balanced_accuracy are reported for every problem. yTrue, yPred: Int32Array [n] class
 * indices; proba: Float64Array [n, K] row-major.
 */
export function evaluateClassification(
  yTrue: Int32Array,
  yPred: Int32Array,
  proba: Float64Array,
  classes: string[],
  positiveClass?: string,
): Pick<NodeResult, 'metrics' | 'notes' | 'roc' | 'pr' | 'calibration'> {
  const K = classes.length;
  let yt = yTrue;
  let yp = yPred;
  let pr = proba;
  const swapped = K === 2 && positiveClass !== undefined && positiveClass === classes[0];
  if (swapped) {
    yt = yTrue.map((v) => 1 - v);
    yp = yPred.map((v) => 1 - v);
    pr = new Float64Array(proba.length);
    for (let i = 0; i < yTrue.length; i++) {
      pr[2 * i] = proba[2 * i + 1];
      pr[2 * i + 1] = proba[2 * i];
    }
  }
  const m = classificationMetrics(yt, yp, pr, K);
  const notes: Record<string, string> = {};
  if (m.roc_auc === null && m.roc_auc_reason) notes.roc_auc = m.roc_auc_reason;
  if (m.pr_auc === null && m.pr_auc_reason) notes.pr_auc = m.pr_auc_reason;
  if (m.calibration === null && m.calibration_reason) notes.calibration = m.calibration_reason;
  if (K === 2) {
    let predictedPos = 0;
    let truePos = 0;
    for (let i = 0; i < yp.length; i++) {
      predictedPos += yp[i];
      truePos += yt[i];
    }
    if (predictedPos === 0) notes.precision = 'no positive predictions: precision is undefined and reported as 0';
    if (predictedPos === 0 || truePos === 0) notes.f1 = predictedPos === 0 ? 'no positive predictions: F1 reported as 0' : 'no positive rows in the test part: F1 reported as 0';
  }
  return {
    metrics: {
      accuracy: m.accuracy,
      balanced_accuracy: m.balanced_accuracy,
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
      precision_macro: m.precision_macro,
      recall_macro: m.recall_macro,
      f1_macro: m.f1_macro,
      precision_weighted: m.precision_weighted,
      recall_weighted: m.recall_weighted,
      f1_weighted: m.f1_weighted,
      roc_auc: m.roc_auc,
      pr_auc: m.pr_auc,
      log_loss: m.log_loss,
      // Always in the order of `classes` (the swap above only picks the positive class).
      confusion_matrix: swapped ? m.confusion_matrix.map((row) => [...row].reverse()).reverse() : m.confusion_matrix,
    },
    ...(Object.keys(notes).length ? { notes } : {}),
    ...(m.roc_curve ? { roc: { fpr: Array.from(m.roc_curve.fpr), tpr: Array.from(m.roc_curve.tpr) } } : {}),
    ...(K === 2 ? prCurveOrEmpty(yt, pr) : {}),
    ...(m.calibration ? { calibration: m.calibration } : {}),
  };
}

function prCurveOrEmpty(yTrue: Int32Array, proba: Float64Array): Pick<NodeResult, 'pr'> {
  const scores = new Float64Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) scores[i] = proba[2 * i + 1]!;
  const curve = precisionRecallCurve(yTrue, scores);
  return curve ? { pr: curve } : {};
}

/**
 * The binary precision–recall curve of positive-class scores: one point per distinct
 * threshold (decreasing), starting at recall 0 / precision 1, thinned evenly to at most
 * `max` points (the last point, all rows positive, is kept). Null without positive rows.
 */
export function precisionRecallCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>, max = 1000): { precision: number[]; recall: number[] } | null {
  const n = Math.min(yTrue.length, scores.length);
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => Number.isFinite(scores[i]!));
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  let positives = 0;
  for (const i of order) positives += yTrue[i] === 1 ? 1 : 0;
  if (positives === 0) return null;
  const precision = [1];
  const recall = [0];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (yTrue[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next !== undefined && scores[next] === scores[i]) continue; // ties share a threshold
    precision.push(tp / (tp + fp));
    recall.push(tp / positives);
  }
  if (precision.length <= max) return { precision, recall };
  const keep = (j: number) => Math.round((j * (precision.length - 1)) / (max - 1));
  const idx = Array.from({ length: max }, (_, j) => keep(j));
  return { precision: idx.map((j) => precision[j]!), recall: idx.map((j) => recall[j]!) };
}
