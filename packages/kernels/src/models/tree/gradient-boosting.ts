import { Arena, sharedArena } from '../../wasm/runtime.js';
import { KernelError, check } from '../../errors.js';
import { EpochEvent, FitHooks, checkLabels, driveAsync, driveSync, probaFromScores } from '../common.js';
import { argmaxRows } from '../gaussian-nb.js';
import { Rng, subSeed } from '../rng.js';
import { binInto, fitSketchBins } from './binning.js';
import { Tree, TreeJSON, applyTrees, featureImportances, growTree, packTree, treeFromJSON, treeToJSON } from './grower.js';

/** Boosting objective (XGBoost names). */
export type BoostObjective = 'binary:logistic' | 'multi:softprob' | 'reg:squarederror';

/** Options for `GradientBoostingClassifier.fit` / `GradientBoostingRegressor.fit` (XGBoost parameter meanings). */
export interface GradientBoostingOptions {
  /** Boosting rounds (default 100). Multiclass adds one tree per class per round. */
  nEstimators?: number;
  /** Shrinkage eta applied to every leaf weight (default 0.3). */
  learningRate?: number;
  /** Maximum tree depth (default 6). */
  maxDepth?: number;
  /** Minimum hessian sum in each child (default 1). */
  minChildWeight?: number;
  /** L2 penalty lambda on leaf weights (default 1). */
  lambda?: number;
  /** Minimum loss reduction gamma to split (default 0). */
  gamma?: number;
  /**
   * XGBoost max_bin: histogram bins per feature, 2..256 (default 256), cut by XGBoost's weighted
   * quantile sketch (`fitSketchBins`).
   */
  maxBins?: number;
  /** Fraction of rows drawn (without replacement) for each round (default 1). */
  subsample?: number;
  /** Fraction of features available to each tree (default 1). */
  colsampleByTree?: number;
  /** Seed for subsampling (default 0). */
  seed?: number;
  /** Number of classes K (classifier; default max(y) + 1). */
  nClasses?: number;
  /**
   * Initial margin; default the prior log-odds (binary), 0 (multiclass), mean(y) (regression),
   * as XGBoost >= 2.0 estimates it. XGBoost 1.7's default base_score = 0.5 is margin 0 for
   * binary:logistic and 0.5 for reg:squarederror.
   */
  baseScore?: number;
}

/** JSON artifact of a fitted gradient-boosting model. */
export interface GradientBoostingJSON {
  kind: 'gradient_boosting_classifier' | 'gradient_boosting_regressor';
  version: 1;
  objective: BoostObjective;
  nFeatures: number;
  nClasses: number;
  baseScore: number;
  /** Round-major: tree t belongs to output t % nOutputs. */
  trees: TreeJSON[];
  featureImportances: number[];
  options: GradientBoostingOptions;
}

interface BoostResult {
  trees: Tree[];
  base: number;
  k: number;
  objective: BoostObjective;
  options: GradientBoostingOptions;
}

/**
 * Second-order gradient boosting over histogram trees — XGBoost 1.7's `tree_method='hist'`
 * (Chen & Guestrin 2016; src/tree/updater_quantile_hist.cc): per round gradients g and hessians
 * h of the loss at the current margins (assembly/tree.ts `boostGradients`), bins cut by XGBoost's
 * weighted quantile sketch (`fitSketchBins`, max_bin = maxBins), a depth-wise tree whose splits
 * maximise the loss change G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) (> 1e-6 and >= γ) with
 * min_child_weight on H, missing values sent along the better direction (`findNewtonSplit` in
 * grower.ts), leaves float32(η · −G/(H+λ)). Histograms, partitions and margin updates run in
 * AssemblyScript. With baseScore set to XGBoost's base margin (0.5 for reg:squarederror, 0 for
 * logistic — XGBoost 1.7's base_score = 0.5) the trees are XGBoost's up to float rounding (our
 * margins are float64, XGBoost's float32): fixtures/models.json, models/fidelity.test.ts.
 */
