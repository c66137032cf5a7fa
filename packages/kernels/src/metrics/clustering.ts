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
