/**
 * Workflow validation: names the node and field of every problem, so the canvas can show
 * each on the node at fault and the api can answer 400 WORKFLOW_INVALID with all of them.
 */
import { z } from 'zod';
import { DatasetSchema, ColumnType, NUMERIC_TYPES } from './dataset.js';
import { NodeTypeDef, PortDef, nodeTypeDef } from './catalogue.js';
import { WorkflowGraph, WorkflowGraphSchema } from './workflow.js';

export type WorkflowIssueCode =
  | 'INVALID_GRAPH'
  | 'DUPLICATE_NODE_ID'
  | 'UNKNOWN_NODE_TYPE'
  | 'INVALID_PARAM'
  | 'UNKNOWN_EDGE_ENDPOINT'
  | 'UNKNOWN_PORT'
  | 'PORT_TYPE_MISMATCH'
  | 'PORT_ALREADY_CONNECTED'
  | 'MISSING_INPUT'
  | 'CYCLE'
  | 'UNKNOWN_DATASET'
  | 'UNKNOWN_COLUMN'
  | 'MISSING_TARGET'
  | 'TARGET_TYPE_MISMATCH'
  | 'CATEGORICAL_REACHES_MODEL'
  | 'NO_MODEL';

/** One problem with a workflow; `nodeId` and `field` name where it is when known. */
export interface WorkflowIssue {
  code: WorkflowIssueCode;
  message: string;
  nodeId?: string;
  /** Dotted path inside the node, e.g. `params.testFraction`, or `edges.3`. */
  field?: string;
}

export interface ValidationContext {
  /** Returns the stored schema of a dataset, or undefined if there is no such dataset. */
  datasetSchema?: (datasetId: string) => DatasetSchema | undefined;
  /** Require at least one model node (true when submitting a job). Default false. */
  requireModel?: boolean;
}

export interface ResolvedEdge {
  source: string;
  sourcePort: PortDef;
  target: string;
  targetPort: PortDef;
}

export interface ValidationResult {
  valid: boolean;
  issues: WorkflowIssue[];
  /** The graph with params defaults applied (only when the graph itself parsed). */
  graph?: WorkflowGraph;
  /** Node ids in a topological order (only when acyclic). */
  order?: string[];
  edges?: ResolvedEdge[];
}

