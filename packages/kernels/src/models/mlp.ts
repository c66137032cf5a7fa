import { Arena, sharedArena } from '../wasm/runtime.js';
import { KernelError, check } from '../errors.js';
import { splitMask, stratifiedSplitMask } from '../split/split.js';
import { EpochEvent, FitHooks, checkLabels, checkMatrix, driveAsync, driveSync } from './common.js';
import { argmaxRows } from './gaussian-nb.js';
import { Rng, subSeed } from './rng.js';

/** Hidden-layer activation. */
export type MlpActivation = 'relu' | 'tanh' | 'logistic' | 'identity';

/** Options for `MLPClassifier.fit` / `MLPRegressor.fit` (scikit-learn parameter meanings and defaults). */
export interface MlpOptions {
  /** Widths of the hidden layers (default [100]). */
  hiddenLayerSizes?: number[];
  /** Hidden activation (default 'relu'). */
  activation?: MlpActivation;
  /** L2 penalty alpha on weights (default 1e-4). */
  alpha?: number;
  /** Rows per mini-batch (default min(200, nRows)). */
  batchSize?: number;
  /** Adam step size (default 0.001). */
  learningRate?: number;
  /** Maximum epochs (default 200). */
  maxIter?: number;
  /** Improvement threshold for stopping (default 1e-4). */
  tol?: number;
  /** Stop after this many epochs without improvement > tol (default 10). */
  nIterNoChange?: number;
  /** Hold out `validationFraction` of the rows (seeded, stratified for classifiers) and stop on its score; keeps the best epoch's weights (default false). */
  earlyStopping?: boolean;
  /** Default 0.1. */
  validationFraction?: number;
  /** Adam moments (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Shuffle rows every epoch (default true). */
  shuffle?: boolean;
  /** Seed for initialisation, shuffles and the validation split (default 0). */
  seed?: number;
  /** Classifier: number of classes K (default max(y) + 1). */
  nClasses?: number;
}

/** Summary of an MLP fit. */
export interface MlpTrainInfo {
  epochs: number;
  /** Final training objective (mean loss + L2 term). */
  loss: number;
  /** Best validation score (accuracy or R²) when earlyStopping, else null. */
  bestValidationScore: number | null;
  /** True when stopping came from the tolerance rule rather than maxIter. */
  converged: boolean;
}

/** JSON artifact of a fitted MLP. */
export interface MlpJSON {
  kind: 'mlp_classifier' | 'mlp_regressor';
  version: 1;
  /** [nFeatures, ...hidden, nOutputs] */
  sizes: number[];
  nClasses: number;
  activation: MlpActivation;
  /** Per layer: W [in * out] row-major (in-major) and b [out]. */
  layers: { W: number[]; b: number[] }[];
  options: MlpOptions;
  trainInfo: MlpTrainInfo | null;
}

const ACT: Record<MlpActivation, number> = { relu: 0, tanh: 1, logistic: 2, identity: 3 };
/** Rows per block of the wasm `mlpForward` (its scratch is float32 [FORWARD_ROWS, sum of layer widths]). */
const FORWARD_ROWS = 64;

interface MlpResult {
  params: Float32Array;
  sizes: number[];
  k: number;
  info: MlpTrainInfo;
  options: MlpOptions;
}

/**
 * Trains a dense network with mini-batch Adam, whole epochs in one AssemblyScript call
 * (assembly/mlp.ts: forward and backprop as register-blocked f32x4 matrix products over each
 * mini-batch, fused bias + ReLU, vectorised Adam).
 * Same model, initialisation (Glorot uniform), loss, L2 scaling, Adam step and stopping
 * rules as scikit-learn's `MLPClassifier` / `MLPRegressor` (sklearn/neural_network/_multilayer_perceptron.py).
 */
