/**
 * Runs one task attempt, in a worker thread (runner given as a module reference) or on the
 * main thread (runner given as a function). Either way the caller gets a promise of the
 * outcome and an `abort()` that makes it resolve `{ kind: 'aborted' }` promptly.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createObjectStore, type Config, type Logger } from '@weft/common';
import type { TaskProgress, TaskSpec } from '@weft/proto';
import { failureOf, serializeError } from './errors.js';
import type { TaskOutcome, TaskRunnerFn, WorkerRunnerRef } from './types.js';
import type { TaskParentMessage, TaskWorkerData, TaskWorkerMessage } from './worker-entry.js';
import type { ShardSource } from './shards/cache.js';

export interface TaskRunInput {
  spec: TaskSpec;
  taskId: string;
  attempt: number;
  executorId: string;
  config: Config;
  log: Logger;
  onProgress(p: TaskProgress): void;
  /** The executor's shard cache (shared by its tasks). */
  shards?: ShardSource;
}

export interface TaskRun {
  outcome: Promise<TaskOutcome>;
  /** Stops the task; its outcome becomes `aborted`. */
  abort(): void;
}

/** Grace period between the abort message and terminating the worker, milliseconds. */
const ABORT_GRACE_MS = 250;
/** Idle warm workers kept per runner module. */
const MAX_IDLE_WORKERS = 4;

const idle = new Map<string, Worker[]>();
let nextRunId = 1;

/** A warm worker for `ref` (modules already loaded), or a new pooled one. */
function takeWorker(key: string): Worker {
  const list = idle.get(key);
  const w = list?.pop();
  if (w) return w;
  const fresh = new Worker(path.join(__dirname, 'worker-entry.js'), { workerData: { pooled: true } });
  fresh.unref();
  return fresh;
}

function returnWorker(key: string, w: Worker): void {
  const list = idle.get(key) ?? [];
  if (list.length >= MAX_IDLE_WORKERS) {
    void w.terminate();
    return;
  }
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  w.removeAllListeners('exit');
  w.on('error', () => undefined);
  w.on('exit', () => {
    const l = idle.get(key);
    if (l) idle.set(key, l.filter((x) => x !== w));
  });
  list.push(w);
  idle.set(key, list);
}

/** Terminates every idle pooled worker (executor shutdown, tests). */
export async function closeWorkerPool(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map((w) => w.terminate()));
}

function runInWorker(ref: WorkerRunnerRef, input: TaskRunInput): TaskRun {
  const data: TaskWorkerData = {
    modulePath: ref.modulePath,
    exportName: ref.exportName ?? 'runTask',
    spec: input.spec,
    executorId: input.executorId,
    taskId: input.taskId,
    attempt: input.attempt,
    config: input.config,
  };
  const key = `${data.modulePath}#${data.exportName}`;
  const runId = nextRunId++;
  const worker = takeWorker(key);
  let aborted = false;
  let finished = false;
  const done = () => finished;
  let settle!: (o: TaskOutcome, reusable: boolean) => void;
  const outcome = new Promise<TaskOutcome>((resolve) => {
    settle = (o, reusable) => {
      if (finished) return;
      finished = true;
      resolve(aborted ? { kind: 'aborted' } : o);
      if (reusable && !aborted) returnWorker(key, worker);
      else void worker.terminate();
    };
  });
  worker.on('message', (m: TaskWorkerMessage) => {
    if (aborted || m.runId !== runId) return;
    if (m.type === 'shard_request') {
      const reply = (r: object) => {
        if (!done()) worker.postMessage({ type: 'shard_reply', runId, id: m.id, ...r } satisfies TaskParentMessage);
      };
      if (!input.shards) reply({ error: 'no shard cache' });
      else input.shards.read(m.objectKey, m.batchStart, m.batchEnd).then((d) => reply({ data: d }), (err: Error) => reply({ error: err.message, code: (err as { code?: string }).code }));
      return;
    }
    if (m.type === 'progress') input.onProgress(m.progress);
    else if (m.type === 'result') settle({ kind: 'ok', result: m.result }, true);
    else if (m.type === 'error') settle(failureOf(m.error), true);
  });
  worker.on('error', (err) => settle(failureOf(serializeError(err)), false));
  worker.on('exit', (code) => settle({ kind: 'failed', code: 'INTERNAL', message: `task worker exited with code ${code} before reporting`, retryable: true }, false));
  worker.postMessage({ type: 'run', runId, data } satisfies TaskParentMessage);
  return {
    outcome,
    abort: () => {
      if (aborted) return;
      aborted = true;
      worker.postMessage({ type: 'abort', runId } satisfies TaskParentMessage);
      setTimeout(() => settle({ kind: 'aborted' }, false), ABORT_GRACE_MS).unref();
    },
  };
}

function runInProcess(fn: TaskRunnerFn, input: TaskRunInput): TaskRun {
  const ac = new AbortController();
  const aborted = new Promise<TaskOutcome>((resolve) => ac.signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true }));
  const ran = (async (): Promise<TaskOutcome> => {
    try {
      const result = await fn(input.spec, {
        store: createObjectStore(input.config),
        signal: ac.signal,
        onProgress: (p) => {
          if (!ac.signal.aborted) input.onProgress(p);
        },
        log: input.log.child({ taskId: input.taskId, attempt: input.attempt }),
        executorId: input.executorId,
        ...(input.shards ? { shards: input.shards } : {}),
      });
      return { kind: 'ok', result };
    } catch (err) {
      return failureOf(serializeError(err));
    }
  })();
  return {
    outcome: Promise.race([ran, aborted]).then((o) => (ac.signal.aborted ? { kind: 'aborted' } : o)),
    abort: () => ac.abort(new Error('task aborted')),
  };
}

/** Starts a task attempt with the given runner. */
export function startTaskRun(runner: TaskRunnerFn | WorkerRunnerRef, input: TaskRunInput): TaskRun {
  return typeof runner === 'function' ? runInProcess(runner, input) : runInWorker(runner, input);
}
