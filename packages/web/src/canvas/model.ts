/**
 * The canvas model. A React Flow node's `data` wraps the workflow node (`data.node`: id,
 * type, params, label) — never replaces it — plus view-only fields filled at render time
 * (catalogue definition, validation issues, live run state). Converting to the workflow
 * graph is reading `data.node` back with the node's position.
 */
import type { Edge, Node, XYPosition } from '@xyflow/react';
import type { CatalogueNode, JsonSchema, NodeResult, WorkflowGraph, WorkflowIssue, WorkflowNode } from '../api/types';

/** Live state of one node during a run, as the canvas shows it. */
export interface RunView {
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'stopped';
  /** The node the pipeline is working on right now. */
  active?: boolean;
  phase?: string;
  fraction?: number;
  epoch?: number;
  epochs?: number;
  loss?: number;
  message?: string;
  attempt?: number;
  errorCode?: string;
  errorMessage?: string;
  result?: NodeResult;
}

export interface WeftNodeData extends Record<string, unknown> {
  /** The workflow node itself (what is saved, exported and submitted). */
  node: WorkflowNode;
  /** View-only, set at render time. */
  def?: CatalogueNode;
  issues?: WorkflowIssue[];
  run?: RunView;
}

export type WeftFlowNode = Node<WeftNodeData, 'weft'>;
export type WeftEdge = Edge;

export interface Snapshot {
  nodes: WeftFlowNode[];
  edges: WeftEdge[];
}

/** Default params of a node type: every property of its schema that has a default. */
export function defaultParams(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties ?? {})) if (s.default !== undefined) out[k] = s.default;
  return out;
}

/** A fresh node id for `type`: the type itself, then type_2, type_3, … */
export function freshId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = type.replace(/[^A-Za-z0-9_.:-]/g, '_');
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function makeNode(def: CatalogueNode, position: XYPosition, taken: Iterable<string>, params?: Record<string, unknown>): WeftFlowNode {
  const id = freshId(def.type, taken);
  return { id, type: 'weft', position, data: { node: { id, type: def.type, params: { ...defaultParams(def.params), ...(params ?? {}) } } } };
}

/** Strips view-only fields and selection, for history and export. */
export function cleanNode(n: WeftFlowNode): WeftFlowNode {
  return { id: n.id, type: 'weft', position: n.position, data: { node: n.data.node } };
}

export function cleanEdge(e: WeftEdge): WeftEdge {
  return { id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle ?? null, targetHandle: e.targetHandle ?? null };
}

export function edgeId(e: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }): string {
  return `${e.source}.${e.sourceHandle ?? ''}->${e.target}.${e.targetHandle ?? ''}`;
}

/** The workflow graph drawn on the canvas. */
export function toGraph(nodes: WeftFlowNode[], edges: WeftEdge[], meta: { name: string; description?: string; seed?: number }): WorkflowGraph {
  return {
    name: meta.name,
    ...(meta.description ? { description: meta.description } : {}),
    ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
    nodes: nodes.map((n) => ({ ...n.data.node, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
    edges: edges.map((e) => ({ source: e.source, sourceHandle: e.sourceHandle ?? null, target: e.target, targetHandle: e.targetHandle ?? null })),
  };
}

/**
 * Canvas nodes and edges from a workflow graph. Nodes without a position are laid out left
 * to right in topological order; a missing handle is the port's only one.
 */
export function fromGraph(graph: WorkflowGraph, byType: Map<string, CatalogueNode>): Snapshot {
  const depth = new Map<string, number>();
  const incoming = new Map<string, string[]>();
  for (const e of graph.edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
  const depthOf = (id: string, guard = new Set<string>()): number => {
    if (depth.has(id)) return depth.get(id)!;
    if (guard.has(id)) return 0;
    guard.add(id);
    const d = Math.max(-1, ...(incoming.get(id) ?? []).map((s) => depthOf(s, guard))) + 1;
    depth.set(id, d);
    return d;
  };
  const perColumn = new Map<number, number>();
  const nodes: WeftFlowNode[] = graph.nodes.map((n) => {
    let position = n.position;
    if (!position) {
      const col = depthOf(n.id);
      const row = perColumn.get(col) ?? 0;
      perColumn.set(col, row + 1);
      position = { x: col * 260, y: row * 170 };
    }
    const { position: _p, ...node } = n;
    return { id: n.id, type: 'weft', position, data: { node: { ...node, params: { ...(node.params ?? {}) } } } };
  });
  const edges: WeftEdge[] = graph.edges.map((e) => {
    const sDef = byType.get(graph.nodes.find((n) => n.id === e.source)?.type ?? '');
    const tDef = byType.get(graph.nodes.find((n) => n.id === e.target)?.type ?? '');
    const sourceHandle = e.sourceHandle ?? (sDef?.outputs.length === 1 ? sDef.outputs[0]!.name : null);
    const targetHandle = e.targetHandle ?? (tDef?.inputs.length === 1 ? tDef.inputs[0]!.name : null);
    return { id: edgeId({ ...e, sourceHandle, targetHandle }), source: e.source, target: e.target, sourceHandle, targetHandle };
  });
  return { nodes, edges };
}

/** The dataset node upstream of `nodeId` (following first inputs), if any. */
export function upstreamDataset(nodeId: string, nodes: WeftFlowNode[], edges: WeftEdge[]): WeftFlowNode | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  let cur: string | undefined = nodeId;
  while (cur && !seen.has(cur)) {
    seen.add(cur);
    const n = byId.get(cur);
    if (n?.data.node.type === 'dataset') return n;
    cur = edges.find((e) => e.target === cur)?.source;
  }
  return undefined;
}

/** Accepts `{graph}`, a workflow document, or a bare graph; throws with a readable message otherwise. */
export function parseImported(text: string): { graph: WorkflowGraph; name?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`Not JSON: ${(e as Error).message}`);
  }
  const o = v as { graph?: WorkflowGraph; name?: string; nodes?: unknown; edges?: unknown };
  const graph = (o && typeof o === 'object' && o.graph && typeof o.graph === 'object' ? o.graph : o) as WorkflowGraph;
  if (!graph || !Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) throw new Error('Not a workflow: expected { nodes: [...], edges: [...] }');
  for (const [i, n] of graph.nodes.entries()) {
    if (!n || typeof n.id !== 'string' || typeof n.type !== 'string') throw new Error(`Node ${i} needs an id and a type`);
  }
  return { graph, ...(typeof o.name === 'string' ? { name: o.name } : {}) };
}
