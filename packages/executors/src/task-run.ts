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
import type { TaskWorkerData, TaskWorkerMessage } from './worker-entry.js';

export interface TaskRunInput {
  spec: TaskSpec;
  taskId: string;
  attempt: number;
  executorId: string;
  config: Config;
  log: Logger;
  onProgress(p: TaskProgress): void;
}

export interface TaskRun {
  outcome: Promise<TaskOutcome>;
  /** Stops the task; its outcome becomes `aborted`. */
  abort(): void;
}

/** Grace period between the abort message and terminating the worker, milliseconds. */
const ABORT_GRACE_MS = 250;

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
  const worker = new Worker(path.join(__dirname, 'worker-entry.js'), { workerData: data });
  let aborted = false;
  let settle!: (o: TaskOutcome) => void;
  const outcome = new Promise<TaskOutcome>((resolve) => {
    let done = false;
    settle = (o) => {
      if (done) return;
      done = true;
      resolve(aborted ? { kind: 'aborted' } : o);
      void worker.terminate();
    };
  });
  worker.on('message', (m: TaskWorkerMessage) => {
    if (aborted) return;
    if (m.type === 'progress') input.onProgress(m.progress);
    else if (m.type === 'result') settle({ kind: 'ok', result: m.result });
    else if (m.type === 'error') settle(failureOf(m.error));
  });
  worker.on('error', (err) => settle(failureOf(serializeError(err))));
  worker.on('exit', (code) => settle({ kind: 'failed', code: 'INTERNAL', message: `task worker exited with code ${code} before reporting`, retryable: true }));
  return {
    outcome,
    abort: () => {
      if (aborted) return;
      aborted = true;
      worker.postMessage({ type: 'abort' });
      setTimeout(() => settle({ kind: 'aborted' }), ABORT_GRACE_MS).unref();
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
