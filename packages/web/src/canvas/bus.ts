/** Requests to the (always mounted) canvas from other screens. */
import type { WorkflowGraph } from '../api/types';

export type CanvasRequest = { kind: 'add-dataset'; datasetId: string } | { kind: 'open-graph'; graph: WorkflowGraph; name: string; workflowId?: string; jobId?: string };

const listeners = new Set<(r: CanvasRequest) => void>();
const pending: CanvasRequest[] = [];

export const canvasBus = {
  emit(r: CanvasRequest): void {
    if (listeners.size === 0) pending.push(r);
    for (const l of listeners) l(r);
  },
  on(l: (r: CanvasRequest) => void): () => void {
    listeners.add(l);
    for (const r of pending.splice(0)) l(r);
    return () => listeners.delete(l);
  },
};
