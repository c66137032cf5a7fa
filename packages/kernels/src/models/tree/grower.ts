import { Arena } from '../../wasm/runtime.js';
import { KernelError } from '../../errors.js';
import { Rng } from '../rng.js';
import { BinMapper, splitThreshold } from './binning.js';

/**
 * A fitted tree as flat arrays (node 0 is the root). Internal nodes: feature >= 0, rows with
 * x[feature] <= threshold (or NaN when missingLeft) go to `left`. Leaves: feature = -1 and
 * `value[node * nOut .. + nOut]` holds the prediction (class distribution, mean, or boosting weight).
 */
export interface Tree {
  nNodes: number;
  nOut: number;
  feature: Int32Array;
  threshold: Float32Array;
  thresholdBin: Int32Array;
  left: Int32Array;
  right: Int32Array;
  missingLeft: Uint8Array;
  value: Float64Array;
  /** Weighted sample count (or hessian sum for boosting) per node. */
  weight: Float64Array;
  /** Impurity decrease (or loss reduction) of each split; 0 at leaves. */
  gain: Float64Array;
}

/** JSON form of a `Tree` (plain arrays). */
export interface TreeJSON {
  nOut: number;
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  missingLeft: number[];
  value: number[];
  weight: number[];
  gain: number[];
}

/** Where the growing data live (all pointers into `a`). */
export interface GrowData {
  a: Arena;
  d: number;
  bins: BinMapper;
  /** [n, d] binned matrix: uint8 codes, or uint16 when bins.codeBytes = 2 (criterion 'newton' only). */
  binsp: number;
  /** int32 rows of this tree (overwritten: partitioned into leaf segments). */
  rowsp: number;
  nRows: number;
  /** int32 scratch, >= nRows. */
  scratchp: number;
  /** 'pairs': float64x2 [n] per-row statistics (gradient, hessian) or (w y, w); float32x2 when statF32. */
  statp: number;
  /** statp holds float32 pairs (gradient boosting). */
  statF32?: boolean;
  /** 'classes': int32 [n] labels, float64 [n] weights (0 = unit), K classes. */
  yp: number;
  wp: number;
  k: number;
}

/** How to split. */
export interface GrowParams {
  /**
   * 'newton': gradient boosting on (g, h), XGBoost 1.7 hist split search and leaf weights
   * (`findNewtonSplit`; bins from `fitSketchBins`); 'mse': regression tree on (w y, w);
   * 'gini' / 'entropy': classification.
   */
  criterion: 'newton' | 'mse' | 'gini' | 'entropy';
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** newton: minimum hessian sum per child. */
  minChildWeight: number;
  lambda: number;
  /** newton: minimum loss reduction gamma (XGBoost's un-halved loss change); others: minimum weighted impurity decrease. */
  minGain: number;
  /** newton: learning rate applied to leaf weights. */
  eta: number;
  /** Features examined per node (forest feature subsampling); >= number allowed = all. */
  maxFeatures: number;
  /** Features this tree may use (colsample_bytree); null = all. */
  allowed: Int32Array | null;
  rng: Rng | null;
}

/** A finished leaf and the segment of `rowsp` holding its rows. */
export interface LeafSegment {
  node: number;
  start: number;
  count: number;
}

interface Pending {
  node: number;
  start: number;
  count: number;
  depth: number;
  hist: number;
  /** node totals: pairs (s0, s1) or class counts */
  tot: Float64Array;
}

interface Split {
  feature: number;
  /** Bin codes <= bin go left (with missing values when missingLeft). */
  bin: number;
  missingLeft: boolean;
  gain: number;
  totL: Float64Array;
  totR: Float64Array;
}

const EPS = 1e-12;

/**
 * Grows one histogram tree depth-first (the subtraction trick: the smaller child's histogram
 * is built from its rows, the larger's is parent − smaller; kernels in assembly/tree.ts).
 * Equivalent to depth-wise growth (XGBoost `grow_policy=depthwise`) since no leaf cap applies.
 */
