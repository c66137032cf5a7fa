import { Arena, sharedArena } from '../wasm/runtime.js';
import { KernelError, check } from '../errors.js';
import { EpochEvent, FitHooks, checkShape, driveAsync, driveSync, putMatrix } from './common.js';
import { Rng, subSeed } from './rng.js';

/** Options for `KMeans.fit`. */
export interface KMeansOptions {
  /** Number of clusters k (default 8; 1 <= k <= nRows). */
  nClusters?: number;
  /**
   * Independent k-means++ initialisations, each followed by Lloyd iterations; the lowest-inertia
   * run is kept (default 10, as scikit-learn 1.2's `n_init`; 1 is scikit-learn >= 1.4's 'auto'
   * for k-means++).
   */
  nInit?: number;
  /** Maximum Lloyd iterations per run (default 300). */
  maxIter?: number;
  /** Convergence: stop when the summed squared centre shift <= tol * mean feature variance (default 1e-4, as scikit-learn). */
  tol?: number;
  /** Seed for the k-means++ draws (default 0). */
  seed?: number;
}

/** JSON artifact of a fitted `KMeans`. */
export interface KMeansJSON {
  kind: 'kmeans';
  version: 1;
  nFeatures: number;
  nClusters: number;
  /** [k][nFeatures] */
  centers: number[][];
  inertia: number;
  nIter: number;
  options: KMeansOptions;
}

/**
 * k-means clustering: greedy k-means++ initialisation (Arthur & Vassilvitskii 2007, with
 * 2 + floor(ln k) local trials per centre as scikit-learn's `_kmeans_plusplus`) followed by Lloyd
 * iterations (assignment + centre update in one AssemblyScript pass, f32x4 SIMD distances
 * ||x||^2 - 2 x.c + ||c||^2, float64 centre sums), best of nInit runs by inertia. Same
 * algorithm, defaults (n_init = 10, max_iter = 300, tol = 1e-4 times the mean feature variance)
 * and stopping rule (labels unchanged, or summed squared centre shift <= tol) as scikit-learn
 * 1.2's `KMeans(algorithm='lloyd')` (sklearn/cluster/_kmeans.py); empty clusters are re-seeded
 * as there, with the points farthest from their centres. Only the random stream differs.
 */
export class KMeans {
  readonly nFeatures: number;
  readonly nClusters: number;
  /** Float32Array [k, nFeatures] row-major. */
  readonly centers: Float32Array;
  /** Sum of squared distances of training rows to their closest centre (units of X squared). */
  readonly inertia: number;
  /** Lloyd iterations of the kept run. */
  readonly nIter: number;
  /** Cluster index of every training row, Int32Array [nRows] (null after fromJSON). */
  readonly labels: Int32Array | null;
  readonly options: KMeansOptions;

  /** @internal Use `KMeans.fit` or `KMeans.fromJSON`. */
  constructor(d: number, k: number, centers: Float32Array, inertia: number, nIter: number, labels: Int32Array | null, options: KMeansOptions) {
    this.nFeatures = d;
    this.nClusters = k;
    this.centers = centers;
    this.inertia = inertia;
    this.nIter = nIter;
    this.labels = labels;
    this.options = options;
  }

  /**
   * Clusters X: Float32Array [nRows, nFeatures] row-major (finite). `hooks.onEpoch` is called
   * after every Lloyd iteration (epochs count across inits) with loss = inertia.
   * Throws `KernelError` 'INVALID_INPUT' or 'ABORTED'. Deterministic for a given seed.
   */
  static fit(X: Float32Array, nRows: number, nFeatures: number, opts: KMeansOptions = {}, hooks?: FitHooks): KMeans {
    return driveSync(kmeansTrainer(X, nRows, nFeatures, opts), hooks, 'KMeans.fit');
  }

