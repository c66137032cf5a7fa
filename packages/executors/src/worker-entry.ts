/**
 * Worker-thread entry. A pooled worker (workerData `{ pooled: true }`) waits for `run`
 * messages and runs one task at a time, staying warm (modules loaded, WASM compiled) for the
 * next; a one-shot worker runs the task in `workerData` at once. Per run it loads the runner
 * module named in the message and posts `progress`, `shard_request`, then `result` or
 * `error` messages tagged with the run id. The parent aborts a run with an `abort` message
 * (and terminates the thread if it does not stop). Shards come from the executor's cache on
 * the main thread (`shard_request` / `shard_reply`, shared memory, no copy).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, createObjectStore, type Config } from '@weft/common';
import { WeftError, type TaskProgress, type TaskResult, type TaskSpec } from '@weft/proto';
import { serializeError, type SerializedError } from './errors.js';
import type { ShardData } from './shards/arrow-file.js';
import type { ShardSource } from './shards/cache.js';
import type { TaskRunnerFn } from './types.js';

/** The data a task run starts with. */
export interface TaskWorkerData {
  modulePath: string;
  exportName: string;
  spec: TaskSpec;
  executorId: string;
  taskId: string;
  attempt: number;
  config: Config;
}

/** Messages a task worker posts (every one names its run). */
export type TaskWorkerMessage =
  | { type: 'progress'; runId: number; progress: TaskProgress }
  | { type: 'shard_request'; runId: number; id: number; objectKey: string; batchStart: number; batchEnd: number }
  | { type: 'result'; runId: number; result: TaskResult }
  | { type: 'error'; runId: number; error: SerializedError };

/** Messages the parent posts. */
export type TaskParentMessage =
  | { type: 'run'; runId: number; data: TaskWorkerData }
  | { type: 'abort'; runId: number }
  | { type: 'shard_reply'; runId: number; id: number; data?: ShardData; error?: string; code?: string };

const port = parentPort!;
const post = (m: TaskWorkerMessage) => port.postMessage(m);
const aborts = new Map<number, AbortController>();
const pending = new Map<string, { resolve: (d: ShardData) => void; reject: (e: Error) => void }>();
let nextShardId = 0;

async function runOne(runId: number, data: TaskWorkerData): Promise<void> {
  const ac = new AbortController();
  aborts.set(runId, ac);
  const shards: ShardSource = {
    read: (objectKey, batchStart, batchEnd) =>
      new Promise((resolve, reject) => {
        const id = nextShardId++;
        pending.set(`${runId}:${id}`, { resolve, reject });
        post({ type: 'shard_request', runId, id, objectKey, batchStart, batchEnd });
      }),
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(data.modulePath) as Record<string, unknown>;
    const fn = mod[data.exportName];
    if (typeof fn !== 'function') throw new Error(`${data.modulePath} has no function export "${data.exportName}"`);
    const log = createLogger('executor', data.config.logLevel).child({ executorId: data.executorId, taskId: data.taskId, attempt: data.attempt });
    const result = await (fn as TaskRunnerFn)(data.spec, {
      store: createObjectStore(data.config),
      signal: ac.signal,
      onProgress: (progress) => post({ type: 'progress', runId, progress }),
      log,
      executorId: data.executorId,
      shards,
    });
    post({ type: 'result', runId, result });
  } catch (err) {
    post({ type: 'error', runId, error: serializeError(err) });
  } finally {
    aborts.delete(runId);
  }
}

port.on('message', (m: TaskParentMessage) => {
  if (m?.type === 'run') void runOne(m.runId, m.data);
  else if (m?.type === 'abort') aborts.get(m.runId)?.abort(new Error('task aborted'));
  else if (m?.type === 'shard_reply') {
    const key = `${m.runId}:${m.id}`;
    const w = pending.get(key);
    pending.delete(key);
    if (!w) return;
    if (m.data) w.resolve(m.data);
    else w.reject(m.code ? new WeftError(m.code as never, m.error ?? 'shard read failed') : new Error(m.error ?? 'shard read failed'));
  }
});

const wd = workerData as (TaskWorkerData & { pooled?: false }) | { pooled: true } | null;
if (wd && !('pooled' in wd && wd.pooled)) void runOne(0, wd as TaskWorkerData);
