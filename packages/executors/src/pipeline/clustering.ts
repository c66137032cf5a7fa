/**
 * Holdout metrics of a clustering model (the Evaluate node of a `clustering` task):
 * inertia of the test rows, cluster sizes, the adjusted Rand index of the clusters against
 * the target (when the workflow has one) and the silhouette score of a bounded sample.
 */
import { adjusted_rand_score, silhouette_score } from '@weft/kernels';
import type { NodeResult } from '@weft/proto';
import type { FittedModel } from './model-registry.js';

/** Most test rows the silhouette score reads (it is O(rows² · features)). */
export const SILHOUETTE_SAMPLE_MAX = 1000;

/** Rows per cluster id 0..nClusters−1. */
export function clusterSizes(labels: Int32Array, nClusters: number): number[] {
  const sizes = new Array<number>(nClusters).fill(0);
  for (const c of labels) sizes[c]!++;
  return sizes;
}

/**
 * Metrics: `inertia` (summed squared distance of the test rows to their closest centre, units
 * of the preprocessed features squared), `inertia_per_row`, `adjusted_rand` (clusters vs the
 * target's classes on test rows with a target; null without one), `silhouette` (Euclidean, on
 * an evenly strided sample of at most SILHOUETTE_SAMPLE_MAX test rows; null when the sample
 * has fewer than 2 clusters). X: test matrix [nRows, nFeatures]; truth: class index per test
 * row, −1 = missing.
 */
export function evaluateClustering(
  model: FittedModel,
  X: { X: Float32Array; nRows: number; nFeatures: number },
  truth: Int32Array | undefined,
): Pick<NodeResult, 'metrics' | 'notes' | 'clusterSizes'> {
  const cl = model.clustering!;
  const labels = model.predict(X.X, X.nRows) as Int32Array;
  const dist = cl.distances(X.X, X.nRows);
  let inertia = 0;
  for (const d of dist) inertia += d * d;
  const notes: Record<string, string> = {};

  let ari: number | null = null;
  if (!truth) notes.adjusted_rand = 'the workflow has no target: nothing to compare the clusters with';
  else {
    const keep: number[] = [];
    for (let i = 0; i < truth.length; i++) if (truth[i]! >= 0) keep.push(i);
    if (keep.length === 0) notes.adjusted_rand = 'no test row has a target value';
    else ari = adjusted_rand_score(keep.map((i) => truth[i]!), keep.map((i) => labels[i]!));
  }

  const take = Math.min(X.nRows, SILHOUETTE_SAMPLE_MAX);
  const d = X.nFeatures;
  const sX = new Float32Array(take * d);
  const sL = new Int32Array(take);
  for (let k = 0; k < take; k++) {
    const i = take === X.nRows ? k : Math.floor((k * X.nRows) / take);
    sX.set(X.X.subarray(i * d, i * d + d), k * d);
    sL[k] = labels[i]!;
  }
  const distinct = new Set(sL).size;
  let silhouette: number | null = null;
  if (distinct >= 2 && distinct < take) silhouette = silhouette_score(sX, take, d, sL);
  else notes.silhouette = `the ${take} sampled test rows fall in ${distinct} cluster(s): the silhouette needs 2 to ${take - 1}`;
  if (take < X.nRows && silhouette !== null) notes.silhouette = `computed on ${take} of ${X.nRows} test rows (evenly strided)`;

  return {
    metrics: { inertia, inertia_per_row: inertia / X.nRows, adjusted_rand: ari, silhouette },
    clusterSizes: clusterSizes(labels, cl.nClusters),
    ...(Object.keys(notes).length ? { notes } : {}),
  };
}