export function growTree(g: GrowData, p: GrowParams): { tree: Tree; leaves: LeafSegment[] } {
  const { a, d } = g;
  const pairs = p.criterion === 'newton' || p.criterion === 'mse';
  const width = pairs ? 2 : g.k;
  const codeBytes = g.bins.codeBytes ?? 1;
  if (codeBytes !== 1 && !(pairs && g.statF32)) throw new KernelError('INVALID_INPUT', 'growTree: 2-byte bin codes need float32 boosting statistics');
  const off = new Int32Array(d);
  let totalBins = 0;
  for (let f = 0; f < d; f++) {
    off[f] = totalBins;
    totalBins += g.bins.nEdges[f] + 2;
  }
  const offp = a.putI32(off);
  const histDoubles = totalBins * width;
  const pool: number[] = [];
  const takeHist = (): number => pool.pop() ?? a.alloc(histDoubles * 8);
  const build = (start: number, count: number, hist: number) => {
    if (pairs && g.statF32) a.k.histPairsF32(g.binsp, d, offp, totalBins, g.rowsp + start * 4, count, g.statp, hist, codeBytes);
    else if (pairs) a.k.histPairs(g.binsp, d, offp, totalBins, g.rowsp + start * 4, count, g.statp, hist);
    else a.k.histClasses(g.binsp, d, offp, totalBins, g.rowsp + start * 4, count, g.yp, g.wp, g.k, hist);
  };

  const feature: number[] = [];
  const threshold: number[] = [];
  const thresholdBin: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const missingLeft: number[] = [];
  const value: number[] = [];
  const weight: number[] = [];
  const gain: number[] = [];
  const nOut = pairs ? 1 : g.k;
  const leaves: LeafSegment[] = [];
  const newNode = (tot: Float64Array): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    thresholdBin.push(0);
    left.push(-1);
    right.push(-1);
    missingLeft.push(0);
    gain.push(0);
    weight.push(pairs ? tot[1] : sum(tot));
    if (p.criterion === 'newton') value.push(newtonLeaf(tot[0], tot[1], p));
    else if (p.criterion === 'mse') value.push(tot[1] > 0 ? tot[0] / tot[1] : 0);
    else {
      const s = sum(tot);
      for (let c = 0; c < g.k; c++) value.push(s > 0 ? tot[c] / s : 0);
    }
    return id;
  };
  const splittable = (count: number, w: number, depth: number): boolean =>
    depth < p.maxDepth && count >= p.minSamplesSplit && count >= 2 && (p.criterion === 'newton' ? w >= 2 * p.minChildWeight : w >= 2 * p.minSamplesLeaf);

  const rootHist = takeHist();
  build(0, g.nRows, rootHist);
  const rootTot = new Float64Array(width);
  {
    const nb0 = g.bins.nEdges[0] + 2;
    const h = a.f64(rootHist, nb0 * width); // feature 0 covers every row
    for (let b = 0; b < nb0; b++) for (let c = 0; c < width; c++) rootTot[c] += h[b * width + c];
  }
  const root = newNode(rootTot);
  const stack: Pending[] = [];
  if (splittable(g.nRows, weight[root], 0)) stack.push({ node: root, start: 0, count: g.nRows, depth: 0, hist: rootHist, tot: rootTot });
  else {
    pool.push(rootHist);
    leaves.push({ node: root, start: 0, count: g.nRows });
  }
  const features = p.allowed ?? Int32Array.from({ length: d }, (_, i) => i);
  const order = Int32Array.from(features);

  while (stack.length > 0) {
    const nd = stack.pop()!;
    const hd = a.f64(nd.hist, histDoubles);
    const s = p.criterion === 'newton' ? findNewtonSplit(hd, off, g.bins, p, nd.tot, order) : findSplit(hd, off, g, p, nd.tot, order, width);
    if (!s) {
      pool.push(nd.hist);
      leaves.push({ node: nd.node, start: nd.start, count: nd.count });
      continue;
    }
    const nl = a.k.partitionRows(g.binsp, d, g.rowsp + nd.start * 4, nd.count, s.feature, s.bin, binnedMissingLeft(g.bins, s.feature, s.missingLeft), g.scratchp, codeBytes);
    const nr = nd.count - nl;
    const id = nd.node;
    feature[id] = s.feature;
    thresholdBin[id] = s.bin;
    threshold[id] = splitThreshold(g.bins, s.feature, s.bin);
    missingLeft[id] = s.missingLeft ? 1 : 0;
    gain[id] = s.gain;
    const L = newNode(s.totL);
    const R = newNode(s.totR);
    left[id] = L;
    right[id] = R;
    const depth = nd.depth + 1;
    const kids = [
      { node: L, start: nd.start, count: nl, tot: s.totL },
      { node: R, start: nd.start + nl, count: nr, tot: s.totR },
    ];
    const want = kids.map((c) => splittable(c.count, weight[c.node], depth));
    const small = nl <= nr ? 0 : 1;
    const large = 1 - small;
    let hSmall = 0;
    let hLarge = 0;
    if (want[large]) {
      hSmall = takeHist();
      build(kids[small].start, kids[small].count, hSmall);
      a.k.histSub(nd.hist, hSmall, nd.hist, histDoubles);
      hLarge = nd.hist;
    } else if (want[small]) {
      hSmall = nd.hist;
      build(kids[small].start, kids[small].count, hSmall);
    } else {
      pool.push(nd.hist);
    }
    const hists = [0, 0];
    hists[small] = hSmall;
    hists[large] = hLarge;
    for (const c of [large, small]) {
      const kid = kids[c];
      if (want[c]) stack.push({ ...kid, depth, hist: hists[c] });
      else {
        if (hists[c] !== 0) pool.push(hists[c]);
        leaves.push({ node: kid.node, start: kid.start, count: kid.count });
      }
    }
  }
  const nNodes = feature.length;
  return {
    tree: {
      nNodes,
      nOut,
      feature: Int32Array.from(feature),
      threshold: Float32Array.from(threshold),
      thresholdBin: Int32Array.from(thresholdBin),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      missingLeft: Uint8Array.from(missingLeft),
      value: Float64Array.from(value),
      weight: Float64Array.from(weight),
      gain: Float64Array.from(gain),
    },
    leaves,
  };
}