  /** As `fit`, yielding to the event loop between iterations. */
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, opts: KMeansOptions = {}, hooks?: FitHooks): Promise<KMeans> {
    return driveAsync(kmeansTrainer(X, nRows, nFeatures, opts), hooks, 'KMeans.fit');
  }

  /** Index of the closest centre for each row: Int32Array [nRows]. */
  predict(X: Float32Array, nRows: number): Int32Array {
    return sharedArena().scoped((a) => assign(a, X, nRows, this.nFeatures, this.centers, this.nClusters, 'KMeans.predict').labels);
  }

  /** Sum of squared distances of the rows of X to their closest centre. */
  score(X: Float32Array, nRows: number): number {
    return sharedArena().scoped((a) => assign(a, X, nRows, this.nFeatures, this.centers, this.nClusters, 'KMeans.score').inertia);
  }

  toJSON(): KMeansJSON {
    const d = this.nFeatures;
    return {
      kind: 'kmeans',
      version: 1,
      nFeatures: d,
      nClusters: this.nClusters,
      centers: Array.from({ length: this.nClusters }, (_, c) => Array.from(this.centers.subarray(c * d, c * d + d))),
      inertia: this.inertia,
      nIter: this.nIter,
      options: { ...this.options },
    };
  }

  static fromJSON(json: unknown): KMeans {
    const j = json as Partial<KMeansJSON> | null;
    const bad = (why: string): never => {
      throw new KernelError('INVALID_ARTIFACT', `KMeans.fromJSON: ${why}`);
    };
    if (!j || typeof j !== 'object' || j.kind !== 'kmeans') bad(`expected kind 'kmeans'`);
    if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
    const d = j!.nFeatures!;
    const k = j!.nClusters!;
    if (!Number.isInteger(d) || d < 1 || !Number.isInteger(k) || k < 1) bad('nFeatures and nClusters must be positive integers');
    if (!Array.isArray(j!.centers) || j!.centers.length !== k) bad(`centers must have ${k} rows`);
    const centers = new Float32Array(k * d);
    j!.centers!.forEach((row, c) => {
      if (!Array.isArray(row) || row.length !== d || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(`centers[${c}] must be ${d} finite numbers`);
      centers.set(row, c * d);
    });
    return new KMeans(d, k, centers, Number(j!.inertia), Number(j!.nIter), null, { ...(j!.options ?? {}) });
  }
}

/** Scratch of one Lloyd step (see assembly/kmeans.ts `kmeansLloyd`). */
function lloydScratch(a: Arena, k: number, d: number) {
  const kp = (k + 7) & ~7;
  return { ctp: a.alloc(d * kp * 4), cnp: a.alloc((kp + 4) * 4), partp: a.alloc(k * d * 4), changedp: a.alloc(16) };
}

function assign(a: Arena, X: Float32Array, n: number, d: number, centers: Float32Array, k: number, what: string): { labels: Int32Array; inertia: number } {
  const xp = putMatrix(a, X, n, d, what);
  const xnp = a.alloc(n * 4);
  a.k.rowSqNorms(xp, n, d, xnp);
  const cp = a.putF32(centers);
  const ls = lloydScratch(a, k, d);
  const lp = a.alloc(n * 4);
  const sp = a.alloc(k * d * 8);
  const np = a.alloc(k * 8);
  const inertia = a.k.kmeansLloyd(xp, xnp, n, d, cp, k, ls.ctp, ls.cnp, lp, sp, np, ls.partp, ls.changedp);
  return { labels: Int32Array.from(a.i32(lp, n)), inertia };
}

