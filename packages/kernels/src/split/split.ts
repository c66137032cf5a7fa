import { check } from '../errors.js';
import { rowHash } from './hash.js';

/** Which side of a train/test split a row falls on. */
export type SplitSide = 'train' | 'test';

function checkArgs(seed: number, testFraction: number, what: string): void {
  check(Number.isInteger(seed), `${what}: seed must be an integer, got ${seed}`);
  check(Number.isFinite(testFraction) && testFraction >= 0 && testFraction <= 1, `${what}: testFraction must be in [0, 1], got ${testFraction}`);
}

/**
 * Deterministic, shuffle-free split: row `rowId` (0-based row index in the whole dataset,
 * integer in [0, 2^53)) goes to 'test' iff rowHash(rowId, seed) / 2^32 < testFraction.
 * Every shard computes the same answer for the same (seed, rowId) without coordination; the
 * realised test share is testFraction in expectation (binomial), not exactly.
 * Throws `KernelError('INVALID_INPUT')` for a non-integer seed/rowId or fraction outside [0, 1].
 */
export function splitAssignment(rowId: number, seed: number, testFraction: number): SplitSide {
  check(Number.isInteger(rowId) && rowId >= 0, `splitAssignment: rowId must be a non-negative integer, got ${rowId}`);
  checkArgs(seed, testFraction, 'splitAssignment');
  return rowHash(rowId, seed) / 4294967296 < testFraction ? 'test' : 'train';
}

/**
 * Vectorised `splitAssignment` for rows firstRowId .. firstRowId + nRows - 1.
 * Returns Uint8Array [nRows] with 1 = test, 0 = train.
 */
export function splitMask(firstRowId: number, nRows: number, seed: number, testFraction: number): Uint8Array {
  check(Number.isInteger(firstRowId) && firstRowId >= 0, `splitMask: firstRowId must be a non-negative integer, got ${firstRowId}`);
  checkArgs(seed, testFraction, 'splitMask');
  const out = new Uint8Array(nRows);
  const cut = testFraction * 4294967296;
  for (let i = 0; i < nRows; i++) out[i] = rowHash(firstRowId + i, seed) < cut ? 1 : 0;
  return out;
}

/**
 * Stratified deterministic split over the whole label column (needs all labels, so it is a
 * reduce-side helper): within each class, rows are ordered by rowHash(rowId, seed) (ties by
 * rowId) and the first round(count * testFraction) go to test. Row ids are 0..n-1.
 * labels: Int32Array [n] of class indices (any non-negative ints). Returns Uint8Array [n], 1 = test.
 */
export function stratifiedSplitMask(labels: Int32Array, seed: number, testFraction: number): Uint8Array {
  checkArgs(seed, testFraction, 'stratifiedSplitMask');
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    let rows = byClass.get(labels[i]);
    if (!rows) byClass.set(labels[i], (rows = []));
    rows.push(i);
  }
  const out = new Uint8Array(labels.length);
  for (const rows of byClass.values()) {
    const keyed = rows.map((r) => ({ r, h: rowHash(r, seed) }));
    keyed.sort((a, b) => a.h - b.h || a.r - b.r);
    const nTest = Math.round(rows.length * testFraction);
    for (let i = 0; i < nTest; i++) out[keyed[i].r] = 1;
  }
  return out;
}
