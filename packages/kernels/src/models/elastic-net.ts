import { KernelError, check, throwIfAborted } from '../errors.js';
import { EpochEvent, FitHooks, driveAsync, driveSync } from './common.js';
import { LinearRegression, LinearRegressionOptions } from './linear-regression.js';
import { LinearStats, linearPredict, linearStats } from './linear-stats.js';

/** Options for `ElasticNet.fit` (and `Lasso.fit`, which fixes l1Ratio = 1). */
export interface ElasticNetOptions {
  /** Overall penalty strength alpha >= 0 (default 1.0, as scikit-learn). */
  alpha?: number;
  /** Mix of L1 in [0, 1] (default 0.5; 1 = lasso, 0 = ridge-like). */
  l1Ratio?: number;
  /** Maximum coordinate-descent sweeps (default 1000). */
  maxIter?: number;
  /** Stop when the duality gap <= tol * ||y - mean(y)||^2 (default 1e-4, as scikit-learn). */
  tol?: number;
}

/** JSON artifact of a fitted `ElasticNet` / lasso. */
export interface ElasticNetJSON {
  kind: 'elastic_net';
  version: 1;
  nFeatures: number;
  coef: number[];
  intercept: number;
  nIter: number;
  dualGap: number;
  options: ElasticNetOptions;
}

/**
 * Elastic net / lasso regression with intercept, minimising
 * `1/(2n) ||y - Xw - b||^2 + alpha l1Ratio ||w||_1 + alpha (1 - l1Ratio)/2 ||w||^2` — the same
 * objective, cyclic coordinate-descent updates and duality-gap stopping rule as scikit-learn's
 * `ElasticNet` / `Lasso` (sklearn/linear_model/_cd_fast.pyx, `enet_coordinate_descent_gram`).
 * Data enter only through the centred Gram matrix: one AssemblyScript pass (`linearStats`,
 * mergeable across shards) then O(d^2) per sweep independent of nRows.
 */
export class ElasticNet {
  readonly nFeatures: number;
  /** Float64Array [d]; exact zeros for features the L1 penalty removed. */
  readonly coef: Float64Array;
  readonly intercept: number;
  /** Coordinate-descent sweeps run. */
  readonly nIter: number;
  /** Final duality gap (units of y squared, times nRows). */
  readonly dualGap: number;
  readonly options: ElasticNetOptions;

  /** @internal Use `ElasticNet.fit`, `fromStats` or `fromJSON`. */
  constructor(d: number, coef: Float64Array, intercept: number, nIter: number, dualGap: number, options: ElasticNetOptions) {
    this.nFeatures = d;
    this.coef = coef;
    this.intercept = intercept;
    this.nIter = nIter;
    this.dualGap = dualGap;
    this.options = options;
  }

  /**
   * Fits on X: Float32Array [nRows, nFeatures] (finite) and y [nRows] (finite). Calls
   * `hooks.onEpoch` after every sweep with loss = the primal objective.
   */
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: ElasticNetOptions = {}, hooks?: FitHooks): ElasticNet {
    throwIfAborted(hooks?.signal, 'ElasticNet.fit');
    check(nRows >= 1, 'ElasticNet.fit: need at least one row');
    return ElasticNet.fromStats(linearStats(X, nRows, nFeatures, y), opts, hooks);
  }

  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: ElasticNetOptions = {}, hooks?: FitHooks): Promise<ElasticNet> {
    throwIfAborted(hooks?.signal, 'ElasticNet.fit');
    check(nRows >= 1, 'ElasticNet.fit: need at least one row');
    return driveAsync(cdTrainer(linearStats(X, nRows, nFeatures, y), opts), hooks, 'ElasticNet.fit');
  }

  /** Solves from (possibly merged) `linearStats` — the reduce step of a data-parallel fit. */
  static fromStats(stats: LinearStats, opts: ElasticNetOptions = {}, hooks?: FitHooks): ElasticNet {
    return driveSync(cdTrainer(stats, opts), hooks, 'ElasticNet.fit');
  }

  /** Predictions: Float64Array [nRows]. */
  predict(X: Float32Array, nRows: number): Float64Array {
    return linearPredict(this.coef, this.intercept, X, nRows, 'ElasticNet.predict');
  }

  toJSON(): ElasticNetJSON {
    return { kind: 'elastic_net', version: 1, nFeatures: this.nFeatures, coef: Array.from(this.coef), intercept: this.intercept, nIter: this.nIter, dualGap: this.dualGap, options: { ...this.options } };
  }

  static fromJSON(json: unknown): ElasticNet {
    const j = json as Partial<ElasticNetJSON> | null;
    const bad = (why: string): never => {
      throw new KernelError('INVALID_ARTIFACT', `ElasticNet.fromJSON: ${why}`);
    };
    if (!j || typeof j !== 'object' || j.kind !== 'elastic_net') bad(`expected kind 'elastic_net'`);
    if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
    const d = j!.nFeatures!;
    if (!Number.isInteger(d) || d < 1) bad('nFeatures must be a positive integer');
    if (!Array.isArray(j!.coef) || j!.coef.length !== d || !j!.coef.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(`coef must be ${d} finite numbers`);
    if (typeof j!.intercept !== 'number' || !Number.isFinite(j!.intercept)) bad('intercept must be a finite number');
    return new ElasticNet(d, Float64Array.from(j!.coef!), j!.intercept!, Number(j!.nIter ?? 0), Number(j!.dualGap ?? 0), { ...(j!.options ?? {}) });
  }
}