/** Validates a workflow graph given as untrusted JSON. Never throws on bad input. */
export function validateWorkflow(input: unknown, ctx: ValidationContext = {}): ValidationResult {
  const issues: WorkflowIssue[] = [];
  const parsed = WorkflowGraphSchema.safeParse(input);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) {
      const nodeIndex = iss.path[0] === 'nodes' && typeof iss.path[1] === 'number' ? iss.path[1] : undefined;
      const rawNodes = (input as { nodes?: Array<{ id?: unknown }> } | null)?.nodes;
      const nodeId = nodeIndex !== undefined && Array.isArray(rawNodes) ? rawNodes[nodeIndex]?.id : undefined;
      issues.push({
        code: 'INVALID_GRAPH',
        message: `${iss.path.join('.') || 'graph'}: ${iss.message}`,
        ...(typeof nodeId === 'string' ? { nodeId } : {}),
        field: iss.path.join('.'),
      });
    }
    return { valid: false, issues };
  }
  const graph = parsed.data;
  const defs = new Map<string, NodeTypeDef>();
  const seen = new Set<string>();
  const badParams = new Set<string>();
  for (const node of graph.nodes) {
    if (seen.has(node.id)) {
      issues.push({ code: 'DUPLICATE_NODE_ID', nodeId: node.id, field: 'id', message: `Node id "${node.id}" is used more than once` });
      continue;
    }
    seen.add(node.id);
    const def = nodeTypeDef(node.type);
    if (!def) {
      issues.push({ code: 'UNKNOWN_NODE_TYPE', nodeId: node.id, field: 'type', message: `Node "${node.id}": unknown node type "${node.type}"` });
      continue;
    }
    defs.set(node.id, def);
    const shape = (def.params as unknown as { shape?: Record<string, unknown> }).shape;
    if (shape) {
      for (const key of Object.keys(node.params)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key)) {
          issues.push({ code: 'INVALID_PARAM', nodeId: node.id, field: `params.${key}`, message: `Node "${node.id}" (${def.label}): unknown parameter "${key}"` });
        }
      }
    }
    const p = (def.params as z.ZodTypeAny).safeParse(node.params);
    if (!p.success) {
      badParams.add(node.id);
      for (const iss of p.error.issues) {
        const field = ['params', ...iss.path].join('.');
        issues.push({ code: 'INVALID_PARAM', nodeId: node.id, field, message: `Node "${node.id}" (${def.label}): ${field}: ${iss.message}` });
      }
    } else {
      node.params = p.data as Record<string, unknown>;
    }
  }

  // Edges: endpoints, ports, types, one edge per input port.
  const resolved: ResolvedEdge[] = [];
  const inputTaken = new Map<string, number>();
  graph.edges.forEach((e, i) => {
    const sDef = defs.get(e.source);
    const tDef = defs.get(e.target);
    if (!seen.has(e.source) || !seen.has(e.target)) {
      const missing = !seen.has(e.source) ? e.source : e.target;
      issues.push({ code: 'UNKNOWN_EDGE_ENDPOINT', field: `edges.${i}`, message: `Edge ${i} refers to node "${missing}", which does not exist` });
      return;
    }
    if (!sDef || !tDef) return; // unknown type already reported
    const sPort = pickPort(sDef.outputs, e.sourceHandle);
    const tPort = pickPort(tDef.inputs, e.targetHandle);
    if (!sPort) {
      const why =
        sDef.outputs.length === 0
          ? `Node "${e.source}" (${sDef.label}) has no outputs: edge ${e.source} → ${e.target} cannot start there`
          : `Node "${e.source}" (${sDef.label}) has no output port "${e.sourceHandle ?? ''}" (it has ${sDef.outputs.map((x) => `"${x.name}"`).join(', ')})`;
      issues.push({ code: 'UNKNOWN_PORT', nodeId: e.source, field: `edges.${i}.sourceHandle`, message: why });
      return;
    }
    if (!tPort) {
      const why =
        tDef.inputs.length === 0
          ? `Node "${e.target}" (${tDef.label}) takes no inputs: edge ${e.source} → ${e.target} cannot end there`
          : e.targetHandle
            ? `Node "${e.target}" (${tDef.label}) has no input port "${e.targetHandle}" (it has ${tDef.inputs.map((x) => `"${x.name}"`).join(', ')})`
            : `Node "${e.target}" (${tDef.label}) has several inputs: name one in targetHandle (${tDef.inputs.map((x) => `"${x.name}"`).join(', ')})`;
      issues.push({ code: 'UNKNOWN_PORT', nodeId: e.target, field: `edges.${i}.targetHandle`, message: why });
      return;
    }
    if (sPort.type !== tPort.type) {
      issues.push({
        code: 'PORT_TYPE_MISMATCH',
        nodeId: e.target,
        field: `edges.${i}`,
        message: `Edge ${e.source} → ${e.target}: output "${sPort.name}" carries ${sPort.type}, but input "${tPort.name}" of ${tDef.label} takes ${tPort.type}`,
      });
      return;
    }
    const key = `${e.target}\u0000${tPort.name}`;
    if (inputTaken.has(key)) {
      issues.push({ code: 'PORT_ALREADY_CONNECTED', nodeId: e.target, field: `edges.${i}`, message: `Input "${tPort.name}" of node "${e.target}" is already connected (edge ${inputTaken.get(key)})` });
      return;
    }
    inputTaken.set(key, i);
    resolved.push({ source: e.source, sourcePort: sPort, target: e.target, targetPort: tPort });
  });

  for (const [id, def] of defs) {
    for (const port of def.inputs) {
      if (!port.optional && !inputTaken.has(`${id}\u0000${port.name}`)) {
        issues.push({ code: 'MISSING_INPUT', nodeId: id, field: `inputs.${port.name}`, message: `Node "${id}" (${def.label}) needs its "${port.name}" input connected` });
      }
    }
  }

  const order = topologicalOrder([...seen], resolved);
  if (!order.ok) {
    issues.push({
      code: 'CYCLE',
      nodeId: order.cycle[0],
      message: `The workflow has a cycle through nodes ${order.cycle.map((c) => `"${c}"`).join(' → ')}`,
    });
  }

  if (order.ok) checkShardable(graph, defs, resolved, issues);

  if (ctx.requireModel && ![...defs.values()].some((d) => d.category === 'model')) {
    issues.push({ code: 'NO_MODEL', message: 'The workflow has no model node to train' });
  }

  if (order.ok && ctx.datasetSchema) checkColumns(graph, defs, resolved, ctx.datasetSchema, issues, badParams);

  return {
    valid: issues.length === 0,
    issues,
    graph,
    ...(order.ok ? { order: order.order } : {}),
    edges: resolved,
  };
}