function* mlpTrainer(X: Float32Array, n: number, d: number, y: Int32Array | Float64Array | Float32Array, opts: MlpOptions, classification: boolean, what: string): Generator<EpochEvent, MlpResult, void> {
  checkMatrix(X, n, d, what);
  check(n >= 2, `${what}: need at least two rows`);
  let k = 0;
  if (classification) k = checkLabels(y as Int32Array, n, what, opts.nClasses);
  else {
    check(y.length === n, `${what}: y has ${y.length} values, expected nRows = ${n}`);
    for (let i = 0; i < n; i++) if (!(Number.isFinite(y[i]))) check(false, `${what}: y[${i}] is ${y[i]}; the target must not have missing values`, { row: i });
  }
  const hidden = opts.hiddenLayerSizes ?? [100];
  const activation = opts.activation ?? 'relu';
  const alpha = opts.alpha ?? 1e-4;
  const lr = opts.learningRate ?? 0.001;
  const maxIter = opts.maxIter ?? 200;
  const tol = opts.tol ?? 1e-4;
  const nIterNoChange = opts.nIterNoChange ?? 10;
  const earlyStopping = opts.earlyStopping ?? false;
  const valFrac = opts.validationFraction ?? 0.1;
  const beta1 = opts.beta1 ?? 0.9;
  const beta2 = opts.beta2 ?? 0.999;
  const eps = opts.epsilon ?? 1e-8;
  const shuffle = opts.shuffle ?? true;
  const seed = opts.seed ?? 0;
  check(Array.isArray(hidden) && hidden.every((h) => Number.isInteger(h) && h >= 1), `${what}: hiddenLayerSizes must be positive integers`);
  check(activation in ACT, `${what}: activation must be relu, tanh, logistic or identity, got ${String(activation)}`);
  check(alpha >= 0 && lr > 0 && tol >= 0, `${what}: alpha >= 0, learningRate > 0 and tol >= 0 required`);
  check(Number.isInteger(maxIter) && maxIter >= 1, `${what}: maxIter must be a positive integer, got ${maxIter}`);
  check(valFrac > 0 && valFrac < 1, `${what}: validationFraction must be in (0, 1), got ${valFrac}`);
  check(Number.isInteger(seed), `${what}: seed must be an integer, got ${seed}`);

  // validation split
  let trainIdx: Int32Array | null = null;
  let valIdx: Int32Array | null = null;
  if (earlyStopping) {
    const mask = classification ? stratifiedSplitMask(y as Int32Array, seed, valFrac) : splitMask(0, n, seed, valFrac);
    const tr: number[] = [];
    const va: number[] = [];
    for (let i = 0; i < n; i++) (mask[i] ? va : tr).push(i);
    check(tr.length >= 1 && va.length >= 1, `${what}: validationFraction ${valFrac} leaves an empty train or validation set`);
    trainIdx = Int32Array.from(tr);
    valIdx = Int32Array.from(va);
  }
  const nt = trainIdx ? trainIdx.length : n;
  const m = classification ? (k === 2 ? 1 : k) : 1;
  const outAct = classification ? (k === 2 ? 1 : 2) : 0;
  const sizes = [d, ...hidden, m];
  const L = sizes.length - 1;
  let nParams = 0;
  for (let l = 0; l < L; l++) nParams += sizes[l] * sizes[l + 1] + sizes[l + 1];
  const batch = Math.max(1, Math.min(opts.batchSize ?? 200, nt));
  check(Number.isInteger(batch), `${what}: batchSize must be a positive integer`);
  const options: MlpOptions = { hiddenLayerSizes: [...hidden], activation, alpha, batchSize: batch, learningRate: lr, maxIter, tol, nIterNoChange, earlyStopping, validationFraction: valFrac, beta1, beta2, epsilon: eps, shuffle, seed, ...(classification ? { nClasses: k } : {}) };

  // Glorot-uniform initialisation (factor 2 for logistic, else 6), biases too, as scikit-learn
  const rng = new Rng(seed);
  const init = new Float32Array(nParams);
  {
    let o = 0;
    for (let l = 0; l < L; l++) {
      const bound = Math.sqrt((activation === 'logistic' ? 2 : 6) / (sizes[l] + sizes[l + 1]));
      const cnt = sizes[l] * sizes[l + 1] + sizes[l + 1];
      for (let i = 0; i < cnt; i++) init[o + i] = (rng.next() * 2 - 1) * bound;
      o += cnt;
    }
  }

  const a = Arena.acquire();
  try {
  const gather = (idx: Int32Array | null, cols: number, src: ArrayLike<number>) => {
    const rows = idx ? idx.length : n;
    const p = a.alloc(rows * cols * 4);
    const v = a.f32(p, rows * cols);
    if (!idx) v.set(src as Float32Array);
    else for (let q = 0; q < rows; q++) for (let j = 0; j < cols; j++) v[q * cols + j] = src[idx[q] * cols + j];
    return p;
  };
  const target = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    if (!classification || k === 2) target[i] = y[i];
    else target[i * m + y[i]] = 1;
  }
  const xp = gather(trainIdx, d, X);
  const yp = gather(trainIdx, m, target);
  const xvp = valIdx ? gather(valIdx, d, X) : 0;
  const nv = valIdx ? valIdx.length : 0;
  const sizesp = a.putI32(sizes);
  const pp = a.putF32(init);
  const mp = a.alloc(nParams * 4);
  const vp = a.alloc(nParams * 4);
  a.f32(mp, nParams).fill(0);
  a.f32(vp, nParams).fill(0);
  const gp = a.alloc(nParams * 4);
  const ip = a.alloc(nt * 4);
  const rowFloats = sizes.slice(1).reduce((u, v) => u + v, 0);
  const actp = a.alloc(batch * rowFloats * 4);
  const maxWidth = Math.max(...sizes);
  const workp = a.alloc((batch * (d + 2 * maxWidth) + maxWidth * maxWidth) * 4);
  const scratchp = a.alloc(FORWARD_ROWS * rowFloats * 4);
  const outvp = a.alloc(Math.max(1, nv) * m * 4);

  let best = Infinity;
  let bestScore = -Infinity;
  let bestParams: Float32Array | null = null;
  let noImprove = 0;
  let t = 0;
  let loss = NaN;
  let epochs = 0;
  let converged = false;
  const stepsPerEpoch = Math.ceil(nt / batch);
  for (let e = 0; e < maxIter; e++) {
    const total = a.k.mlpEpoch(xp, yp, nt, ip, shuffle ? 1 : 0, subSeed(seed, e), sizesp, L, pp, mp, vp, gp, nParams, actp, workp, maxWidth, ACT[activation], outAct, lr, alpha, batch, t, beta1, beta2, eps);
    t += stepsPerEpoch;
    loss = total / nt;
    epochs = e + 1;
    check(Number.isFinite(loss), `${what}: training diverged at epoch ${epochs} (loss ${loss}); lower learningRate or scale the features`);
    if (earlyStopping) {
      a.k.mlpForward(xvp, nv, sizesp, L, pp, ACT[activation], outAct, scratchp, outvp);
      const out = a.f32(outvp, nv * m);
      const score = validationScore(out, nv, m, k, classification, valIdx!, y);
      if (score < bestScore + tol) noImprove++;
      else noImprove = 0;
      if (score > bestScore) {
        bestScore = score;
        bestParams = Float32Array.from(a.f32(pp, nParams));
      }
    } else {
      if (loss > best - tol) noImprove++;
      else noImprove = 0;
      if (loss < best) best = loss;
    }
    yield { epoch: epochs, loss };
    if (noImprove > nIterNoChange) {
      converged = true;
      break;
    }
  }
  const params = earlyStopping && bestParams ? bestParams : Float32Array.from(a.f32(pp, nParams));
  return { params, sizes, k, info: { epochs, loss, bestValidationScore: earlyStopping ? bestScore : null, converged }, options };
  } finally {
    a.dispose();
  }
}