/** Lasso = `ElasticNet` with l1Ratio = 1 (scikit-learn's `Lasso`). Returns an `ElasticNet`. */
export const Lasso = {
  fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: Omit<ElasticNetOptions, 'l1Ratio'> = {}, hooks?: FitHooks): ElasticNet {
    return ElasticNet.fit(X, nRows, nFeatures, y, { ...opts, l1Ratio: 1 }, hooks);
  },
  fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: Omit<ElasticNetOptions, 'l1Ratio'> = {}, hooks?: FitHooks): Promise<ElasticNet> {
    return ElasticNet.fitAsync(X, nRows, nFeatures, y, { ...opts, l1Ratio: 1 }, hooks);
  },
};

/**
 * Ridge = `LinearRegression` with an L2 penalty: minimises ||y - Xw - b||^2 + alpha ||w||^2
 * (scikit-learn's `Ridge(alpha)`, default alpha 1.0) by the normal equations. Returns a `LinearRegression`.
 */
export const Ridge = {
  fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: LinearRegressionOptions = {}, hooks?: FitHooks): LinearRegression {
    return LinearRegression.fit(X, nRows, nFeatures, y, { alpha: opts.alpha ?? 1.0 }, hooks);
  },
};

function* cdTrainer(s: LinearStats, opts: ElasticNetOptions): Generator<EpochEvent, ElasticNet, void> {
  const alpha = opts.alpha ?? 1.0;
  const l1Ratio = opts.l1Ratio ?? 0.5;
  const maxIter = opts.maxIter ?? 1000;
  const tol = opts.tol ?? 1e-4;
  check(Number.isFinite(alpha) && alpha >= 0, `ElasticNet.fit: alpha must be >= 0, got ${alpha}`);
  check(Number.isFinite(l1Ratio) && l1Ratio >= 0 && l1Ratio <= 1, `ElasticNet.fit: l1Ratio must be in [0, 1], got ${l1Ratio}`);
  check(Number.isInteger(maxIter) && maxIter >= 1, `ElasticNet.fit: maxIter must be a positive integer, got ${maxIter}`);
  check(Number.isFinite(tol) && tol >= 0, `ElasticNet.fit: tol must be >= 0, got ${tol}`);
  check(s.nRows >= 1, 'ElasticNet.fit: no rows');
  const d = s.nFeatures;
  const n = s.nRows;
  const ybar = s.sumY / n;
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) A[j * d + k] = s.xtx[j * d + k] - (s.sumX[j] * s.sumX[k]) / n;
    b[j] = s.xty[j] - s.sumX[j] * ybar;
  }
  const yy = Math.max(0, s.sumYY - s.sumY * ybar);
  const l1 = alpha * l1Ratio * n;
  const l2 = alpha * (1 - l1Ratio) * n;
  const w = new Float64Array(d);
  const q = new Float64Array(d); // A w
  const tolScaled = tol * yy;
  let gap = tolScaled + 1;
  let iter = 0;
  const soft = (z: number, t: number) => (z > t ? z - t : z < -t ? z + t : 0);
  for (iter = 1; iter <= maxIter; iter++) {
    let wMax = 0;
    let dMax = 0;
    for (let j = 0; j < d; j++) {
      const ajj = A[j * d + j];
      if (ajj === 0) continue;
      const old = w[j];
      const rho = b[j] - q[j] + ajj * old;
      const nw = soft(rho, l1) / (ajj + l2);
      if (nw !== old) {
        const delta = nw - old;
        for (let k = 0; k < d; k++) q[k] += A[k * d + j] * delta;
        w[j] = nw;
      }
      dMax = Math.max(dMax, Math.abs(nw - old));
      wMax = Math.max(wMax, Math.abs(nw));
    }
    // primal objective (per scikit-learn's scaling, divided by n) and duality gap
    let wb = 0;
    let wq = 0;
    let wl1 = 0;
    let wl2 = 0;
    for (let j = 0; j < d; j++) {
      wb += w[j] * b[j];
      wq += w[j] * q[j];
      wl1 += Math.abs(w[j]);
      wl2 += w[j] * w[j];
    }
    const rNorm2 = Math.max(0, yy - 2 * wb + wq);
    yield { epoch: iter, loss: (0.5 * rNorm2 + l1 * wl1 + 0.5 * l2 * wl2) / n };
    if (wMax === 0 || dMax / wMax < tol || iter === maxIter) {
      let dual = 0;
      for (let j = 0; j < d; j++) dual = Math.max(dual, Math.abs(b[j] - q[j] - l2 * w[j]));
      let cst = 1;
      if (dual > l1) {
        cst = l1 / dual;
        gap = 0.5 * (rNorm2 + rNorm2 * cst * cst);
      } else {
        gap = rNorm2;
      }
      gap += l1 * wl1 - cst * (yy - wb) + 0.5 * l2 * (1 + cst * cst) * wl2;
      if (gap < tolScaled) break;
    }
  }
  let intercept = ybar;
  for (let j = 0; j < d; j++) intercept -= (s.sumX[j] / n) * w[j];
  return new ElasticNet(d, w, intercept, Math.min(iter, maxIter), gap, { alpha, l1Ratio, maxIter, tol });
}
