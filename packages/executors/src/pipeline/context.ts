import type { Logger, ObjectStore } from '@weft/common';
import type { TaskProgress } from '@weft/proto';

/** What a running task may use: the object store, its abort signal, a progress sink. */
export interface TaskContext {
  store: ObjectStore;
  /** Fires when the task is cancelled or its lease is lost. */
  signal: AbortSignal;
  onProgress(p: TaskProgress): void;
  log: Logger;
  executorId: string;
}