function* boostTrainer(
  X: Float32Array, n: number, d: number, y: Int32Array | Float64Array | Float32Array, opts: GradientBoostingOptions, classification: boolean, what: string,
): Generator<EpochEvent, BoostResult, void> {
  check(X instanceof Float32Array && X.length === n * d, `${what}: X must be a Float32Array of nRows*nFeatures = ${n * d} values`);
  check(n >= 1, `${what}: need at least one row`);
  for (let i = 0; i < X.length; i++) if (X[i] === Infinity || X[i] === -Infinity) check(false, `${what}: X[${Math.floor(i / d)}, ${i % d}] is infinite`);
  let k = 0;
  let objective: BoostObjective = 'reg:squarederror';
  if (classification) {
    k = checkLabels(y as Int32Array, n, what, opts.nClasses);
    objective = k === 2 ? 'binary:logistic' : 'multi:softprob';
  } else {
    check(y.length === n, `${what}: y has ${y.length} values, expected nRows = ${n}`);
    for (let i = 0; i < n; i++) if (!(Number.isFinite(y[i]))) check(false, `${what}: y[${i}] is ${y[i]}; the target must not have missing values`, { row: i });
  }
  const nEstimators = opts.nEstimators ?? 100;
  const eta = opts.learningRate ?? 0.3;
  const maxDepth = opts.maxDepth ?? 6;
  const minChildWeight = opts.minChildWeight ?? 1;
  const lambda = opts.lambda ?? 1;
  const gamma = opts.gamma ?? 0;
  const maxBins = opts.maxBins ?? 256;
  const subsample = opts.subsample ?? 1;
  const colsample = opts.colsampleByTree ?? 1;
  const seed = opts.seed ?? 0;
  check(Number.isInteger(nEstimators) && nEstimators >= 1, `${what}: nEstimators must be a positive integer, got ${nEstimators}`);
  check(eta > 0, `${what}: learningRate must be > 0, got ${eta}`);
  check(Number.isInteger(maxDepth) && maxDepth >= 1, `${what}: maxDepth must be a positive integer, got ${maxDepth}`);
  check(minChildWeight >= 0 && lambda >= 0 && gamma >= 0, `${what}: minChildWeight, lambda and gamma must be >= 0`);
  check(subsample > 0 && subsample <= 1 && colsample > 0 && colsample <= 1, `${what}: subsample and colsampleByTree must be in (0, 1]`);
  check(Number.isInteger(seed), `${what}: seed must be an integer, got ${seed}`);
  check(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= 256, `${what}: maxBins must be an integer in 2..256, got ${maxBins}`);
  const p = objective === 'multi:softprob' ? k : 1;
  let base = opts.baseScore ?? NaN;
  if (Number.isNaN(base)) {
    if (objective === 'binary:logistic') {
      let pos = 0;
      for (let i = 0; i < n; i++) pos += y[i];
      const pr = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
      base = Math.log(pr / (1 - pr));
    } else if (objective === 'multi:softprob') base = 0;
    else {
      let s = 0;
      for (let i = 0; i < n; i++) s += y[i];
      base = s / n;
    }
  }
  const options: GradientBoostingOptions = { nEstimators, learningRate: eta, maxDepth, minChildWeight, lambda, gamma, maxBins, subsample, colsampleByTree: colsample, seed, ...(classification ? { nClasses: k } : {}), baseScore: base };

  const a = Arena.acquire();
  try {
  const bins = fitSketchBins(a, X, n, d, maxBins);
  const xp = a.putF32(X);
  const codeBytes = bins.codeBytes ?? 1;
  const binsp0 = binInto(a, bins, xp, n);
  a.u8(0, a.k.memory.buffer.byteLength).copyWithin(xp, binsp0, binsp0 + n * d * codeBytes);
  a.release(xp + ((n * d * codeBytes + 15) & ~15));
  const binsp = xp;
  const yp = a.putF64(y);
  const marginp = a.alloc(n * p * 8);
  a.f64(marginp, n * p).fill(base);
  const statp: number[] = [];
  for (let c = 0; c < p; c++) statp.push(a.alloc(n * 8));
  const rowsp = a.alloc(n * 4);
  const scratchp = a.alloc(n * 4);
  const leafp = subsample < 1 ? a.alloc(n * 4) : 0;
  const objCode = objective === 'reg:squarederror' ? 0 : objective === 'binary:logistic' ? 1 : 2;
  const trees: Tree[] = [];
  const nSample = Math.max(1, Math.floor(subsample * n));
  const nCols = Math.max(1, Math.floor(colsample * d));
  for (let round = 0; round < nEstimators; round++) {
    let loss = 0;
    for (let c = 0; c < p; c++) {
      const l = a.k.boostGradients(marginp, yp, n, p, objCode, c, statp[c]);
      if (c === 0) loss = l / n;
    }
    const rng = new Rng(subSeed(seed, round));
    for (let c = 0; c < p; c++) {
      const m = a.mark();
      let cnt = n;
      const rows = a.i32(rowsp, n);
      if (subsample < 1) {
        const pick = rng.sample(n, nSample).sort();
        rows.set(pick);
        cnt = nSample;
      } else for (let i = 0; i < n; i++) rows[i] = i;
      const allowed = colsample < 1 ? rng.sample(d, nCols).sort() : null;
      const { tree, leaves } = growTree(
        { a, d, bins, binsp, rowsp, nRows: cnt, scratchp, statp: statp[c], statF32: true, yp: 0, wp: 0, k: 0 },
        { criterion: 'newton', maxDepth, minSamplesSplit: 2, minSamplesLeaf: 0, minChildWeight, lambda, minGain: gamma, eta, maxFeatures: d, allowed, rng: null },
      );
      trees.push(tree);
      if (subsample < 1) {
        const nodesp = packTree(a, tree, bins);
        const valp = a.putF64(tree.value);
        a.k.treeApplyBinned(binsp, n, d, nodesp, leafp, codeBytes);
        a.k.addLeafValues(leafp, n, valp, marginp, p, c);
      } else {
        for (const lf of leaves) a.k.addToRows(rowsp + lf.start * 4, lf.count, marginp, p, c, tree.value[lf.node]);
      }
      a.release(m);
    }
    yield { epoch: round + 1, loss };
  }
  return { trees, base, k, objective, options };
  } finally {
    a.dispose();
  }
}

