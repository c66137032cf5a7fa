/**
 * The scheduler core: a pure state machine. `decide(state, event, policy)` takes a job with
 * its tasks and one event, and returns the new state, the events to store and emit, and the
 * models to insert. It reads no clock and does no I/O; the caller persists the decision in
 * one transaction and only then emits the events.
 *
 * | event          | valid when                                       | effect                                          |
 * | -------------- | ------------------------------------------------ | ----------------------------------------------- |
 * | lease_granted  | task pending, job queued/running                  | task leased, attempt+1; job running             |
 * | heartbeat      | executor holds the lease (same attempt)           | lease renewed; leased → running                 |
 * | progress       | executor holds the lease                          | progress event; leased → running; lease renewed |
 * | report_ok      | executor holds the lease                          | task succeeded; job completed when all are      |
 * | report_failed  | executor holds the lease                          | retryable: requeue/exhaust; else job failed     |
 * | lease_expired  | task leased/running and lease expiry ≤ now        | requeue with backoff, or job failed (exhausted) |
 * | executor_lost  | —                                                 | every lease of that executor expires now        |
 * | cancel         | job not final                                     | job cancelled, open tasks cancelled             |
 */
import { FINAL_JOB_STATES, FINAL_TASK_STATES, type JobEventPayload } from '@weft/proto';
import { advanceGroup, type GroupTask } from '../distributed/advance.js';
import { foldSummary } from '../distributed/cv.js';
import { moveJob, moveTask } from './transitions.js';
import type { CoreEvent, CorePolicy, Decision, JobWithTasks, ModelInsert, TaskSnapshot } from './types.js';

/** Working copy of a decision under construction. */
class Draft {
  readonly job: JobWithTasks['job'];
  readonly tasks: TaskSnapshot[];
  readonly changed = new Set<string>();
  readonly events: JobEventPayload[] = [];
  readonly models: ModelInsert[] = [];
  readonly newTasks: TaskSnapshot[] = [];
  wake = false;
  constructor(state: JobWithTasks) {
    this.job = structuredClone(state.job);
    this.tasks = structuredClone(state.tasks);
  }
  task(id: string): TaskSnapshot | undefined {
    return this.tasks.find((t) => t.id === id);
  }
  touch(t: TaskSnapshot): void {
    this.changed.add(t.id);
  }
  emit(e: JobEventPayload): void {
    this.events.push(e);
  }
  done(extra: Partial<Decision> = {}): Decision {
    return {
      accepted: true,
      job: this.job,
      changedTasks: this.tasks.filter((t) => this.changed.has(t.id)),
      events: this.events,
      models: this.models,
      newTasks: this.newTasks,
      wake: this.wake,
      ...extra,
    };
  }
}

function refuse(state: JobWithTasks, reason: string, extra: Partial<Decision> = {}): Decision {
  return { accepted: false, reason, job: state.job, changedTasks: [], events: [], models: [], newTasks: [], wake: false, ...extra };
}

/** True when `executorId` holds the current lease of `task` at `attempt`. */
export function holdsLease(task: TaskSnapshot, attempt: number, executorId: string): boolean {
  return (task.state === 'leased' || task.state === 'running') && task.attempt === attempt && task.executorId === executorId;
}

