/** @weft/executors: the executor runtime (register, stream tasks, heartbeat, report). */
export { startExecutor, newExecutorId, Executor } from './runtime.js';
export type { ExecutorHandle, ExecutorOptions, TaskRunnerFn, WorkerRunnerRef, TaskContext, TaskOutcome } from './types.js';
