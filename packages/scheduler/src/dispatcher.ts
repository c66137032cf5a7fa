/**
 * Connected executors and task dispatch: every executor with an open StreamTasks stream and
 * a free slot (slots from Register minus tasks it holds) gets the next available task.
 * Executors are served round-robin, so independent tasks spread over executors. Locality:
 * among the oldest pending tasks an executor takes first one whose shard it already caches,
 * then one no other executor caches, then the oldest.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '@weft/common';
import type { TaskRow } from '@weft/common';
import { shardKey, type TaskAssignment } from '@weft/proto';
import type { JobStore } from './store/job-store.js';

/** An executor known to this scheduler process. */
export interface ExecutorConn {
  id: string;
  host: string;
  slots: number;
  /** The open task stream, if any. */
  stream: grpc.ServerWritableStream<unknown, TaskAssignment> | null;
  lastSeenMs: number;
  /** Last time a task was pushed (round-robin order). */
  lastAssignedMs: number;
  /** Shard keys (`objectKey#batchStart-batchEnd`) the executor reported holding in its cache. */
  cachedShards: Set<string>;
}

/** The shard key of a task row, or null when it reads no single shard. */
export function taskShardKey(task: TaskRow): string | null {
  const spec = task.spec as { kind?: string; shard?: { batchStart: number; batchEnd: number }; pipeline?: { dataset: { objectKey: string } } } | null;
  if (spec?.kind !== 'shard_map' || !spec.shard || !spec.pipeline) return null;
  return shardKey(spec.pipeline.dataset.objectKey, spec.shard);
}

export class Dispatcher {
  readonly executors = new Map<string, ExecutorConn>();
  private pumping = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly store: JobStore,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records a Register call. */
  register(id: string, host: string, slots: number, cachedShards: string[] = []): ExecutorConn {
    const prev = this.executors.get(id);
    const conn: ExecutorConn = {
      id,
      host,
      slots: Math.max(1, slots),
      stream: prev?.stream ?? null,
      lastSeenMs: this.clock(),
      lastAssignedMs: prev?.lastAssignedMs ?? 0,
      cachedShards: new Set(cachedShards),
    };
    this.executors.set(id, conn);
    return conn;
  }

  /** Records the shard keys an executor holds (heartbeat). */
  setCachedShards(id: string, keys: string[]): void {
    const conn = this.executors.get(id);
    if (conn) conn.cachedShards = new Set(keys);
  }

  /** Locality score of `task` for executor `conn`: 2 cached here, 1 cached nowhere (or no shard), 0 cached elsewhere. */
  localityScore(conn: ExecutorConn, task: TaskRow): number {
    const key = taskShardKey(task);
    if (!key) return 1;
    if (conn.cachedShards.has(key)) return 2;
    for (const other of this.executors.values()) if (other !== conn && other.stream && other.cachedShards.has(key)) return 0;
    return 1;
  }

  /** Attaches a task stream to a registered executor (replacing an older one). */
  attach(id: string, stream: grpc.ServerWritableStream<unknown, TaskAssignment>): void {
    const conn = this.executors.get(id)!;
    if (conn.stream && conn.stream !== stream) conn.stream.end();
    conn.stream = stream;
    const detach = () => {
      if (conn.stream === stream) conn.stream = null;
    };
    stream.on('cancelled', detach);
    stream.on('close', detach);
    stream.on('error', detach);
    this.pump();
  }

  /** Looks for work for every executor with a free slot. Re-entrant calls coalesce. */
  pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop()
      .catch((err: unknown) => this.log.error({ err }, 'dispatch failed'))
      .finally(() => {
        this.pumping = false;
        if (this.again && !this.closed) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async pumpLoop(): Promise<void> {
    let assigned = true;
    while (assigned && !this.closed) {
      assigned = false;
      const conns = [...this.executors.values()].filter((c) => c.stream).sort((a, b) => a.lastAssignedMs - b.lastAssignedMs);
      for (const conn of conns) {
        if (!conn.stream || this.closed) continue;
        if ((await this.store.heldCount(conn.id)) >= conn.slots) continue;
        const lease = await this.store.leaseNext(conn.id, this.clock(), (t) => this.localityScore(conn, t));
        if (!lease) return;
        const stream = conn.stream;
        conn.lastAssignedMs = this.clock();
        assigned = true;
        if (!stream) continue; // stream closed meanwhile: the lease will expire and requeue
        stream.write({
          taskId: lease.task.id,
          jobId: lease.task.jobId,
          attempt: lease.task.attempt,
          kind: lease.task.kind,
          specJson: JSON.stringify(lease.task.spec),
          leaseExpiresAtMs: lease.leaseExpiresAtMs,
        });
        this.log.info({ taskId: lease.task.id, attempt: lease.task.attempt, executorId: conn.id }, 'task leased');
      }
    }
  }

  /** Ends every task stream and stops dispatching. */
  close(): void {
    this.closed = true;
    for (const c of this.executors.values()) {
      c.stream?.end();
      c.stream = null;
    }
  }
}
