import { Arena, sharedArena } from '../../wasm/runtime.js';
import { KernelError, check } from '../../errors.js';
import { EpochEvent, FitHooks, checkLabels, driveAsync, driveSync } from '../common.js';
import { argmaxRows } from '../gaussian-nb.js';
import { Rng, subSeed } from '../rng.js';
import { binInto, fitBins } from './binning.js';
import { Tree, TreeJSON, applyTrees, featureImportances, growTree, treeFromJSON, treeToJSON } from './grower.js';

/** Options shared by decision trees and random forests. */
export interface TreeOptions {
  /** 'gini' (default) or 'entropy' for classification; regression always uses squared error. */
  criterion?: 'gini' | 'entropy';
  /** Maximum depth (default unlimited). */
  maxDepth?: number;
  /** Minimum (weighted) rows to split a node (default 2). */
  minSamplesSplit?: number;
  /** Minimum (weighted) rows in each child (default 1). */
  minSamplesLeaf?: number;
  /** Minimum weighted impurity decrease (per row of the whole sample) to split (default 0). */
  minImpurityDecrease?: number;
  /**
   * Features examined per node: an integer count, a fraction in (0, 1], 'sqrt' or 'log2'.
   * Default: all for single trees and forest regressors, 'sqrt' for forest classifiers (as scikit-learn).
   */
  maxFeatures?: number | 'sqrt' | 'log2';
  /** Value bins per feature for split search, 2..255 (default 255; exact splits for features with <= 255 distinct values). */
  maxBins?: number;
  /** Seed for feature subsampling and bootstraps (default 0). */
  seed?: number;
  /** Number of classes K (classification; default max(y) + 1). */
  nClasses?: number;
}

/** Options for random forests. */
export interface ForestOptions extends TreeOptions {
  /** Number of trees (default 100). */
  nEstimators?: number;
  /** Draw each tree's rows with replacement (default true). */
  bootstrap?: boolean;
}

/** JSON artifact of any tree model of this file. */
export interface ForestJSON {
  kind: 'decision_tree_classifier' | 'decision_tree_regressor' | 'random_forest_classifier' | 'random_forest_regressor';
  version: 1;
  nFeatures: number;
  /** 0 for regressors. */
  nClasses: number;
  trees: TreeJSON[];
  featureImportances: number[];
  options: ForestOptions;
}

type Kind = ForestJSON['kind'];

/**
 * Shared implementation of the CART trees and forests: histogram split search in
 * AssemblyScript (assembly/tree.ts: binning, histograms, partitions), depth-first growth
 * with the subtraction trick, leaves holding class distributions or means. Forests average
 * the trees' class distributions (or means), as scikit-learn's `RandomForest*`
 * (sklearn/ensemble/_forest.py; trees after sklearn/tree/_classes.py, with split thresholds
 * restricted to histogram bin edges).
 */
export abstract class TreeEnsembleBase {
  readonly nFeatures: number;
  /** Number of classes (0 for regression). */
  readonly nClasses: number;
  readonly trees: Tree[];
  /** Float64Array [nFeatures]: mean decrease in impurity, normalised to sum 1. */
  readonly featureImportances: Float64Array;
  readonly options: ForestOptions;
  protected abstract readonly kind: Kind;

  /** @internal */
  constructor(d: number, k: number, trees: Tree[], importances: Float64Array, options: ForestOptions) {
    this.nFeatures = d;
    this.nClasses = k;
    this.trees = trees;
    this.featureImportances = importances;
    this.options = options;
  }

