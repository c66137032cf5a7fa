/**
 * The `finalize` task of a distributed group: fitted steps and the model from merged
 * statistics, metrics from merged evaluation counts, the artifact (same format as the
 * single-task pipeline, so predict works unchanged) and the per-node results.
 */
import type { FinalizeSpec, Metrics, NodeResult, TaskResult } from '@weft/proto';
import { MODEL_ARTIFACT_FORMAT, type ModelArtifact } from './artifact.js';
import { classificationMetricsFromStats, regressionMetricsFromStats } from './eval-stats.js';
import { groupModel } from './model-state.js';
import { pipelineParts, schemaFrame } from './shard-frame.js';
import { replayPrep } from './shard-stats.js';
import type { TaskContext } from './context.js';

/** Runs a finalize task. @throws WeftError when the merged state is inconsistent. */
export async function runFinalize(spec: FinalizeSpec, ctx: TaskContext): Promise<TaskResult> {
  const p = spec.pipeline;
  const parts = pipelineParts(p);
  const t0 = Date.now();
  ctx.onProgress({ nodeId: p.modelNodeId, phase: 'persist' });
  const sf = schemaFrame(p);
  const { fitted, frames } = replayPrep(p, parts.transformSteps, spec.state.prep, [sf.frame]);
  const featureNames = frames[0]!.features.map((f) => f.name);
  const gm = groupModel(p, spec.state, featureNames.length);
  const first = spec.state.prep[0] ?? spec.state.train;
  const rowsTrain = spec.state.train?.rowsTrain ?? first?.rowsTrain ?? 0;
  const rowsTest = spec.eval?.rowsTest ?? first?.rowsTest ?? 0;
  const dropped = spec.eval?.droppedMissing ?? spec.state.train?.droppedMissing ?? 0;
  const nodes: Record<string, NodeResult> = {};
  const dsWarnings = [...sf.warnings];
  if (dropped > 0) dsWarnings.push(`${dropped} row(s) with a missing target "${parts.target}" were left out`);
  nodes[parts.dsStep.id] = { warnings: dsWarnings };
  nodes[parts.splitStep.id] = { rowsTrain, rowsTest };
  for (const s of parts.transformSteps) nodes[s.id] = {};
  const loss = spec.state.lossCurve[spec.state.lossCurve.length - 1];
  nodes[p.modelNodeId] = {
    modelId: p.modelId,
    artifactKey: p.artifactKey,
    ...(spec.state.classes ? { classes: spec.state.classes } : {}),
    lossCurve: spec.state.lossCurve,
    rowsTrain,
    rowsTest,
    metrics: { train_loss: loss ?? null, features: featureNames.length },
    distributed: { shards: spec.shardCount, rounds: spec.state.rounds, ...(spec.state.converged !== undefined ? { converged: spec.state.converged } : {}) },
    durationMs: Date.now() - t0,
  };
  let modelMetrics: Metrics | undefined;
  for (const ev of p.evaluators) {
    if (!spec.eval || !rowsTest) {
      nodes[ev.id] = { metrics: {}, notes: { all: 'the test part is empty: no holdout metrics' }, durationMs: 0 };
      continue;
    }
    if (parts.task === 'classification') {
      const r = classificationMetricsFromStats(spec.eval, spec.state.classes!, (ev.params as { positiveClass?: string }).positiveClass);
      nodes[ev.id] = { ...r, classes: spec.state.classes!, rowsTest };
      modelMetrics = r.metrics;
    } else {
      modelMetrics = regressionMetricsFromStats(spec.eval);
      nodes[ev.id] = { metrics: modelMetrics, rowsTest };
    }
  }
  const artifact: ModelArtifact = {
    format: MODEL_ARTIFACT_FORMAT,
    modelId: p.modelId,
    nodeId: p.modelNodeId,
    nodeType: parts.modelStep.type,
    task: parts.task,
    datasetId: p.dataset.id,
    target: parts.target,
    classes: spec.state.classes ?? null,
    inputColumns: sf.inputColumns,
    steps: fitted,
    featureNames,
    model: gm.json,
    trainedAtMs: Date.now(),
  };
  await ctx.store.put(p.artifactKey, Buffer.from(JSON.stringify(artifact)), 'application/json');
  return {
    nodes,
    model: { id: p.modelId, artifactKey: p.artifactKey, nodeType: parts.modelStep.type, task: parts.task, target: parts.target, ...(modelMetrics ? { metrics: modelMetrics } : {}) },
  };
}
