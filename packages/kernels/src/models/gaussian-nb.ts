import { KernelError, check, throwIfAborted } from '../errors.js';
import { sharedArena } from '../wasm/runtime.js';
import { FitHooks, checkLabels, checkShape, probaFromScores, putMatrix } from './common.js';

/** Options for `GaussianNB.fit`. */
export interface GaussianNBOptions {
  /** Added to every variance: varSmoothing * (largest feature variance) (default 1e-9, as scikit-learn). */
  varSmoothing?: number;
  /** Number of classes K (default max(y) + 1). Absent classes get prior 0 and never win. */
  nClasses?: number;
  /** Class priors [K] summing to 1 (default: class frequencies). */
  priors?: number[];
}

/** JSON artifact of a fitted `GaussianNB`. */
export interface GaussianNBJSON {
  kind: 'gaussian_nb';
  version: 1;
  nFeatures: number;
  nClasses: number;
  /** [K] */
  classPrior: number[];
  /** [K][d] per-class feature means. */
  theta: number[][];
  /** [K][d] per-class feature variances (smoothed). */
  var: number[][];
  options: GaussianNBOptions;
}

/**
 * Gaussian naive Bayes: per class c and feature j a normal N(theta[c, j], var[c, j]) with
 * var = class variance + varSmoothing * max_j Var(X[:, j]); log P(c | x) ∝ log prior_c +
 * sum_j log N(x_j; theta, var). Same estimator as scikit-learn's `GaussianNB`
 * (sklearn/naive_bayes.py). Fit is two passes over X (float64 sums, centred second pass).
 */
export class GaussianNB {
  readonly nFeatures: number;
  readonly nClasses: number;
  /** Float64Array [K]. */
  readonly classPrior: Float64Array;
  /** Float64Array [K, d]. */
  readonly theta: Float64Array;
  /** Float64Array [K, d]. */
  readonly var: Float64Array;
  readonly options: GaussianNBOptions;

  /** @internal Use `GaussianNB.fit` or `GaussianNB.fromJSON`. */
  constructor(d: number, k: number, prior: Float64Array, theta: Float64Array, variance: Float64Array, options: GaussianNBOptions) {
    this.nFeatures = d;
    this.nClasses = k;
    this.classPrior = prior;
    this.theta = theta;
    this.var = variance;
    this.options = options;
  }