function validationScore(out: Float32Array, nv: number, m: number, k: number, classification: boolean, idx: Int32Array, y: ArrayLike<number>): number {
  if (classification) {
    let ok = 0;
    for (let q = 0; q < nv; q++) {
      let pred = 0;
      if (m === 1) pred = out[q] > 0.5 ? 1 : 0;
      else for (let c = 1; c < m; c++) if (out[q * m + c] > out[q * m + pred]) pred = c;
      if (pred === y[idx[q]]) ok++;
    }
    void k;
    return ok / nv;
  }
  let mean = 0;
  for (let q = 0; q < nv; q++) mean += y[idx[q]];
  mean /= nv;
  let ssr = 0;
  let sst = 0;
  for (let q = 0; q < nv; q++) {
    ssr += (y[idx[q]] - out[q]) ** 2;
    sst += (y[idx[q]] - mean) ** 2;
  }
  return sst > 0 ? 1 - ssr / sst : ssr === 0 ? 1 : 0;
}

abstract class MlpBase {
  readonly nFeatures: number;
  /** [nFeatures, ...hidden, nOutputs] */
  readonly sizes: number[];
  readonly nClasses: number;
  /** Float32Array of all layers: W_l [in, out] row-major then b_l [out]. */
  readonly params: Float32Array;
  readonly options: MlpOptions;
  readonly trainInfo: MlpTrainInfo | null;
  protected abstract readonly kind: MlpJSON['kind'];