  /** Mean over trees of the leaf values: Float64Array [nRows, K] (classes) or [nRows] (regression). */
  protected average(X: Float32Array, nRows: number, what: string): Float64Array {
    checkFinite(X, nRows, this.nFeatures, what);
    const k = Math.max(1, this.nClasses);
    const out = new Float64Array(nRows * k);
    applyTrees(sharedArena(), this.trees, X, nRows, this.nFeatures, (t, leaves) => {
      const v = this.trees[t].value;
      for (let i = 0; i < nRows; i++) {
        const o = leaves[i] * k;
        for (let c = 0; c < k; c++) out[i * k + c] += v[o + c];
      }
    });
    const inv = 1 / this.trees.length;
    for (let i = 0; i < out.length; i++) out[i] *= inv;
    return out;
  }

  toJSON(): ForestJSON {
    return {
      kind: this.kind,
      version: 1,
      nFeatures: this.nFeatures,
      nClasses: this.nClasses,
      trees: this.trees.map(treeToJSON),
      featureImportances: Array.from(this.featureImportances),
      options: { ...this.options },
    };
  }
}

/** Tree models accept NaN (routed along each split's learned missing-value direction) but not ±Infinity. */
function checkFinite(X: Float32Array, nRows: number, d: number, what: string): void {
  check(X instanceof Float32Array, `${what}: X must be a Float32Array (row-major [nRows, nFeatures])`);
  check(Number.isInteger(nRows) && nRows >= 0, `${what}: nRows must be a non-negative integer`);
  check(X.length === nRows * d, `${what}: X has ${X.length} values, expected nRows*nFeatures = ${nRows}*${d} = ${nRows * d}`);
  for (let i = 0; i < X.length; i++) {
    if (X[i] === Infinity || X[i] === -Infinity) check(false, `${what}: X[${Math.floor(i / d)}, ${i % d}] is infinite`, { row: Math.floor(i / d), feature: i % d });
  }
}

function resolveMaxFeatures(m: ForestOptions['maxFeatures'], d: number): number {
  if (m === undefined) return d;
  if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(d)));
  if (m === 'log2') return Math.max(1, Math.floor(Math.log2(d)));
  check(typeof m === 'number' && m > 0, `maxFeatures must be a positive number, 'sqrt' or 'log2', got ${String(m)}`);
  return Number.isInteger(m) && m > 1 ? Math.min(d, m) : m === 1 ? 1 : Math.max(1, Math.floor(m * d));
}

interface ForestResult {
  trees: Tree[];
  importances: Float64Array;
  options: ForestOptions;
  k: number;
}

