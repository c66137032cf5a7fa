import { expF32x4, log1pUnitF32x4 } from "./simd";

// Histogram-based tree kernels (CART, random forests, gradient boosting).
//
// Binned data: uint8 [n, d] row-major; code 0 = missing (NaN), codes 1..nEdges[f] + 1 = value
// ranges; a feature binned without missing values may instead use codes 0..nEdges[f] (<= 255) as
// value ranges (its code 0 is then a value bin, which every split sends left: such features are
// partitioned with missingLeft = 1). Gradient boosting's kernels also take uint16 codes
// (codeBytes = 2) for a feature with a missing code and 256 value bins (XGBoost's max_bin = 256).
// Histograms are packed: feature f owns bins off[f] .. off[f] + nEdges[f] + 1 (code 0 first).
//   pair histograms: float64 [totalBins, 2] (per bin: sum of stat0, sum of stat1), used for
//     gradient boosting (gradient, hessian) and regression trees (w*y, w);
//   class histograms: float64 [totalBins, k] (per bin: weighted class counts).
// Row lists: int32 row ids in increasing order (partitions are stable).
// Packed trees: int32 [nNodes, 5] = feature (-1 for a leaf), left, right, missingLeft, thresholdBin;
//   float32 [nNodes] thresholds on raw values (go left when x <= threshold).

/**
 * out[i, f] = 0 if x is NaN else first[f] + #{edges[f, e] < x} (binary search over the feature's
 * nEdges[f] sorted float32 edges). xp: float32 [n, d]; edgesp: float32 [d, 256];
 * nEdgesp: int32 [d] (each <= 255 - first[f], or <= 255 with 2-byte codes); firstBinp: uint8 [d]
 * code of each feature's first value bin (0 or 1; firstBinp == 0 means 1 for every feature);
 * outp: [n, d] codes of codeBytes bytes each (1: uint8, 2: uint16 — needed only when a feature
 * with a missing code has 256 value bins).
 */
export function binMatrix(xp: usize, n: i32, d: i32, edgesp: usize, nEdgesp: usize, firstBinp: usize, outp: usize, codeBytes: i32): void {
  if (codeBytes == 2) binMatrixImpl<u16>(xp, n, d, edgesp, nEdgesp, firstBinp, outp);
  else binMatrixImpl<u8>(xp, n, d, edgesp, nEdgesp, firstBinp, outp);
}

function binMatrixImpl<T>(xp: usize, n: i32, d: i32, edgesp: usize, nEdgesp: usize, firstBinp: usize, outp: usize): void {
  for (let i = 0; i < n; i++) {
    const x = xp + (<usize>i * <usize>d << 2);
    const o = outp + <usize>i * <usize>d * sizeof<T>();
    for (let f = 0; f < d; f++) {
      const v = load<f32>(x + (<usize>f << 2));
      let b: i32 = 0;
      if (v == v) {
        // branchless binary search: lo = #{edges < v}; slots past nEdges[f] read as +inf
        const e = edgesp + (<usize>f << 10);
        const ne = load<i32>(nEdgesp + (<usize>f << 2));
        let lo = 0;
        for (let step = 128; step > 0; step >>= 1) {
          const idx = lo + step - 1;
          const ev = idx < ne ? load<f32>(e + (<usize>idx << 2)) : <f32>Infinity;
          lo = select(lo + step, lo, ev < v);
        }
        b = lo + (firstBinp == 0 ? 1 : <i32>load<u8>(firstBinp + <usize>f));
      }
      store<T>(o + <usize>f * sizeof<T>(), <T>b);
    }
  }
}

/**
 * Pair histogram of rows (rowsp int32 [cnt]; rowsp == 0 means rows 0..cnt-1): for every row r
 * and feature f, hist[off[f] + bin(r, f)] += stat[r] where stat is float64x2 [n] (two float64s
 * per row). offp: int32 [d] first bin of each feature in the packed histogram (feature f owns
 * nEdges[f] + 2 bins); histp: float64 [totalBins, 2], zeroed here.
 */
