import { KernelError, check } from '../errors.js';
import { FitHooks } from './common.js';
import { throwIfAborted } from '../errors.js';
import { LinearStats, linearPredict, linearStats, solveLinearStats } from './linear-stats.js';

/** Options for `LinearRegression.fit`. */
export interface LinearRegressionOptions {
  /** L2 penalty alpha >= 0 on coefficients (default 0 = ordinary least squares; intercept unpenalised). */
  alpha?: number;
}

/** JSON artifact of a fitted `LinearRegression`. */
export interface LinearRegressionJSON {
  kind: 'linear_regression';
  version: 1;
  nFeatures: number;
  coef: number[];
  intercept: number;
  options: LinearRegressionOptions;
  /** Training mean squared error (units of y squared). */
  trainMse: number | null;
}

/**
 * Ordinary least squares / ridge regression with intercept. Fit = one pass of the
 * AssemblyScript Gram kernel (X^T X, X^T y; mergeable across shards via `linearStats` /
 * `mergeLinearStats`) then a Cholesky solve of the centred normal equations with a tiny ridge
 * fallback for singular systems (see `solveLinearStats`). Same estimator as scikit-learn's
 * `LinearRegression` (alpha = 0) and `Ridge(alpha)` (sklearn/linear_model/_base.py, _ridge.py).
 */
export class LinearRegression {
  readonly nFeatures: number;
  /** Float64Array [d]. */
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly options: LinearRegressionOptions;
  readonly trainMse: number | null;

  private constructor(nFeatures: number, coef: Float64Array, intercept: number, options: LinearRegressionOptions, trainMse: number | null) {
    this.nFeatures = nFeatures;
    this.coef = coef;
    this.intercept = intercept;
    this.options = options;
    this.trainMse = trainMse;
  }

  /**
   * Fits on X: Float32Array [nRows, nFeatures] row-major (finite) and y [nRows] (finite).
   * Calls `hooks.onEpoch({epoch: 1, loss: training MSE})` once. Throws `KernelError`
   * 'INVALID_INPUT' or 'ABORTED'.
   */
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: LinearRegressionOptions = {}, hooks?: FitHooks): LinearRegression {
    throwIfAborted(hooks?.signal, 'LinearRegression.fit');
    check(nRows >= 1, 'LinearRegression.fit: need at least one row');
    const stats = linearStats(X, nRows, nFeatures, y);
    throwIfAborted(hooks?.signal, 'LinearRegression.fit');
    return LinearRegression.fromStats(stats, opts, hooks);
  }

  /** As `fit` (a single pass; provided for interface symmetry with iterative models). */
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: LinearRegressionOptions = {}, hooks?: FitHooks): Promise<LinearRegression> {
    return LinearRegression.fit(X, nRows, nFeatures, y, opts, hooks);
  }

  /** Solves from (possibly merged) sufficient statistics — the reduce step of data-parallel training. */
  static fromStats(stats: LinearStats, opts: LinearRegressionOptions = {}, hooks?: FitHooks): LinearRegression {
    const alpha = opts.alpha ?? 0;
    const sol = solveLinearStats(stats, alpha);
    hooks?.onEpoch?.({ epoch: 1, loss: sol.mse });
    throwIfAborted(hooks?.signal, 'LinearRegression.fit');
    return new LinearRegression(stats.nFeatures, sol.coef, sol.intercept, { alpha }, sol.mse);
  }

  /** Predictions: Float64Array [nRows] (units of y). */
  predict(X: Float32Array, nRows: number): Float64Array {
    return linearPredict(this.coef, this.intercept, X, nRows, 'LinearRegression.predict');
  }

  /** JSON artifact (round-trips exactly). */
  toJSON(): LinearRegressionJSON {
    return { kind: 'linear_regression', version: 1, nFeatures: this.nFeatures, coef: Array.from(this.coef), intercept: this.intercept, options: { ...this.options }, trainMse: this.trainMse };
  }

  /** Restores a model saved with `toJSON`. Throws `KernelError('INVALID_ARTIFACT')` if malformed. */
  static fromJSON(json: unknown): LinearRegression {
    const j = json as Partial<LinearRegressionJSON> | null;
    const bad = (why: string): never => {
      throw new KernelError('INVALID_ARTIFACT', `LinearRegression.fromJSON: ${why}`);
    };
    if (!j || typeof j !== 'object' || j.kind !== 'linear_regression') bad(`expected kind 'linear_regression'`);
    if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
    const d = j!.nFeatures!;
    if (!Number.isInteger(d) || d < 1) bad('nFeatures must be a positive integer');
    if (!Array.isArray(j!.coef) || j!.coef.length !== d || !j!.coef.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(`coef must be ${d} finite numbers`);
    if (typeof j!.intercept !== 'number' || !Number.isFinite(j!.intercept)) bad('intercept must be a finite number');
    return new LinearRegression(d, Float64Array.from(j!.coef!), j!.intercept!, { ...(j!.options ?? {}) }, j!.trainMse ?? null);
  }
}
