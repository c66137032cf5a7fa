/** weft.v1.JobService: Submit, Get, List, Watch, Cancel. */
import { JobEntity, JobEventEntity, TaskEntity, type Config, type JobRow, type Logger } from '@weft/common';
import { WeftError, isJobState, toGrpcError, type Job, type JobEventPayload, type JobServiceHandlers, type ListJobsResponse } from '@weft/proto';
import type { EventHub } from '../store/hub.js';
import { isFinalJobEvent, type JobStore } from '../store/job-store.js';
import { jobMessage } from '../store/mappers.js';
import { submitJob } from '../submit.js';
import { unary, workspaceOf } from './handlers.js';

export interface JobServiceDeps {
  cfg: Config;
  store: JobStore;
  hub: EventHub;
  log: Logger;
  clock: () => number;
  /** Registers a live Watch stream so shutdown can end it; returns the unregister function. */
  trackStream(end: () => void): () => void;
}

async function loadJob(store: JobStore, jobId: string, workspaceId: string | undefined): Promise<JobRow> {
  const job = await store.em().findOne(JobEntity, { id: jobId });
  if (!job || (workspaceId && job.workspaceId !== workspaceId)) throw new WeftError('NOT_FOUND', `job ${jobId} does not exist`);
  return job;
}

async function toMessage(store: JobStore, job: JobRow): Promise<Job> {
  const tasks = await store.em().find(TaskEntity, { jobId: job.id });
  return jobMessage(job, tasks);
}

function encodeCursor(j: JobRow): string {
  return Buffer.from(JSON.stringify([new Date(j.createdAt).getTime(), j.id])).toString('base64url');
}

function decodeCursor(c: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new WeftError('VALIDATION_FAILED', 'cursor is not a cursor from a previous List response');
}

/** Builds the JobService implementation. */
export function jobService(deps: JobServiceDeps): JobServiceHandlers {
  const { cfg, store, hub, log, clock } = deps;
  return {
    Submit: unary(log, 'Submit', async (req) => {
      const job = await submitJob(
        store,
        cfg,
        { workflowJson: req.workflowJson, workflowId: req.workflowId || null, idempotencyKey: req.idempotencyKey || null, workspaceId: workspaceOf(req.workspaceId) },
        clock(),
      );
      log.info({ jobId: job.id }, 'job submitted');
      return toMessage(store, job);
    }),

    Get: unary(log, 'Get', async (req) => toMessage(store, await loadJob(store, req.jobId, req.workspaceId || undefined))),

    List: unary(log, 'List', async (req): Promise<ListJobsResponse> => {
      const limit = req.limit > 0 ? Math.min(req.limit, 500) : 50;
      if (req.state && !isJobState(req.state)) throw new WeftError('VALIDATION_FAILED', `state "${req.state}" is not a job state`);
      const where: Record<string, unknown> = { workspaceId: workspaceOf(req.workspaceId) };
      if (req.state) where.state = req.state;
      if (req.cursor) {
        const [atMs, id] = decodeCursor(req.cursor);
        const at = new Date(atMs);
        where.$or = [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: id } }];
      }
      const em = store.em();
      const rows = await em.find(JobEntity, where as never, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const tasks = page.length ? await em.find(TaskEntity, { jobId: { $in: page.map((j) => j.id) } }) : [];
      return {
        jobs: page.map((j) => jobMessage(j, tasks.filter((t) => t.jobId === j.id))),
        nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : '',
      };
    }),

    Cancel: unary(log, 'Cancel', async (req) => {
      const job = await loadJob(store, req.jobId, req.workspaceId || undefined);
      const d = await store.apply(job.id, { type: 'cancel', nowMs: clock() });
      if (d?.accepted) log.info({ jobId: job.id }, 'job cancelled');
      return toMessage(store, await loadJob(store, job.id, undefined));
    }),

    Watch: (call) => {
      const { jobId } = call.request;
      let last = Number(call.request.afterSeq) || 0;
      let ended = false;
      let draining = false;
      let again = false;
      let unsubscribe = () => {};
      let untrack = () => {};
      const finish = () => {
        if (ended) return;
        ended = true;
        unsubscribe();
        untrack();
        call.end();
      };
      const drain = async (): Promise<void> => {
        if (draining) {
          again = true;
          return;
        }
        draining = true;
        try {
          do {
            again = false;
            const rows = await store.em().find(JobEventEntity, { jobId, seq: { $gt: last } }, { orderBy: { seq: 'asc' }, limit: 500 });
            for (const r of rows) {
              if (ended) return;
              last = r.seq;
              call.write({ jobId, seq: r.seq, type: r.type, payloadJson: JSON.stringify(r.payload), tsMs: new Date(r.ts).getTime() });
              if (isFinalJobEvent(r.payload as JobEventPayload)) return finish();
            }
            if (rows.length === 500) again = true;
          } while (again && !ended);
          const job = await store.em().findOne(JobEntity, { id: jobId }, { fields: ['state', 'lastSeq'] });
          if (job && ['completed', 'failed', 'cancelled'].includes(job.state) && last >= job.lastSeq) finish();
        } finally {
          draining = false;
          if (again && !ended) void drain().catch((err: unknown) => log.error({ err, jobId }, 'watch failed'));
        }
      };
      call.on('cancelled', () => {
        ended = true;
        unsubscribe();
        untrack();
      });
      loadJob(store, jobId, call.request.workspaceId || undefined)
        .then(() => {
          if (ended) return;
          unsubscribe = hub.onJob(jobId, () => void drain().catch((err: unknown) => log.error({ err, jobId }, 'watch failed')));
          untrack = deps.trackStream(finish);
          return drain();
        })
        .catch((err: unknown) => {
          if (ended) return;
          ended = true;
          unsubscribe();
          untrack();
          call.emit('error', toGrpcError(err));
        });
    },
  };
}