  /** @internal */
  constructor(sizes: number[], k: number, params: Float32Array, options: MlpOptions, info: MlpTrainInfo | null) {
    this.nFeatures = sizes[0];
    this.sizes = sizes;
    this.nClasses = k;
    this.params = params;
    this.options = options;
    this.trainInfo = info;
  }

  protected get outAct(): number {
    return this.nClasses === 0 ? 0 : this.nClasses === 2 ? 1 : 2;
  }

  /** Network outputs after the output activation: Float32Array [nRows, nOutputs]. */
  protected forward(X: Float32Array, nRows: number, what: string): Float32Array {
    checkMatrix(X, nRows, this.nFeatures, what);
    const m = this.sizes[this.sizes.length - 1];
    return sharedArena().scoped((a) => {
      const xp = a.putF32(X);
      const sp = a.putI32(this.sizes);
      const pp = a.putF32(this.params);
      const scratch = a.alloc(FORWARD_ROWS * this.sizes.slice(1).reduce((u, v) => u + v, 0) * 4);
      const op = a.alloc(nRows * m * 4);
      a.k.mlpForward(xp, nRows, sp, this.sizes.length - 1, pp, ACT[this.options.activation ?? 'relu'], this.outAct, scratch, op);
      return Float32Array.from(a.f32(op, nRows * m));
    });
  }

  toJSON(): MlpJSON {
    const layers: { W: number[]; b: number[] }[] = [];
    let o = 0;
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const nw = this.sizes[l] * this.sizes[l + 1];
      layers.push({ W: Array.from(this.params.subarray(o, o + nw)), b: Array.from(this.params.subarray(o + nw, o + nw + this.sizes[l + 1])) });
      o += nw + this.sizes[l + 1];
    }
    return { kind: this.kind, version: 1, sizes: [...this.sizes], nClasses: this.nClasses, activation: this.options.activation ?? 'relu', layers, options: { ...this.options }, trainInfo: this.trainInfo ? { ...this.trainInfo } : null };
  }
}

function restore(json: unknown, kind: MlpJSON['kind'], what: string) {
  const j = json as Partial<MlpJSON> | null;
  const bad = (why: string): never => {
    throw new KernelError('INVALID_ARTIFACT', `${what}.fromJSON: ${why}`);
  };
  if (!j || typeof j !== 'object' || j.kind !== kind) bad(`expected kind '${kind}'`);
  if (j!.version !== 1) bad(`unsupported version ${String(j!.version)}`);
  const sizes = j!.sizes!;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) bad('sizes must be >= 2 positive integers');
  if (!(j!.activation! in ACT)) bad(`unknown activation ${String(j!.activation)}`);
  if (!Array.isArray(j!.layers) || j!.layers.length !== sizes.length - 1) bad(`layers must have ${sizes.length - 1} entries`);
  const total = sizes.slice(0, -1).reduce((s, v, l) => s + v * sizes[l + 1] + sizes[l + 1], 0);
  const params = new Float32Array(total);
  let o = 0;
  j!.layers!.forEach((layer, l) => {
    const nw = sizes[l] * sizes[l + 1];
    if (!layer || !Array.isArray(layer.W) || layer.W.length !== nw || !Array.isArray(layer.b) || layer.b.length !== sizes[l + 1]) bad(`layers[${l}] must have W [${nw}] and b [${sizes[l + 1]}]`);
    params.set(layer.W, o);
    params.set(layer.b, o + nw);
    o += nw + sizes[l + 1];
  });
  if (!params.every(Number.isFinite)) bad('parameters must be finite');
  const k = j!.nClasses!;
  const outW = sizes[sizes.length - 1];
  if (kind === 'mlp_classifier' ? !(k >= 2 && outW === (k === 2 ? 1 : k)) : k !== 0 || outW !== 1) bad('nClasses does not match the output layer');
  return { sizes, k, params, options: { ...(j!.options ?? {}), activation: j!.activation! }, info: j!.trainInfo ?? null };
}

