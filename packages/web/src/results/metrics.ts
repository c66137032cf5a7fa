/** Which metric a job or node is summarised by. */
import type { JobDoc, NodeResult } from '../api/types';

/** Headline metrics in order of preference; `higher` says which direction is better. */
export const HEADLINE: Array<{ name: string; higher: boolean }> = [
  { name: 'accuracy', higher: true },
  { name: 'roc_auc', higher: true },
  { name: 'f1', higher: true },
  { name: 'r2', higher: true },
  { name: 'rmse', higher: false },
  { name: 'mae', higher: false },
  // Clustering: agreement with the target when there is one, else cluster quality.
  { name: 'adjusted_rand', higher: true },
  { name: 'silhouette', higher: true },
];

export function headlineMetric(r: NodeResult): { name: string; value: number } | null {
  for (const h of HEADLINE) {
    const v = r.metrics?.[h.name];
    if (typeof v === 'number') return { name: h.name, value: v };
  }
  return null;
}

/** The job's best headline metric over its nodes, with the node it came from. */
export function bestMetric(job: Pick<JobDoc, 'result'>): { name: string; value: number; nodeId: string } | null {
  const nodes = Object.entries(job.result?.nodes ?? {});
  for (const h of HEADLINE) {
    let best: { name: string; value: number; nodeId: string } | null = null;
    for (const [nodeId, r] of nodes) {
      const v = r.metrics?.[h.name];
      if (typeof v !== 'number') continue;
      if (!best || (h.higher ? v > best.value : v < best.value)) best = { name: h.name, value: v, nodeId };
    }
    if (best) return best;
  }
  return null;
}
