/**
 * Per-node run state from job events (pure, so it is easy to test and to replay):
 * node_state, progress, node_result and task_state events update one node's RunView.
 * A failed task fails all its nodes with one message; when that message names the node at
 * fault (`Node "model": …`) only that node shows the error and the others show "stopped".
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

export function applyEvent(runs: RunMap, e: JobEventDoc): RunMap {
  switch (e.type) {
    case 'node_state': {
      const prev = runs[e.nodeId];
      if (prev?.state === 'stopped' && e.state === 'failed') return runs;
      const next: RunView = { ...prev, state: e.state };
      if (e.state !== 'running') next.active = false;
      if (e.state === 'failed') {
        next.errorCode = e.errorCode ?? 'FAILED';
        next.errorMessage = e.errorMessage ?? '';
      }
      return { ...runs, [e.nodeId]: next };
    }
    case 'task_state': {
      if (e.state === 'failed') {
        const blamed = blamedNode(e.errorMessage, e.nodeIds);
        if (!blamed) return runs;
        const out = { ...runs };
        for (const id of e.nodeIds) {
          out[id] =
            id === blamed
              ? { ...out[id], state: 'failed', active: false, errorCode: e.errorCode ?? 'FAILED', errorMessage: e.errorMessage ?? '' }
              : { ...out[id], state: 'stopped', active: false, message: `Stopped: node "${blamed}" failed` };
        }
        return out;
      }
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
    const blamed = t.state === 'failed' ? blamedNode(t.errorMessage ?? undefined, t.nodeIds) : undefined;
    for (const id of t.nodeIds) {
      const prev = out[id];
      let state = taskToNode[t.state] ?? 'queued';
      if (prev && prev.state !== 'queued' && prev.state !== 'running' && state === 'running') state = prev.state;
      if (t.state === 'failed' && blamed && id !== blamed) {
        out[id] = { ...prev, state: 'stopped', active: false, message: `Stopped: node "${blamed}" failed` };
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
