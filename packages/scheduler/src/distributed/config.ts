/**
 * Configuration of data-parallel execution (scheduler side). Each field names its
 * environment variable, default and unit.
 */
import { z } from 'zod';

export const DistributedConfigSchema = z.object({
  /** WEFT_SHARD_BATCHES: record batches per shard (a shard is a contiguous run of batches). Default 4 (262,144 rows at the default 65,536-row batches), so small datasets are one shard. */
  shardBatches: z.coerce.number().int().min(1).default(4),
  /** WEFT_QUANTILE_SKETCH_SIZE: most `[value, weight]` points a merged quantile sketch keeps (rank error ≈ 1 / size). Default 2048. */
  sketchSize: z.coerce.number().int().min(16).default(2048),
});
export type DistributedConfig = z.infer<typeof DistributedConfigSchema>;

/** Reads the distributed-execution config. @throws Error naming an invalid variable. */
export function loadDistributedConfig(env: NodeJS.ProcessEnv = process.env): DistributedConfig {
  const raw: Record<string, unknown> = {};
  if (env.WEFT_SHARD_BATCHES) raw.shardBatches = env.WEFT_SHARD_BATCHES;
  if (env.WEFT_QUANTILE_SKETCH_SIZE) raw.sketchSize = env.WEFT_QUANTILE_SKETCH_SIZE;
  const r = DistributedConfigSchema.safeParse(raw);
  if (!r.success) throw new Error(`Invalid configuration:\n  ${r.error.issues.map((i) => `${i.path[0] === 'shardBatches' ? 'WEFT_SHARD_BATCHES' : 'WEFT_QUANTILE_SKETCH_SIZE'}: ${i.message}`).join('\n  ')}`);
  return r.data;
}
