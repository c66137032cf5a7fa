/**
 * Quotas per workspace (WEFT_QUOTA_STORAGE_BYTES, WEFT_QUOTA_CPU_SECONDS; 0 = unlimited),
 * checked before work starts: an upload when the workspace's datasets already fill the storage
 * quota (or the declared upload would overflow it), a job when its CPU-seconds are spent.
 */
import { workspaceCpu, workspaceStorage, workspaceUsage, type Em } from '@weft/common';
import { WeftError } from '@weft/proto';
import type { ApiDeps } from './deps.js';

/** The usage document of GET /api/workspaces/:id/usage. */
export async function usageDoc(deps: ApiDeps, workspaceId: string) {
  const u = await workspaceUsage(deps.db.em() as Em, workspaceId);
  return {
    workspaceId,
    ...u,
    quotas: { storageBytes: deps.cfg.quotaStorageBytes || null, cpuSeconds: deps.cfg.quotaCpuSeconds || null },
  };
}

/**
 * @param incomingBytes bytes about to be stored (e.g. the declared upload size), if known
 * @throws WeftError QUOTA_EXCEEDED
 */
export async function checkStorageQuota(deps: ApiDeps, workspaceId: string, incomingBytes = 0): Promise<void> {
  const quota = deps.cfg.quotaStorageBytes;
  if (!quota) return;
  const { bytes } = await workspaceStorage(deps.db.em() as Em, workspaceId);
  if (bytes >= quota || bytes + incomingBytes > quota) {
    throw new WeftError('QUOTA_EXCEEDED', `Workspace storage quota reached: ${bytes} of ${quota} bytes used${incomingBytes ? `, upload of ${incomingBytes} bytes refused` : ''}; delete datasets to free space`, {
      quota: 'storageBytes',
      used: bytes,
      limit: quota,
    });
  }
}

/** @throws WeftError QUOTA_EXCEEDED when the workspace's executor CPU-seconds are spent */
export async function checkCpuQuota(deps: ApiDeps, workspaceId: string): Promise<void> {
  const quota = deps.cfg.quotaCpuSeconds;
  if (!quota) return;
  const { seconds } = await workspaceCpu(deps.db.em() as Em, workspaceId);
  if (seconds >= quota) {
    throw new WeftError('QUOTA_EXCEEDED', `Workspace compute quota reached: ${seconds.toFixed(1)} of ${quota} CPU-seconds used`, { quota: 'cpuSeconds', used: seconds, limit: quota });
  }
}