function pickPort(ports: PortDef[], handle: string | null | undefined): PortDef | undefined {
  if (handle == null || handle === '') return ports.length === 1 ? ports[0] : undefined;
  return ports.find((p) => p.name === handle);
}

/** Kahn's algorithm; on a cycle returns the nodes of one cycle in order. */
export function topologicalOrder(
  ids: string[],
  edges: Array<{ source: string; target: string }>,
): { ok: true; order: string[] } | { ok: false; cycle: string[] } {
  ids = [...new Set(ids)];
  const indeg = new Map(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (!indeg.has(e.source) || !indeg.has(e.target)) continue;
    indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
    out.get(e.source)!.push(e.target);
  }
  const queue = ids.filter((id) => indeg.get(id) === 0);
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const t of out.get(id)!) {
      indeg.set(t, indeg.get(t)! - 1);
      if (indeg.get(t) === 0) queue.push(t);
    }
  }
  if (order.length === ids.length) return { ok: true, order };
  // Every node Kahn could not order has a predecessor that is also unordered, so walking
  // predecessors inside that set must revisit a node: the walk from there is a cycle.
  const left = new Set(ids.filter((id) => !order.includes(id)));
  const inn = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) if (inn.has(e.target) && inn.has(e.source)) inn.get(e.target)!.push(e.source);
  let cur = [...left][0];
  const path: string[] = [];
  const at = new Map<string, number>();
  while (!at.has(cur)) {
    at.set(cur, path.length);
    path.push(cur);
    cur = inn.get(cur)!.find((s) => left.has(s))!;
  }
  const cycle = path.slice(at.get(cur)!).reverse();
  return { ok: false, cycle: [...cycle, cycle[0]] };
}

function upstreamDataset(nodeId: string, graph: WorkflowGraph, edges: ResolvedEdge[]): string | undefined {
  const byTarget = new Map<string, string>();
  for (const e of edges) byTarget.set(e.target, e.source);
  let cur: string | undefined = nodeId;
  const guard = new Set<string>();
  while (cur && !guard.has(cur)) {
    guard.add(cur);
    const node = graph.nodes.find((n) => n.id === cur);
    if (node?.type === 'dataset') return cur;
    cur = byTarget.get(cur);
  }
  return undefined;
}

const CLASSIFICATION_TARGETS: ReadonlySet<ColumnType> = new Set(['categorical', 'boolean', 'integer', 'text']);

