import { Arena } from '../../wasm/runtime.js';
import { KernelError, check } from '../../errors.js';
import { Rng } from '../rng.js';
import { emptyColumnCuts, sketchCuts, sketchWorkBytes } from './sketch.js';

/**
 * Histogram bin edges. Bin code of x for feature f: 0 for NaN, else firstBin[f] + #{edges[f] < x}.
 * Feature f has nEdges[f] + 1 value bins, codes firstBin[f] .. firstBin[f] + nEdges[f] (uint8, or
 * uint16 when codeBytes = 2).
 */
export interface BinMapper {
  nFeatures: number;
  /** Float32Array [nFeatures, 256]; the first nEdges[f] entries of row f are sorted edges. */
  edges: Float32Array;
  /** Int32Array [nFeatures], each in 0..254 (0..255 when firstBin[f] = 0 or codeBytes = 2). */
  nEdges: Int32Array;
  /**
   * Uint8Array [nFeatures]: code of the first value bin, 1 (code 0 reserved for missing values)
   * or 0 (the feature had no missing value when binned: codes 0..nEdges are all value bins).
   * Absent: 1 for every feature.
   */
  firstBin?: Uint8Array;
  /**
   * Float32Array [nFeatures]: the threshold below every binned value (a split on it sends only
   * missing values left). Set by `fitSketchBins`; row f of `edges` then also holds, at index
   * nEdges[f], the threshold above every value (XGBoost's sentinel cut, minus one ulp).
   */
  minThreshold?: Float32Array;
  /**
   * Bytes per bin code in the binned matrix: 1 (uint8, default) or 2 (uint16: a feature with a
   * missing code has 256 value bins; only the gradient-boosting kernels read 2-byte codes).
   */
  codeBytes?: 1 | 2;
}

/** JSON form of a `BinMapper`. */
export interface BinMapperJSON {
  edges: number[][];
}

/**
 * Quantile bin edges per feature for the CART trees and forests (gradient boosting uses
 * `fitSketchBins`, XGBoost's own cuts): from up to
 * `sampleRows` rows (seeded), a feature with <= maxBins distinct values gets an edge at the
 * midpoint of every pair of consecutive values (exact splits, as scikit-learn's trees);
 * otherwise edges at the maxBins-quantiles (deduplicated). NaN is excluded (bin 0).
 * X: Float32Array [nRows, nFeatures] row-major. maxBins in 2..255 (default 255).
 */
