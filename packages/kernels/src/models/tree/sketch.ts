// Cut points of XGBoost 1.7's `tree_method='hist'` (src/common/quantile.cc: HostSketchContainer,
// SketchContainerImpl::MakeCuts, AddCutPoint) around the sketch kernel in assembly/sketch.ts
// (WQSummary / WQuantileSketch of src/common/quantile.h).
import { Arena } from '../../wasm/runtime.js';

/** XGBoost's WQSketch::kFactor. */
const K_FACTOR = 8;
const f = Math.fround;

/** Cut points of one feature (XGBoost `HistogramCuts` for that feature). */
export interface FeatureCuts {
  /** Increasing float32 cut values; the last is the sentinel above every value. Bin j = [cuts[j-1], cuts[j]). */
  cuts: Float32Array;
  /** XGBoost's min_vals_: below every value (the split value that sends only missing values left). */
  minValue: number;
}

/** QuantileSketchTemplate::LimitSizeLevel: summary size of each level and number of levels. */
function limitSizeLevel(maxn: number, eps: number): { limit: number; nLevel: number } {
  for (let nLevel = 1; ; nLevel++) {
    const limit = Math.min(maxn, Math.ceil(nLevel / eps) + 1);
    if (2 ** nLevel * limit >= maxn) return { limit, nLevel };
  }
}

/** Sketch parameters for `count` values (HostSketchContainer: eps = 1 / (min(max_bin, count) * kFactor)). */
function sketchParams(count: number, maxBin: number): { limit: number; maxLevels: number } {
  const m = Math.max(1, count);
  const { limit, nLevel } = limitSizeLevel(m, 1.0 / f(Math.max(1, Math.min(maxBin, m)) * K_FACTOR));
  return { limit, maxLevels: nLevel + 3 };
}

/** Bytes of the `sketchColumn` workspace (assembly/sketch.ts layout) for up to `count` values. */
export function sketchWorkBytes(count: number, maxBin: number): number {
  const { limit, maxLevels } = sketchParams(count, maxBin);
  const cap = 2 * limit;
  return cap * (4 + 4 + 8 + 8 + 16 + 16) + 3 * 2048 * 4 + maxLevels * 4 + maxLevels * limit * 16;
}

/**
 * XGBoost 1.7 `tree_method='hist'` cut points of one feature whose values are the float32 [nRows]
 * column at colp in arena `a` (NaN = missing, skipped; `count` = the non-missing ones, >= 1):
 * the non-missing values pushed in row order into a WQuantileSketch with eps =
 * 1 / (min(maxBin, count) * 8), its summary pruned to min(count, 8 maxBin) entries then to
 * min(count, 8 maxBin, maxBin) + 1 (assembly/sketch.ts `sketchColumn`), and entries
 * 1 .. maxBin - 1 of that (deduplicated) plus the sentinel max + |max| + 1e-5 (float32), as
 * MakeCuts / AddCutPoint. With at most maxBin distinct values every distinct value but the
 * smallest is a cut, so every value has its own bin. workp: `sketchWorkBytes(count, maxBin)`
 * bytes (or more, for a larger count); outp: (maxBin + 1) * 16 bytes. maxBin >= 2.
 */
export function sketchCuts(a: Arena, colp: number, nRows: number, count: number, maxBin: number, workp: number, outp: number): FeatureCuts {
  const { limit, maxLevels } = sketchParams(count, maxBin);
  const numCuts = Math.min(count, maxBin * K_FACTOR);
  const maxNumBins = Math.min(numCuts, maxBin);
  const size = a.k.sketchColumn(colp, nRows, limit, maxLevels, workp, numCuts, maxNumBins + 1, outp);
  const entries = a.f32(outp, size * 4); // {rmin, rmax, wmin, value} per entry
  const mval = entries[3];
  const minValue = f(f(mval - Math.abs(mval)) - f(1e-5));
  const cuts: number[] = [];
  const required = Math.min(size, maxNumBins);
  for (let i = 1; i < required; i++) {
    const c = entries[i * 4 + 3];
    if (i === 1 || c > cuts[cuts.length - 1]) cuts.push(c);
  }
  const last = entries[(size - 1) * 4 + 3];
  cuts.push(f(last + f(Math.abs(last) + f(1e-5))));
  return { cuts: Float32Array.from(cuts), minValue };
}

/** XGBoost's cuts of a column without any non-missing value. */
export function emptyColumnCuts(): FeatureCuts {
  const minValue = f(1e-5);
  return { cuts: Float32Array.of(f(minValue + f(Math.abs(minValue) + f(1e-5)))), minValue };
}