/** Shared predict / serialisation for the two boosting models. */
abstract class BoostBase {
  readonly nFeatures: number;
  /** Classes (0 for regression). */
  readonly nClasses: number;
  readonly objective: BoostObjective;
  /** Initial margin added to every output. */
  readonly baseScore: number;
  /** Round-major trees: tree t adds to output t % nOutputs. */
  readonly trees: Tree[];
  readonly options: GradientBoostingOptions;
  protected abstract readonly kind: GradientBoostingJSON['kind'];

  /** @internal */
  constructor(d: number, k: number, objective: BoostObjective, base: number, trees: Tree[], options: GradientBoostingOptions) {
    this.nFeatures = d;
    this.nClasses = k;
    this.objective = objective;
    this.baseScore = base;
    this.trees = trees;
    this.options = options;
  }

  /** Margins per output: 1 for binary/regression, K for multiclass. */
  get nOutputs(): number {
    return this.objective === 'multi:softprob' ? this.nClasses : 1;
  }

  /** Feature importances: total split gain per feature, normalised per tree then to sum 1. */
  get featureImportances(): Float64Array {
    return featureImportances(this.trees, this.nFeatures);
  }

  /** Raw margins: Float64Array [nRows, nOutputs] (log-odds, softmax logits or predictions). NaN in X follows learned directions. */
  decisionFunction(X: Float32Array, nRows: number): Float64Array {
    check(X instanceof Float32Array && X.length === nRows * this.nFeatures, `predict: X must be a Float32Array of nRows*nFeatures = ${nRows * this.nFeatures} values`);
    const p = this.nOutputs;
    const out = new Float64Array(nRows * p).fill(this.baseScore);
    applyTrees(sharedArena(), this.trees, X, nRows, this.nFeatures, (t, leaves) => {
      const v = this.trees[t].value;
      const c = t % p;
      for (let i = 0; i < nRows; i++) out[i * p + c] += v[leaves[i]];
    });
    return out;
  }

  toJSON(): GradientBoostingJSON {
    return {
      kind: this.kind,
      version: 1,
      objective: this.objective,
      nFeatures: this.nFeatures,
      nClasses: this.nClasses,
      baseScore: this.baseScore,
      trees: this.trees.map(treeToJSON),
      featureImportances: Array.from(this.featureImportances),
      options: { ...this.options },
    };
  }
}