function sum(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s;
}

/** Partition flag for a split: a feature binned without a missing code has value bin 0, which every split sends left. */
function binnedMissingLeft(bins: BinMapper, f: number, missingLeft: boolean): number {
  return missingLeft || (bins.firstBin !== undefined && bins.firstBin[f] === 0) ? 1 : 0;
}

/** XGBoost's CalcGainGivenWeight without L1 / max_delta_step: G^2 / (H + lambda), 0 when H <= 0. */
function newtonScore(g: number, h: number, lambda: number): number {
  return h <= 0 ? 0 : (g * g) / (h + lambda);
}

/**
 * XGBoost leaf value: float32(eta * float32(-G / (H + lambda))), 0 when H < min_child_weight
 * (XGBoost's CalcWeight; only a root can be that light, children are held to min_child_weight).
 */
function newtonLeaf(g: number, h: number, p: GrowParams): number {
  const w = h < p.minChildWeight || h <= 0 ? 0 : Math.fround(-g / (h + p.lambda));
  return Math.fround(w * Math.fround(p.eta));
}

/** Missing-bin hessian (relative to the node's) below which a node counts as having no missing values. */
const MISSING_REL_HESS = 1e-10;

/** XGBoost's kRtEps: a split must reduce the loss by more than this. */
const RT_EPS = 1e-6;

/**
 * Best gradient-boosting split of a node, as XGBoost 1.7's hist evaluator
 * (src/tree/hist/evaluate_splits.h, EnumerateSplit): per feature (in index order) a forward scan
 * over the value bins with missing values going right, then, when the node has missing values
 * for that feature, a backward scan with them going left. A candidate needs hessian sums >=
 * min_child_weight on both sides; its loss change float32(f(G_L^2/(H_L+l)) + f(G_R^2/(H_R+l))
 * - f(G^2/(H+l))), f = rounding to float32 (XGBoost's float CalcGainGivenWeight, double
 * CalcSplitGain), must beat the best so far strictly (ties keep the lower feature, the forward
 * scan, the first candidate of a scan), then exceed 1e-6 and gamma. The threshold is the upper
 * edge of the left side's last non-empty bin (forward) or the lower edge of the right side's
 * first non-empty bin (backward), as XGBoost's cut_val[i] / cut_val[i - 1]. A node counts as
 * having missing values when its missing bin's hessian exceeds 1e-10 of the node's (XGBoost
 * compares the bins' total with the node's exactly, which float rounding can trip).
 */