/** Trains nEstimators trees (one per epoch). y: Int32Array (classification) or Float64Array (regression). */
function* forestTrainer(
  X: Float32Array, n: number, d: number, y: Int32Array | Float64Array | Float32Array, opts: ForestOptions, classification: boolean, forest: boolean, what: string,
): Generator<EpochEvent, ForestResult, void> {
  checkFinite(X, n, d, what);
  check(n >= 1, `${what}: need at least one row`);
  let k = 0;
  if (classification) k = checkLabels(y as Int32Array, n, what, opts.nClasses);
  else {
    check(y.length === n, `${what}: y has ${y.length} values, expected nRows = ${n}`);
    for (let i = 0; i < n; i++) if (!(Number.isFinite(y[i]))) check(false, `${what}: y[${i}] is ${y[i]}; the target must not have missing values`, { row: i });
  }
  const nEstimators = forest ? opts.nEstimators ?? 100 : 1;
  const bootstrap = forest ? opts.bootstrap ?? true : false;
  const criterion = classification ? opts.criterion ?? 'gini' : 'mse';
  const maxDepth = opts.maxDepth ?? Infinity;
  const minSamplesSplit = opts.minSamplesSplit ?? 2;
  const minSamplesLeaf = opts.minSamplesLeaf ?? 1;
  const minImp = opts.minImpurityDecrease ?? 0;
  const maxBins = opts.maxBins ?? 255;
  const seed = opts.seed ?? 0;
  check(Number.isInteger(nEstimators) && nEstimators >= 1, `${what}: nEstimators must be a positive integer, got ${nEstimators}`);
  check(criterion === 'gini' || criterion === 'entropy' || criterion === 'mse', `${what}: criterion must be 'gini' or 'entropy', got ${String(criterion)}`);
  check(maxDepth === Infinity || (Number.isInteger(maxDepth) && maxDepth >= 1), `${what}: maxDepth must be a positive integer, got ${maxDepth}`);
  check(minSamplesSplit >= 2, `${what}: minSamplesSplit must be >= 2, got ${minSamplesSplit}`);
  check(minSamplesLeaf >= 1, `${what}: minSamplesLeaf must be >= 1, got ${minSamplesLeaf}`);
  check(Number.isInteger(seed), `${what}: seed must be an integer, got ${seed}`);
  const maxFeaturesOpt = opts.maxFeatures ?? (forest && classification ? 'sqrt' : undefined);
  const maxFeatures = resolveMaxFeatures(maxFeaturesOpt, d);
  const options: ForestOptions = {
    ...(classification ? { criterion: criterion as 'gini' | 'entropy', nClasses: k } : {}),
    ...(forest ? { nEstimators, bootstrap } : {}),
    ...(maxDepth !== Infinity ? { maxDepth } : {}),
    minSamplesSplit, minSamplesLeaf, minImpurityDecrease: minImp, maxBins, seed,
    ...(maxFeaturesOpt !== undefined ? { maxFeatures: maxFeaturesOpt } : {}),
  };

  const a = Arena.acquire();
  try {
  const bins = fitBins(X, n, d, maxBins, 200_000, seed);
  const xp = a.putF32(X);
  const binsp = binInto(a, bins, xp, n);
  // move the uint8 bins down over X (no longer needed) so the arena reuses X's memory
  a.u8(0, a.k.memory.buffer.byteLength).copyWithin(xp, binsp, binsp + n * d);
  a.release(xp + ((n * d + 15) & ~15));
  const bp = xp;
  const rowsp = a.alloc(n * 4);
  const scratchp = a.alloc(n * 4);
  const wp = a.alloc(n * 8);
  const yp = classification ? a.putI32(y as Int32Array) : 0;
  const statp = classification ? 0 : a.alloc(n * 16);
  const trees: Tree[] = [];
  const totalW = n;
  for (let t = 0; t < nEstimators; t++) {
    const m = a.mark();
    const rng = new Rng(subSeed(seed, t));
    const w = a.f64(wp, n);
    let cnt = 0;
    if (bootstrap) {
      w.fill(0);
      for (let i = 0; i < n; i++) w[rng.int(n)] += 1;
      const rows = a.i32(rowsp, n);
      for (let i = 0; i < n; i++) if (w[i] > 0) rows[cnt++] = i;
    } else {
      w.fill(1);
      const rows = a.i32(rowsp, n);
      for (let i = 0; i < n; i++) rows[i] = i;
      cnt = n;
    }
    if (!classification) {
      const s = a.f64(statp, 2 * n);
      const ww = a.f64(wp, n);
      for (let i = 0; i < n; i++) {
        s[2 * i] = ww[i] * y[i];
        s[2 * i + 1] = ww[i];
      }
    }
    const { tree, leaves } = growTree(
      { a, d, bins, binsp: bp, rowsp, nRows: cnt, scratchp, statp, yp, wp: bootstrap ? wp : 0, k },
      {
        criterion: criterion as 'gini' | 'entropy' | 'mse',
        maxDepth, minSamplesSplit, minSamplesLeaf, minChildWeight: 0, lambda: 0,
        minGain: minImp * totalW, eta: 1, maxFeatures, allowed: null, rng,
      },
    );
    trees.push(tree);
    // progress: weighted training loss of this tree on its sample (gini/entropy impurity or MSE)
    let loss = 0;
    let wsum = 0;
    if (classification) {
      for (const l of leaves) {
        const wl = tree.weight[l.node];
        let s = 0;
        for (let c = 0; c < k; c++) s += tree.value[l.node * k + c] ** 2;
        loss += wl * (1 - s);
        wsum += wl;
      }
    } else {
      const rows = a.i32(rowsp, n);
      const ww = a.f64(wp, n);
      for (const l of leaves) {
        const v = tree.value[l.node];
        for (let q = l.start; q < l.start + l.count; q++) {
          const r = rows[q];
          loss += ww[r] * (y[r] - v) ** 2;
          wsum += ww[r];
        }
      }
    }
    a.release(m);
    yield { epoch: t + 1, loss: wsum > 0 ? loss / wsum : 0 };
  }
  return { trees, importances: featureImportances(trees, d), options, k };
  } finally {
    a.dispose();
  }
}