/**
 * Multi-layer perceptron classifier: sigmoid output for K = 2, softmax for K > 2, cross-entropy
 * loss. X: Float32Array [nRows, nFeatures] (finite; scale features first); y: Int32Array in 0..K-1.
 * `hooks.onEpoch` once per epoch with the training objective.
 */
export class MLPClassifier extends MlpBase {
  protected readonly kind = 'mlp_classifier' as const;

  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: MlpOptions = {}, hooks?: FitHooks): MLPClassifier {
    const r = driveSync(mlpTrainer(X, nRows, nFeatures, y, opts, true, 'MLPClassifier.fit'), hooks, 'MLPClassifier.fit');
    return new MLPClassifier(r.sizes, r.k, r.params, r.options, r.info);
  }

  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Int32Array, opts: MlpOptions = {}, hooks?: FitHooks): Promise<MLPClassifier> {
    const r = await driveAsync(mlpTrainer(X, nRows, nFeatures, y, opts, true, 'MLPClassifier.fit'), hooks, 'MLPClassifier.fit');
    return new MLPClassifier(r.sizes, r.k, r.params, r.options, r.info);
  }

  /** Class probabilities: Float64Array [nRows, K]. */
  predictProba(X: Float32Array, nRows: number): Float64Array {
    const o = this.forward(X, nRows, 'MLPClassifier.predictProba');
    const k = this.nClasses;
    if (k > 2) return Float64Array.from(o);
    const out = new Float64Array(nRows * 2);
    for (let i = 0; i < nRows; i++) {
      out[2 * i] = 1 - o[i];
      out[2 * i + 1] = o[i];
    }
    return out;
  }

  /** Predicted class indices: Int32Array [nRows]. */
  predict(X: Float32Array, nRows: number): Int32Array {
    return argmaxRows(this.predictProba(X, nRows), nRows, this.nClasses);
  }

  static fromJSON(json: unknown): MLPClassifier {
    const r = restore(json, 'mlp_classifier', 'MLPClassifier');
    return new MLPClassifier(r.sizes, r.k, r.params, r.options, r.info);
  }
}

/** Multi-layer perceptron regressor: identity output, squared-error loss. y: Float64Array [nRows]. */
export class MLPRegressor extends MlpBase {
  protected readonly kind = 'mlp_regressor' as const;

  static fit(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: MlpOptions = {}, hooks?: FitHooks): MLPRegressor {
    const r = driveSync(mlpTrainer(X, nRows, nFeatures, y, opts, false, 'MLPRegressor.fit'), hooks, 'MLPRegressor.fit');
    return new MLPRegressor(r.sizes, 0, r.params, r.options, r.info);
  }

  static async fitAsync(X: Float32Array, nRows: number, nFeatures: number, y: Float64Array | Float32Array, opts: MlpOptions = {}, hooks?: FitHooks): Promise<MLPRegressor> {
    const r = await driveAsync(mlpTrainer(X, nRows, nFeatures, y, opts, false, 'MLPRegressor.fit'), hooks, 'MLPRegressor.fit');
    return new MLPRegressor(r.sizes, 0, r.params, r.options, r.info);
  }

  /** Predictions: Float64Array [nRows]. */
  predict(X: Float32Array, nRows: number): Float64Array {
    return Float64Array.from(this.forward(X, nRows, 'MLPRegressor.predict'));
  }

  static fromJSON(json: unknown): MLPRegressor {
    const r = restore(json, 'mlp_regressor', 'MLPRegressor');
    return new MLPRegressor(r.sizes, 0, r.params, r.options, r.info);
  }
}
