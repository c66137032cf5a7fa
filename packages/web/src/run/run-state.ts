/**
 * Per-node run state from job events (pure, so it is easy to test and to replay):
 * node_state, progress, node_result and task_state events update one node's RunView.
 * When a pipeline task fails, the scheduler fails only the node at fault (with the error)
 * and cancels the task's other nodes, so node_state events say it all. Older schedulers
 * (or failures without a node) fail all the task's nodes with one message: when that
 * message names one of them (`Node "model": …`) only that node shows the error and the
 * others show "stopped" (the fallback).
 */
import type { JobDoc, JobEventDoc } from '../api/types';
import type { RunView } from '../canvas/model';

export type RunMap = Record<string, RunView>;

const FAULT = /^Node "([^"]+)"/;

/** The node a failure message blames, if it names one of `among`. */
export function blamedNode(message: string | undefined, among: string[]): string | undefined {
  const m = message ? FAULT.exec(message) : null;
  return m && among.includes(m[1]!) ? m[1] : undefined;
}

const stoppedBy = (prev: RunView | undefined, blamed: string): RunView => ({ ...prev, state: 'stopped', active: false, message: `Stopped: node "${blamed}" failed` });

export function applyEvent(runs: RunMap, e: JobEventDoc): RunMap {
  switch (e.type) {
    case 'node_state': {
      const prev = runs[e.nodeId];
      if (e.state === 'failed') {
        // Fallback: a failure that names another node of the run does not blame this one.
        const blamed = blamedNode(e.errorMessage, Object.keys(runs));
        if (blamed && blamed !== e.nodeId) return { ...runs, [e.nodeId]: stoppedBy(prev, blamed) };
      }
      const next: RunView = { ...prev, state: e.state };
      if (e.state !== 'running') next.active = false;
      if (e.state === 'failed') {
        next.errorCode = e.errorCode ?? 'FAILED';
        next.errorMessage = e.errorMessage ?? '';
      }
      return { ...runs, [e.nodeId]: next };
    }
    case 'task_state': {
      // A failed task's node states come as node_state events (failed / cancelled).
      if (e.state === 'pending' && e.attempt > 1) {
        const out = { ...runs };
        for (const id of e.nodeIds) out[id] = { ...out[id], state: 'queued', active: false, attempt: e.attempt };
        return out;
      }
      return runs;
    }
    case 'progress': {
      const out: RunMap = {};
      // The pipeline moved on: earlier active nodes are no longer the one working.
      for (const [id, r] of Object.entries(runs)) out[id] = r.active && id !== e.nodeId ? { ...r, active: false } : r;
      const prev = out[e.nodeId];
      out[e.nodeId] = {
        ...prev,
        state: prev?.state === 'completed' ? 'completed' : 'running',
        active: true,
        phase: e.phase,
        ...(e.fraction !== undefined ? { fraction: e.fraction } : {}),
        ...(e.epoch !== undefined ? { epoch: e.epoch } : {}),
        ...(e.epochs !== undefined ? { epochs: e.epochs } : {}),
        ...(e.loss !== undefined ? { loss: e.loss } : {}),
        ...(e.message !== undefined ? { message: e.message } : {}),
      };
      return out;
    }
    case 'node_result':
      return { ...runs, [e.nodeId]: { ...(runs[e.nodeId] ?? { state: 'completed' }), result: e.result } };
    default:
      return runs;
  }
}

/**
 * Node states from a job document (for a job opened after the fact, or when live events
 * were missed): task states per node, results, and the blamed node of a failure.
 */
export function runsFromJob(job: JobDoc, previous: RunMap = {}): RunMap {
  const out: RunMap = { ...previous };
  const taskToNode: Record<string, RunView['state']> = {
    pending: 'queued',
    leased: 'queued',
    running: 'running',
    succeeded: 'completed',
    failed: 'failed',
    cancelled: 'cancelled',
  };
  for (const t of job.tasks) {
    // Node states of a failed task already set by node_state events (the node at fault
    // failed, the others cancelled) are kept; else the message says which node is at fault.
    const live = t.state === 'failed' && t.nodeIds.some((id) => out[id]?.state === 'failed' || out[id]?.state === 'cancelled' || out[id]?.state === 'stopped');
    const blamed = t.state === 'failed' && !live ? blamedNode(t.errorMessage ?? undefined, t.nodeIds) : undefined;
    for (const id of t.nodeIds) {
      const prev = out[id];
      let state = taskToNode[t.state] ?? 'queued';
      if (prev && prev.state !== 'queued' && prev.state !== 'running' && state === 'running') state = prev.state;
      if (live && prev && (prev.state === 'failed' || prev.state === 'cancelled' || prev.state === 'stopped')) {
        out[id] = { ...prev, active: false };
      } else if (t.state === 'failed' && blamed && id !== blamed) {
        out[id] = stoppedBy(prev, blamed);
      } else if (t.state === 'failed' && live) {
        out[id] = { ...prev, state: 'cancelled', active: false };
      } else if (t.state === 'failed') {
        out[id] = { ...prev, state: 'failed', active: false, errorCode: t.errorCode ?? job.errorCode ?? 'FAILED', errorMessage: t.errorMessage ?? job.errorMessage ?? '' };
      } else {
        out[id] = { ...prev, state, ...(state !== 'running' ? { active: false } : {}) };
      }
    }
  }
  for (const [id, r] of Object.entries(job.result?.nodes ?? {})) out[id] = { ...(out[id] ?? { state: 'completed' }), result: r };
  if (job.state === 'completed') for (const [id, r] of Object.entries(out)) if (r.state !== 'completed') out[id] = { ...r, state: 'completed', active: false };
  return out;
}
