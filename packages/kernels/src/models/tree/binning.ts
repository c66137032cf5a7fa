import { Arena } from '../../wasm/runtime.js';
import { KernelError, check } from '../../errors.js';
import { Rng } from '../rng.js';

/** Histogram bin edges: bin(x) = 0 for NaN, else 1 + #{edges[f] < x}; at most 255 value bins. */
export interface BinMapper {
  nFeatures: number;
  /** Float32Array [nFeatures, 256]; the first nEdges[f] entries of row f are sorted edges. */
  edges: Float32Array;
  /** Int32Array [nFeatures], each in 0..254. A feature has nEdges[f] + 1 value bins. */
  nEdges: Int32Array;
}

/** JSON form of a `BinMapper`. */
export interface BinMapperJSON {
  edges: number[][];
}

/**
 * Quantile bin edges per feature (the XGBoost "hist" / LightGBM construction): from up to
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

/** Bins X into a uint8 [nRows, nFeatures] matrix inside arena `a`; returns its pointer. */
export function binInto(a: Arena, bm: BinMapper, xp: number, nRows: number): number {
  const d = bm.nFeatures;
  const ep = a.putF32(bm.edges);
  const np = a.putI32(bm.nEdges);
  const out = a.alloc(nRows * d);
  a.k.binMatrix(xp, nRows, d, ep, np, out);
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
