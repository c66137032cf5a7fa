/**
 * The I/O layer around the pure core: loads a job and its tasks, asks the core for a
 * decision, writes it in ONE transaction (task/job rows, job_events with seq = lastSeq+1,
 * model rows), and only after commit notifies watchers and the dispatcher.
 */
import { LockMode } from '@mikro-orm/core';
import {
  JobEntity,
  JobEventEntity,
  ModelEntity,
  TaskEntity,
  type DatabaseHandle,
  type Em,
  type JobRow,
  type Logger,
  type TaskRow,
} from '@weft/common';
import type { JobEventPayload, ShardMapSpec } from '@weft/proto';
import { groupTaskId } from '../distributed/advance.js';
import { checkInvariants, decide, decideSubmitted, type CoreEvent, type CorePolicy, type Decision } from '../core/index.js';
import { applyJobSnapshot, applyTaskSnapshot, jobSnapshot, taskSnapshot } from './mappers.js';
import type { EventHub } from './hub.js';
import { SerialQueue } from './serial.js';

/** Oldest pending tasks a locality-aware lease chooses among. */
const LOCALITY_WINDOW = 64;

/** Task states that hold or wait for work. */
const OPEN_STATES: Array<TaskRow['state']> = ['pending', 'leased', 'running'];

/**
 * Ids of the tasks a succeeded task's decision may read besides the unfinished ones: a shard
 * task's round siblings and every id its group's next stage may insert (the core skips ids
 * that exist), a fold task's sibling folds. Ids are deterministic (see `groupTaskId`).
 */
export function relatedTaskIds(task: Pick<TaskRow, 'id' | 'kind' | 'spec'>): string[] {
  const spec = task.spec as (Partial<ShardMapSpec> & { fold?: { group: string; k: number } }) | null;
  const out: string[] = [];
  if (task.kind === 'shard_map' && spec?.group && spec.stage && spec.round !== undefined && spec.shardCount) {
    const { group, stage, round, shardCount } = spec;
    const all = (st: ShardMapSpec['stage'], r: number) => {
      for (let i = 0; i < shardCount; i++) out.push(groupTaskId(group, st, r, i));
    };
    all(stage, round);
    if (stage === 'fit') all('fit', round + 1);
    if (stage === 'fit' || stage === 'train') all('train', stage === 'train' ? round + 1 : 0);
    if (stage !== 'eval') all('eval', 0);
    out.push(groupTaskId(group, 'finalize', 0, 0));
  }
  if (spec?.fold) for (let i = 0; i < spec.fold.k; i++) out.push(`${spec.fold.group}_cv${i}`);
  return out;
}

/** A lease just granted, ready to push to an executor. */
export interface GrantedLease {
  task: TaskRow;
  leaseExpiresAtMs: number;
}

