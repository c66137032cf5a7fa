/** Configuration of the executor's shard cache. Each field names its env var, default and unit. */
import { z } from 'zod';

export const ShardCacheConfigSchema = z.object({
  /** WEFT_SHARD_CACHE_BYTES: most bytes of shard data an executor keeps in memory (LRU). Default 512 MiB. 0 disables caching. */
  shardCacheBytes: z.coerce.number().int().min(0).default(512 * 1024 * 1024),
});
export type ShardCacheConfig = z.infer<typeof ShardCacheConfigSchema>;

/** Reads the shard cache config. @throws Error naming the invalid variable. */
export function loadShardCacheConfig(env: NodeJS.ProcessEnv = process.env): ShardCacheConfig {
  const r = ShardCacheConfigSchema.safeParse(env.WEFT_SHARD_CACHE_BYTES ? { shardCacheBytes: env.WEFT_SHARD_CACHE_BYTES } : {});
  if (!r.success) throw new Error(`Invalid configuration:\n  WEFT_SHARD_CACHE_BYTES: ${r.error.issues[0]?.message}`);
  return r.data;
}