/** Backoff before attempt `attempt + 1`, milliseconds: `baseMs · 2^(attempt-1)`. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

function taskStateEvent(t: TaskSnapshot): JobEventPayload {
  return {
    type: 'task_state',
    taskId: t.id,
    state: t.state,
    attempt: t.attempt,
    nodeIds: t.nodeIds,
    ...(t.executorId ? { executorId: t.executorId } : {}),
    ...(t.errorCode ? { errorCode: t.errorCode } : {}),
    ...(t.errorMessage ? { errorMessage: t.errorMessage } : {}),
  };
}

function markRunning(d: Draft, t: TaskSnapshot, nowMs: number): void {
  if (t.state !== 'leased') return;
  moveTask(t, 'running');
  t.startedAtMs ??= nowMs;
  d.touch(t);
  d.emit(taskStateEvent(t));
  for (const nodeId of t.nodeIds) d.emit({ type: 'node_state', nodeId, state: 'running' });
}

/** Cancels every open task of the job except `exceptId`, emitting their events. */
function cancelOpenTasks(d: Draft, nowMs: number, exceptId?: string): void {
  for (const t of d.tasks) {
    if (t.id === exceptId || FINAL_TASK_STATES.has(t.state)) continue;
    moveTask(t, 'cancelled');
    t.finishedAtMs = nowMs;
    t.leaseExpiresAtMs = null;
    d.touch(t);
    d.emit(taskStateEvent(t));
    for (const nodeId of t.nodeIds) d.emit({ type: 'node_state', nodeId, state: 'cancelled' });
  }
}

/**
 * Fails the job: the failed task's nodes fail, other open tasks are cancelled. When the
 * failure names the node at fault (one of the task's nodes), only that node fails; the
 * task's other nodes are cancelled.
 */
function failJob(d: Draft, failed: TaskSnapshot, code: string, message: string, nowMs: number, errorNodeId?: string): void {
  const blamed = errorNodeId && failed.nodeIds.includes(errorNodeId) ? errorNodeId : undefined;
  for (const nodeId of failed.nodeIds) {
    if (blamed && nodeId !== blamed) d.emit({ type: 'node_state', nodeId, state: 'cancelled' });
    else d.emit({ type: 'node_state', nodeId, state: 'failed', errorCode: code, errorMessage: message });
  }
  cancelOpenTasks(d, nowMs, failed.id);
  moveJob(d.job, 'failed');
  d.job.errorCode = code;
  d.job.errorMessage = message;
  d.job.finishedAtMs = nowMs;
  d.emit({ type: 'job_state', state: 'failed', errorCode: code, errorMessage: message });
}

/**
 * A lease ended without a result (expiry, executor lost, retryable failure): re-queue with
 * backoff, or fail the task and the job once `maxAttempts` attempts were used.
 */
function retryOrExhaust(d: Draft, t: TaskSnapshot, code: string, message: string, policy: CorePolicy, nowMs: number, errorNodeId?: string): void {
  const lastExecutor = t.executorId ?? 'none';
  t.errorCode = code;
  t.errorMessage = message;
  t.leaseExpiresAtMs = null;
  d.touch(t);
  if (t.attempt < t.maxAttempts) {
    moveTask(t, 'pending');
    t.executorId = null;
    t.availableAtMs = nowMs + retryDelayMs(policy.retryBackoffMs, t.attempt);
    d.emit(taskStateEvent(t));
    d.wake = true;
    return;
  }
  moveTask(t, 'failed');
  t.finishedAtMs = nowMs;
  d.emit(taskStateEvent(t));
  const msg =
    `Task ${t.id} (${t.kind}, nodes ${t.nodeIds.join(', ')}) failed ${t.attempt} time(s) out of ${t.maxAttempts} allowed; ` +
    `last executor ${lastExecutor}: ${code}: ${message}. Check that executor's logs (crash, out of memory, or a task ` +
    `longer than the lease without heartbeats).`;
  failJob(d, t, 'TASK_RETRIES_EXHAUSTED', msg, nowMs, errorNodeId);
}

function completeIfDone(d: Draft, nowMs: number): void {
  if (!d.tasks.every((t) => t.state === 'succeeded')) return;
  const inTasks = new Set(d.tasks.flatMap((t) => t.nodeIds));
  for (const nodeId of d.job.nodeIds) if (!inTasks.has(nodeId)) d.emit({ type: 'node_state', nodeId, state: 'completed' });
  if (d.job.state === 'queued') {
    moveJob(d.job, 'running');
    d.job.startedAtMs ??= nowMs;
  }
  moveJob(d.job, 'completed');
  d.job.finishedAtMs = nowMs;
  d.emit({ type: 'job_state', state: 'completed' });
}