function checkColumns(
  graph: WorkflowGraph,
  defs: Map<string, NodeTypeDef>,
  edges: ResolvedEdge[],
  lookup: (id: string) => DatasetSchema | undefined,
  issues: WorkflowIssue[],
  badParams: ReadonlySet<string> = new Set(),
): void {
  const schemas = new Map<string, DatasetSchema>();
  for (const node of graph.nodes) {
    if (node.type !== 'dataset') continue;
    const p = node.params as { datasetId?: string; target?: string; features?: string[]; ignore?: string[] };
    if (!p.datasetId) continue;
    const schema = lookup(p.datasetId);
    if (!schema) {
      issues.push({ code: 'UNKNOWN_DATASET', nodeId: node.id, field: 'params.datasetId', message: `Node "${node.id}": dataset "${p.datasetId}" does not exist` });
      continue;
    }
    schemas.set(node.id, schema);
    const names = new Set(schema.columns.map((c) => c.name));
    const check = (col: string, field: string) => {
      if (!names.has(col)) issues.push({ code: 'UNKNOWN_COLUMN', nodeId: node.id, field, message: `Node "${node.id}": ${field} names column "${col}", which the dataset does not have` });
    };
    if (p.target) check(p.target, 'params.target');
    p.features?.forEach((c, i) => check(c, `params.features.${i}`));
    p.features?.forEach((c, i) => {
      if (c === p.target) issues.push({ code: 'INVALID_PARAM', nodeId: node.id, field: `params.features.${i}`, message: `Node "${node.id}": column "${c}" is the target and cannot also be a feature` });
    });
    p.ignore?.forEach((c, i) => check(c, `params.ignore.${i}`));
  }
  for (const node of graph.nodes) {
    const def = defs.get(node.id);
    if (!def || node.type === 'dataset') continue;
    const dsNode = upstreamDataset(node.id, graph, edges);
    const schema = dsNode ? schemas.get(dsNode) : undefined;
    if (!dsNode || !schema) continue;
    const names = new Set(schema.columns.map((c) => c.name));
    const cols = (node.params as { columns?: string[] }).columns;
    cols?.forEach((c, i) => {
      if (!names.has(c)) issues.push({ code: 'UNKNOWN_COLUMN', nodeId: node.id, field: `params.columns.${i}`, message: `Node "${node.id}" (${def.label}): column "${c}" does not exist in the dataset` });
    });
    checkColumnTypes(node.id, node.type, def, cols, schema, issues);
    checkColumnsAreFeatures(node.id, def, cols, graph.nodes.find((n) => n.id === dsNode)!.params as DatasetParamsIn, issues);
    if (def.category === 'model' && def.task) {
      const ds = graph.nodes.find((n) => n.id === dsNode)!;
      const target = (ds.params as { target?: string }).target;
      if (def.task === 'clustering') {
        checkClusteringModel(node.id, def, target, schema, graph, edges, issues);
        continue;
      }
      if (!target) {
        issues.push({ code: 'MISSING_TARGET', nodeId: dsNode, field: 'params.target', message: `Node "${dsNode}": model "${node.id}" needs a target column; set params.target` });
        continue;
      }
      const col = schema.columns.find((c) => c.name === target);
      if (!col) continue;
      const fits = def.task === 'classification' ? CLASSIFICATION_TARGETS.has(col.type) : NUMERIC_TYPES.has(col.type) && col.type !== 'boolean';
      if (!fits) {
        issues.push({
          code: 'TARGET_TYPE_MISMATCH',
          nodeId: node.id,
          field: 'target',
          message: `Node "${node.id}" (${def.label}) does ${def.task}, but target "${target}" is ${col.type}`,
        });
      }
    }
  }
  for (const node of graph.nodes) {
    const def = defs.get(node.id);
    if (def?.category === 'model' && def.task) checkCategoricalReachesModel(node.id, def, graph, defs, edges, schemas, badParams, issues);
  }
}

/** A feature column as the executor's frame holds it at some point of the chain. */
interface TrackedColumn {
  name: string;
  kind: 'numeric' | 'categorical' | 'datetime';
  /** Created by a transform (one-hot, ordinal, …): scaling and clipping skip it by default. */
  derived: boolean;
  /** Present or not depending on the data (a variance threshold may have dropped it). */
  maybe: boolean;
}