function restore(json: unknown, kind: Kind, what: string): { d: number; k: number; trees: Tree[]; imp: Float64Array; options: ForestOptions } {
  const j = json as Partial<ForestJSON> | null;
  const bad = (why: string): never => {
    throw new KernelError('INVALID_ARTIFACT', `${what}.fromJSON: ${why}`);
  };
  if (!j || typeof j !== 'object' || j.kind !== kind) bad(`expected kind '${kind}'`);
  if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
  const d = j!.nFeatures!;
  const k = j!.nClasses!;
  if (!Number.isInteger(d) || d < 1) bad('nFeatures must be a positive integer');
  const classification = kind.endsWith('classifier');
  if (classification ? !(Number.isInteger(k) && k >= 2) : k !== 0) bad(classification ? 'nClasses must be >= 2' : 'nClasses must be 0 for a regressor');
  if (!Array.isArray(j!.trees) || j!.trees.length < 1) bad('trees must be a non-empty array');
  const trees = j!.trees!.map((t) => treeFromJSON(t, d, Math.max(1, k), bad));
  const imp = Array.isArray(j!.featureImportances) && j!.featureImportances.length === d ? Float64Array.from(j!.featureImportances) : featureImportances(trees, d);
  return { d, k, trees, imp, options: { ...(j!.options ?? {}) } };
}

/** Classification predict helpers shared by the two classifiers. */
abstract class ClassifierBase extends TreeEnsembleBase {
  /** Class probabilities: Float64Array [nRows, nClasses] (mean of the trees' leaf distributions). */
  predictProba(X: Float32Array, nRows: number): Float64Array {
    return this.average(X, nRows, `${this.constructor.name}.predictProba`);
  }
  /** Predicted class indices: Int32Array [nRows] (argmax of predictProba; ties -> lowest index). */
  predict(X: Float32Array, nRows: number): Int32Array {
    return argmaxRows(this.predictProba(X, nRows), nRows, this.nClasses);
  }
}

abstract class RegressorBase extends TreeEnsembleBase {
  /** Predictions: Float64Array [nRows] (mean of the trees' leaf means). */
  predict(X: Float32Array, nRows: number): Float64Array {
    return this.average(X, nRows, `${this.constructor.name}.predict`);
  }
}

/**
 * CART classification tree (scikit-learn's `DecisionTreeClassifier`) with histogram split
 * search. X: Float32Array [nRows, nFeatures] (NaN allowed: routed along a learned default
 * direction); y: Int32Array [nRows] in 0..K-1.
 */
export class DecisionTreeClassifier extends ClassifierBase {
  protected readonly kind = 'decision_tree_classifier' as const;
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: TreeOptions = {}, hooks?: FitHooks): DecisionTreeClassifier {
    const r = driveSync(forestTrainer(X, nRows, nFeatures, y, opts, true, false, 'DecisionTreeClassifier.fit'), hooks, 'DecisionTreeClassifier.fit');
    return new DecisionTreeClassifier(nFeatures, r.k, r.trees, r.importances, r.options);
  }
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: TreeOptions = {}, hooks?: FitHooks): Promise<DecisionTreeClassifier> {
    return DecisionTreeClassifier.fit(X, nRows, nFeatures, y, opts, hooks);
  }
  static fromJSON(json: unknown): DecisionTreeClassifier {
    const r = restore(json, 'decision_tree_classifier', 'DecisionTreeClassifier');
    return new DecisionTreeClassifier(r.d, r.k, r.trees, r.imp, r.options);
  }
}