/**
 * A shard task succeeded: when its round is complete, merge and insert the next stage's
 * tasks (or fail the job). Returns false when the job was failed.
 */
function advanceDistributed(d: Draft, t: TaskSnapshot, policy: CorePolicy, nowMs: number): boolean {
  const adv = advanceGroup(d.tasks as GroupTask[], t as GroupTask, policy.sketchSize ?? 2048);
  if (adv.type === 'wait') return true;
  if (adv.type === 'fail') {
    failJob(d, t, adv.code, adv.message, nowMs);
    return false;
  }
  for (const nt of adv.tasks) {
    if (d.task(nt.id)) continue; // already inserted (idempotent advance)
    const spec = nt.spec as { pipeline: { dataset: { id: string }; modelNodeId: string } };
    const snap: TaskSnapshot = {
      id: nt.id,
      jobId: d.job.id,
      kind: nt.kind,
      state: 'pending',
      attempt: 0,
      maxAttempts: t.maxAttempts,
      nodeIds: nt.nodeIds,
      executorId: null,
      leaseExpiresAtMs: null,
      availableAtMs: nowMs,
      datasetId: spec.pipeline.dataset.id,
      modelNodeId: spec.pipeline.modelNodeId,
      spec: nt.spec,
      result: null,
      errorCode: null,
      errorMessage: null,
      startedAtMs: null,
      finishedAtMs: null,
    };
    d.tasks.push(snap);
    d.newTasks.push(snap);
  }
  if (adv.progress) d.emit({ type: 'progress', taskId: t.id, nodeId: adv.progress.nodeId, phase: 'train', epoch: adv.progress.round, ...(adv.progress.loss !== undefined ? { loss: adv.progress.loss } : {}), message: adv.progress.message });
  d.wake = true;
  return true;
}

/** A cross-validation fold succeeded: once all folds have, attach mean/std to the model's evaluator (or model) node. */
function reduceFolds(d: Draft, t: TaskSnapshot): void {
  const fold = (t.spec as { fold?: { group: string } } | undefined)?.fold;
  if (!fold) return;
  const cv = foldSummary(d.tasks as GroupTask[], fold.group);
  if (!cv) return;
  const spec = t.spec as { evaluators: Array<{ id: string }>; modelNodeId: string };
  const nodeId = spec.evaluators[0]?.id ?? spec.modelNodeId;
  const prev = d.job.result.nodes[nodeId] ?? {};
  const r = { ...prev, crossValidation: cv };
  d.job.result = { ...d.job.result, nodes: { ...d.job.result.nodes, [nodeId]: r } };
  d.emit({ type: 'node_result', nodeId, result: r });
}

/**
 * The first decision of a job just planned (state `pending`): queue it (and complete it at
 * once when the plan has no tasks).
 */
export function decideSubmitted(state: JobWithTasks, nowMs: number): Decision {
  const d = new Draft(state);
  moveJob(d.job, 'queued');
  d.emit({ type: 'job_state', state: 'queued' });
  for (const t of d.tasks) for (const nodeId of t.nodeIds) d.emit({ type: 'node_state', nodeId, state: 'queued' });
  d.wake = d.tasks.length > 0;
  completeIfDone(d, nowMs);
  return d.done();
}

