/**
 * Usage metering per workspace, computed from the rows that already exist: storage is the
 * sum of the workspace's dataset (Arrow object) bytes; compute is the summed run time of its
 * jobs' finished tasks (each task runs on one executor core, so wall time ≈ CPU time).
 * Read by the api (quotas, GET …/usage) and the scheduler (quota on gRPC Submit).
 */
import { DatasetEntity, JobEntity, TaskEntity } from './entities.js';
import type { Em } from './orm.js';

/** Jobs whose tasks are read per query while summing CPU time. */
const JOB_PAGE = 500;

export interface WorkspaceUsage {
  /** Bytes of the workspace's stored datasets. */
  storageBytes: number;
  datasets: number;
  /** Summed run time of finished tasks, seconds. */
  cpuSeconds: number;
  jobs: number;
}

/** Stored dataset bytes and count of a workspace. */
export async function workspaceStorage(em: Em, workspaceId: string): Promise<{ bytes: number; datasets: number }> {
  const rows = await em.find(DatasetEntity, { workspaceId }, { fields: ['id', 'byteSize'] });
  return { bytes: rows.reduce((s, r) => s + Number(r.byteSize || 0), 0), datasets: rows.length };
}

/** Executor CPU-seconds of a workspace (finished tasks' run time) and its job count. */
export async function workspaceCpu(em: Em, workspaceId: string): Promise<{ seconds: number; jobs: number; byJob: Map<string, number> }> {
  const jobs = await em.find(JobEntity, { workspaceId }, { fields: ['id'] });
  const byJob = new Map<string, number>();
  let ms = 0;
  for (let i = 0; i < jobs.length; i += JOB_PAGE) {
    const ids = jobs.slice(i, i + JOB_PAGE).map((j) => j.id);
    const tasks = await em.find(TaskEntity, { jobId: { $in: ids }, finishedAt: { $ne: null }, startedAt: { $ne: null } }, { fields: ['id', 'jobId', 'startedAt', 'finishedAt'] });
    for (const t of tasks) {
      const d = Math.max(0, new Date(t.finishedAt!).getTime() - new Date(t.startedAt!).getTime());
      ms += d;
      byJob.set(t.jobId, (byJob.get(t.jobId) ?? 0) + d / 1000);
    }
  }
  return { seconds: ms / 1000, jobs: jobs.length, byJob };
}

/** Both meters of a workspace. */
export async function workspaceUsage(em: Em, workspaceId: string): Promise<WorkspaceUsage> {
  const [s, c] = await Promise.all([workspaceStorage(em, workspaceId), workspaceCpu(em.fork() as Em, workspaceId)]);
  return { storageBytes: s.bytes, datasets: s.datasets, cpuSeconds: c.seconds, jobs: c.jobs };
}