/** CART regression tree (scikit-learn's `DecisionTreeRegressor`, squared error). y: Float64Array [nRows]. */
export class DecisionTreeRegressor extends RegressorBase {
  protected readonly kind = 'decision_tree_regressor' as const;
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: TreeOptions = {}, hooks?: FitHooks): DecisionTreeRegressor {
    const r = driveSync(forestTrainer(X, nRows, nFeatures, y, opts, false, false, 'DecisionTreeRegressor.fit'), hooks, 'DecisionTreeRegressor.fit');
    return new DecisionTreeRegressor(nFeatures, 0, r.trees, r.importances, r.options);
  }
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: TreeOptions = {}, hooks?: FitHooks): Promise<DecisionTreeRegressor> {
    return DecisionTreeRegressor.fit(X, nRows, nFeatures, y, opts, hooks);
  }
  static fromJSON(json: unknown): DecisionTreeRegressor {
    const r = restore(json, 'decision_tree_regressor', 'DecisionTreeRegressor');
    return new DecisionTreeRegressor(r.d, 0, r.trees, r.imp, r.options);
  }
}

/** Random forest classifier (bootstrap + per-node feature subsampling, default 'sqrt'). One epoch per tree. */
export class RandomForestClassifier extends ClassifierBase {
  protected readonly kind = 'random_forest_classifier' as const;
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: ForestOptions = {}, hooks?: FitHooks): RandomForestClassifier {
    const r = driveSync(forestTrainer(X, nRows, nFeatures, y, opts, true, true, 'RandomForestClassifier.fit'), hooks, 'RandomForestClassifier.fit');
    return new RandomForestClassifier(nFeatures, r.k, r.trees, r.importances, r.options);
  }
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: ForestOptions = {}, hooks?: FitHooks): Promise<RandomForestClassifier> {
    const r = await driveAsync(forestTrainer(X, nRows, nFeatures, y, opts, true, true, 'RandomForestClassifier.fit'), hooks, 'RandomForestClassifier.fit');
    return new RandomForestClassifier(nFeatures, r.k, r.trees, r.importances, r.options);
  }
  static fromJSON(json: unknown): RandomForestClassifier {
    const r = restore(json, 'random_forest_classifier', 'RandomForestClassifier');
    return new RandomForestClassifier(r.d, r.k, r.trees, r.imp, r.options);
  }
}

/** Random forest regressor (bootstrap; all features per node by default, as scikit-learn 1.2). One epoch per tree. */
export class RandomForestRegressor extends RegressorBase {
  protected readonly kind = 'random_forest_regressor' as const;
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: ForestOptions = {}, hooks?: FitHooks): RandomForestRegressor {
    const r = driveSync(forestTrainer(X, nRows, nFeatures, y, opts, false, true, 'RandomForestRegressor.fit'), hooks, 'RandomForestRegressor.fit');
    return new RandomForestRegressor(nFeatures, 0, r.trees, r.importances, r.options);
  }
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: ForestOptions = {}, hooks?: FitHooks): Promise<RandomForestRegressor> {
    const r = await driveAsync(forestTrainer(X, nRows, nFeatures, y, opts, false, true, 'RandomForestRegressor.fit'), hooks, 'RandomForestRegressor.fit');
    return new RandomForestRegressor(nFeatures, 0, r.trees, r.importances, r.options);
  }
  static fromJSON(json: unknown): RandomForestRegressor {
    const r = restore(json, 'random_forest_regressor', 'RandomForestRegressor');
    return new RandomForestRegressor(r.d, 0, r.trees, r.imp, r.options);
  }
}