function findNewtonSplit(h: Float64Array, off: Int32Array, bins: BinMapper, p: GrowParams, tot: Float64Array, order: Int32Array): Split | null {
  const fr = Math.fround;
  const lambda = p.lambda;
  const mcw = p.minChildWeight;
  const rootGain = fr(newtonScore(tot[0], tot[1], lambda));
  let best = 0;
  let bf = -1;
  let bb = 0;
  let bMissLeft = false;
  let lg = 0;
  let lh = 0;
  let rg = 0;
  let rh = 0;
  for (let oi = 0; oi < order.length; oi++) {
    const f = order[oi];
    const fb = bins.firstBin ? bins.firstBin[f] : 1;
    const first = off[f] + fb;
    const last = off[f] + fb + bins.nEdges[f];
    // forward: left = value bins <= b, missing right
    let gl = 0;
    let hl = 0;
    for (let b = first; b <= last; b++) {
      const bg = h[2 * b];
      const bh = h[2 * b + 1];
      if (bh === 0 && bg === 0) continue; // an empty bin repeats the previous candidate, which wins the tie
      gl += bg;
      hl += bh;
      const gr = tot[0] - gl;
      const hr = tot[1] - hl;
      if (hl >= mcw && hr >= mcw) {
        const loss = fr(fr(newtonScore(gl, hl, lambda)) + fr(newtonScore(gr, hr, lambda)) - rootGain);
        if (loss > best) {
          best = loss;
          bf = f;
          bb = b - off[f];
          bMissLeft = false;
          lg = gl;
          lh = hl;
          rg = gr;
          rh = hr;
        }
      }
    }
    // missing values present: the missing bin's hessian beyond the rounding residue that the
    // histogram subtraction (parent - sibling) leaves when all of them went to the sibling
    if (fb !== 1 || !(h[2 * off[f] + 1] > MISSING_REL_HESS * tot[1])) continue;
    // backward: right = value bins >= b, missing left
    let gr = 0;
    let hr = 0;
    for (let b = last; b >= first; b--) {
      const bg = h[2 * b];
      const bh = h[2 * b + 1];
      if (bh === 0 && bg === 0) continue;
      gr += bg;
      hr += bh;
      const gl2 = tot[0] - gr;
      const hl2 = tot[1] - hr;
      if (hr >= mcw && hl2 >= mcw) {
        const loss = fr(fr(newtonScore(gr, hr, lambda)) + fr(newtonScore(gl2, hl2, lambda)) - rootGain);
        if (loss > best) {
          best = loss;
          bf = f;
          bb = b - 1 - off[f];
          bMissLeft = true;
          lg = gl2;
          lh = hl2;
          rg = gr;
          rh = hr;
        }
      }
    }
  }
  if (bf < 0 || !(best > RT_EPS) || best < p.minGain || lh === 0 || rh === 0) return null;
  return { feature: bf, bin: bb, missingLeft: bMissLeft, gain: best, totL: Float64Array.of(lg, lh), totR: Float64Array.of(rg, rh) };
}

/**
 * Best CART split ('mse', 'gini', 'entropy') of a node from its packed histogram, or null.
 * Candidates lie between consecutive non-empty bins (the threshold is the bin edge halfway
 * between them, in rank); both missing-value directions are tried when the node has missing
 * values. Ties keep the first. (Gradient boosting uses `findNewtonSplit`.)
 */