export class JobStore {
  private readonly serial = new SerialQueue();
  private readonly pg: boolean;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly policy: CorePolicy,
    private readonly hub: EventHub,
    private readonly log: Logger,
    private readonly debugInvariants = false,
  ) {
    this.pg = db.kind === 'postgresql';
  }

  /** A fresh entity manager for reads. */
  em(): Em {
    return this.db.em();
  }

  /** Runs a state change after all earlier ones (see SerialQueue). */
  serialise<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(fn);
  }

  /** Waits for queued changes to finish (shutdown). */
  drain(): Promise<void> {
    return this.serial.drain();
  }

  /**
   * Locks the job row and loads the task rows `event` can read or change (all of them when
   * no event is given). The core is pure over the snapshot it is given, so the subset must
   * contain every row its decision reads — see `taskIdsForEvent` / `openStates`.
   */
  private async loadForUpdate(em: Em, jobId: string, event?: CoreEvent): Promise<{ job: JobRow; tasks: TaskRow[] } | null> {
    const job = await em.findOne(JobEntity, { id: jobId }, this.pg ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!job) return null;
    const tasks = event ? await this.loadTasksFor(em, jobId, event) : await em.find(TaskEntity, { jobId }, { orderBy: { id: 'asc' } });
    return { job, tasks };
  }

  /**
   * The task rows the core reads for `event`, instead of every row of the job (a long
   * data-parallel run has R rounds × S shards of them, each with a JSON spec):
   * - lease_granted, heartbeat, progress: the task.
   * - report_ok: the task (alone when not held: the core refuses it); every not-succeeded
   *   task (the completion test, and the cancel of a failed advance); a shard task's round
   *   siblings and the ids its next stage may insert; a fold task's sibling folds; every row
   *   when the report may complete the job (the core emits `completed` for nodes in no task).
   * - report_failed, lease_expired: the task and the open tasks (a failed job cancels them).
   * - executor_lost, cancel: the open tasks.
   * - any other event: every row.
   */
  private async loadTasksFor(em: Em, jobId: string, event: CoreEvent): Promise<TaskRow[]> {
    const order = { orderBy: { id: 'asc' as const } };
    switch (event.type) {
      case 'lease_granted':
      case 'heartbeat':
      case 'progress':
        return em.find(TaskEntity, { jobId, id: event.taskId });
      case 'report_failed':
      case 'lease_expired':
        return em.find(TaskEntity, { jobId, $or: [{ id: event.taskId }, { state: { $in: OPEN_STATES } }] }, order);
      case 'executor_lost':
      case 'cancel':
        return em.find(TaskEntity, { jobId, state: { $in: OPEN_STATES } }, order);
      case 'report_ok': {
        const task = await em.findOne(TaskEntity, { jobId, id: event.taskId });
        if (!task) return [];
        // Not held: the core refuses the report (stale attempt) without reading other rows.
        if (task.state !== 'leased' && task.state !== 'running') return [task];
        const unfinished = await em.find(TaskEntity, { jobId, state: { $ne: 'succeeded' } }, order);
        // A non-shard task whose success leaves nothing unfinished completes the job: the
        // core then emits `completed` for nodes in no task, which needs every row's nodeIds.
        // A shard task never completes the job (its group always inserts a next stage).
        if (task.kind !== 'shard_map' && unfinished.every((t) => t.id === task.id)) return em.find(TaskEntity, { jobId }, order);
        const ids = relatedTaskIds(task).filter((id) => id !== task.id && !unfinished.some((t) => t.id === id));
        const related = ids.length ? await em.find(TaskEntity, { jobId, id: { $in: ids } }) : [];
        const byId = new Map<string, TaskRow>([[task.id, task]]);
        for (const t of [...unfinished, ...related]) byId.set(t.id, t);
        return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }
      default:
        return em.find(TaskEntity, { jobId }, order);
    }
  }

  /** Writes a decision into the open transaction; returns the stored seq of the last event. */
  private write(em: Em, job: JobRow, tasks: TaskRow[], d: Decision, nowMs: number): number {
    applyJobSnapshot(job, d.job);
    for (const s of d.changedTasks) {
      const row = tasks.find((t) => t.id === s.id);
      if (row) applyTaskSnapshot(row, s);
    }
    for (const payload of d.events) {
      job.lastSeq += 1;
      em.create(JobEventEntity, { jobId: job.id, seq: job.lastSeq, type: payload.type, payload, ts: new Date(nowMs) });
    }
    for (const m of d.models) em.create(ModelEntity, { ...m, createdAt: new Date(nowMs) });
    for (const t of d.newTasks) {
      tasks.push(
        em.create(TaskEntity, {
          id: t.id,
          jobId: job.id,
          kind: t.kind,
          state: 'pending',
          attempt: 0,
          maxAttempts: t.maxAttempts,
          spec: t.spec,
          nodeIds: t.nodeIds,
          executorId: null,
          leaseExpiresAt: null,
          availableAt: new Date(t.availableAtMs),
          result: null,
          errorCode: null,
          errorMessage: null,
          createdAt: new Date(nowMs),
          startedAt: null,
          finishedAt: null,
        }),
      );
    }
    if (this.debugInvariants) {
      const bad = checkInvariants({ job: d.job, tasks: tasks.map(taskSnapshot) });
      if (bad.length) this.log.error({ jobId: job.id, bad }, 'scheduler invariant violated');
    }
    return job.lastSeq;
  }

  private afterCommit(jobId: string, d: Decision, seq: number): void {
    if (d.events.length) this.hub.jobEvents(jobId, seq);
    if (d.wake) this.hub.wake();
  }

  /**
   * Applies one core event to a job in a transaction (serialised).
   * @returns the decision (accepted false: nothing was written), or null if the job does not exist.
   */
  apply(jobId: string, event: CoreEvent): Promise<Decision | null> {
    return this.serialise(async () => {
      let seq = 0;
      const d = await this.em().transactional(async (em) => {
        const loaded = await this.loadForUpdate(em, jobId, event);
        if (!loaded) return null;
        const dec = decide({ job: jobSnapshot(loaded.job), tasks: loaded.tasks.map(taskSnapshot) }, event, this.policy);
        if (dec.accepted) seq = this.write(em, loaded.job, loaded.tasks, dec, event.nowMs);
        return dec;
      });
      if (d?.accepted) this.afterCommit(jobId, d, seq);
      return d;
    });
  }

  /** Inserts a planned job (`pending`) and its tasks, then queues it, in one transaction. */
  insertJob(job: Omit<JobRow, 'lastSeq' | 'state' | 'result' | 'errorCode' | 'errorMessage' | 'startedAt' | 'finishedAt'>, tasks: Array<Pick<TaskRow, 'id' | 'kind' | 'spec' | 'nodeIds' | 'maxAttempts'>>): Promise<JobRow> {
    return this.serialise(async () => {
      const nowMs = job.createdAt.getTime();
      let seq = 0;
      let dec: Decision | undefined;
      const row = await this.em().transactional(async (em) => {
        const jobRow = em.create(JobEntity, { ...job, state: 'pending', result: { nodes: {} }, errorCode: null, errorMessage: null, startedAt: null, finishedAt: null, lastSeq: 0 });
        const taskRows = tasks.map((t) =>
          em.create(TaskEntity, {
            ...t,
            jobId: job.id,
            state: 'pending',
            attempt: 0,
            executorId: null,
            leaseExpiresAt: null,
            availableAt: job.createdAt,
            result: null,
            errorCode: null,
            errorMessage: null,
            createdAt: job.createdAt,
            startedAt: null,
            finishedAt: null,
          }),
        );
        dec = decideSubmitted({ job: jobSnapshot(jobRow), tasks: taskRows.map(taskSnapshot) }, nowMs);
        seq = this.write(em, jobRow, taskRows, dec, nowMs);
        return jobRow;
      });
      if (dec) this.afterCommit(job.id, dec, seq);
      return row;
    });
  }

  /**
   * Leases an available pending task to `executorId` (FOR UPDATE SKIP LOCKED on PostgreSQL):
   * the oldest, or with `preference`, the highest-scoring of the oldest LOCALITY_WINDOW
   * (ties: oldest). Returns null when there is none.
   */
  leaseNext(executorId: string, nowMs: number, preference?: (task: TaskRow) => number): Promise<GrantedLease | null> {
    return this.serialise(async () => {
      let seq = 0;
      let dec: Decision | null = null;
      let jobId = '';
      const granted = await this.em().transactional(async (em) => {
        const candidates = await em.find(
          TaskEntity,
          { state: 'pending', availableAt: { $lte: new Date(nowMs) } },
          { orderBy: { createdAt: 'asc', id: 'asc' }, limit: preference ? LOCALITY_WINDOW : 1, ...(this.pg ? { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE } : {}) },
        );
        let candidate = candidates[0];
        if (preference) {
          let best = -Infinity;
          for (const c of candidates) {
            const score = preference(c);
            if (score > best) [best, candidate] = [score, c];
          }
        }
        if (!candidate) return null;
        const event: CoreEvent = { type: 'lease_granted', taskId: candidate.id, executorId, nowMs };
        const loaded = await this.loadForUpdate(em, candidate.jobId, event);
        if (!loaded) return null;
        jobId = loaded.job.id;
        dec = decide({ job: jobSnapshot(loaded.job), tasks: loaded.tasks.map(taskSnapshot) }, event, this.policy);
        if (!dec.accepted) {
          this.log.warn({ taskId: candidate.id, reason: dec.reason }, 'pending task could not be leased');
          return null;
        }
        seq = this.write(em, loaded.job, loaded.tasks, dec, nowMs);
        const task = loaded.tasks.find((t) => t.id === candidate.id)!;
        return { task, leaseExpiresAtMs: task.leaseExpiresAt!.getTime() };
      });
      if (dec && granted) this.afterCommit(jobId, dec, seq);
      return granted;
    });
  }

  /** Number of tasks `executorId` holds (leased or running). */
  async heldCount(executorId: string): Promise<number> {
    return this.em().count(TaskEntity, { executorId, state: { $in: ['leased', 'running'] } });
  }

  /** Tasks whose lease expired at `nowMs`: `[taskId, jobId]`. */
  async expiredLeases(nowMs: number): Promise<Array<{ id: string; jobId: string }>> {
    const rows = await this.em().find(TaskEntity, { state: { $in: ['leased', 'running'] }, leaseExpiresAt: { $lte: new Date(nowMs) } }, { fields: ['id', 'jobId'], limit: 500 });
    return rows.map((r) => ({ id: r.id, jobId: r.jobId }));
  }

  /** True when some pending task becomes available by `nowMs`. */
  async hasAvailable(nowMs: number): Promise<boolean> {
    return (await this.em().count(TaskEntity, { state: 'pending', availableAt: { $lte: new Date(nowMs) } })) > 0;
  }
}

/** Payload type guard used by Watch: does this event end the job? */
export function isFinalJobEvent(p: JobEventPayload): boolean {
  return p.type === 'job_state' && (p.state === 'completed' || p.state === 'failed' || p.state === 'cancelled');
}
