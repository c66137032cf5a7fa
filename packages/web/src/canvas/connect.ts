/**
 * Which connections the canvas accepts, from the catalogue's port types alone: an output
 * connects to an input of the same type, an input takes one edge, and no edge closes a cycle.
 */
import type { Connection, Edge } from '@xyflow/react';
import type { CatalogueNode } from '../api/types';
import type { WeftEdge, WeftFlowNode } from './model';

/** Why `c` cannot be made, or null when it can. */
export function connectionProblem(c: Connection | Edge, nodes: WeftFlowNode[], edges: WeftEdge[], byType: Map<string, CatalogueNode>): string | null {
  if (c.source === c.target) return 'A node cannot feed itself';
  const s = nodes.find((n) => n.id === c.source);
  const t = nodes.find((n) => n.id === c.target);
  if (!s || !t) return 'Unknown node';
  const sDef = byType.get(s.data.node.type);
  const tDef = byType.get(t.data.node.type);
  if (!sDef || !tDef) return 'Unknown node type';
  const out = sDef.outputs.find((p) => p.name === c.sourceHandle) ?? (sDef.outputs.length === 1 ? sDef.outputs[0] : undefined);
  const inp = tDef.inputs.find((p) => p.name === c.targetHandle) ?? (tDef.inputs.length === 1 ? tDef.inputs[0] : undefined);
  if (!out || !inp) return 'Connect an output (right) to an input (left)';
  if (out.type !== inp.type) return `${sDef.label} outputs ${out.type}, but ${tDef.label} takes ${inp.type}`;
  if (edges.some((e) => e.target === c.target && (e.targetHandle ?? inp.name) === inp.name)) return `Input "${inp.name}" of ${tDef.label} is already connected`;
  // A cycle: the target already reaches the source.
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const stack = [c.target];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (id === c.source) return 'That connection would make a cycle';
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return null;
}