/**
 * Categorical columns reaching a model: follows the chain dataset → split → transforms →
 * model as the executor does (`chooseFeatures` in executors/pipeline/dataset-frame.ts, then
 * each step's type rules) and reports CATEGORICAL_REACHES_MODEL on the model node, naming
 * the columns, when categorical columns are certain to reach it (no model takes them).
 * Anything uncertain — a chain of another shape, a node with invalid params, a named column
 * that may not be there or that the executor would refuse first — skips the check.
 */
function checkCategoricalReachesModel(
  modelId: string,
  modelDef: NodeTypeDef,
  graph: WorkflowGraph,
  defs: Map<string, NodeTypeDef>,
  edges: ResolvedEdge[],
  schemas: ReadonlyMap<string, DatasetSchema>,
  badParams: ReadonlySet<string>,
  issues: WorkflowIssue[],
): void {
  const byTarget = new Map<string, string>();
  for (const e of edges) byTarget.set(e.target, e.source);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const chain: Array<{ id: string; type: string; params: Record<string, unknown> }> = [];
  const guard = new Set<string>();
  for (let cur: string | undefined = modelId; cur !== undefined; cur = byTarget.get(cur)) {
    if (guard.has(cur)) return;
    guard.add(cur);
    const n = byId.get(cur);
    if (!n || badParams.has(n.id) || !defs.has(n.id)) return;
    chain.unshift(n);
    if (n.type === 'dataset') break;
  }
  const [ds, split, ...rest] = chain;
  rest.pop(); // the model
  if (ds?.type !== 'dataset' || split?.type !== 'split') return;
  if (rest.some((s) => defs.get(s.id)?.category !== 'transform')) return;
  const schema = schemas.get(ds.id);
  if (!schema) return;

  // The dataset node: chooseFeatures.
  const p = ds.params as { target?: string; features?: string[]; ignore?: string[] };
  const ignore = new Set(p.ignore ?? []);
  const wanted = p.features ? new Set(p.features) : null;
  const dtNodes = rest.filter((s) => s.type === 'datetime_features').map((s) => (s.params as { columns?: string[] }).columns);
  const dtWanted = (name: string) => dtNodes.some((cols) => !cols || cols.includes(name));
  let cols: TrackedColumn[] = [];
  for (const c of schema.columns) {
    if (c.name === p.target || ignore.has(c.name)) continue;
    if (wanted ? !wanted.has(c.name) : c.role === 'ignore' || c.role === 'target') continue;
    if (NUMERIC_TYPES.has(c.type)) cols.push({ name: c.name, kind: 'numeric', derived: false, maybe: false });
    else if (c.type === 'categorical') cols.push({ name: c.name, kind: 'categorical', derived: false, maybe: false });
    else if (c.type === 'datetime' && dtWanted(c.name)) cols.push({ name: c.name, kind: 'datetime', derived: false, maybe: false });
  }
  if (cols.length === 0) return; // NO_FEATURES first

  // Transforms. `opaque`: columns whose names depend on the data (one-hot outputs, …) exist.
  let opaque = false;
  /** The columns a step reads (named, each of kind `kind` if given; else those passing `ok`), or null when uncertain or refused by the executor. */
  const select = (names: string[] | undefined, kind: TrackedColumn['kind'] | undefined, ok: (c: TrackedColumn) => boolean): TrackedColumn[] | null => {
    if (!names) return cols.filter(ok);
    const out: TrackedColumn[] = [];
    for (const n of names) {
      if (opaque && (n.includes('=') || n.includes('__'))) return null;
      const c = cols.find((x) => x.name === n);
      if (!c || c.maybe || (kind && c.kind !== kind)) return null;
      out.push(c);
    }
    return out;
  };
  /** Replaces the selected columns by numeric ones (same name when `sameName`, else names that depend on the data). */
  const encode = (sel: TrackedColumn[], sameName: boolean) => {
    const done = new Set(sel);
    cols = cols.flatMap((c) => (!done.has(c) ? [c] : sameName ? [{ name: c.name, kind: 'numeric' as const, derived: true, maybe: false }] : []));
    if (!sameName && sel.length > 0) opaque = true;
  };
  for (const step of rest) {
    const sp = step.params as { columns?: string[]; addIndicator?: boolean };
    let sel: TrackedColumn[] | null;
    switch (step.type) {
      case 'impute':
        sel = select(sp.columns, undefined, () => true);
        if (!sel) return;
        if (sp.addIndicator && sel.length > 0) opaque = true;
        break;
      case 'scale':
        if (!select(sp.columns, 'numeric', (c) => c.kind === 'numeric' && !c.derived)) return;
        break;
      case 'clip':
        if (!select(sp.columns, 'numeric', (c) => c.kind === 'numeric' && !c.derived)) return;
        break;
      case 'variance_threshold':
        // Drops numeric columns depending on the data; never a categorical one.
        sel = select(sp.columns, 'numeric', (c) => c.kind === 'numeric');
        if (!sel) return;
        for (const c of sel) c.maybe = true;
        break;
      case 'one_hot':
        sel = select(sp.columns, 'categorical', (c) => c.kind === 'categorical');
        if (!sel) return;
        encode(sel, false);
        break;
      case 'ordinal':
        sel = select(sp.columns, 'categorical', (c) => c.kind === 'categorical');
        if (!sel) return;
        encode(sel, true);
        break;
      case 'target_encode':
        if (modelDef.task === 'clustering') return; // refused for lack of a target
        sel = select(sp.columns, 'categorical', (c) => c.kind === 'categorical');
        if (!sel) return;
        encode(sel, false); // one column per class for a multiclass target
        break;
      case 'datetime_features':
        sel = select(sp.columns, 'datetime', (c) => c.kind === 'datetime');
        if (!sel) return;
        encode(sel, false);
        break;
      default:
        return;
    }
  }
  const cats = cols.filter((c) => c.kind === 'categorical').map((c) => c.name);
  if (cats.length === 0) return;
  const encoders = modelDef.task === 'clustering' ? 'a one-hot or ordinal node' : 'a one-hot, ordinal or target encoding node';
  issues.push({
    code: 'CATEGORICAL_REACHES_MODEL',
    nodeId: modelId,
    message: `Node "${modelId}" (${modelDef.label}): categorical column${cats.length > 1 ? 's' : ''} ${cats.map((c) => `"${c}"`).join(', ')} reach${cats.length > 1 ? '' : 'es'} the model, which takes numeric features only; add ${encoders} before it, or list ${cats.length > 1 ? 'them' : 'it'} in params.ignore of dataset node "${ds.id}"`,
  });
}