export function histPairs(binsp: usize, d: i32, offp: usize, totalBins: i32, rowsp: usize, cnt: i32, statp: usize, histp: usize): void {
  memory.fill(histp, 0, <usize>totalBins << 4);
  const ud = <usize>d;
  for (let q = 0; q < cnt; q++) {
    const r: usize = rowsp == 0 ? <usize>q : <usize>load<i32>(rowsp + (<usize>q << 2));
    const s = v128.load(statp + (r << 4));
    const b = binsp + r * ud;
    let f: usize = 0;
    for (; f + 4 <= ud; f += 4) {
      const o = offp + (f << 2);
      const h0 = histp + ((<usize>load<i32>(o) + <usize>load<u8>(b + f)) << 4);
      const h1 = histp + ((<usize>load<i32>(o, 4) + <usize>load<u8>(b + f + 1)) << 4);
      const h2 = histp + ((<usize>load<i32>(o, 8) + <usize>load<u8>(b + f + 2)) << 4);
      const h3 = histp + ((<usize>load<i32>(o, 12) + <usize>load<u8>(b + f + 3)) << 4);
      v128.store(h0, f64x2.add(v128.load(h0), s));
      v128.store(h1, f64x2.add(v128.load(h1), s));
      v128.store(h2, f64x2.add(v128.load(h2), s));
      v128.store(h3, f64x2.add(v128.load(h3), s));
    }
    for (; f < ud; f++) {
      const h = histp + ((<usize>load<i32>(offp + (f << 2)) + <usize>load<u8>(b + f)) << 4);
      v128.store(h, f64x2.add(v128.load(h), s));
    }
  }
}

/**
 * As `histPairs` with float32x2 per-row statistics (gradient-boosting g, h; statp float32x2 [n]),
 * promoted to float64 on accumulation (float64 histogram sums, as XGBoost's GradientPairPrecise),
 * over codes of codeBytes bytes (1 or 2, see `binMatrix`).
 */
export function histPairsF32(binsp: usize, d: i32, offp: usize, totalBins: i32, rowsp: usize, cnt: i32, statp: usize, histp: usize, codeBytes: i32): void {
  if (codeBytes == 2) histPairsF32Impl<u16>(binsp, d, offp, totalBins, rowsp, cnt, statp, histp);
  else histPairsF32Impl<u8>(binsp, d, offp, totalBins, rowsp, cnt, statp, histp);
}

function histPairsF32Impl<T>(binsp: usize, d: i32, offp: usize, totalBins: i32, rowsp: usize, cnt: i32, statp: usize, histp: usize): void {
  memory.fill(histp, 0, <usize>totalBins << 4);
  const ud = <usize>d;
  const w = sizeof<T>();
  for (let q = 0; q < cnt; q++) {
    const r: usize = rowsp == 0 ? <usize>q : <usize>load<i32>(rowsp + (<usize>q << 2));
    const s = f64x2.promote_low_f32x4(v128.load64_zero(statp + (r << 3)));
    const b = binsp + r * ud * w;
    let f: usize = 0;
    for (; f + 4 <= ud; f += 4) {
      const o = offp + (f << 2);
      const h0 = histp + ((<usize>load<i32>(o) + <usize>load<T>(b + f * w)) << 4);
      const h1 = histp + ((<usize>load<i32>(o, 4) + <usize>load<T>(b + (f + 1) * w)) << 4);
      const h2 = histp + ((<usize>load<i32>(o, 8) + <usize>load<T>(b + (f + 2) * w)) << 4);
      const h3 = histp + ((<usize>load<i32>(o, 12) + <usize>load<T>(b + (f + 3) * w)) << 4);
      v128.store(h0, f64x2.add(v128.load(h0), s));
      v128.store(h1, f64x2.add(v128.load(h1), s));
      v128.store(h2, f64x2.add(v128.load(h2), s));
      v128.store(h3, f64x2.add(v128.load(h3), s));
    }
    for (; f < ud; f++) {
      const h = histp + ((<usize>load<i32>(offp + (f << 2)) + <usize>load<T>(b + f * w)) << 4);
      v128.store(h, f64x2.add(v128.load(h), s));
    }
  }
}

