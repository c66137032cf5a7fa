import { Arena, sharedArena } from '../wasm/runtime.js';
import { KernelError, check } from '../errors.js';
import { lbfgs } from '../optim/lbfgs.js';
import { splitmix32 } from '../split/hash.js';
import { EpochEvent, FitHooks, checkLabels, checkShape, driveAsync, driveSync, probaFromScores, putMatrix } from './common.js';
import { makeLossGrad } from './logistic-loss.js';

/** Options for `LogisticRegression.fit`. */
export interface LogisticRegressionOptions {
  /** Inverse L2 regularisation strength, as scikit-learn's `C` (default 1.0; > 0). Intercepts are not penalised. */
  C?: number;
  /** 'lbfgs' (full batch, default; matches scikit-learn) or 'adam' (mini-batch, seeded). */
  solver?: 'lbfgs' | 'adam';
  /** Number of classes K (default max(y) + 1). K == 2 fits one sigmoid; K > 2 a softmax. */
  nClasses?: number;
  /** L-BFGS: maximum iterations (default 1000). */
  maxIter?: number;
  /** L-BFGS: stop when the largest |gradient| of the mean objective is <= tol (default 1e-6). */
  tol?: number;
  /** Adam: passes over the data (default 100). */
  epochs?: number;
  /** Adam: step size (default 0.01). */
  learningRate?: number;
  /** Adam: rows per mini-batch (default 32). */
  batchSize?: number;
  /** Adam: seed of the one-off row shuffle and the per-epoch batch order (default 0). Same seed -> identical coefficients. */
  seed?: number;
}

/** Summary of a fit. */
export interface LogisticTrainInfo {
  solver: 'lbfgs' | 'adam';
  epochs: number;
  converged: boolean;
  /** Final training objective: mean cross-entropy + ||coef||^2 / (2 C nRows). */
  loss: number;
}

/** JSON artifact of a fitted `LogisticRegression` (`kind` and `version` identify the format). */
export interface LogisticRegressionJSON {
  kind: 'logistic_regression';
  version: 1;
  nFeatures: number;
  nClasses: number;
  /** [P][nFeatures], P = 1 for binary (class 1 vs 0), P = nClasses for multinomial. */
  coef: number[][];
  /** [P] */
  intercept: number[];
  options: LogisticRegressionOptions;
  trainInfo: LogisticTrainInfo | null;
}

/**
 * L2-regularised logistic regression: binary (sigmoid) for K = 2, multinomial (softmax)
 * for K > 2, minimising `mean_i CE(y_i, softmax(W x_i + b)) + ||W||^2 / (2 C n)` — the same
 * minimiser as scikit-learn's `LogisticRegression(penalty='l2', C=C, solver='lbfgs')`
 * (sklearn/linear_model/_logistic.py; loss in sklearn/linear_model/_linear_loss.py).
 * Gradient kernel in AssemblyScript (f64x2 SIMD); optimiser L-BFGS (Nocedal & Wright
 * Alg. 7.5) in TypeScript, or mini-batch Adam (Kingma & Ba 2015, f32x4 SIMD kernel).
 */
export class LogisticRegression {
  /** Number of input features d. */
  readonly nFeatures: number;
  /** Number of classes K (>= 2). */
  readonly nClasses: number;
  /** Float64Array [P, d + 1]: per row, coefficients then intercept (P = 1 if K == 2, else K). */
  readonly params: Float64Array;
  readonly options: LogisticRegressionOptions;
  readonly trainInfo: LogisticTrainInfo | null;

  private constructor(nFeatures: number, nClasses: number, params: Float64Array, options: LogisticRegressionOptions, trainInfo: LogisticTrainInfo | null) {
    this.nFeatures = nFeatures;
    this.nClasses = nClasses;
    this.params = params;
    this.options = options;
    this.trainInfo = trainInfo;
  }

  /** Rows of the parameter matrix: 1 for binary, K for multinomial. */
  get nOutputs(): number {
    return this.nClasses === 2 ? 1 : this.nClasses;
  }

