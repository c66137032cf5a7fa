/** Job routes: submit, list, get, cancel (through the scheduler's JobService) and stored events. */
import { JobEntity, JobEventEntity, WorkflowEntity } from '@weft/common';
import { WeftError, type Job__Output } from '@weft/proto';
import { workspaceOf, type ApiDeps } from '../deps.js';
import { eventDocFromRow, jobDoc } from '../job-doc.js';
import { parseBody, parseParams, parseQuery, type RouteRegistry } from '../registry.js';
import { ErrorEnvelopeSchema, EventsQuery, IdParams, JobDocSchema, ListJobsQuery, SubmitJobBody } from '../schemas.js';
import { validateAgainstDatasets } from './workflows.js';
import { checkCpuQuota } from '../usage.js';
import { predictionsKey, readPredictions } from '../predict.js';
import { predictionsTable, toCsv } from '../csv-export.js';

const err = (description: string) => ({ description, schema: ErrorEnvelopeSchema });

/**
 * Validates a graph against the workspace's datasets and submits it to the scheduler.
 * @throws WeftError WORKFLOW_INVALID (details.issues name node and field), or scheduler errors
 */
export async function submitWorkflow(
  deps: ApiDeps,
  workspaceId: string,
  graph: unknown,
  opts: { workflowId?: string; idempotencyKey?: string } = {},
): Promise<Job__Output> {
  const nodes = (graph as { nodes?: Array<{ type?: unknown }> } | null)?.nodes;
  const isPredict = Array.isArray(nodes) && nodes.some((n) => n?.type === 'predict');
  await checkCpuQuota(deps, workspaceId);
  const v = await validateAgainstDatasets(deps, workspaceId, graph, !isPredict);
  if (!v.valid) {
    const first = v.issues[0]!;
    throw new WeftError('WORKFLOW_INVALID', `The workflow is invalid: ${first.message}${v.issues.length > 1 ? ` (and ${v.issues.length - 1} more)` : ''}`, {
      issues: v.issues,
    });
  }
  return deps.scheduler.submit({
    workflowJson: JSON.stringify(graph),
    workflowId: opts.workflowId ?? '',
    idempotencyKey: opts.idempotencyKey ?? '',
    workspaceId,
  });
}

/** Mounts the job routes. */
export function registerJobRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add(
    {
      method: 'post',
      path: '/api/jobs',
      tag: 'jobs',
      summary: 'Submit a workflow (inline graph or stored workflowId) to the scheduler',
      body: SubmitJobBody,
      responses: {
        201: { description: 'The job', schema: JobDocSchema },
        400: err('WORKFLOW_INVALID with details.issues naming node and field'),
        402: err('QUOTA_EXCEEDED: the workspace compute quota is spent'),
        404: err('No such workflow'),
        503: err('Scheduler unavailable'),
      },
    },
    async (req, res) => {
      const body = parseBody(SubmitJobBody, req);
      const ws = workspaceOf(req);
      let graph = body.workflow;
      if (graph === undefined && body.workflowId) {
        const wf = await deps.db.em().findOne(WorkflowEntity, { id: body.workflowId, workspaceId: ws });
        if (!wf) throw new WeftError('NOT_FOUND', `Workflow "${body.workflowId}" does not exist`, { workflowId: body.workflowId });
        graph = wf.graph;
      }
      const job = await submitWorkflow(deps, ws, graph, {
        ...(body.workflowId ? { workflowId: body.workflowId } : {}),
        ...(body.idempotencyKey ? { idempotencyKey: body.idempotencyKey } : {}),
      });
      res.status(201).json(jobDoc(job));
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/jobs',
      tag: 'jobs',
      summary: 'List jobs, newest first; `nextCursor` pages on',
      query: ListJobsQuery,
      responses: { 200: { description: '`{ jobs, nextCursor }`' }, 503: err('Scheduler unavailable') },
    },
    async (req, res) => {
      const q = parseQuery(ListJobsQuery, req);
      const page = await deps.scheduler.list({
        workspaceId: workspaceOf(req),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.state ? { state: q.state } : {}),
      });
      res.json({ jobs: page.jobs.map((j) => jobDoc(j)), nextCursor: page.nextCursor || null });
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/jobs/:id',
      tag: 'jobs',
      summary: 'One job with its tasks and per-node results',
      params: IdParams,
      responses: { 200: { description: 'The job', schema: JobDocSchema }, 404: err('No such job'), 503: err('Scheduler unavailable') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      res.json(jobDoc(await deps.scheduler.get(id, workspaceOf(req))));
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/jobs/:id/cancel',
      tag: 'jobs',
      summary: 'Cancel a job (a final job is returned unchanged)',
      params: IdParams,
      responses: { 200: { description: 'The job', schema: JobDocSchema }, 404: err('No such job'), 503: err('Scheduler unavailable') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      res.json(jobDoc(await deps.scheduler.cancel(id, workspaceOf(req))));
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/jobs/:id/events',
      tag: 'jobs',
      summary: 'Stored events of a job with seq > afterSeq, in order',
      params: IdParams,
      query: EventsQuery,
      responses: { 200: { description: '`{ events, lastSeq }`' }, 404: err('No such job') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const q = parseQuery(EventsQuery, req);
      const em = deps.db.em();
      const job = await em.findOne(JobEntity, { id, workspaceId: workspaceOf(req) }, { fields: ['id', 'lastSeq'] });
      if (!job) throw new WeftError('NOT_FOUND', `Job "${id}" does not exist`, { jobId: id });
      const rows = await em.find(JobEventEntity, { jobId: id, seq: { $gt: q.afterSeq } }, { orderBy: { seq: 'asc' }, limit: q.limit });
      res.json({ events: rows.map(eventDocFromRow), lastSeq: job.lastSeq });
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/jobs/:id/predictions.csv',
      tag: 'jobs',
      summary: 'Predictions of a finished predict job as CSV (cells that a spreadsheet would run as formulas are prefixed with \')',
      params: IdParams,
      responses: { 200: { description: 'CSV', contentType: 'text/csv' }, 404: err('No such job, or it has no predictions'), 409: err('The job is not completed') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const ws = workspaceOf(req);
      const job = await deps.scheduler.get(id, ws);
      if (job.state !== 'completed') throw new WeftError('CONFLICT', `Job "${id}" is ${job.state}: predictions are exported once it completes`, { jobId: id, state: job.state });
      const key = await predictionsKey(deps, job, ws);
      if (!(await deps.store.head(key))) throw new WeftError('NOT_FOUND', `Job "${id}" has no predictions (is it a predict job?)`, { jobId: id });
      const { predictions } = await readPredictions(deps, key);
      const { header, rows } = predictionsTable(predictions);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="predictions-${id.replace(/[^A-Za-z0-9_-]/g, '')}.csv"`);
      res.send(toCsv(header, rows));
    },
  );
}
