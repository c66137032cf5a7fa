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
import type { JobEventPayload } from '@weft/proto';
import { checkInvariants, decide, decideSubmitted, type CoreEvent, type CorePolicy, type Decision } from '../core/index.js';
import { applyJobSnapshot, applyTaskSnapshot, jobSnapshot, taskSnapshot } from './mappers.js';
import type { EventHub } from './hub.js';
import { SerialQueue } from './serial.js';

/** Oldest pending tasks a locality-aware lease chooses among. */
const LOCALITY_WINDOW = 64;

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

  private async loadForUpdate(em: Em, jobId: string): Promise<{ job: JobRow; tasks: TaskRow[] } | null> {
    const job = await em.findOne(JobEntity, { id: jobId }, this.pg ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!job) return null;
    const tasks = await em.find(TaskEntity, { jobId }, { orderBy: { id: 'asc' } });
    return { job, tasks };
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
        const loaded = await this.loadForUpdate(em, jobId);
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
        const loaded = await this.loadForUpdate(em, candidate.jobId);
        if (!loaded) return null;
        jobId = loaded.job.id;
        dec = decide({ job: jobSnapshot(loaded.job), tasks: loaded.tasks.map(taskSnapshot) }, { type: 'lease_granted', taskId: candidate.id, executorId, nowMs }, this.policy);
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
