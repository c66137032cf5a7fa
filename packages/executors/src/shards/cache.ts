/**
 * The executor's shard cache: shards (IPC stream bytes in SharedArrayBuffers, so worker
 * threads read them without a copy) kept in least-recently-used order up to `capBytes`.
 * Concurrent requests for one shard share a single load. File indexes (footers) are kept
 * for every file whose shards are cached.
 */
import type { ObjectStore } from '@weft/common';
import { shardKey } from '@weft/proto';
import { readArrowIndex, readShard, type ArrowFileIndex, type ShardData } from './arrow-file.js';

/** Where a task reads shards from (the cache in-process, a message proxy in a worker). */
export interface ShardSource {
  /** Batches [batchStart, batchEnd) of the Arrow file at `objectKey`. */
  read(objectKey: string, batchStart: number, batchEnd: number): Promise<ShardData>;
}

export class ShardCache implements ShardSource {
  private readonly entries = new Map<string, ShardData>();
  private readonly loading = new Map<string, Promise<ShardData>>();
  private readonly indexes = new Map<string, Promise<ArrowFileIndex>>();
  private bytes = 0;
  /** Loads served from the cache and from the store (for tests and logs). */
  hits = 0;
  misses = 0;

  /** @param capBytes most bytes of shard data kept; 0 keeps none. */
  constructor(
    private readonly store: ObjectStore,
    readonly capBytes: number,
  ) {}

  /** Keys (`objectKey#batchStart-batchEnd`) of the cached shards, most recent last. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Bytes held. */
  get sizeBytes(): number {
    return this.bytes;
  }

  private index(objectKey: string): Promise<ArrowFileIndex> {
    let p = this.indexes.get(objectKey);
    if (!p) {
      p = readArrowIndex(this.store, objectKey);
      this.indexes.set(objectKey, p);
      p.catch(() => this.indexes.delete(objectKey));
    }
    return p;
  }

  read(objectKey: string, batchStart: number, batchEnd: number): Promise<ShardData> {
    const key = shardKey(objectKey, { batchStart, batchEnd });
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return Promise.resolve(hit);
    }
    let p = this.loading.get(key);
    if (p) return p;
    this.misses++;
    p = (async () => {
      const data = await readShard(this.store, objectKey, await this.index(objectKey), batchStart, batchEnd);
      this.insert(key, data);
      return data;
    })().finally(() => this.loading.delete(key));
    this.loading.set(key, p);
    return p;
  }

  private insert(key: string, data: ShardData): void {
    if (data.bytes.byteLength > this.capBytes) return;
    this.entries.set(key, data);
    this.bytes += data.bytes.byteLength;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.capBytes) break;
      this.entries.delete(k);
      this.bytes -= v.bytes.byteLength;
    }
    const files = new Set([...this.entries.keys()].map((k) => k.slice(0, k.lastIndexOf('#'))));
    for (const f of this.indexes.keys()) if (!files.has(f) && !this.loading.size) this.indexes.delete(f);
  }
}
