/** Public types of the executor runtime. */
import type { Config, Logger } from '@weft/common';
import type { TaskResult, TaskSpec } from '@weft/proto';
import type { TaskContext } from './pipeline/index.js';

export type { TaskContext };

/** A task runner function (the pipeline's `runTask` signature). */
export type TaskRunnerFn = (spec: TaskSpec, ctx: TaskContext) => Promise<TaskResult>;

/**
 * A task runner loaded inside a worker thread: the absolute path of a CommonJS module and
 * the name of its exported runner function (default `runTask`). CPU-heavy runners must be
 * given this way so the main thread keeps heartbeating.
 */
export interface WorkerRunnerRef {
  modulePath: string;
  exportName?: string;
}

export interface ExecutorOptions {
  config: Config;
  /** A function (runs on the main thread: tests, light work) or a worker module reference. */
  runTask: TaskRunnerFn | WorkerRunnerRef;
  log?: Logger;
  /** Executor id; default `${hostname}-${pid}-${random}`. */
  executorId?: string;
  /** Deadline of every unary call, milliseconds. Default 10 000. */
  callDeadlineMs?: number;
  /** Shard cache cap, bytes; default WEFT_SHARD_CACHE_BYTES (512 MiB). */
  shardCacheBytes?: number;
  /** Minimum interval between progress reports of one task, milliseconds. Default 200 (≤ 5/s). */
  progressIntervalMs?: number;
}

/** A running executor. */
export interface ExecutorHandle {
  readonly executorId: string;
  /** Stops taking tasks, aborts running ones (without reporting), closes the connection. */
  close(): Promise<void>;
}

/** How a task attempt ended. */
export type TaskOutcome =
  | { kind: 'ok'; result: TaskResult }
  | { kind: 'failed'; code: string; message: string; retryable: boolean }
  | { kind: 'aborted' };