  /** Coefficients as [P][d] (copy). */
  get coef(): number[][] {
    const d = this.nFeatures;
    return Array.from({ length: this.nOutputs }, (_, c) => Array.from(this.params.subarray(c * (d + 1), c * (d + 1) + d)));
  }

  /** Intercepts as [P] (copy). */
  get intercept(): number[] {
    const d = this.nFeatures;
    return Array.from({ length: this.nOutputs }, (_, c) => this.params[c * (d + 1) + d]);
  }

  /**
   * Fits on X: Float32Array [nRows, nFeatures] row-major (finite values; scale features
   * first for fast convergence) and y: Int32Array [nRows] class indices 0..K-1.
   * Calls `hooks.onEpoch` after every L-BFGS iteration / Adam epoch with the objective.
   * Throws `KernelError` 'INVALID_INPUT' (shapes, non-finite X, labels, options) or
   * 'ABORTED' (hooks.signal). Deterministic: same inputs and seed -> identical bytes.
   */
  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: LogisticRegressionOptions = {}, hooks?: FitHooks): LogisticRegression {
    const { gen, finish } = LogisticRegression.trainer(X, nRows, nFeatures, y, opts);
    return finish(driveSync(gen, hooks, 'LogisticRegression.fit'));
  }

  /** As `fit`, but yields to the event loop between epochs so `hooks.signal` can fire mid-fit. */
  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: LogisticRegressionOptions = {}, hooks?: FitHooks): Promise<LogisticRegression> {
    const { gen, finish } = LogisticRegression.trainer(X, nRows, nFeatures, y, opts);
    return finish(await driveAsync(gen, hooks, 'LogisticRegression.fit'));
  }

  private static trainer(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: LogisticRegressionOptions) {
    checkShape(X, nRows, nFeatures, 'LogisticRegression.fit'); // values: checked while copied into wasm
    check(nRows >= 1, 'LogisticRegression.fit: need at least one row');
    const k = checkLabels(y, nRows, 'LogisticRegression.fit', opts.nClasses);
    const C = opts.C ?? 1.0;
    check(Number.isFinite(C) && C > 0, `LogisticRegression.fit: C must be a positive number, got ${C}`);
    const solver = opts.solver ?? 'lbfgs';
    check(solver === 'lbfgs' || solver === 'adam', `LogisticRegression.fit: unknown solver '${String(solver)}' (use 'lbfgs' or 'adam')`);
    const options: LogisticRegressionOptions = { ...opts, C, solver, nClasses: k };
    const p = k === 2 ? 1 : k;
    const gen = solver === 'lbfgs' ? lbfgsTrainer(X, nRows, nFeatures, y, p, C, options) : adamTrainer(X, nRows, nFeatures, y, p, C, options);
    const finish = (r: { params: Float64Array; info: LogisticTrainInfo }) => new LogisticRegression(nFeatures, k, r.params, options, r.info);
    return { gen, finish };
  }

  /** Raw scores W x + b: Float64Array [nRows, P] (P = 1 for binary: the log-odds of class 1). */
  decisionFunction(X: Float32Array, nRows: number): Float64Array {
    const p = this.nOutputs;
    return sharedArena().scoped((a) => {
      const xp = putMatrix(a, X, nRows, this.nFeatures, 'LogisticRegression.decisionFunction');
      const wp = a.putF64(this.params);
      const op = a.alloc(nRows * p * 8);
      a.k.linearScores(xp, wp, op, nRows, this.nFeatures, p);
      return Float64Array.from(a.f64(op, nRows * p));
    });
  }

  /** Class probabilities: Float64Array [nRows, nClasses] row-major, rows sum to 1. */
  predictProba(X: Float32Array, nRows: number): Float64Array {
    const s = this.decisionFunction(X, nRows);
    return probaFromScores(s, nRows, this.nClasses, this.nClasses === 2);
  }

  /** Predicted class indices: Int32Array [nRows] (argmax of probability; ties -> lowest index). */
  predict(X: Float32Array, nRows: number): Int32Array {
    const s = this.decisionFunction(X, nRows);
    const out = new Int32Array(nRows);
    const p = this.nOutputs;
    if (p === 1) {
      for (let i = 0; i < nRows; i++) out[i] = s[i] > 0 ? 1 : 0;
      return out;
    }
    for (let i = 0; i < nRows; i++) {
      let best = 0;
      for (let c = 1; c < p; c++) if (s[i * p + c] > s[i * p + best]) best = c;
      out[i] = best;
    }
    return out;
  }

  /** JSON artifact (plain numbers; round-trips exactly through JSON.stringify/parse). */
  toJSON(): LogisticRegressionJSON {
    return {
      kind: 'logistic_regression',
      version: 1,
      nFeatures: this.nFeatures,
      nClasses: this.nClasses,
      coef: this.coef,
      intercept: this.intercept,
      options: { ...this.options },
      trainInfo: this.trainInfo ? { ...this.trainInfo } : null,
    };
  }

  /** Restores a model saved with `toJSON`. Throws `KernelError('INVALID_ARTIFACT')` if malformed. */
  static fromJSON(json: unknown): LogisticRegression {
    const j = json as Partial<LogisticRegressionJSON> | null;
    const bad = (why: string): never => {
      throw new KernelError('INVALID_ARTIFACT', `LogisticRegression.fromJSON: ${why}`);
    };
    if (!j || typeof j !== 'object' || j.kind !== 'logistic_regression') bad(`expected kind 'logistic_regression'`);
    if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
    const d = j!.nFeatures;
    const k = j!.nClasses;
    if (!Number.isInteger(d) || d! < 1 || !Number.isInteger(k) || k! < 2) bad('nFeatures must be >= 1 and nClasses >= 2');
    const p = k === 2 ? 1 : k!;
    if (!Array.isArray(j!.coef) || j!.coef.length !== p || !Array.isArray(j!.intercept) || j!.intercept.length !== p) bad(`coef/intercept must have ${p} rows`);
    const params = new Float64Array(p * (d! + 1));
    for (let c = 0; c < p; c++) {
      const row = j!.coef![c];
      if (!Array.isArray(row) || row.length !== d) bad(`coef[${c}] must have ${d} numbers`);
      for (let f = 0; f < d!; f++) {
        if (typeof row[f] !== 'number' || !Number.isFinite(row[f])) bad(`coef[${c}][${f}] is not a finite number`);
        params[c * (d! + 1) + f] = row[f];
      }
      const b = j!.intercept![c];
      if (typeof b !== 'number' || !Number.isFinite(b)) bad(`intercept[${c}] is not a finite number`);
      params[c * (d! + 1) + d!] = b;
    }
    return new LogisticRegression(d!, k!, params, { ...(j!.options ?? {}) }, j!.trainInfo ?? null);
  }
}

