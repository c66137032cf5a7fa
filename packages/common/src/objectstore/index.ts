import * as path from 'node:path';
import type { Config } from '../config.js';
import { LocalObjectStore } from './local.js';
import { S3ObjectStore } from './s3.js';
import type { ObjectStore } from './types.js';

export * from './types.js';
export { LocalObjectStore } from './local.js';
export { S3ObjectStore } from './s3.js';

/** The object store the configuration selects: S3 when S3_BUCKET is set, else `<dataDir>/objects`. */
export function createObjectStore(cfg: Config): ObjectStore {
  if (cfg.s3Bucket) {
    return new S3ObjectStore({
      bucket: cfg.s3Bucket,
      region: cfg.s3Region,
      ...(cfg.s3Endpoint ? { endpoint: cfg.s3Endpoint } : {}),
      ...(cfg.s3AccessKeyId ? { accessKeyId: cfg.s3AccessKeyId } : {}),
      ...(cfg.s3SecretAccessKey ? { secretAccessKey: cfg.s3SecretAccessKey } : {}),
    });
  }
  return new LocalObjectStore(path.join(cfg.dataDir, 'objects'));
}

/** Object keys, in one place so every service agrees on the layout. */
export const objectKeys = {
  dataset: (workspaceId: string, datasetId: string) => `workspaces/${workspaceId}/datasets/${datasetId}/data.arrow`,
  model: (workspaceId: string, datasetId: string, modelId: string) => `workspaces/${workspaceId}/datasets/${datasetId}/models/${modelId}.json`,
  predictions: (workspaceId: string, jobId: string) => `workspaces/${workspaceId}/predictions/${jobId}.json`,
};
