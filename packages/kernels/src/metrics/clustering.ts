import { check } from '../errors.js';

/**
 * Adjusted Rand index between two labelings of the same rows (unitless, 1 = identical up to
 * relabelling, ~0 = chance, may be negative). Source: sklearn.metrics.adjusted_rand_score
 * (Hubert & Arabie 1985). Labels are non-negative integers.
 */
export function adjusted_rand_score(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  check(labelsTrue.length === labelsPred.length, `adjusted_rand_score: ${labelsTrue.length} vs ${labelsPred.length} labels`);
  const n = labelsTrue.length;
  check(n > 0, 'adjusted_rand_score: empty input');
  const cont = new Map<string, number>();
  const a = new Map<number, number>();
  const b = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${labelsTrue[i]},${labelsPred[i]}`;
    cont.set(key, (cont.get(key) ?? 0) + 1);
    a.set(labelsTrue[i], (a.get(labelsTrue[i]) ?? 0) + 1);
    b.set(labelsPred[i], (b.get(labelsPred[i]) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let sumComb = 0;
  for (const v of cont.values()) sumComb += c2(v);
  let sumA = 0;
  for (const v of a.values()) sumA += c2(v);
  let sumB = 0;
  for (const v of b.values()) sumB += c2(v);
  const expected = (sumA * sumB) / c2(n);
  const max = (sumA + sumB) / 2;
  if (a.size === b.size && (a.size === 1 || a.size === n || max === expected)) return 1;
  return (sumComb - expected) / (max - expected);
}

/**
 * Mean silhouette coefficient of a clustering (unitless, −1..1; higher = tighter, better
 * separated clusters) with Euclidean distances. X: [nRows, nFeatures] row-major; labels:
 * [nRows] cluster ids. A row alone in its cluster scores 0, as sklearn.metrics.silhouette_score
 * (Rousseeuw 1987). O(nRows² · nFeatures): callers pass a bounded sample.
 * Throws KernelError 'INVALID_INPUT' for a shape mismatch or fewer than 2 distinct labels.
 */
export function silhouette_score(X: ArrayLike<number>, nRows: number, nFeatures: number, labels: ArrayLike<number>): number {
  check(X.length === nRows * nFeatures, `silhouette_score: X has ${X.length} values, expected ${nRows}×${nFeatures}`);
  check(labels.length === nRows, `silhouette_score: ${labels.length} labels for ${nRows} rows`);
  const ids = [...new Set(Array.from(labels))];
  check(ids.length >= 2 && ids.length <= nRows - 1, `silhouette_score: needs 2..nRows−1 distinct labels, got ${ids.length}`);
  const index = new Map(ids.map((c, k) => [c, k]));
  const K = ids.length;
  const lab = Int32Array.from(labels, (c) => index.get(c)!);
  const size = new Float64Array(K);
  for (let i = 0; i < nRows; i++) size[lab[i]!]++;
  const sums = new Float64Array(K);
  let total = 0;
  for (let i = 0; i < nRows; i++) {
    sums.fill(0);
    for (let r = 0; r < nRows; r++) {
      if (r === i) continue;
      let s = 0;
      for (let j = 0; j < nFeatures; j++) {
        const d = X[i * nFeatures + j]! - X[r * nFeatures + j]!;
        s += d * d;
      }
      sums[lab[r]!] += Math.sqrt(s);
    }
    const own = lab[i]!;
    if (size[own]! <= 1) continue; // singleton: 0
    const a = sums[own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < K; c++) if (c !== own) b = Math.min(b, sums[c]! / size[c]!);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / nRows;
}