function restore(json: unknown, kind: GradientBoostingJSON['kind'], what: string) {
  const j = json as Partial<GradientBoostingJSON> | null;
  const bad = (why: string): never => {
    throw new KernelError('INVALID_ARTIFACT', `${what}.fromJSON: ${why}`);
  };
  if (!j || typeof j !== 'object' || j.kind !== kind) bad(`expected kind '${kind}'`);
  if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
  const d = j!.nFeatures!;
  if (!Number.isInteger(d) || d < 1) bad('nFeatures must be a positive integer');
  const obj = j!.objective!;
  if (!['binary:logistic', 'multi:softprob', 'reg:squarederror'].includes(obj)) bad(`unknown objective ${String(obj)}`);
  const k = j!.nClasses!;
  if (obj === 'multi:softprob' ? !(k >= 3) : obj === 'binary:logistic' ? k !== 2 : k !== 0) bad('nClasses does not match the objective');
  if (typeof j!.baseScore !== 'number' || !Number.isFinite(j!.baseScore)) bad('baseScore must be a finite number');
  if (!Array.isArray(j!.trees) || j!.trees.length < 1) bad('trees must be a non-empty array');
  const trees = j!.trees!.map((t) => treeFromJSON(t, d, 1, bad));
  return { d, k, obj, base: j!.baseScore!, trees, options: { ...(j!.options ?? {}) } };
}

/**
 * Gradient-boosted trees for classification: binary logistic (K = 2) or softmax (K > 2, one
 * tree per class per round, XGBoost's multi:softprob gradients). X: Float32Array [nRows, nFeatures]
 * (NaN = missing); y: Int32Array [nRows] in 0..K-1. `hooks.onEpoch` per round with the training
 * cross-entropy before that round.
 */
export class GradientBoostingClassifier extends BoostBase {
  protected readonly kind = 'gradient_boosting_classifier' as const;

  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: GradientBoostingOptions = {}, hooks?: FitHooks): GradientBoostingClassifier {
    const r = driveSync(boostTrainer(X, nRows, nFeatures, y, opts, true, 'GradientBoostingClassifier.fit'), hooks, 'GradientBoostingClassifier.fit');
    return new GradientBoostingClassifier(nFeatures, r.k, r.objective, r.base, r.trees, r.options);
  }

  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: GradientBoostingOptions = {}, hooks?: FitHooks): Promise<GradientBoostingClassifier> {
    const r = await driveAsync(boostTrainer(X, nRows, nFeatures, y, opts, true, 'GradientBoostingClassifier.fit'), hooks, 'GradientBoostingClassifier.fit');
    return new GradientBoostingClassifier(nFeatures, r.k, r.objective, r.base, r.trees, r.options);
  }

  /** Class probabilities: Float64Array [nRows, K]. */
  predictProba(X: Float32Array, nRows: number): Float64Array {
    const m = this.decisionFunction(X, nRows);
    return probaFromScores(m, nRows, this.nClasses, this.objective === 'binary:logistic');
  }

  /** Predicted class indices: Int32Array [nRows]. */
  predict(X: Float32Array, nRows: number): Int32Array {
    const m = this.decisionFunction(X, nRows);
    if (this.objective === 'binary:logistic') return Int32Array.from(m, (z) => (z > 0 ? 1 : 0));
    return argmaxRows(m, nRows, this.nClasses);
  }

  static fromJSON(json: unknown): GradientBoostingClassifier {
    const r = restore(json, 'gradient_boosting_classifier', 'GradientBoostingClassifier');
    return new GradientBoostingClassifier(r.d, r.k, r.obj, r.base, r.trees, r.options);
  }
}

/** Gradient-boosted trees for regression (squared error). y: Float64Array [nRows]. */
export class GradientBoostingRegressor extends BoostBase {
  protected readonly kind = 'gradient_boosting_regressor' as const;

  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: GradientBoostingOptions = {}, hooks?: FitHooks): GradientBoostingRegressor {
    const r = driveSync(boostTrainer(X, nRows, nFeatures, y, opts, false, 'GradientBoostingRegressor.fit'), hooks, 'GradientBoostingRegressor.fit');
    return new GradientBoostingRegressor(nFeatures, 0, r.objective, r.base, r.trees, r.options);
  }

  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: GradientBoostingOptions = {}, hooks?: FitHooks): Promise<GradientBoostingRegressor> {
    const r = await driveAsync(boostTrainer(X, nRows, nFeatures, y, opts, false, 'GradientBoostingRegressor.fit'), hooks, 'GradientBoostingRegressor.fit');
    return new GradientBoostingRegressor(nFeatures, 0, r.objective, r.base, r.trees, r.options);
  }

  /** Predictions: Float64Array [nRows]. */
  predict(X: Float32Array, nRows: number): Float64Array {
    return this.decisionFunction(X, nRows);
  }

  static fromJSON(json: unknown): GradientBoostingRegressor {
    const r = restore(json, 'gradient_boosting_regressor', 'GradientBoostingRegressor');
    return new GradientBoostingRegressor(r.d, 0, r.obj, r.base, r.trees, r.options);
  }
}
