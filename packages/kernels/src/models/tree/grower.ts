import { Arena } from '../../wasm/runtime.js';
import { Rng } from '../rng.js';
import { BinMapper } from './binning.js';

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
  /** uint8 [n, d] binned matrix. */
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
  /** 'newton': XGBoost gain on (g, h) with lambda, leaf -eta G/(H+lambda); 'mse': regression tree on (w y, w); 'gini' / 'entropy': classification. */
  criterion: 'newton' | 'mse' | 'gini' | 'entropy';
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** newton: minimum hessian sum per child. */
  minChildWeight: number;
  lambda: number;
  /** newton: minimum loss reduction gamma; others: minimum weighted impurity decrease. */
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
    if (pairs && g.statF32) a.k.histPairsF32(g.binsp, d, offp, totalBins, g.rowsp + start * 4, count, g.statp, hist);
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
    if (p.criterion === 'newton') value.push((-p.eta * tot[0]) / (tot[1] + p.lambda));
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
    const s = findSplit(a.f64(nd.hist, histDoubles), off, g, p, nd.tot, order, width);
    if (!s) {
      pool.push(nd.hist);
      leaves.push({ node: nd.node, start: nd.start, count: nd.count });
      continue;
    }
    const nl = a.k.partitionRows(g.binsp, d, g.rowsp + nd.start * 4, nd.count, s.feature, s.bin, s.missingLeft ? 1 : 0, g.scratchp);
    const nr = nd.count - nl;
    const id = nd.node;
    feature[id] = s.feature;
    thresholdBin[id] = s.bin;
    threshold[id] = g.bins.edges[s.feature * 256 + s.bin - 1];
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

/**
 * Best split of a node from its packed histogram, or null. Candidates lie between consecutive
 * non-empty bins (the threshold is the bin edge halfway between them, in rank); both
 * missing-value directions are tried when the node has missing values. Ties keep the first.
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
  const pairs = p.criterion === 'newton' || p.criterion === 'mse';
  const newton = p.criterion === 'newton';
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
  const parentScore = pairs ? pairScore(tot[0], tot[1], p) : classScore(tot, p.criterion);
  const minW = newton ? p.minChildWeight : p.minSamplesLeaf;
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
            if (HL < minW || HR < minW || (!newton && (HL <= 0 || HR <= 0))) continue;
            let gn = pairScore(GL, HL, p) + pairScore(GR, HR, p) - parentScore;
            if (newton) gn *= 0.5;
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

/** Score whose increase is the split gain: G^2 / (H + lambda) (newton) or (sum w y)^2 / sum w (mse). */
function pairScore(s0: number, s1: number, p: GrowParams): number {
  if (p.criterion === 'newton') return (s0 * s0) / (s1 + p.lambda);
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

/** Copies a tree into the kernels' packed layout (int32 [nNodes, 5]); returns the pointer. */
export function packTree(a: Arena, tr: Tree): number {
  const nodesp = a.alloc(tr.nNodes * 20);
  const nodes = a.i32(nodesp, tr.nNodes * 5);
  for (let i = 0; i < tr.nNodes; i++) {
    nodes[i * 5] = tr.feature[i];
    nodes[i * 5 + 1] = tr.left[i];
    nodes[i * 5 + 2] = tr.right[i];
    nodes[i * 5 + 3] = tr.missingLeft[i];
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
