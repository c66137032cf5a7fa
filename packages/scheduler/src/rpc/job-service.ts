/** weft.v1.JobService: Submit, Get, List, Watch, Cancel. */
import { JobEntity, JobEventEntity, TaskEntity, type Config, type JobRow, type Logger } from '@weft/common';
import type * as grpc from '@grpc/grpc-js';
import type { JobCaller } from './handlers.js';
import { WeftError, isJobState, toGrpcError, type Job, type JobEventPayload, type JobServiceHandlers, type ListJobsResponse } from '@weft/proto';
import type { EventHub } from '../store/hub.js';
import { isFinalJobEvent, type JobStore } from '../store/job-store.js';
import { jobMessage } from '../store/mappers.js';
import { submitJob } from '../submit.js';
import { authenticateJobCall, callWorkspace, requireCallerRole, unary } from './handlers.js';
import { workspaceCpu, type Em } from '@weft/common';

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
  const caller = (md: grpc.Metadata) => authenticateJobCall(store.em() as Em, cfg.internalSecret, md);
  /** Workspace a Get/Cancel/Watch is confined to: an API key's, else the request's if given (trusted callers). */
  const scope = (c: JobCaller, requested: string) => c.workspaceId ?? (requested || undefined);
  return {
    Submit: unary(log, 'Submit', async (req, call) => {
      const c = await caller(call.metadata);
      requireCallerRole(c, 'editor');
      const workspaceId = callWorkspace(c, req.workspaceId);
      if (cfg.quotaCpuSeconds > 0) {
        const { seconds } = await workspaceCpu(store.em() as Em, workspaceId);
        if (seconds >= cfg.quotaCpuSeconds) {
          throw new WeftError('QUOTA_EXCEEDED', `Workspace compute quota reached: ${seconds.toFixed(1)} of ${cfg.quotaCpuSeconds} CPU-seconds used`, { quota: 'cpuSeconds', used: seconds, limit: cfg.quotaCpuSeconds });
        }
      }
      const job = await submitJob(
        store,
        cfg,
        { workflowJson: req.workflowJson, workflowId: req.workflowId || null, idempotencyKey: req.idempotencyKey || null, workspaceId },
        clock(),
      );
      log.info({ jobId: job.id }, 'job submitted');
      return toMessage(store, job);
    }),

    Get: unary(log, 'Get', async (req, call) => toMessage(store, await loadJob(store, req.jobId, scope(await caller(call.metadata), req.workspaceId)))),

    List: unary(log, 'List', async (req, call): Promise<ListJobsResponse> => {
      const c = await caller(call.metadata);
      const limit = req.limit > 0 ? Math.min(req.limit, 500) : 50;
      if (req.state && !isJobState(req.state)) throw new WeftError('VALIDATION_FAILED', `state "${req.state}" is not a job state`);
      const where: Record<string, unknown> = { workspaceId: callWorkspace(c, req.workspaceId) };
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

    Cancel: unary(log, 'Cancel', async (req, call) => {
      const c = await caller(call.metadata);
      requireCallerRole(c, 'editor');
      const job = await loadJob(store, req.jobId, scope(c, req.workspaceId));
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
      caller(call.metadata)
        .then((c) => loadJob(store, jobId, scope(c, call.request.workspaceId)))
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