/**
 * Class histogram: hist[off[f] + bin(r, f), y[r]] += w[r] (w == 1 when wp == 0).
 * yp: int32 [n]; wp: float64 [n] or 0; histp: float64 [totalBins, k], zeroed here.
 */
export function histClasses(binsp: usize, d: i32, offp: usize, totalBins: i32, rowsp: usize, cnt: i32, yp: usize, wp: usize, k: i32, histp: usize): void {
  const ud = <usize>d;
  const uk = <usize>k;
  memory.fill(histp, 0, (<usize>totalBins * uk) << 3);
  for (let q = 0; q < cnt; q++) {
    const r: usize = rowsp == 0 ? <usize>q : <usize>load<i32>(rowsp + (<usize>q << 2));
    const w: f64 = wp == 0 ? 1.0 : load<f64>(wp + (r << 3));
    const c = <usize>load<i32>(yp + (r << 2));
    const b = binsp + r * ud;
    for (let f: usize = 0; f < ud; f++) {
      const h = histp + (((<usize>load<i32>(offp + (f << 2)) + <usize>load<u8>(b + f)) * uk + c) << 3);
      store<f64>(h, load<f64>(h) + w);
    }
  }
}

/** out[i] = a[i] - b[i] over m float64s (out may alias a). */
export function histSub(ap: usize, bp: usize, outp: usize, m: i32): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const o = <usize>i << 3;
    v128.store(outp + o, f64x2.sub(v128.load(ap + o), v128.load(bp + o)));
  }
  for (; i < m; i++) {
    const o = <usize>i << 3;
    store<f64>(outp + o, load<f64>(ap + o) - load<f64>(bp + o));
  }
}

/**
 * Stable in-place partition of rows (int32 [cnt]) by feature f: a row goes left when its bin
 * is 0 (missing) and missingLeft != 0, or when 1 <= bin <= thrBin. Codes of codeBytes bytes (1 or
 * 2, see `binMatrix`). scratchp: int32 [cnt].
 * Returns the number of rows that went left (they come first, in their original order).
 */
export function partitionRows(binsp: usize, d: i32, rowsp: usize, cnt: i32, f: i32, thrBin: i32, missingLeft: i32, scratchp: usize, codeBytes: i32): i32 {
  return codeBytes == 2
    ? partitionRowsImpl<u16>(binsp, d, rowsp, cnt, f, thrBin, missingLeft, scratchp)
    : partitionRowsImpl<u8>(binsp, d, rowsp, cnt, f, thrBin, missingLeft, scratchp);
}

function partitionRowsImpl<T>(binsp: usize, d: i32, rowsp: usize, cnt: i32, f: i32, thrBin: i32, missingLeft: i32, scratchp: usize): i32 {
  let nl = 0;
  let nr = 0;
  const ud = <usize>d;
  const uf = <usize>f;
  for (let q = 0; q < cnt; q++) {
    const r = load<i32>(rowsp + (<usize>q << 2));
    const b = <i32>load<T>(binsp + (<usize>r * ud + uf) * sizeof<T>());
    const left = <i32>(b == 0 ? missingLeft != 0 : b <= thrBin);
    // branchless: write both candidates, advance one cursor (nl <= q, so rowsp[nl] was already read)
    store<i32>(rowsp + (<usize>nl << 2), r);
    store<i32>(scratchp + (<usize>nr << 2), r);
    nl += left;
    nr += 1 - left;
  }
  memory.copy(rowsp + (<usize>nl << 2), scratchp, <usize>nr << 2);
  return nl;
}