function penalty(params: Float64Array, p: number, d: number, grad: Float64Array | null, l2: number): number {
  let s = 0;
  for (let c = 0; c < p; c++) {
    for (let f = 0; f < d; f++) {
      const i = c * (d + 1) + f;
      s += params[i] * params[i];
      if (grad) grad[i] += l2 * params[i];
    }
  }
  return 0.5 * l2 * s;
}

function* lbfgsTrainer(
  X: Float32Array, nRows: number, d: number, y: Int32Array, p: number, C: number, options: LogisticRegressionOptions,
): Generator<EpochEvent, { params: Float64Array; info: LogisticTrainInfo }, void> {
  const arena = Arena.acquire();
  try {
  const ev = makeLossGrad(arena, X, nRows, d, y, p, 'LogisticRegression.fit');
  const l2 = 1 / (C * nRows);
  const inv = 1 / nRows;
  const objective = (w: Float64Array, g: Float64Array): number => {
    const loss = ev(w, g) * inv;
    for (let i = 0; i < g.length; i++) g[i] *= inv;
    return loss + penalty(w, p, d, g, l2);
  };
  const it = lbfgs(objective, new Float64Array(p * (d + 1)), { maxIter: options.maxIter ?? 1000, gtol: options.tol ?? 1e-6 });
  for (;;) {
    const r = it.next();
    if (r.done) {
      return { params: r.value.x, info: { solver: 'lbfgs', epochs: r.value.iterations, converged: r.value.converged, loss: r.value.f } };
    }
    yield { epoch: r.value.iter, loss: r.value.f };
  }
  } finally {
    arena.dispose();
  }
}