function* kmeansTrainer(X: Float32Array, n: number, d: number, opts: KMeansOptions): Generator<EpochEvent, KMeans, void> {
  checkShape(X, n, d, 'KMeans.fit');
  const k = opts.nClusters ?? 8;
  const nInit = opts.nInit ?? 10;
  const maxIter = opts.maxIter ?? 300;
  const tol = opts.tol ?? 1e-4;
  const seed = opts.seed ?? 0;
  check(Number.isInteger(k) && k >= 1, `KMeans.fit: nClusters must be a positive integer, got ${k}`);
  check(k <= n, `KMeans.fit: nClusters = ${k} exceeds nRows = ${n}`);
  check(Number.isInteger(nInit) && nInit >= 1, `KMeans.fit: nInit must be a positive integer, got ${nInit}`);
  check(Number.isInteger(maxIter) && maxIter >= 1, `KMeans.fit: maxIter must be a positive integer, got ${maxIter}`);
  check(Number.isFinite(tol) && tol >= 0, `KMeans.fit: tol must be >= 0, got ${tol}`);
  check(Number.isInteger(seed), `KMeans.fit: seed must be an integer, got ${seed}`);
  const options: KMeansOptions = { nClusters: k, nInit, maxIter, tol, seed };

  const a = Arena.acquire();
  try {
  const xp = putMatrix(a, X, n, d, 'KMeans.fit');
  // tolerance relative to the data: tol * mean over features of the variance
  const absTol = (tol * a.scoped(() => a.k.columnVarianceSum(xp, n, d, a.alloc(d * 8)))) / d;
  const xnp = a.alloc(n * 4);
  a.k.rowSqNorms(xp, n, d, xnp);
  const cp = a.alloc(k * d * 4);
  const ls = lloydScratch(a, k, d);
  const lp = a.alloc(n * 4);
  const sp = a.alloc(k * d * 8);
  const countp = a.alloc(k * 8);
  const closestp = a.alloc(n * 4);
  const candp = a.alloc(d * 4);

  let best: { centers: Float32Array; inertia: number; nIter: number; labels: Int32Array } | null = null;
  let epoch = 0;
  for (let run = 0; run < nInit; run++) {
    const rng = new Rng(subSeed(seed, run));
    kmeansPlusPlus(a, X, n, d, k, rng, xp, xnp, cp, closestp, candp);
    let nIter = 0;
    let inertia = 0;
    for (let it = 0; it < maxIter; it++) {
      inertia = a.k.kmeansLloyd(xp, xnp, n, d, cp, k, ls.ctp, ls.cnp, lp, sp, countp, ls.partp, ls.changedp);
      const changed = a.i32(ls.changedp, 1)[0];
      nIter = it + 1;
      const centers = a.f32(cp, k * d);
      const sums = a.f64(sp, k * d);
      const counts = a.f64(countp, k);
      const empty: number[] = [];
      for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
      if (empty.length > 0) relocateEmpty(X, n, d, a.i32(lp, n), centers, sums, counts, empty);
      let shift = 0;
      for (let c = 0; c < k; c++) {
        if (counts[c] <= 0) continue;
        for (let j = 0; j < d; j++) {
          const v = Math.fround(sums[c * d + j] / counts[c]);
          shift += (v - centers[c * d + j]) ** 2;
          centers[c * d + j] = v;
        }
      }
      const same = it > 0 && changed === 0;
      epoch++;
      yield { epoch, loss: inertia };
      if (same || shift <= absTol) break;
    }
    // final E-step against the final centres
    a.k.kmeansLloyd(xp, xnp, n, d, cp, k, ls.ctp, ls.cnp, lp, sp, countp, ls.partp, ls.changedp);
    inertia = a.k.kmeansInertia(xp, n, d, cp, lp);
    if (!best || inertia < best.inertia) {
      best = { centers: Float32Array.from(a.f32(cp, k * d)), inertia, nIter, labels: Int32Array.from(a.i32(lp, n)) };
    }
  }
  return new KMeans(d, k, best!.centers, best!.inertia, best!.nIter, best!.labels, options);
  } finally {
    a.dispose();
  }
}

/** Greedy k-means++ seeding into cp (float32 [k, d]). */
function kmeansPlusPlus(a: Arena, X: Float32Array, n: number, d: number, k: number, rng: Rng, xp: number, xnp: number, cp: number, closestp: number, candp: number): void {
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  a.f32(cp, d).set(X.subarray(first * d, first * d + d));
  a.f32(closestp, n).fill(Infinity);
  let pot = a.k.kmeansppPotential(xp, xnp, n, d, cp, closestp, 1);
  const cum = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    const closest = a.f32(closestp, n);
    let s = 0;
    for (let i = 0; i < n; i++) cum[i] = s += closest[i];
    let bestPot = Infinity;
    let bestId = 0;
    for (let t = 0; t < trials; t++) {
      const r = rng.next() * s;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid] < r) lo = mid + 1; // first i with cum[i] >= r (numpy searchsorted, side 'left')
        else hi = mid;
      }
      a.f32(candp, d).set(X.subarray(lo * d, lo * d + d));
      const p = a.k.kmeansppPotential(xp, xnp, n, d, candp, closestp, 0);
      if (p < bestPot) {
        bestPot = p;
        bestId = lo;
      }
    }
    const dst = cp + c * d * 4;
    a.f32(dst, d).set(X.subarray(bestId * d, bestId * d + d));
    pot = a.k.kmeansppPotential(xp, xnp, n, d, dst, closestp, 1);
  }
  void pot;
}

/**
 * Re-seeds empty clusters as scikit-learn's `_relocate_empty_clusters_dense`: the rows farthest
 * from the centre they were just assigned to (`centers`, float32 [k, d], before the update; ties
 * to the lower row) move, one per empty cluster, out of their cluster's sums and counts (float64
 * [k, d] and [k]) into the empty cluster's, which then averages to that row.
 */
function relocateEmpty(X: Float32Array, n: number, d: number, labels: Int32Array, centers: Float32Array, sums: Float64Array, counts: Float64Array, empty: number[]): void {
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    let s = 0;
    for (let j = 0; j < d; j++) s += (X[i * d + j] - centers[c * d + j]) ** 2;
    dist[i] = s;
  }
  const order = Array.from(dist.keys()).sort((u, v) => dist[v] - dist[u] || u - v);
  empty.forEach((c, e) => {
    const i = order[e];
    const old = labels[i];
    for (let j = 0; j < d; j++) {
      sums[old * d + j] -= X[i * d + j];
      sums[c * d + j] = X[i * d + j];
    }
    counts[old] -= 1;
    counts[c] = 1;
  });
}
