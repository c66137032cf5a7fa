/**
 * Submit: parse and validate the workflow against the stored datasets, plan it, run the
 * training-time checks, and store the job with its tasks (state `queued`). A second
 * Submit with the same idempotency key returns the first job.
 */
import { DatasetEntity, JobEntity, ModelEntity, newId, type Config, type JobRow } from '@weft/common';
import { WeftError, validateWorkflow, type WorkflowIssue } from '@weft/proto';
import { planJob, type PlanDataset, type PlanModel } from './plan/planner.js';
import { checkTrainingData, type CheckDataset } from './plan/training-checks.js';
import type { JobStore } from './store/job-store.js';
import { loadDistributedConfig, type DistributedConfig } from './distributed/config.js';

export interface SubmitInput {
  workflowJson: string;
  workflowId: string | null;
  idempotencyKey: string | null;
  workspaceId: string;
}

/** Dataset ids named by `dataset` nodes of an unvalidated graph. */
function datasetIdsOf(raw: unknown): string[] {
  const nodes = (raw as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes
    .filter((n): n is { type: string; params: { datasetId: string } } => !!n && n.type === 'dataset' && typeof n.params?.datasetId === 'string')
    .map((n) => n.params.datasetId)
    .slice(0, 200);
}

function invalid(issues: WorkflowIssue[]): WeftError {
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
  return new WeftError('WORKFLOW_INVALID', `The workflow is invalid: ${issues[0]?.message ?? 'unknown problem'}${more}`, issues);
}

/**
 * Validates, plans and stores a job.
 * @throws WeftError WORKFLOW_INVALID | DATASET_EMPTY | TARGET_SINGLE_CLASS | MODEL_NOT_FOUND
 */
export async function submitJob(store: JobStore, cfg: Config, input: SubmitInput, nowMs: number, dist: DistributedConfig = loadDistributedConfig()): Promise<JobRow> {
  const em = store.em();
  if (input.idempotencyKey) {
    const existing = await em.findOne(JobEntity, { workspaceId: input.workspaceId, idempotencyKey: input.idempotencyKey });
    if (existing) return existing;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(input.workflowJson);
  } catch (e) {
    throw invalid([{ code: 'INVALID_GRAPH', message: `workflow_json is not valid JSON: ${(e as Error).message}` }]);
  }
  const ids = datasetIdsOf(raw);
  const dsRows = ids.length ? await em.find(DatasetEntity, { id: { $in: ids }, workspaceId: input.workspaceId }) : [];
  const datasets = new Map(dsRows.map((d) => [d.id, d]));
  const hasPredict = Array.isArray((raw as { nodes?: unknown[] })?.nodes) && (raw as { nodes: Array<{ type?: unknown }> }).nodes.some((n) => n?.type === 'predict');
  const v = validateWorkflow(raw, { datasetSchema: (id) => datasets.get(id)?.schema, requireModel: !hasPredict });
  if (!v.valid || !v.graph) throw invalid(v.issues);
  const graph = v.graph;

  const modelIds = graph.nodes.filter((n) => n.type === 'predict').map((n) => (n.params as { modelId: string }).modelId);
  const modelRows = modelIds.length ? await em.find(ModelEntity, { id: { $in: modelIds }, workspaceId: input.workspaceId }) : [];
  const jobId = newId('job');
  const seed = graph.seed ?? 42;
  const tasks = planJob({
    jobId,
    workspaceId: input.workspaceId,
    graph,
    edges: v.edges ?? [],
    seed,
    datasets: new Map<string, PlanDataset>(dsRows.map((d) => [d.id, { id: d.id, objectKey: d.objectKey, rowCount: d.rowCount, schema: d.schema, batchCount: d.batchCount }])),
    models: new Map<string, PlanModel>(modelRows.map((m) => [m.id, { id: m.id, artifactKey: m.artifactKey }])),
    newId,
    shardBatches: dist.shardBatches,
  });
  checkTrainingData(tasks, new Map<string, CheckDataset>(dsRows.map((d) => [d.id, d])));

  try {
    return await store.insertJob(
      { id: jobId, workspaceId: input.workspaceId, workflowId: input.workflowId, graph, seed, idempotencyKey: input.idempotencyKey, createdAt: new Date(nowMs) },
      tasks.map((t) => ({ id: t.id, kind: t.kind, spec: t.spec, nodeIds: t.nodeIds, maxAttempts: cfg.maxAttempts })),
    );
  } catch (err) {
    // A concurrent Submit with the same key won the unique constraint: return its job.
    if (input.idempotencyKey) {
      const existing = await store.em().findOne(JobEntity, { workspaceId: input.workspaceId, idempotencyKey: input.idempotencyKey });
      if (existing) return existing;
    }
    throw err;
  }
}