/**
 * Leaf index reached by every row of raw float32 X [n, d] in a packed tree (see header);
 * NaN follows missingLeft. outp: int32 [n].
 */
export function treeApply(xp: usize, n: i32, d: i32, nodesp: usize, thrp: usize, outp: usize): void {
  for (let i = 0; i < n; i++) {
    const x = xp + (<usize>i * <usize>d << 2);
    let node = 0;
    for (;;) {
      const nd = nodesp + <usize>node * 20;
      const f = load<i32>(nd);
      if (f < 0) break;
      const v = load<f32>(x + (<usize>f << 2));
      const left = v != v ? load<i32>(nd, 12) != 0 : v <= load<f32>(thrp + (<usize>node << 2));
      node = left ? load<i32>(nd, 4) : load<i32>(nd, 8);
    }
    store<i32>(outp + (<usize>i << 2), node);
  }
}

/** As `treeApply` over binned rows ([n, d] codes of codeBytes bytes, see `binMatrix`) using thresholdBin. */
export function treeApplyBinned(binsp: usize, n: i32, d: i32, nodesp: usize, outp: usize, codeBytes: i32): void {
  if (codeBytes == 2) treeApplyBinnedImpl<u16>(binsp, n, d, nodesp, outp);
  else treeApplyBinnedImpl<u8>(binsp, n, d, nodesp, outp);
}

function treeApplyBinnedImpl<T>(binsp: usize, n: i32, d: i32, nodesp: usize, outp: usize): void {
  for (let i = 0; i < n; i++) {
    const b = binsp + <usize>i * <usize>d * sizeof<T>();
    let node = 0;
    for (;;) {
      const nd = nodesp + <usize>node * 20;
      const f = load<i32>(nd);
      if (f < 0) break;
      const v = <i32>load<T>(b + <usize>f * sizeof<T>());
      const left = v == 0 ? load<i32>(nd, 12) != 0 : v <= load<i32>(nd, 16);
      node = left ? load<i32>(nd, 4) : load<i32>(nd, 8);
    }
    store<i32>(outp + (<usize>i << 2), node);
  }
}

/**
 * Adds leaf values to margins: margin[r * stride + offset] += value[leaf[r]] for r in 0..n-1.
 * leafp: int32 [n]; valuep: float64 [nNodes]; marginp: float64 [n, stride].
 */
export function addLeafValues(leafp: usize, n: i32, valuep: usize, marginp: usize, stride: i32, offset: i32): void {
  for (let i = 0; i < n; i++) {
    const o = marginp + (<usize>(i * stride + offset) << 3);
    store<f64>(o, load<f64>(o) + load<f64>(valuep + (<usize>load<i32>(leafp + (<usize>i << 2)) << 3)));
  }
}

/** Adds `value` to margin[r * stride + offset] for the rows r of a leaf (int32 [cnt]). */
export function addToRows(rowsp: usize, cnt: i32, marginp: usize, stride: i32, offset: i32, value: f64): void {
  for (let q = 0; q < cnt; q++) {
    const r = load<i32>(rowsp + (<usize>q << 2));
    const o = marginp + (<usize>(r * stride + offset) << 3);
    store<f64>(o, load<f64>(o) + value);
  }
}

/**
 * Gradient-boosting statistics (float32x2 [n] = gradient, hessian: half the bytes the
 * histogram gathers read, as XGBoost's float32 GradientPair) from margins float64 [n, k].
 * objective 0: squared error (g = m - y, h = 1; yp float64 [n]);
 * objective 1: binary logistic (k = 1; g = p - y, h = max(p (1 - p), 1e-16); yp float64 0/1),
 *   four rows per step with the f32x4 exp (one exp(-|z|) gives p and the loss);
 * objective 2: softmax for class `cls` (g = p_c - [y == c], h = max(2 p_c (1 - p_c), 1e-16),
 *   as XGBoost's multi:softprob; yp float64 class indices). statp: float32x2 [n].
 * Returns the summed loss (squared error / 2, or cross-entropy) for progress reporting.
 */