function* adamTrainer(
  X: Float32Array, nRows: number, d: number, y: Int32Array, p: number, C: number, options: LogisticRegressionOptions,
): Generator<EpochEvent, { params: Float64Array; info: LogisticTrainInfo }, void> {
  const epochs = options.epochs ?? 100;
  const lr = options.learningRate ?? 0.01;
  const batch = options.batchSize ?? 32;
  const seed = options.seed ?? 0;
  check(Number.isInteger(epochs) && epochs >= 1, `LogisticRegression.fit: epochs must be a positive integer, got ${epochs}`);
  check(Number.isFinite(lr) && lr > 0, `LogisticRegression.fit: learningRate must be > 0, got ${lr}`);
  check(Number.isInteger(batch) && batch >= 1, `LogisticRegression.fit: batchSize must be a positive integer, got ${batch}`);
  check(Number.isInteger(seed), `LogisticRegression.fit: seed must be an integer, got ${seed}`);
  const a = Arena.acquire();
  try {
  // Training copy in wasm memory: rows shuffled once by the seed (epochs then stream contiguous
  // blocks, see assembly/adam.ts) and padded with zero columns to d4, a multiple of 4, so the
  // kernel works on whole f32x4 vectors. Padded coefficients get zero gradient and stay 0.
  const d4 = (d + 3) & ~3;
  const np = p * (d4 + 1);
  const xs = a.alloc(nRows * d4 * 4);
  const ys = a.alloc(nRows * 4);
  const wp = a.alloc(np * 4);
  const mp = a.alloc(np * 4);
  const vp = a.alloc(np * 4);
  const gp = a.alloc(np * 4);
  const ip = a.alloc(nRows * 4);
  const sp = a.alloc(Math.max(p, 80) * 4);
  a.scoped(() => {
    const xp = putMatrix(a, X, nRows, d, 'LogisticRegression.fit');
    const yp = a.putI32(y);
    a.k.shuffleRows(xp, yp, nRows, d, splitmix32((seed >>> 0) ^ 0x2545f491), ip, xs, ys);
  }); // the unshuffled copy is released here
  a.f32(wp, np).fill(0);
  a.f32(mp, np).fill(0);
  a.f32(vp, np).fill(0);
  const params = (): Float64Array => {
    const w = a.f32(wp, np);
    const out = new Float64Array(p * (d + 1));
    for (let c = 0; c < p; c++) {
      for (let f = 0; f < d; f++) out[c * (d + 1) + f] = w[c * (d4 + 1) + f];
      out[c * (d + 1) + d] = w[c * (d4 + 1) + d4];
    }
    return out;
  };
  const l2 = 1 / (C * nRows);
  const stepsPerEpoch = Math.ceil(nRows / batch);
  let loss = NaN;
  for (let e = 0; e < epochs; e++) {
    const epochSeed = splitmix32((seed >>> 0) ^ splitmix32(e + 1));
    const ce = a.k.adamEpoch(xs, ys, wp, mp, vp, gp, ip, sp, nRows, d4, p, lr, l2, batch, epochSeed, e * stepsPerEpoch, 0.9, 0.999, 1e-8);
    loss = ce + penalty(params(), p, d, null, l2);
    yield { epoch: e + 1, loss };
  }
  return { params: params(), info: { solver: 'adam', epochs, converged: true, loss } };
  } finally {
    a.dispose();
  }
}
