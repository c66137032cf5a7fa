/**
 * A `shard_map` task: one stage of a distributed group over one shard. Loads the shard's
 * rows (cached), replays the preprocessing fitted so far from merged statistics, and
 * returns small statistics for the scheduler to merge (see proto ShardStats):
 * `fit` — label counts (round 0) and the column summaries of transform step `round`;
 * `train` — X^T X, X^T y sums (linear) or summed loss and gradient at `state.params` (logistic);
 * `eval` — confusion counts, score histograms or residual sums on the test rows.
 */
import { assembleMatrix, linearStats, logisticLossGradSums } from '@weft/kernels';
import { WeftError, type ShardMapSpec, type ShardStats, type TaskResult } from '@weft/proto';
import { classificationEvalStats, regressionEvalStats } from './eval-stats.js';
import { groupModel } from './model-state.js';
import { loadShardFrames, pipelineParts } from './shard-frame.js';
import { replayPrep, stepStats } from './shard-stats.js';
import type { Frame } from './frame.js';
import type { TaskContext } from './context.js';

function labelCounts(labels: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[l] = (out[l] ?? 0) + 1;
  return out;
}

/** Float32 [nRows, d] design matrix of a frame. @throws WeftError when a categorical column reaches the model. */
export function matrixOf(frame: Frame, modelNodeId: string) {
  const cat = frame.features.find((f) => f.kind === 'categorical');
  if (cat) throw new WeftError('CATEGORICAL_REACHES_MODEL', `Node "${modelNodeId}": categorical column "${cat.name}" reaches the model; add a one-hot node before it`, { nodeId: modelNodeId, column: cat.name });
  try {
    return assembleMatrix(frame.features.map((f) => ({ name: f.name, column: f.column as never })));
  } catch (err) {
    const e = err as { code?: string; message: string; details?: object };
    if (e.code === 'MISSING_VALUES_REACH_MODEL') throw new WeftError('MISSING_VALUES_REACH_MODEL', `Node "${modelNodeId}": ${e.message.replace(/^MISSING_VALUES_REACH_MODEL: /, '')}`, { nodeId: modelNodeId, ...e.details });
    throw err;
  }
}

/** Runs one shard of one stage. @throws WeftError for bad data (not retryable). */
export async function runShardMap(spec: ShardMapSpec, ctx: TaskContext): Promise<TaskResult> {
  const p = spec.pipeline;
  const parts = pipelineParts(p);
  // No per-shard progress reports: each costs the scheduler a transaction; the scheduler
  // emits one progress event per completed round instead.
  const sf = await loadShardFrames(p, spec.shard, ctx);
  const base: ShardStats = { rowsTrain: sf.train.nRows, rowsTest: sf.test.nRows, droppedMissing: sf.droppedMissing };
  const classIndex = new Map((spec.state.classes ?? []).map((c, k) => [c, k]));
  const labelsOf = (names: string[]) => Int32Array.from(names, (s) => classIndex.get(s) ?? 0);

  if (spec.stage === 'fit') {
    const prepBefore = spec.state.prep.slice(0, spec.round);
    const { frames } = replayPrep(p, parts.transformSteps, prepBefore, [sf.train]);
    const step = parts.transformSteps[spec.round];
    const stats: ShardStats = { ...base, ...(step ? { columns: stepStats(step, frames[0]!) } : {}) };
    if (spec.round === 0 && sf.trainLabels) {
      stats.labelCounts = labelCounts([...sf.trainLabels, ...sf.testLabels!]);
      stats.trainLabelCounts = labelCounts(sf.trainLabels);
    }
    return { nodes: {}, shard: stats };
  }

  const { frames } = replayPrep(p, parts.transformSteps, spec.state.prep, spec.stage === 'train' ? [sf.train] : [sf.train, sf.test]);
  const trainX = matrixOf(frames[0]!, p.modelNodeId);
  const d = trainX.nFeatures;
  if (spec.stage === 'train') {
    if (parts.modelStep.type === 'linear_regression') {
      const s = trainX.nRows ? linearStats(trainX.X, trainX.nRows, d, sf.trainValues!) : null;
      return {
        nodes: {},
        shard: {
          ...base,
          vectors: { xtx: s ? Array.from(s.xtx) : new Array<number>(d * d).fill(0), xty: s ? Array.from(s.xty) : new Array<number>(d).fill(0), sumX: s ? Array.from(s.sumX) : new Array<number>(d).fill(0) },
          scalars: { sumY: s?.sumY ?? 0, sumYY: s?.sumYY ?? 0 },
          meta: { nFeatures: d },
        },
      };
    }
    const K = spec.state.classes?.length ?? 2;
    const P = K === 2 ? 1 : K;
    const params = Float64Array.from(spec.state.params ?? new Array<number>(P * (d + 1)).fill(0));
    const r = trainX.nRows ? logisticLossGradSums(trainX.X, trainX.nRows, d, labelsOf(sf.trainLabels!), K, params) : { loss: 0, grad: new Float64Array(params.length) };
    return { nodes: {}, shard: { ...base, scalars: { loss: r.loss }, vectors: { grad: Array.from(r.grad) }, meta: { nFeatures: d, nOutputs: P } } };
  }

  // eval
  const testFrame = frames[1]!;
  const gm = groupModel(p, spec.state, d);
  if (testFrame.nRows === 0) return { nodes: {}, shard: { ...base, scalars: { n: 0 }, meta: { nFeatures: d } } };
  const testX = matrixOf(testFrame, p.modelNodeId);
  if (gm.kind === 'logistic') {
    const K = gm.model.nClasses;
    return { nodes: {}, shard: { ...base, ...classificationEvalStats(labelsOf(sf.testLabels!), gm.model.predict(testX.X, testX.nRows), gm.model.predictProba(testX.X, testX.nRows), K), meta: { nFeatures: d } } };
  }
  return { nodes: {}, shard: { ...base, ...regressionEvalStats(sf.testValues!, gm.model.predict(testX.X, testX.nRows)), meta: { nFeatures: d } } };
}
