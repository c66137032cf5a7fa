/**
 * Worker-thread entry: loads the runner module named in `workerData`, runs one task and
 * posts `progress`, then `result` or `error` messages to the parent. The parent aborts
 * with an `abort` message (and terminates the thread if it does not stop).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, createObjectStore, type Config } from '@weft/common';
import type { TaskSpec } from '@weft/proto';
import { serializeError } from './errors.js';
import type { TaskRunnerFn } from './types.js';

/** The data a task worker starts with. */
export interface TaskWorkerData {
  modulePath: string;
  exportName: string;
  spec: TaskSpec;
  executorId: string;
  taskId: string;
  attempt: number;
  config: Config;
}

/** Messages a task worker posts. */
export type TaskWorkerMessage =
  | { type: 'progress'; progress: import('@weft/proto').TaskProgress }
  | { type: 'result'; result: import('@weft/proto').TaskResult }
  | { type: 'error'; error: import('./errors.js').SerializedError };

async function run(): Promise<void> {
  const data = workerData as TaskWorkerData;
  const port = parentPort!;
  const ac = new AbortController();
  port.on('message', (m: { type?: string }) => {
    if (m?.type === 'abort') ac.abort(new Error('task aborted'));
  });
  const post = (m: TaskWorkerMessage) => port.postMessage(m);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(data.modulePath) as Record<string, unknown>;
    const fn = mod[data.exportName];
    if (typeof fn !== 'function') throw new Error(`${data.modulePath} has no function export "${data.exportName}"`);
    const log = createLogger('executor', data.config.logLevel).child({ executorId: data.executorId, taskId: data.taskId, attempt: data.attempt });
    const result = await (fn as TaskRunnerFn)(data.spec, {
      store: createObjectStore(data.config),
      signal: ac.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
      log,
      executorId: data.executorId,
    });
    post({ type: 'result', result });
  } catch (err) {
    post({ type: 'error', error: serializeError(err) });
  }
}

void run();
