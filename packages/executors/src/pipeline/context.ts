import type { Logger, ObjectStore } from '@weft/common';
import type { TaskProgress } from '@weft/proto';
import type { ShardSource } from '../shards/cache.js';

/** What a running task may use: the object store, its abort signal, a progress sink. */
export interface TaskContext {
  store: ObjectStore;
  /** Fires when the task is cancelled or its lease is lost. */
  signal: AbortSignal;
  onProgress(p: TaskProgress): void;
  log: Logger;
  executorId: string;
  /** Shard reader backed by the executor's cache; absent: tasks read shards from the store directly. */
  shards?: ShardSource;
}