  /**
   * Fits on X: Float32Array [nRows, nFeatures] (finite) and y: Int32Array [nRows] in 0..K-1.
   * Calls `hooks.onEpoch({epoch: 1, loss: mean negative log-likelihood})` once.
   */
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: GaussianNBOptions = {}, hooks?: FitHooks): GaussianNB {
    throwIfAborted(hooks?.signal, 'GaussianNB.fit');
    checkShape(X, nRows, nFeatures, 'GaussianNB.fit');
    const k = checkLabels(y, nRows, 'GaussianNB.fit', opts.nClasses);
    const vs = opts.varSmoothing ?? 1e-9;
    check(Number.isFinite(vs) && vs >= 0, `GaussianNB.fit: varSmoothing must be >= 0, got ${vs}`);
    const d = nFeatures;
    // moments in wasm (two SIMD passes, float64 sums in row order)
    const { count, theta, variance, gvar } = sharedArena().scoped((a) => {
      const xp = putMatrix(a, X, nRows, nFeatures, 'GaussianNB.fit');
      const yp = a.putI32(y);
      const cp = a.alloc(k * 8);
      const tp = a.alloc(k * d * 8);
      const vp = a.alloc(k * d * 8);
      const gmp = a.alloc(d * 8);
      const gvp = a.alloc(d * 8);
      a.k.gnbMoments(xp, yp, nRows, d, k, cp, tp, vp, gmp, gvp);
      return { count: Float64Array.from(a.f64(cp, k)), theta: Float64Array.from(a.f64(tp, k * d)), variance: Float64Array.from(a.f64(vp, k * d)), gvar: Float64Array.from(a.f64(gvp, d)) };
    });
    let maxVar = 0;
    for (let j = 0; j < d; j++) maxVar = Math.max(maxVar, gvar[j] / nRows);
    const eps = vs * maxVar;
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) variance[c * d + j] = (count[c] > 0 ? variance[c * d + j] / count[c] : 0) + eps;
    let prior: Float64Array;
    if (opts.priors) {
      check(opts.priors.length === k && opts.priors.every((p) => p >= 0), `GaussianNB.fit: priors must be ${k} non-negative numbers`);
      const s = opts.priors.reduce((u, v) => u + v, 0);
      check(Math.abs(s - 1) < 1e-6, `GaussianNB.fit: priors must sum to 1, got ${s}`);
      prior = Float64Array.from(opts.priors);
    } else {
      prior = Float64Array.from(count, (c) => c / nRows);
    }
    const model = new GaussianNB(d, k, prior, theta, variance, { ...opts, varSmoothing: vs, nClasses: k });
    if (hooks?.onEpoch) {
      const jl = model.jointLogLikelihood(X, nRows);
      let nll = 0;
      for (let i = 0; i < nRows; i++) {
        let m = -Infinity;
        for (let c = 0; c < k; c++) m = Math.max(m, jl[i * k + c]);
        let s = 0;
        for (let c = 0; c < k; c++) s += Math.exp(jl[i * k + c] - m);
        nll -= jl[i * k + y[i]] - m - Math.log(s);
      }
      hooks.onEpoch({ epoch: 1, loss: nll / nRows });
    }
    throwIfAborted(hooks?.signal, 'GaussianNB.fit');
    return model;
  }

  /** As `fit` (one pass; for interface symmetry). */
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: GaussianNBOptions = {}, hooks?: FitHooks): Promise<GaussianNB> {
    return GaussianNB.fit(X, nRows, nFeatures, y, opts, hooks);
  }

  /** Unnormalised log P(c) + log P(x | c): Float64Array [nRows, K]. */
  jointLogLikelihood(X: Float32Array, nRows: number): Float64Array {
    const d = this.nFeatures;
    const k = this.nClasses;
    return sharedArena().scoped((a) => {
      const xp = putMatrix(a, X, nRows, d, 'GaussianNB.predict');
      const pp = a.putF64(this.classPrior);
      const tp = a.putF64(this.theta);
      const vp = a.putF64(this.var);
      const sp = a.alloc(k * (d + 1) * 8);
      const op = a.alloc(nRows * k * 8);
      a.k.gnbJointLogLik(xp, nRows, d, k, pp, tp, vp, sp, op);
      return Float64Array.from(a.f64(op, nRows * k));
    });
  }

  /** Class probabilities: Float64Array [nRows, K], rows sum to 1. */
  predictProba(X: Float32Array, nRows: number): Float64Array {
    return probaFromScores(this.jointLogLikelihood(X, nRows), nRows, this.nClasses, false);
  }

  /** Predicted class indices: Int32Array [nRows]. */
  predict(X: Float32Array, nRows: number): Int32Array {
    const jl = this.jointLogLikelihood(X, nRows);
    return argmaxRows(jl, nRows, this.nClasses);
  }

  toJSON(): GaussianNBJSON {
    const d = this.nFeatures;
    const rows = (a: Float64Array) => Array.from({ length: this.nClasses }, (_, c) => Array.from(a.subarray(c * d, c * d + d)));
    return { kind: 'gaussian_nb', version: 1, nFeatures: d, nClasses: this.nClasses, classPrior: Array.from(this.classPrior), theta: rows(this.theta), var: rows(this.var), options: { ...this.options } };
  }

  static fromJSON(json: unknown): GaussianNB {
    const j = json as Partial<GaussianNBJSON> | null;
    const bad = (why: string): never => {
      throw new KernelError('INVALID_ARTIFACT', `GaussianNB.fromJSON: ${why}`);
    };
    if (!j || typeof j !== 'object' || j.kind !== 'gaussian_nb') bad(`expected kind 'gaussian_nb'`);
    if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
    const d = j!.nFeatures!;
    const k = j!.nClasses!;
    if (!Number.isInteger(d) || d < 1 || !Number.isInteger(k) || k < 2) bad('nFeatures >= 1 and nClasses >= 2 required');
    const flat = (m: unknown, what: string, positive: boolean): Float64Array => {
      if (!Array.isArray(m) || m.length !== k) bad(`${what} must have ${k} rows`);
      const out = new Float64Array(k * d);
      (m as unknown[]).forEach((row, c) => {
        if (!Array.isArray(row) || row.length !== d || !row.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0))) bad(`${what}[${c}] must be ${d} finite${positive ? ' positive' : ''} numbers`);
        out.set(row as number[], c * d);
      });
      return out;
    };
    const prior = j!.classPrior;
    if (!Array.isArray(prior) || prior.length !== k || !prior.every((v) => typeof v === 'number' && v >= 0)) bad(`classPrior must be ${k} non-negative numbers`);
    return new GaussianNB(d, k, Float64Array.from(prior!), flat(j!.theta, 'theta', false), flat(j!.var, 'var', true), { ...(j!.options ?? {}) });
  }
}

/** Argmax per row of a [nRows, k] matrix (ties -> lowest index). */
export function argmaxRows(m: ArrayLike<number>, nRows: number, k: number): Int32Array {
  const out = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let b = 0;
    for (let c = 1; c < k; c++) if (m[i * k + c] > m[i * k + b]) b = c;
    out[i] = b;
  }
  return out;
}
