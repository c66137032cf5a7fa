/**
 * The executor runtime: registers with the scheduler, keeps a task stream open (re-registering
 * and reconnecting with capped exponential backoff after errors or scheduler restarts),
 * heartbeats its leases every `heartbeatMs`, runs each assigned task (in a worker thread),
 * forwards throttled progress and reports the outcome. Tasks the scheduler says are lost or
 * cancelled are aborted and never reported.
 */
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import type * as grpc from '@grpc/grpc-js';
import { createLogger, createObjectStore, type Config, type Logger } from '@weft/common';
import { ShardCache } from './shards/cache.js';
import { loadShardCacheConfig } from './shards/config.js';
import { TaskSpecSchema, type TaskAssignment__Output, type TaskReport } from '@weft/proto';
import { Backoff, sleep } from './backoff.js';
import { SchedulerClient } from './client.js';
import { ProgressThrottle } from './progress-throttle.js';
import { closeWorkerPool, startTaskRun, type TaskRun } from './task-run.js';
import type { FailedOutcome } from './errors.js';
import type { ExecutorHandle, ExecutorOptions, TaskOutcome } from './types.js';

interface HeldTask {
  taskId: string;
  jobId: string;
  attempt: number;
  run: TaskRun | null;
  throttle: ProgressThrottle;
  /** Set when the scheduler said lost/cancel or the executor is closing: never report. */
  stopped: boolean;
}

const VERSION = '0.1.0';