function findSplit(h: Float64Array, off: Int32Array, g: GrowData, p: GrowParams, tot: Float64Array, order: Int32Array, width: number): Split | null {
  const nf = order.length;
  const sub = p.maxFeatures < nf && p.rng !== null;
  if (sub) {
    for (let i = nf - 1; i > 0; i--) {
      const j = p.rng!.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  const pairs = p.criterion === 'mse';
  let bestGain = Math.max(p.minGain, 1e-10);
  let bf = -1;
  let bb = 0;
  let bMissLeft = false;
  let visited = 0;
  const cl = new Float64Array(width);
  const cm = new Float64Array(width);
  const lv = new Float64Array(width);
  const rv = new Float64Array(width);
  const bestL = new Float64Array(width);
  const parentScore = pairs ? pairScore(tot[0], tot[1]) : classScore(tot, p.criterion);
  const minW = p.minSamplesLeaf;
  for (let oi = 0; oi < nf; oi++) {
    if (sub && visited >= p.maxFeatures && bf >= 0) break;
    visited++;
    const f = order[oi];
    const nb = g.bins.nEdges[f] + 1;
    if (nb < 2) continue;
    const base = off[f] * width;
    if (pairs) {
      const mg = h[base];
      const mh = h[base + 1];
      const hasMissing = mh > 0 || mg !== 0;
      let gl = 0;
      let hl = 0;
      let last = -1;
      for (let b = 1; b <= nb; b++) {
        const bg = h[base + 2 * b];
        const bh = h[base + 2 * b + 1];
        if (bh === 0 && bg === 0) continue;
        if (last >= 1) {
          for (let dir = 0; dir < (hasMissing ? 2 : 1); dir++) {
            const GL = dir === 1 ? gl + mg : gl;
            const HL = dir === 1 ? hl + mh : hl;
            const GR = tot[0] - GL;
            const HR = tot[1] - HL;
            if (HL < minW || HR < minW || HL <= 0 || HR <= 0) continue;
            const gn = pairScore(GL, HL) + pairScore(GR, HR) - parentScore;
            if (gn > bestGain + EPS * Math.abs(bestGain)) {
              bestGain = gn;
              bf = f;
              bb = (last + b - 1) >> 1;
              bMissLeft = dir === 1;
              bestL[0] = GL;
              bestL[1] = HL;
            }
          }
        }
        gl += bg;
        hl += bh;
        last = b;
      }
      continue;
    }
    let msum = 0;
    for (let c = 0; c < width; c++) {
      cm[c] = h[base + c];
      msum += cm[c];
      cl[c] = 0;
    }
    const hasMissing = msum > 0;
    let last = -1;
    for (let b = 1; b <= nb; b++) {
      let bs = 0;
      for (let c = 0; c < width; c++) bs += h[base + b * width + c];
      if (bs === 0) continue;
      if (last >= 1) {
        for (let dir = 0; dir < (hasMissing ? 2 : 1); dir++) {
          let wl = 0;
          let wr = 0;
          for (let c = 0; c < width; c++) {
            lv[c] = cl[c] + (dir === 1 ? cm[c] : 0);
            rv[c] = tot[c] - lv[c];
            wl += lv[c];
            wr += rv[c];
          }
          if (wl < minW || wr < minW || wl <= 0 || wr <= 0) continue;
          const gn = parentScore - classScore(lv, p.criterion) - classScore(rv, p.criterion);
          if (gn > bestGain + EPS * Math.abs(bestGain)) {
            bestGain = gn;
            bf = f;
            bb = (last + b - 1) >> 1;
            bMissLeft = dir === 1;
            bestL.set(lv);
          }
        }
      }
      for (let c = 0; c < width; c++) cl[c] += h[base + b * width + c];
      last = b;
    }
  }
  if (bf < 0) return null;
  const totR = Float64Array.from(tot, (v, c) => v - bestL[c]);
  return { feature: bf, bin: bb, missingLeft: bMissLeft, gain: bestGain, totL: Float64Array.from(bestL), totR };
}

/** Score whose increase is the 'mse' split gain: (sum w y)^2 / sum w. */
function pairScore(s0: number, s1: number): number {
  return s1 > 0 ? (s0 * s0) / s1 : 0;
}

/** Weighted impurity N * impurity(counts): gini N - sum c^2 / N, entropy N ln N - sum c ln c. */
function classScore(c: Float64Array, criterion: string): number {
  let n = 0;
  for (let i = 0; i < c.length; i++) n += c[i];
  if (n <= 0) return 0;
  if (criterion === 'gini') {
    let s = 0;
    for (let i = 0; i < c.length; i++) s += c[i] * c[i];
    return n - s / n;
  }
  let s = n * Math.log(n);
  for (let i = 0; i < c.length; i++) if (c[i] > 0) s -= c[i] * Math.log(c[i]);
  return s;
}

/**
 * Copies a tree into the kernels' packed layout (int32 [nNodes, 5]); returns the pointer. Pass
 * the tree's `bins` when the packed tree will route binned rows (treeApplyBinned): features binned
 * without a missing code then send their value bin 0 left.
 */
export function packTree(a: Arena, tr: Tree, bins?: BinMapper): number {
  const nodesp = a.alloc(tr.nNodes * 20);
  const nodes = a.i32(nodesp, tr.nNodes * 5);
  for (let i = 0; i < tr.nNodes; i++) {
    const f = tr.feature[i];
    nodes[i * 5] = f;
    nodes[i * 5 + 1] = tr.left[i];
    nodes[i * 5 + 2] = tr.right[i];
    nodes[i * 5 + 3] = bins && f >= 0 ? binnedMissingLeft(bins, f, tr.missingLeft[i] === 1) : tr.missingLeft[i];
    nodes[i * 5 + 4] = tr.thresholdBin[i];
  }
  return nodesp;
}

/** Packs trees into kernel layout and calls `fn(treeIndex, leafIndexPerRow)` for each. */
export function applyTrees(a: Arena, trees: Tree[], X: Float32Array, nRows: number, d: number, fn: (t: number, leaves: Int32Array) => void): void {
  const m = a.mark();
  try {
    const xp = a.putF32(X);
    const outp = a.alloc(nRows * 4);
    for (let t = 0; t < trees.length; t++) {
      const tm = a.mark();
      const tr = trees[t];
      const nodesp = packTree(a, tr);
      const thrp = a.putF32(tr.threshold);
      a.k.treeApply(xp, nRows, d, nodesp, thrp, outp);
      fn(t, a.i32(outp, nRows));
      a.release(tm);
    }
  } finally {
    a.release(m);
  }
}

/** Sum over split nodes of `gain`, per feature, normalised to sum 1 (all zeros if no split). */
export function featureImportances(trees: Tree[], d: number): Float64Array {
  const imp = new Float64Array(d);
  for (const t of trees) {
    const local = new Float64Array(d);
    let s = 0;
    for (let i = 0; i < t.nNodes; i++) if (t.feature[i] >= 0) {
      local[t.feature[i]] += t.gain[i];
      s += t.gain[i];
    }
    // scikit-learn normalises each tree's importances before averaging over the forest
    if (s > 0) for (let f = 0; f < d; f++) imp[f] += local[f] / s;
  }
  const tot = imp.reduce((u, v) => u + v, 0);
  if (tot > 0) for (let f = 0; f < d; f++) imp[f] /= tot;
  return imp;
}

export function treeToJSON(t: Tree): TreeJSON {
  return {
    nOut: t.nOut,
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    left: Array.from(t.left),
    right: Array.from(t.right),
    missingLeft: Array.from(t.missingLeft),
    value: Array.from(t.value),
    weight: Array.from(t.weight),
    gain: Array.from(t.gain),
  };
}

/** Validates and restores a tree; `bad` throws INVALID_ARTIFACT. */
export function treeFromJSON(j: unknown, nFeatures: number, nOut: number, bad: (why: string) => never): Tree {
  const o = j as Partial<TreeJSON> | null;
  if (!o || typeof o !== 'object') bad('tree must be an object');
  const n = o!.feature?.length ?? 0;
  if (n < 1) bad('tree has no nodes');
  for (const key of ['threshold', 'left', 'right', 'missingLeft', 'weight', 'gain'] as const) {
    if (!Array.isArray(o![key]) || o![key]!.length !== n) bad(`tree.${key} must have ${n} entries`);
  }
  if (!Array.isArray(o!.value) || o!.value.length !== n * nOut) bad(`tree.value must have ${n * nOut} entries`);
  const feature = Int32Array.from(o!.feature!);
  const left = Int32Array.from(o!.left!);
  const right = Int32Array.from(o!.right!);
  for (let i = 0; i < n; i++) {
    if (feature[i] >= nFeatures) bad(`tree node ${i} uses feature ${feature[i]} >= nFeatures`);
    if (feature[i] >= 0 && !(left[i] > i && left[i] < n && right[i] > i && right[i] < n)) bad(`tree node ${i} has invalid children`);
  }
  return {
    nNodes: n,
    nOut,
    feature,
    threshold: Float32Array.from(o!.threshold!),
    thresholdBin: new Int32Array(n),
    left,
    right,
    missingLeft: Uint8Array.from(o!.missingLeft!),
    value: Float64Array.from(o!.value),
    weight: Float64Array.from(o!.weight!),
    gain: Float64Array.from(o!.gain!),
  };
}