export function fitBins(X: Float32Array, nRows: number, nFeatures: number, maxBins = 255, sampleRows = 200_000, seed = 0): BinMapper {
  check(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= 255, `maxBins must be an integer in 2..255, got ${maxBins}`);
  const d = nFeatures;
  let rows: Int32Array | null = null;
  if (nRows > sampleRows) rows = new Rng(seed ^ 0x5bd1e995).sample(nRows, sampleRows).sort();
  const m = rows ? rows.length : nRows;
  const edges = new Float32Array(d * 256);
  const nEdges = new Int32Array(d);
  const col = new Float32Array(m);
  for (let f = 0; f < d; f++) {
    let c = 0;
    for (let q = 0; q < m; q++) {
      const v = X[(rows ? rows[q] : q) * d + f];
      if (v === v) col[c++] = v;
    }
    const v = col.subarray(0, c).sort();
    let distinct = 0;
    for (let i = 0; i < c; i++) if (i === 0 || v[i] !== v[i - 1]) distinct++;
    let e = 0;
    if (distinct <= maxBins) {
      for (let i = 1; i < c; i++) {
        if (v[i] === v[i - 1]) continue;
        // previous distinct value is v[i-1]
        let mid = Math.fround((v[i - 1] + v[i]) / 2);
        if (mid >= v[i]) mid = v[i - 1];
        edges[f * 256 + e++] = mid;
      }
    } else {
      let last = -Infinity;
      for (let b = 1; b < maxBins; b++) {
        const q = v[Math.min(c - 1, Math.floor((b * c) / maxBins))];
        if (q > last && q < v[c - 1]) {
          edges[f * 256 + e++] = q;
          last = q;
        }
      }
    }
    nEdges[f] = e;
  }
  return { nFeatures: d, edges, nEdges };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The largest float32 below the float32 x (x finite). */
export function nextDownF32(x: number): number {
  f32[0] = x;
  if (f32[0] === 0) return -1.401298464324817e-45;
  u32[0] += f32[0] > 0 ? -1 : 1;
  return f32[0];
}

/**
 * XGBoost 1.7 `tree_method='hist'` bins (gradient boosting): per feature the cut points of its
 * weighted quantile sketch over every row (`sketchCuts`, tree/sketch.ts), max_bin = maxBins.
 * XGBoost's bin j holds cuts[j-1] <= x < cuts[j], and its splits send x < cuts[j] left; here the
 * edges are the cuts minus one float32 ulp, so `x <= edge` is the same test and bin codes count
 * the cuts <= x. Features without NaN use codes 0..255 (up to 256 value bins, as XGBoost's
 * max_bin = 256); features with NaN keep code 0 for missing values, so when one of them has 256
 * value bins the codes are uint16 (`codeBytes` = 2).
 * X: Float32Array [nRows, nFeatures] row-major, NaN = missing; the sketch runs in arena `a`
 * (nothing stays allocated). maxBins in 2..256 (default 256); throws INVALID_INPUT otherwise.
 */
export function fitSketchBins(a: Arena, X: Float32Array, nRows: number, nFeatures: number, maxBins = 256): BinMapper {
  check(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= 256, `maxBins must be an integer in 2..256, got ${maxBins}`);
  const d = nFeatures;
  const edges = new Float32Array(d * 256);
  const nEdges = new Int32Array(d);
  const firstBin = new Uint8Array(d);
  const minThreshold = new Float32Array(d);
  let codeBytes: 1 | 2 = 1;
  a.scoped(() => {
    const colp = a.alloc(nRows * 4);
    const workp = a.alloc(sketchWorkBytes(nRows, maxBins));
    const outp = a.alloc((maxBins + 1) * 16);
    for (let f = 0; f < d; f++) {
      const col = a.f32(colp, nRows);
      let count = 0;
      for (let i = 0; i < nRows; i++) {
        const v = X[i * d + f];
        col[i] = v;
        if (v === v) count++;
      }
      const missing = count < nRows;
      const c = count === 0 ? emptyColumnCuts() : sketchCuts(a, colp, nRows, count, maxBins, workp, outp);
      const m = c.cuts.length;
      for (let j = 0; j < m; j++) edges[f * 256 + j] = nextDownF32(c.cuts[j]);
      nEdges[f] = m - 1;
      firstBin[f] = missing ? 1 : 0;
      minThreshold[f] = nextDownF32(c.minValue);
      if (firstBin[f] + nEdges[f] > 255) codeBytes = 2;
    }
  });
  return { nFeatures: d, edges, nEdges, firstBin, minThreshold, codeBytes };
}

/**
 * Raw-value threshold of a split that sends bin codes <= code left (x <= threshold): the upper
 * edge of bin `code` of feature f. code = firstBin - 1 (only missing left) and code = the last
 * value bin need `minThreshold` / the sentinel of `fitSketchBins`.
 */
export function splitThreshold(bm: BinMapper, f: number, code: number): number {
  const j = code - (bm.firstBin ? bm.firstBin[f] : 1);
  if (j < 0) return bm.minThreshold ? bm.minThreshold[f] : -Infinity;
  return bm.edges[f * 256 + j];
}

/** Bins X into a [nRows, nFeatures] matrix of bm.codeBytes-byte codes inside arena `a`; returns its pointer. */
export function binInto(a: Arena, bm: BinMapper, xp: number, nRows: number): number {
  const d = bm.nFeatures;
  const codeBytes = bm.codeBytes ?? 1;
  const ep = a.putF32(bm.edges);
  const np = a.putI32(bm.nEdges);
  let fp = 0;
  if (bm.firstBin) {
    fp = a.alloc(d);
    a.u8(fp, d).set(bm.firstBin);
  }
  const out = a.alloc(nRows * d * codeBytes);
  a.k.binMatrix(xp, nRows, d, ep, np, fp, out, codeBytes);
  return out;
}

export function binMapperToJSON(bm: BinMapper): BinMapperJSON {
  return { edges: Array.from({ length: bm.nFeatures }, (_, f) => Array.from(bm.edges.subarray(f * 256, f * 256 + bm.nEdges[f]))) };
}

export function binMapperFromJSON(j: unknown, nFeatures: number, what: string): BinMapper {
  const o = j as BinMapperJSON | null;
  if (!o || !Array.isArray(o.edges) || o.edges.length !== nFeatures) throw new KernelError('INVALID_ARTIFACT', `${what}: bins.edges must have ${nFeatures} rows`);
  const edges = new Float32Array(nFeatures * 256);
  const nEdges = new Int32Array(nFeatures);
  o.edges.forEach((row, f) => {
    if (!Array.isArray(row) || row.length > 254) throw new KernelError('INVALID_ARTIFACT', `${what}: bins.edges[${f}] must be at most 254 numbers`);
    edges.set(row, f * 256);
    nEdges[f] = row.length;
  });
  return { nFeatures, edges, nEdges };
}