/**
 * A clustering model needs no target; when the dataset names one it is only compared with
 * the clusters (adjusted Rand index), so it must be a class-like column. Target encoding
 * upstream would feed the target into the features of an unsupervised model: refused.
 */
function checkClusteringModel(
  nodeId: string,
  def: NodeTypeDef,
  target: string | undefined,
  schema: DatasetSchema,
  graph: WorkflowGraph,
  edges: ResolvedEdge[],
  issues: WorkflowIssue[],
): void {
  const col = target ? schema.columns.find((c) => c.name === target) : undefined;
  if (col && !CLASSIFICATION_TARGETS.has(col.type)) {
    issues.push({
      code: 'TARGET_TYPE_MISMATCH',
      nodeId,
      field: 'target',
      message: `Node "${nodeId}" (${def.label}) compares its clusters with a class target, but target "${target}" is ${col.type}; unset params.target to cluster without one`,
    });
  }
  const byTarget = new Map<string, string>();
  for (const e of edges) byTarget.set(e.target, e.source);
  const guard = new Set<string>();
  for (let cur = byTarget.get(nodeId); cur && !guard.has(cur); cur = byTarget.get(cur)) {
    guard.add(cur);
    const up = graph.nodes.find((n) => n.id === cur);
    if (up?.type === 'target_encode') {
      issues.push({
        code: 'INVALID_PARAM',
        nodeId: up.id,
        field: 'type',
        message: `Node "${up.id}" (Target encoding) feeds clustering model "${nodeId}" (${def.label}), which trains without a target; use one-hot or ordinal encoding`,
      });
    }
  }
}

