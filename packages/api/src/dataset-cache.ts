/**
 * Read-through cache of dataset documents (schema, profile, warnings) for GET /api/datasets/:id.
 * With REDIS_URL set the documents live in Redis as JSON under
 * `weft:cache:dataset:<workspaceId>:<id>` for DATASET_CACHE_TTL_SECONDS, over the fan-out's
 * command connection; without it nothing is cached. The cache is best effort: a Redis error
 * or a slow answer is logged as a warning and the caller falls back to the database, so it
 * never fails a request by itself.
 */
import { RedisFanOut } from '@weft/common';
import type { DatasetDoc } from '@weft/proto';
import type { ApiDeps } from './deps.js';

/** How long a cached dataset document lives, seconds (a missed invalidation heals after this). */
export const DATASET_CACHE_TTL_SECONDS = 300;
/** A cache command slower than this counts as failed (the request goes to the database). */
export const DATASET_CACHE_TIMEOUT_MS = 1_000;

export interface DatasetCache {
  readonly kind: 'none' | 'redis';
  /** The cached document, or undefined on a miss or a cache failure. */
  get(workspaceId: string, id: string): Promise<DatasetDoc | undefined>;
  /** Stores a document (failures are logged, not thrown). */
  set(workspaceId: string, id: string, doc: DatasetDoc): Promise<void>;
  /** Drops a document after its row changed or went away (failures are logged, not thrown). */
  invalidate(workspaceId: string, id: string): Promise<void>;
}

/** No cache: every read goes to the database (embedded mode, no REDIS_URL). */
export class NoDatasetCache implements DatasetCache {
  readonly kind = 'none' as const;
  async get(): Promise<undefined> {
    return undefined;
  }
  async set(): Promise<void> {}
  async invalidate(): Promise<void> {}
}

/** The Redis-backed cache over the fan-out's command connection. */
export class RedisDatasetCache implements DatasetCache {
  readonly kind = 'redis' as const;
  constructor(
    private readonly fanOut: RedisFanOut,
    private readonly log: ApiDeps['log'],
    readonly ttlSeconds = DATASET_CACHE_TTL_SECONDS,
    readonly timeoutMs = DATASET_CACHE_TIMEOUT_MS,
  ) {}

  /** The Redis key of a dataset's document. */
  key(workspaceId: string, id: string): string {
    return `${this.fanOut.prefix}cache:dataset:${workspaceId}:${id}`;
  }

  async get(workspaceId: string, id: string): Promise<DatasetDoc | undefined> {
    const raw = await this.attempt('get', workspaceId, id, () => this.fanOut.pub.get(this.key(workspaceId, id)));
    if (typeof raw !== 'string') return undefined;
    try {
      return JSON.parse(raw) as DatasetDoc;
    } catch (err) {
      this.log.warn({ workspaceId, datasetId: id, err: (err as Error).message }, 'dataset cache: unreadable entry ignored');
      return undefined;
    }
  }

  async set(workspaceId: string, id: string, doc: DatasetDoc): Promise<void> {
    await this.attempt('set', workspaceId, id, () => this.fanOut.pub.set(this.key(workspaceId, id), JSON.stringify(doc), 'EX', this.ttlSeconds));
  }

  async invalidate(workspaceId: string, id: string): Promise<void> {
    await this.attempt('invalidate', workspaceId, id, () => this.fanOut.pub.del(this.key(workspaceId, id)));
  }

  /** Runs one Redis command; on error or timeout logs a warning and returns undefined. */
  private async attempt<T>(op: string, workspaceId: string, id: string, run: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const p = run();
      p.catch(() => undefined); // a late failure after the timeout stays quiet
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (err) {
      this.log.warn({ op, workspaceId, datasetId: id, err: (err as Error)?.message ?? String(err) }, 'dataset cache unavailable; using the database');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The cache the deps select: Redis when the fan-out is Redis (REDIS_URL set), else none. */
export function datasetCacheFor(deps: Pick<ApiDeps, 'fanOut' | 'log' | 'datasetCache'>): DatasetCache {
  if (deps.datasetCache) return deps.datasetCache;
  return deps.fanOut instanceof RedisFanOut ? new RedisDatasetCache(deps.fanOut, deps.log) : new NoDatasetCache();
}
