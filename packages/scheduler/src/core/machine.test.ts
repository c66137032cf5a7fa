import * as assert from 'node:assert/strict';
import { checkInvariants, decide, decideSubmitted, retryDelayMs, type CoreEvent, type Decision, type JobWithTasks } from './index.js';
import { jobWithTasks } from '../testing/fixtures.js';

const policy = { leaseTtlMs: 1000, retryBackoffMs: 100 };

/** Applies a decision to a state (what the I/O layer does). */
function apply(s: JobWithTasks, d: Decision): JobWithTasks {
  const tasks = s.tasks.map((t) => d.changedTasks.find((c) => c.id === t.id) ?? t);
  const next = { job: d.job, tasks };
  assert.deepEqual(checkInvariants(next), []);
  return next;
}

function step(s: JobWithTasks, e: CoreEvent): [JobWithTasks, Decision] {
  const d = decide(s, e, policy);
  return [d.accepted ? apply(s, d) : s, d];
}

const result = { nodes: { model0: { metrics: { accuracy: 0.9 } } }, model: { id: 'model_x', artifactKey: 'k', nodeType: 'logistic_regression', task: 'classification' as const, target: 'y' } };

describe('scheduler core', () => {
  it('queues a submitted job and completes an empty plan at once', () => {
    const s = jobWithTasks(1);
    s.job.state = 'pending';
    const d = decideSubmitted(s, 5);
    assert.equal(d.job.state, 'queued');
    assert.equal(d.wake, true);
    const empty = { job: { ...s.job, state: 'pending' as const }, tasks: [] };
    const d2 = decideSubmitted(empty, 5);
    assert.equal(d2.job.state, 'completed');
    assert.equal(d2.events.at(-1)?.type, 'job_state');
  });

  it('leases, runs on heartbeat, and completes with a model on report', () => {
    let s = jobWithTasks(1);
    let d: Decision;
    [s, d] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 10 });
    assert.equal(s.tasks[0]!.state, 'leased');
    assert.equal(s.tasks[0]!.attempt, 1);
    assert.equal(s.tasks[0]!.leaseExpiresAtMs, 1010);
    assert.equal(s.job.state, 'running');
    [s, d] = step(s, { type: 'heartbeat', taskId: 'task_0', attempt: 1, executorId: 'e1', nowMs: 500 });
    assert.equal(d.lease, 'renewed');
    assert.equal(s.tasks[0]!.state, 'running');
    assert.equal(s.tasks[0]!.leaseExpiresAtMs, 1500);
    [s, d] = step(s, { type: 'report_ok', taskId: 'task_0', attempt: 1, executorId: 'e1', result, nowMs: 600 });
    assert.equal(s.tasks[0]!.state, 'succeeded');
    assert.equal(s.job.state, 'completed');
    assert.deepEqual(s.job.result.nodes.model0, { metrics: { accuracy: 0.9 } });
    assert.equal(d.models.length, 1);
    assert.equal(d.models[0]!.nodeId, 'model0');
    const types = d.events.map((e) => e.type);
    assert.ok(types.includes('node_result'));
    assert.deepEqual(d.events.at(-1), { type: 'job_state', state: 'completed' });
    assert.ok(d.events.some((e) => e.type === 'node_state' && e.nodeId === 'dangling' && e.state === 'completed'));
  });

  it('refuses a stale attempt or a foreign executor and changes nothing (fencing)', () => {
    let s = jobWithTasks(1);
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 });
    [s] = step(s, { type: 'lease_expired', taskId: 'task_0', nowMs: 2000 });
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e2', nowMs: 2200 });
    assert.equal(s.tasks[0]!.attempt, 2);
    const late = decide(s, { type: 'report_ok', taskId: 'task_0', attempt: 1, executorId: 'e1', result, nowMs: 2300 }, policy);
    assert.equal(late.accepted, false);
    assert.match(late.reason!, /^STALE_ATTEMPT/);
    assert.equal(late.events.length, 0);
    const foreign = decide(s, { type: 'report_ok', taskId: 'task_0', attempt: 2, executorId: 'e1', result, nowMs: 2300 }, policy);
    assert.equal(foreign.accepted, false);
    const hb = decide(s, { type: 'heartbeat', taskId: 'task_0', attempt: 1, executorId: 'e1', nowMs: 2300 }, policy);
    assert.equal(hb.lease, 'lost');
  });

  it('requeues an expired lease with exponential backoff, then fails the job when attempts run out', () => {
    let s = jobWithTasks(2, 2);
    let d: Decision;
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 });
    [s] = step(s, { type: 'lease_granted', taskId: 'task_1', executorId: 'e2', nowMs: 0 });
    assert.equal(decide(s, { type: 'lease_expired', taskId: 'task_0', nowMs: 999 }, policy).accepted, false);
    [s, d] = step(s, { type: 'lease_expired', taskId: 'task_0', nowMs: 1000 });
    assert.equal(s.tasks[0]!.state, 'pending');
    assert.equal(s.tasks[0]!.availableAtMs, 1000 + retryDelayMs(100, 1));
    assert.equal(d.wake, true);
    assert.equal(decide(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e3', nowMs: 1050 }, policy).accepted, false, 'backoff respected');
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e3', nowMs: 1100 });
    [s, d] = step(s, { type: 'lease_expired', taskId: 'task_0', nowMs: 2100 });
    assert.equal(s.tasks[0]!.state, 'failed');
    assert.equal(s.tasks[1]!.state, 'cancelled', 'other tasks of the job are cancelled');
    assert.equal(s.job.state, 'failed');
    assert.equal(s.job.errorCode, 'TASK_RETRIES_EXHAUSTED');
    assert.match(s.job.errorMessage!, /task_0.*2 time\(s\).*e3/);
    assert.equal(retryDelayMs(100, 3), 400);
  });

  it('does not expire a lease whose holder\'s heartbeat arrived in time but is still queued (burst regression)', () => {
    let s = jobWithTasks(1);
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 });
    const ttl = policy.leaseTtlMs;
    const pending = decide(s, { type: 'lease_expired', taskId: 'task_0', nowMs: ttl + 10, renewal: { executorId: 'e1', attempt: 1, atMs: ttl - 5 } }, policy);
    assert.equal(pending.accepted, false);
    assert.match(pending.reason!, /^RENEWAL_PENDING/);
    const stale = decide(s, { type: 'lease_expired', taskId: 'task_0', nowMs: ttl + 10, renewal: { executorId: 'e9', attempt: 1, atMs: ttl - 5 } }, policy);
    assert.equal(stale.accepted, true, 'a renewal from an executor that does not hold the lease does not count');
    const old = decide(s, { type: 'lease_expired', taskId: 'task_0', nowMs: 2 * ttl + 10, renewal: { executorId: 'e1', attempt: 1, atMs: ttl - 5 } }, policy);
    assert.equal(old.accepted, true, 'a renewal older than a lease does not count');
  });

  it('fails the job at once on a non-retryable failure, and retries a retryable one', () => {
    let s = jobWithTasks(1);
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 });
    const retry = decide(s, { type: 'report_failed', taskId: 'task_0', attempt: 1, executorId: 'e1', errorCode: 'INTERNAL', errorMessage: 'boom', retryable: true, nowMs: 5 }, policy);
    assert.equal(retry.changedTasks[0]!.state, 'pending');
    assert.equal(retry.job.state, 'running');
    [s] = step(s, { type: 'report_failed', taskId: 'task_0', attempt: 1, executorId: 'e1', errorCode: 'NO_FEATURES', errorMessage: 'no features left', retryable: false, nowMs: 5 });
    assert.equal(s.job.state, 'failed');
    assert.equal(s.job.errorCode, 'NO_FEATURES');
    assert.equal(s.job.errorMessage, 'no features left');
  });

  it('blames only the node at fault of a failed task: its other nodes are cancelled', () => {
    let s = jobWithTasks(1);
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 });
    const ev = { type: 'report_failed', taskId: 'task_0', attempt: 1, executorId: 'e1', errorCode: 'MISSING_VALUES_REACH_MODEL', errorMessage: 'Node "model0": NaN', retryable: false, nowMs: 5 } as const;
    const nodeStates = (d: Decision) => d.events.flatMap((e) => (e.type === 'node_state' ? [[e.nodeId, e.state, e.type === 'node_state' && e.state === 'failed' ? e.errorMessage : undefined]] : []));
    const blamed = decide(s, { ...ev, errorNodeId: 'model0' }, policy);
    assert.equal(blamed.job.state, 'failed');
    assert.deepEqual(nodeStates(blamed), [
      ['data', 'cancelled', undefined],
      ['model0', 'failed', 'Node "model0": NaN'],
    ]);
    // No node (or one outside the task) named: every node of the task fails, as before.
    for (const errorNodeId of [undefined, 'elsewhere']) {
      const d = decide(s, { ...ev, ...(errorNodeId ? { errorNodeId } : {}) }, policy);
      assert.deepEqual(nodeStates(d).map(([, st]) => st), ['failed', 'failed']);
    }
  });

  it('cancels: open tasks cancelled, holder told to cancel, final jobs unchanged', () => {
    let s = jobWithTasks(2);
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 });
    [s] = step(s, { type: 'cancel', nowMs: 10 });
    assert.equal(s.job.state, 'cancelled');
    assert.ok(s.tasks.every((t) => t.state === 'cancelled'));
    assert.equal(decide(s, { type: 'heartbeat', taskId: 'task_0', attempt: 1, executorId: 'e1', nowMs: 20 }, policy).lease, 'cancel');
    assert.equal(decide(s, { type: 'cancel', nowMs: 30 }, policy).accepted, false);
    assert.equal(decide(s, { type: 'report_ok', taskId: 'task_0', attempt: 1, executorId: 'e1', result, nowMs: 40 }, policy).accepted, false);
  });

  it('expires every lease of a lost executor', () => {
    let s = jobWithTasks(2);
    [s] = step(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 });
    [s] = step(s, { type: 'lease_granted', taskId: 'task_1', executorId: 'e1', nowMs: 0 });
    [s] = step(s, { type: 'executor_lost', executorId: 'e1', nowMs: 50 });
    assert.deepEqual(s.tasks.map((t) => t.state), ['pending', 'pending']);
  });

  it('does not modify its input', () => {
    const s = jobWithTasks(1);
    const copy = structuredClone(s);
    decide(s, { type: 'lease_granted', taskId: 'task_0', executorId: 'e1', nowMs: 0 }, policy);
    assert.deepEqual(s, copy);
  });
});