/** Column types each of these transform nodes takes (the executor checks derived columns). */
const NODE_COLUMN_TYPES: Record<string, { types: ReadonlySet<ColumnType>; what: string }> = {
  ordinal: { types: new Set(['categorical']), what: 'categorical' },
  target_encode: { types: new Set(['categorical']), what: 'categorical' },
  datetime_features: { types: new Set(['datetime']), what: 'datetime' },
  clip: { types: NUMERIC_TYPES, what: 'numeric' },
  variance_threshold: { types: NUMERIC_TYPES, what: 'numeric' },
};

interface DatasetParamsIn {
  target?: string;
  ignore?: string[];
}

/**
 * Columns a transform node names must be features where it runs: the target (and the columns
 * the dataset node ignores) are not, and the executor would refuse the node at once.
 */
function checkColumnsAreFeatures(nodeId: string, def: NodeTypeDef, cols: string[] | undefined, ds: DatasetParamsIn, issues: WorkflowIssue[]): void {
  if (!cols || def.category === 'model') return;
  const ignored = new Set(ds.ignore ?? []);
  cols.forEach((c, i) => {
    if (c === ds.target) {
      issues.push({
        code: 'INVALID_PARAM',
        nodeId,
        field: `params.columns.${i}`,
        message: `Node "${nodeId}" (${def.label}): params.columns.${i} names "${c}", the target column; a transform reads features only, so remove it`,
      });
    } else if (ignored.has(c)) {
      issues.push({
        code: 'INVALID_PARAM',
        nodeId,
        field: `params.columns.${i}`,
        message: `Node "${nodeId}" (${def.label}): params.columns.${i} names "${c}", which the dataset node ignores (params.ignore); remove it from one of them`,
      });
    }
  });
}

function checkColumnTypes(nodeId: string, type: string, def: NodeTypeDef, cols: string[] | undefined, schema: DatasetSchema, issues: WorkflowIssue[]): void {
  const want = NODE_COLUMN_TYPES[type];
  if (!want) return;
  cols?.forEach((c, i) => {
    const col = schema.columns.find((x) => x.name === c);
    if (col && !want.types.has(col.type)) {
      issues.push({ code: 'INVALID_PARAM', nodeId, field: `params.columns.${i}`, message: `Node "${nodeId}" (${def.label}): column "${c}" is ${col.type}; this node takes ${want.what} columns` });
    }
  });
  if (type === 'datetime_features' && !cols && !schema.columns.some((c) => c.type === 'datetime')) {
    issues.push({ code: 'INVALID_PARAM', nodeId, field: 'params.columns', message: `Node "${nodeId}" (${def.label}): the dataset has no datetime columns` });
  }
}

/**
 * A node without a map-reduce fit (`shardable: false`, e.g. target encoding) cannot run on
 * the sharded path: a split upstream of it with `distributed: 'on'` is refused, naming both.
 */
function checkShardable(graph: WorkflowGraph, defs: Map<string, NodeTypeDef>, edges: ResolvedEdge[], issues: WorkflowIssue[]): void {
  const byTarget = new Map<string, string>();
  for (const e of edges) byTarget.set(e.target, e.source);
  for (const node of graph.nodes) {
    const def = defs.get(node.id);
    if (def?.shardable !== false) continue;
    const guard = new Set<string>();
    for (let cur = byTarget.get(node.id); cur && !guard.has(cur); cur = byTarget.get(cur)) {
      guard.add(cur);
      const up = graph.nodes.find((n) => n.id === cur);
      if (up?.type !== 'split') continue;
      if ((up.params as { distributed?: string }).distributed === 'on') {
        issues.push({
          code: 'INVALID_PARAM',
          nodeId: up.id,
          field: 'params.distributed',
          message: `Node "${up.id}" (Train/test split): params.distributed is "on", but node "${node.id}" (${def.label}) has no distributed fit; set distributed to "auto" or "off" to train on one executor`,
        });
      }
      break;
    }
  }
}