export function boostGradients(marginp: usize, yp: usize, n: i32, k: i32, objective: i32, cls: i32, statp: usize): f64 {
  let loss: f64 = 0;
  let i = 0;
  if (objective == 1) {
    const one = f32x4.splat(1.0);
    for (; i + 4 <= n; i += 4) {
      const mo = marginp + (<usize>i << 3);
      const yo = yp + (<usize>i << 3);
      const z = v128.shuffle<f32>(f32x4.demote_f64x2_zero(v128.load(mo)), f32x4.demote_f64x2_zero(v128.load(mo, 16)), 0, 1, 4, 5);
      const y = v128.shuffle<f32>(f32x4.demote_f64x2_zero(v128.load(yo)), f32x4.demote_f64x2_zero(v128.load(yo, 16)), 0, 1, 4, 5);
      const e = expF32x4(f32x4.neg(f32x4.abs(z)));
      const inv = f32x4.div(one, f32x4.add(one, e));
      const p = v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(z, f32x4.splat(0)));
      const g = f32x4.sub(p, y);
      const h = f32x4.max(f32x4.mul(p, f32x4.sub(one, p)), f32x4.splat(1e-16));
      const l = f32x4.sub(f32x4.add(f32x4.max(z, f32x4.splat(0)), log1pUnitF32x4(e)), f32x4.mul(y, z));
      loss += (<f64>f32x4.extract_lane(l, 0) + <f64>f32x4.extract_lane(l, 1)) + (<f64>f32x4.extract_lane(l, 2) + <f64>f32x4.extract_lane(l, 3));
      const so = statp + (<usize>i << 3);
      v128.store(so, v128.shuffle<f32>(g, h, 0, 4, 1, 5));
      v128.store(so, v128.shuffle<f32>(g, h, 2, 6, 3, 7), 16);
    }
  }
  for (; i < n; i++) {
    const y = load<f64>(yp + (<usize>i << 3));
    const m = marginp + (<usize>(i * k) << 3);
    let g: f64 = 0;
    let h: f64 = 1;
    if (objective == 0) {
      g = load<f64>(m) - y;
      loss += 0.5 * g * g;
    } else if (objective == 1) {
      const z = <f32>load<f64>(m);
      const e = f32x4.extract_lane(expF32x4(f32x4.splat(-Mathf.abs(z))), 0);
      const inv: f32 = <f32>1.0 / (<f32>1.0 + e);
      const p: f32 = z >= 0 ? inv : e * inv;
      g = <f64>p - y;
      h = max(<f64>p * (1.0 - <f64>p), 1e-16);
      loss += <f64>(max(z, <f32>0) + f32x4.extract_lane(log1pUnitF32x4(f32x4.splat(e)), 0)) - y * <f64>z;
    } else {
      let zmax = -Infinity;
      for (let c = 0; c < k; c++) zmax = max(zmax, load<f64>(m + (<usize>c << 3)));
      let se: f64 = 0;
      for (let c = 0; c < k; c++) se += Math.exp(load<f64>(m + (<usize>c << 3)) - zmax);
      const p = Math.exp(load<f64>(m + (<usize>cls << 3)) - zmax) / se;
      const yc: f64 = <i32>y == cls ? 1.0 : 0.0;
      g = p - yc;
      h = max(2.0 * p * (1.0 - p), 1e-16);
      if (cls == 0) loss += Math.log(se) + zmax - load<f64>(m + (<usize><i32>y << 3));
    }
    store<f32>(statp + (<usize>i << 3), <f32>g);
    store<f32>(statp + (<usize>i << 3), <f32>h, 4);
  }
  return loss;
}
