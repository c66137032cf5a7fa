/** weft.v1.ExecutorService: Register, Heartbeat, StreamTasks, ReportProgress, Report. */
import type * as grpc from '@grpc/grpc-js';
import { ExecutorEntity, TaskEntity, newId, type Config, type Logger } from '@weft/common';
import {
  TaskProgressSchema,
  TaskResultSchema,
  isErrorCode,
  toGrpcError,
  WeftError,
  type Ack,
  type ExecutorServiceHandlers,
  type HeartbeatResponse,
  type ProgressReport__Output,
  type TaskReport__Output,
} from '@weft/proto';
import type { CoreEvent } from '../core/index.js';
import type { Dispatcher } from '../dispatcher.js';
import type { RenewalReceipts } from '../renewals.js';
import type { JobStore } from '../store/job-store.js';
import { checkExecutorSecret, unary } from './handlers.js';

export interface ExecutorServiceDeps {
  cfg: Config;
  store: JobStore;
  dispatcher: Dispatcher;
  log: Logger;
  clock: () => number;
  /** Where heartbeats note their renewals on arrival (see renewals.ts). */
  renewals?: RenewalReceipts;
}

/** The jobId of a task, or null when unknown. */
async function jobIdOf(store: JobStore, taskId: string): Promise<string | null> {
  const t = await store.em().findOne(TaskEntity, { id: taskId }, { fields: ['jobId'] });
  return t?.jobId ?? null;
}

/** Applies a fenced executor event and answers with an Ack. */
async function fenced(deps: ExecutorServiceDeps, taskId: string, ev: CoreEvent): Promise<Ack> {
  const jobId = await jobIdOf(deps.store, taskId);
  if (!jobId) return { accepted: false, reason: `STALE_ATTEMPT: unknown task ${taskId}` };
  const d = await deps.store.apply(jobId, ev);
  if (!d || !d.accepted) {
    deps.log.warn({ taskId, reason: d?.reason }, 'executor call refused');
    return { accepted: false, reason: d?.reason ?? 'STALE_ATTEMPT' };
  }
  return { accepted: true, reason: '' };
}

function reportEvent(req: TaskReport__Output, nowMs: number): CoreEvent {
  const base = { taskId: req.taskId, attempt: req.attempt, executorId: req.executorId, nowMs };
  if (req.ok) {
    let json: unknown;
    try {
      json = JSON.parse(req.resultJson || '{}');
    } catch {
      json = undefined;
    }
    const parsed = TaskResultSchema.safeParse(json);
    if (parsed.success) return { type: 'report_ok', ...base, result: parsed.data };
    return { type: 'report_failed', ...base, errorCode: 'INTERNAL', errorMessage: `executor ${req.executorId} sent an invalid task result`, retryable: true };
  }
  const code = isErrorCode(req.errorCode) ? req.errorCode : 'INTERNAL';
  return { type: 'report_failed', ...base, errorCode: code, errorMessage: req.errorMessage || code, retryable: req.retryable, ...(req.errorNodeId ? { errorNodeId: req.errorNodeId } : {}) };
}

/** Builds the ExecutorService implementation. */
export function executorService(deps: ExecutorServiceDeps): ExecutorServiceHandlers {
  const { cfg, store, dispatcher, log, clock } = deps;
  const auth = (call: { metadata: grpc.Metadata }) => checkExecutorSecret(cfg.executorSecret, call.metadata);

  return {
    Register: unary(log, 'Register', async (req, call) => {
      auth(call);
      const id = req.executorId || newId('exe');
      dispatcher.register(id, req.host, req.slots, req.cachedShards ?? []);
      const now = new Date(clock());
      await store.serialise(() => store.em().upsert(ExecutorEntity, { id, host: req.host.slice(0, 256), slots: Math.max(1, req.slots), registeredAt: now, lastHeartbeatAt: now }));
      log.info({ executorId: id, host: req.host, slots: req.slots, version: req.version }, 'executor registered');
      return { executorId: id, heartbeatIntervalMs: cfg.heartbeatMs, leaseTtlMs: cfg.leaseTtlMs };
    }),

    Heartbeat: unary(log, 'Heartbeat', async (req, call): Promise<HeartbeatResponse> => {
      auth(call);
      const receivedMs = clock();
      for (const l of req.leases) deps.renewals?.note(l.taskId, req.executorId, l.attempt, receivedMs);
      const conn = dispatcher.executors.get(req.executorId);
      if (conn) conn.lastSeenMs = receivedMs;
      if (conn && req.cachedShards) dispatcher.setCachedShards(req.executorId, req.cachedShards);
      const cancel: string[] = [];
      const lost: string[] = [];
      for (const l of req.leases) {
        const jobId = await jobIdOf(store, l.taskId);
        const d = jobId ? await store.apply(jobId, { type: 'heartbeat', taskId: l.taskId, attempt: l.attempt, executorId: req.executorId, nowMs: clock() }) : null;
        const verdict = d?.lease ?? 'lost';
        if (verdict === 'cancel') cancel.push(l.taskId);
        else if (verdict === 'lost') lost.push(l.taskId);
      }
      if (lost.length || cancel.length) log.info({ executorId: req.executorId, lost, cancel }, 'heartbeat: tasks to stop');
      return { cancelTaskIds: cancel, lostTaskIds: lost, reregister: !conn };
    }),

    StreamTasks: (call) => {
      try {
        auth(call);
        const id = call.request.executorId;
        if (!dispatcher.executors.has(id)) throw new WeftError('CONFLICT', `executor ${id} is not registered; call Register first`);
        dispatcher.attach(id, call as unknown as Parameters<Dispatcher['attach']>[1]);
        log.info({ executorId: id }, 'task stream opened');
      } catch (err) {
        call.emit('error', toGrpcError(err));
      }
    },

    ReportProgress: unary(log, 'ReportProgress', async (req: ProgressReport__Output, call) => {
      auth(call);
      let json: unknown;
      try {
        json = JSON.parse(req.progressJson || '{}');
      } catch {
        json = undefined;
      }
      const p = TaskProgressSchema.safeParse(json);
      if (!p.success) return { accepted: false, reason: 'INVALID_PROGRESS: progress_json is not a TaskProgress' };
      return fenced(deps, req.taskId, { type: 'progress', taskId: req.taskId, attempt: req.attempt, executorId: req.executorId, progress: p.data, nowMs: clock() });
    }),

    Report: unary(log, 'Report', async (req: TaskReport__Output, call) => {
      auth(call);
      const ack = await fenced(deps, req.taskId, reportEvent(req, clock()));
      if (ack.accepted) log.info({ taskId: req.taskId, attempt: req.attempt, executorId: req.executorId, ok: req.ok, errorCode: req.errorCode || undefined }, 'task reported');
      return ack;
    }),
  };
}