/** Applies one event to a job and its tasks. Pure: the input is not modified. */
export function decide(state: JobWithTasks, event: CoreEvent, policy: CorePolicy): Decision {
  const d = new Draft(state);
  const now = event.nowMs;
  switch (event.type) {
    case 'lease_granted': {
      const t = d.task(event.taskId);
      if (!t || t.state !== 'pending') return refuse(state, `NOT_PENDING: task ${event.taskId} is not pending`);
      if (d.job.state !== 'queued' && d.job.state !== 'running') return refuse(state, `JOB_NOT_ACTIVE: job ${d.job.id} is ${d.job.state}`);
      if (t.availableAtMs > now) return refuse(state, `NOT_AVAILABLE: task ${t.id} waits for its retry backoff`);
      moveTask(t, 'leased');
      t.attempt += 1;
      t.executorId = event.executorId;
      t.leaseExpiresAtMs = now + policy.leaseTtlMs;
      d.touch(t);
      if (d.job.state === 'queued') {
        moveJob(d.job, 'running');
        d.job.startedAtMs = now;
        d.emit({ type: 'job_state', state: 'running' });
      }
      d.emit(taskStateEvent(t));
      return d.done();
    }
    case 'heartbeat': {
      const t = d.task(event.taskId);
      if (!t) return refuse(state, `UNKNOWN_TASK: ${event.taskId}`, { lease: 'lost' });
      if (t.state === 'cancelled' && t.attempt === event.attempt && t.executorId === event.executorId) {
        return refuse(state, `JOB_CANCELLED: task ${t.id} was cancelled`, { lease: 'cancel' });
      }
      if (!holdsLease(t, event.attempt, event.executorId)) {
        return refuse(state, `STALE_ATTEMPT: executor ${event.executorId} does not hold task ${t.id} attempt ${event.attempt}`, { lease: 'lost' });
      }
      t.leaseExpiresAtMs = now + policy.leaseTtlMs;
      d.touch(t);
      markRunning(d, t, now);
      return d.done({ lease: 'renewed' });
    }
    case 'progress': {
      const t = d.task(event.taskId);
      if (!t || !holdsLease(t, event.attempt, event.executorId)) {
        return refuse(state, `STALE_ATTEMPT: executor ${event.executorId} does not hold task ${event.taskId} attempt ${event.attempt}`);
      }
      t.leaseExpiresAtMs = now + policy.leaseTtlMs;
      d.touch(t);
      markRunning(d, t, now);
      d.emit({ ...event.progress, type: 'progress', taskId: t.id });
      return d.done();
    }
    case 'report_ok': {
      const t = d.task(event.taskId);
      if (!t || !holdsLease(t, event.attempt, event.executorId)) {
        return refuse(state, `STALE_ATTEMPT: executor ${event.executorId} does not hold task ${event.taskId} attempt ${event.attempt}; result ignored`);
      }
      markRunning(d, t, now);
      moveTask(t, 'succeeded');
      t.result = event.result;
      t.leaseExpiresAtMs = null;
      t.errorCode = null;
      t.errorMessage = null;
      t.finishedAtMs = now;
      d.touch(t);
      d.emit(taskStateEvent(t));
      const nodes = { ...d.job.result.nodes };
      for (const [nodeId, r] of Object.entries(event.result.nodes)) {
        const cv = nodes[nodeId]?.crossValidation;
        nodes[nodeId] = cv && !r.crossValidation ? { ...r, crossValidation: cv } : r;
        d.emit({ type: 'node_result', nodeId, result: nodes[nodeId]! });
      }
      d.job.result = { ...d.job.result, nodes };
      if (t.kind === 'shard_map' && !advanceDistributed(d, t, policy, now)) return d.done();
      if (event.result.fold) reduceFolds(d, t);
      for (const nodeId of t.nodeIds) d.emit({ type: 'node_state', nodeId, state: 'completed' });
      const m = event.result.model;
      if (m && t.datasetId) {
        d.models.push({
          id: m.id,
          workspaceId: d.job.workspaceId,
          jobId: d.job.id,
          nodeId: t.modelNodeId ?? t.nodeIds[t.nodeIds.length - 1] ?? '',
          nodeType: m.nodeType,
          task: m.task,
          target: m.target,
          datasetId: t.datasetId,
          artifactKey: m.artifactKey,
          metrics: m.metrics ?? {},
        });
      }
      d.wake = true;
      completeIfDone(d, now);
      return d.done();
    }
    case 'report_failed': {
      const t = d.task(event.taskId);
      if (!t || !holdsLease(t, event.attempt, event.executorId)) {
        return refuse(state, `STALE_ATTEMPT: executor ${event.executorId} does not hold task ${event.taskId} attempt ${event.attempt}; failure ignored`);
      }
      d.wake = true;
      if (event.retryable) {
        retryOrExhaust(d, t, event.errorCode, event.errorMessage, policy, now, event.errorNodeId);
        return d.done();
      }
      moveTask(t, 'failed');
      t.errorCode = event.errorCode;
      t.errorMessage = event.errorMessage;
      t.leaseExpiresAtMs = null;
      t.finishedAtMs = now;
      d.touch(t);
      d.emit(taskStateEvent(t));
      failJob(d, t, event.errorCode, event.errorMessage, now, event.errorNodeId);
      return d.done();
    }
    case 'lease_expired': {
      const t = d.task(event.taskId);
      if (!t || (t.state !== 'leased' && t.state !== 'running') || t.leaseExpiresAtMs === null || t.leaseExpiresAtMs > now) {
        return refuse(state, `NOT_EXPIRED: task ${event.taskId} holds no expired lease`);
      }
      const r = event.renewal;
      if (r && holdsLease(t, r.attempt, r.executorId) && r.atMs + policy.leaseTtlMs > now) {
        return refuse(state, `RENEWAL_PENDING: executor ${r.executorId} renewed task ${t.id} at ${r.atMs}; the renewal is waiting to be applied`);
      }
      retryOrExhaust(d, t, 'EXECUTOR_LOST', `lease of attempt ${t.attempt} expired on executor ${t.executorId ?? 'none'} (no heartbeat)`, policy, now);
      return d.done();
    }
    case 'executor_lost': {
      const held = d.tasks.filter((t) => (t.state === 'leased' || t.state === 'running') && t.executorId === event.executorId);
      if (!held.length) return refuse(state, `NO_LEASES: executor ${event.executorId} holds no task of job ${d.job.id}`);
      for (const t of held) {
        if (FINAL_JOB_STATES.has(d.job.state)) break;
        retryOrExhaust(d, t, 'EXECUTOR_LOST', `executor ${event.executorId} was lost during attempt ${t.attempt}`, policy, now);
      }
      return d.done();
    }
    case 'cancel': {
      if (FINAL_JOB_STATES.has(d.job.state)) return refuse(state, `JOB_FINAL: job ${d.job.id} is already ${d.job.state}`);
      cancelOpenTasks(d, now);
      moveJob(d.job, 'cancelled');
      d.job.errorCode = 'JOB_CANCELLED';
      d.job.errorMessage = 'The job was cancelled';
      d.job.finishedAtMs = now;
      d.emit({ type: 'job_state', state: 'cancelled', errorCode: 'JOB_CANCELLED', errorMessage: 'The job was cancelled' });
      return d.done();
    }
  }
}

/**
 * Debug check of the invariants the state tables promise; returns the violations (empty
 * when consistent). Used by tests and, in debug mode, after every decision.
 */
export function checkInvariants(s: JobWithTasks): string[] {
  const out: string[] = [];
  for (const t of s.tasks) {
    const held = t.state === 'leased' || t.state === 'running';
    if (held && (!t.executorId || t.leaseExpiresAtMs === null)) out.push(`task ${t.id} is ${t.state} without executor/lease`);
    if (t.state === 'pending' && t.leaseExpiresAtMs !== null) out.push(`task ${t.id} is pending with a lease`);
    if (t.attempt > t.maxAttempts) out.push(`task ${t.id} attempt ${t.attempt} > max ${t.maxAttempts}`);
    if (t.state === 'succeeded' && !t.result) out.push(`task ${t.id} succeeded without result`);
    if (FINAL_JOB_STATES.has(s.job.state) && !FINAL_TASK_STATES.has(t.state)) out.push(`job ${s.job.id} is ${s.job.state} but task ${t.id} is ${t.state}`);
  }
  if (s.job.state === 'completed' && s.tasks.some((t) => t.state !== 'succeeded')) out.push(`job ${s.job.id} completed with unfinished tasks`);
  return out;
}
