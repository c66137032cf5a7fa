/**
 * 32-bit integer hashing used for deterministic splits and seeds. All arithmetic is on
 * unsigned 32-bit integers so the same values can be reproduced in any language
 * (fixtures/make_fixtures.py reimplements `rowHash` exactly).
 */

/** MurmurHash3 32-bit finaliser (Appleby, smhasher `fmix32`). Input/output: uint32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** splitmix32-style mix of a uint32: fmix32(x + golden ratio). Output uint32. */
export function splitmix32(x: number): number {
  return fmix32((x + 0x9e3779b9) >>> 0);
}

/**
 * uint32 hash of (seed, rowId): rowId is split into 32-bit halves lo/hi and folded in with
 * fmix32: h = fmix32(seed ^ 0x9e3779b9); h = fmix32(h ^ lo); h = fmix32(h ^ hi ^ 0x85ebca6b).
 * seed: integer (taken mod 2^32); rowId: integer in [0, 2^53).
 */
export function rowHash(rowId: number, seed: number): number {
  const lo = rowId >>> 0;
  const hi = Math.floor(rowId / 4294967296) >>> 0;
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ lo) >>> 0);
  h = fmix32((h ^ hi ^ 0x85ebca6b) >>> 0);
  return h;
}