/** A new executor id: `${hostname}-${pid}-${random}`. */
export function newExecutorId(): string {
  return `${os.hostname()}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
}

export class Executor implements ExecutorHandle {
  readonly executorId: string;
  private readonly cfg: Config;
  private readonly log: Logger;
  private readonly client: SchedulerClient;
  private readonly held = new Map<string, HeldTask>();
  private readonly closing = new AbortController();
  private stream: grpc.ClientReadableStream<TaskAssignment__Output> | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;
  private heartbeatMs: number;
  private loop: Promise<void> = Promise.resolve();
  /** Shards read by this executor's tasks, kept up to WEFT_SHARD_CACHE_BYTES (LRU). */
  readonly shardCache: ShardCache;

  constructor(private readonly opts: ExecutorOptions) {
    this.cfg = opts.config;
    this.executorId = opts.executorId ?? newExecutorId();
    this.log = (opts.log ?? createLogger('executor', this.cfg.logLevel)).child({ executorId: this.executorId });
    this.client = new SchedulerClient(this.cfg.schedulerUrl, this.cfg.executorSecret, opts.callDeadlineMs ?? 10_000);
    this.heartbeatMs = this.cfg.heartbeatMs;
    this.shardCache = new ShardCache(createObjectStore(this.cfg), opts.shardCacheBytes ?? loadShardCacheConfig().shardCacheBytes);
  }

  /** Starts the connection loop and the heartbeat. */
  start(): void {
    this.loop = this.connectLoop();
    this.scheduleHeartbeat();
  }

  private get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** Register → open stream → wait for it to end → back off → repeat, until closed. */
  private async connectLoop(): Promise<void> {
    const backoff = new Backoff(100, 2_000);
    while (!this.closed) {
      try {
        const res = await this.client.register({ executorId: this.executorId, host: os.hostname(), slots: this.cfg.executorSlots, version: VERSION, cachedShards: this.shardCache.keys() });
        if (res.heartbeatIntervalMs > 0 && res.heartbeatIntervalMs !== this.heartbeatMs) {
          this.heartbeatMs = res.heartbeatIntervalMs;
          this.scheduleHeartbeat();
        }
        this.log.info({ slots: this.cfg.executorSlots, leaseTtlMs: res.leaseTtlMs }, 'registered with scheduler');
        backoff.reset();
        await this.streamUntilEnd();
      } catch (err) {
        if (!this.closed) this.log.warn({ err: (err as Error).message }, 'scheduler unreachable; retrying');
      }
      if (!this.closed) await sleep(backoff.next(), this.closing.signal);
    }
  }

  private streamUntilEnd(): Promise<void> {
    return new Promise((resolve) => {
      const call = this.client.streamTasks(this.executorId);
      this.stream = call;
      let done = false;
      const end = (why: string, err?: Error) => {
        if (done) return;
        done = true;
        if (this.stream === call) this.stream = null;
        if (!this.closed) this.log.warn({ why, err: err?.message }, 'task stream ended');
        resolve();
      };
      call.on('data', (a: TaskAssignment__Output) => this.onAssignment(a));
      call.on('error', (err: Error) => end('error', err));
      call.on('end', () => end('end'));
      call.on('close', () => end('close'));
    });
  }

  private onAssignment(a: TaskAssignment__Output): void {
    if (this.closed) return;
    const prev = this.held.get(a.taskId);
    if (prev) this.stopTask(prev, 'superseded by a newer attempt');
    let spec;
    try {
      spec = TaskSpecSchema.parse(JSON.parse(a.specJson));
    } catch (err) {
      this.log.error({ taskId: a.taskId, err: (err as Error).message }, 'invalid task spec');
      const h: HeldTask = { taskId: a.taskId, jobId: a.jobId, attempt: a.attempt, run: null, throttle: new ProgressThrottle(async () => {}), stopped: false };
      this.held.set(a.taskId, h);
      void this.finish(h, { kind: 'failed', code: 'INTERNAL', message: `executor could not parse the task spec: ${(err as Error).message}`, retryable: false });
      return;
    }
    const h: HeldTask = {
      taskId: a.taskId,
      jobId: a.jobId,
      attempt: a.attempt,
      run: null,
      stopped: false,
      throttle: new ProgressThrottle(async (p) => {
        if (h.stopped) return;
        const ack = await this.client.reportProgress({ taskId: h.taskId, attempt: h.attempt, executorId: this.executorId, progressJson: JSON.stringify(p) });
        if (!ack.accepted) this.log.debug({ taskId: h.taskId, reason: ack.reason }, 'progress refused');
      }, this.opts.progressIntervalMs ?? 200),
    };
    this.held.set(a.taskId, h);
    this.log.info({ taskId: a.taskId, jobId: a.jobId, attempt: a.attempt, kind: a.kind }, 'task started');
    h.run = startTaskRun(this.opts.runTask, {
      spec,
      taskId: a.taskId,
      attempt: a.attempt,
      executorId: this.executorId,
      config: this.cfg,
      log: this.log,
      shards: this.shardCache,
      onProgress: (p) => {
        if (!h.stopped) h.throttle.push(p);
      },
    });
    void h.run.outcome.then((o) => this.finish(h, o));
  }

  /** Reports an outcome, retrying transport failures while the lease is still ours. */
  private async finish(h: HeldTask, o: TaskOutcome): Promise<void> {
    try {
      if (o.kind === 'aborted' || h.stopped) return;
      await h.throttle.flush();
      const report: TaskReport =
        o.kind === 'ok'
          ? { taskId: h.taskId, attempt: h.attempt, executorId: this.executorId, ok: true, resultJson: JSON.stringify(o.result) }
          : {
              taskId: h.taskId,
              attempt: h.attempt,
              executorId: this.executorId,
              ok: false,
              errorCode: o.code,
              errorMessage: o.message,
              retryable: o.retryable,
              ...((o as FailedOutcome).nodeId ? { errorNodeId: (o as FailedOutcome).nodeId } : {}),
            };
      const backoff = new Backoff(100, 2_000);
      const giveUpAt = Date.now() + Math.max(60_000, this.cfg.leaseTtlMs * 4);
      while (!h.stopped && !this.closed && Date.now() < giveUpAt) {
        try {
          const ack = await this.client.report(report);
          if (ack.accepted) this.log.info({ taskId: h.taskId, attempt: h.attempt, ok: report.ok, errorCode: report.errorCode }, 'task reported');
          else this.log.warn({ taskId: h.taskId, attempt: h.attempt, reason: ack.reason }, 'report refused');
          return;
        } catch (err) {
          this.log.warn({ taskId: h.taskId, err: (err as Error).message }, 'report failed; retrying');
          await sleep(backoff.next(), this.closing.signal);
        }
      }
    } finally {
      h.throttle.cancel();
      if (this.held.get(h.taskId) === h) this.held.delete(h.taskId);
    }
  }

  /** Aborts a task without reporting it. */
  private stopTask(h: HeldTask, why: string): void {
    if (h.stopped) return;
    h.stopped = true;
    h.throttle.cancel();
    h.run?.abort();
    if (this.held.get(h.taskId) === h) this.held.delete(h.taskId);
    this.log.warn({ taskId: h.taskId, attempt: h.attempt, why }, 'task stopped');
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.closed) return;
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.closed) return;
    this.heartbeatInFlight = true;
    try {
      const leases = [...this.held.values()].filter((h) => !h.stopped).map((h) => ({ taskId: h.taskId, attempt: h.attempt }));
      const res = await this.client.heartbeat({ executorId: this.executorId, leases, cachedShards: this.shardCache.keys() }, Math.max(1_000, this.cfg.leaseTtlMs));
      const sent = new Map(leases.map((l) => [l.taskId, l.attempt]));
      const stop = (ids: string[], why: string) => {
        for (const id of ids) {
          const h = this.held.get(id);
          if (h && sent.get(id) === h.attempt) this.stopTask(h, why);
        }
      };
      stop(res.cancelTaskIds, 'job cancelled');
      stop(res.lostTaskIds, 'lease lost');
      if (res.reregister && this.stream) {
        this.log.info('scheduler does not know this executor; re-registering');
        this.stream.cancel();
      }
    } catch (err) {
      if (!this.closed) this.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /** Number of tasks this executor currently runs or reports. */
  get activeTasks(): number {
    return this.held.size;
  }

  async close(): Promise<void> {
    if (this.closed) return this.loop;
    this.closing.abort();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    for (const h of [...this.held.values()]) this.stopTask(h, 'executor shutting down');
    this.stream?.cancel();
    await this.loop;
    await closeWorkerPool();
    this.client.close();
    this.log.info('executor stopped');
  }
}

/** Starts an executor; it connects in the background and retries until closed. */
export function startExecutor(opts: ExecutorOptions): ExecutorHandle {
  const ex = new Executor(opts);
  ex.start();
  return ex;
}
