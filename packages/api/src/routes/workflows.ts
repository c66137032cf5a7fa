/** Workflow routes: CRUD of stored graphs and validation against stored dataset schemas. */
import { DatasetEntity, WorkflowEntity, newId, type WorkflowRow } from '@weft/common';
import { WeftError, validateWorkflow, type DatasetSchema, type ValidationResult } from '@weft/proto';
import { workspaceOf, type ApiDeps } from '../deps.js';
import { parseBody, parseParams, type RouteRegistry } from '../registry.js';
import { ErrorEnvelopeSchema, ID_PATTERN, IdParams, ValidateBody, ValidateResponse, WorkflowBody, WorkflowDocSchema } from '../schemas.js';

const err = (description: string) => ({ description, schema: ErrorEnvelopeSchema });

/** The REST document of a workflow row. */
export function workflowDoc(row: WorkflowRow) {
  return {
    id: row.id,
    name: row.name,
    graph: row.graph,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** Ids of the datasets a raw (unvalidated) graph refers to. */
function datasetIdsOf(input: unknown): string[] {
  const nodes = (input as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const ids = new Set<string>();
  for (const n of nodes as Array<{ type?: unknown; params?: { datasetId?: unknown } } | null>) {
    const id = n?.params?.datasetId;
    if (n?.type === 'dataset' && typeof id === 'string' && ID_PATTERN.test(id)) ids.add(id);
  }
  return [...ids];
}

/**
 * Validates an untrusted graph with the schemas of the workspace's datasets it names
 * (unknown datasets and columns are reported on the node and field at fault).
 */
export async function validateAgainstDatasets(deps: ApiDeps, workspaceId: string, input: unknown, requireModel = false): Promise<ValidationResult> {
  const ids = datasetIdsOf(input);
  const schemas = new Map<string, DatasetSchema>();
  if (ids.length > 0) {
    const rows = await deps.db.em().find(DatasetEntity, { workspaceId, id: { $in: ids } }, { fields: ['id', 'schema'] });
    for (const r of rows) schemas.set(r.id, r.schema);
  }
  return validateWorkflow(input, { datasetSchema: (id) => schemas.get(id), requireModel });
}

/** Mounts the workflow routes. */
export function registerWorkflowRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add(
    {
      method: 'post',
      path: '/api/workflows/validate',
      tag: 'workflows',
      summary: 'Validate a graph (given directly or as `{ graph, requireModel? }`); issues name the node and field',
      body: ValidateBody,
      responses: { 200: { description: '`{ valid, issues }`', schema: ValidateResponse } },
    },
    async (req, res) => {
      const body = (req.body ?? {}) as { graph?: unknown; requireModel?: unknown; nodes?: unknown };
      const graph = body.graph !== undefined && body.nodes === undefined ? body.graph : body;
      const result = await validateAgainstDatasets(deps, workspaceOf(req), graph, body.requireModel === true);
      res.json({ valid: result.valid, issues: result.issues });
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/workflows',
      tag: 'workflows',
      summary: 'Store a workflow (shape-checked; run validate for a full check)',
      body: WorkflowBody,
      responses: { 201: { description: 'The stored workflow', schema: WorkflowDocSchema }, 400: err('Malformed graph') },
    },
    async (req, res) => {
      const body = parseBody(WorkflowBody, req);
      const em = deps.db.em();
      const now = new Date();
      const row = em.create(WorkflowEntity, {
        id: newId('wf'),
        workspaceId: workspaceOf(req),
        name: body.name ?? body.graph.name ?? 'Untitled workflow',
        graph: body.graph,
        createdAt: now,
        updatedAt: now,
      });
      await em.flush();
      res.status(201).json(workflowDoc(row));
    },
  );

  r.add(
    { method: 'get', path: '/api/workflows', tag: 'workflows', summary: 'List workflows, newest first', responses: { 200: { description: '`{ workflows }`' } } },
    async (req, res) => {
      const rows = await deps.db.em().find(WorkflowEntity, { workspaceId: workspaceOf(req) }, { orderBy: { updatedAt: 'desc' } });
      res.json({ workflows: rows.map(workflowDoc) });
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/workflows/:id',
      tag: 'workflows',
      summary: 'One workflow',
      params: IdParams,
      responses: { 200: { description: 'The workflow', schema: WorkflowDocSchema }, 404: err('No such workflow') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const row = await deps.db.em().findOne(WorkflowEntity, { id, workspaceId: workspaceOf(req) });
      if (!row) throw new WeftError('NOT_FOUND', `Workflow "${id}" does not exist`, { workflowId: id });
      res.json(workflowDoc(row));
    },
  );

  r.add(
    {
      method: 'put',
      path: '/api/workflows/:id',
      tag: 'workflows',
      summary: 'Replace a workflow’s name and graph',
      params: IdParams,
      body: WorkflowBody,
      responses: { 200: { description: 'The updated workflow', schema: WorkflowDocSchema }, 404: err('No such workflow') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const body = parseBody(WorkflowBody, req);
      const em = deps.db.em();
      const row = await em.findOne(WorkflowEntity, { id, workspaceId: workspaceOf(req) });
      if (!row) throw new WeftError('NOT_FOUND', `Workflow "${id}" does not exist`, { workflowId: id });
      row.graph = body.graph;
      row.name = body.name ?? body.graph.name ?? row.name;
      row.updatedAt = new Date();
      await em.flush();
      res.json(workflowDoc(row));
    },
  );

  r.add(
    {
      method: 'delete',
      path: '/api/workflows/:id',
      tag: 'workflows',
      summary: 'Delete a workflow (jobs keep their own copy of the graph)',
      params: IdParams,
      responses: { 204: { description: 'Deleted' }, 404: err('No such workflow') },
    },
    async (req, res) => {
      const { id } = parseParams(IdParams, req);
      const n = await deps.db.em().nativeDelete(WorkflowEntity, { id, workspaceId: workspaceOf(req) });
      if (n === 0) throw new WeftError('NOT_FOUND', `Workflow "${id}" does not exist`, { workflowId: id });
      res.status(204).end();
    },
  );
}
