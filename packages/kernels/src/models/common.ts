import { check, throwIfAborted } from '../errors.js';
import { sharedArena, type Arena } from '../wasm/runtime.js';

/** Progress reported once per epoch (L-BFGS iteration or SGD pass). `loss` is the training objective. */
export interface EpochEvent {
  epoch: number;
  loss: number;
}

/**
 * Optional callbacks for long fits. `onEpoch` is called synchronously after each epoch;
 * `signal` is checked before every epoch and aborting makes `fit` throw
 * `KernelError('ABORTED')`. Note that a synchronous `fit` only sees an abort triggered
 * before the call or from inside `onEpoch`; use `fitAsync` to let timers/messages abort it.
 */
export interface FitHooks {
  onEpoch?(e: EpochEvent): void;
  signal?: AbortSignal;
}

/** Validates the shape of X: Float32Array [nRows, nFeatures] row-major (not its values). */
export function checkShape(X: Float32Array, nRows: number, nFeatures: number, what: string): void {
  check(X instanceof Float32Array, `${what}: X must be a Float32Array (row-major [nRows, nFeatures])`);
  check(Number.isInteger(nRows) && nRows >= 0, `${what}: nRows must be a non-negative integer, got ${nRows}`);
  check(Number.isInteger(nFeatures) && nFeatures >= 1, `${what}: nFeatures must be a positive integer, got ${nFeatures}`);
  check(X.length === nRows * nFeatures, `${what}: X has ${X.length} values, expected nRows*nFeatures = ${nRows}*${nFeatures} = ${nRows * nFeatures}`);
}

function nonFinite(X: Float32Array, i: number, nFeatures: number, what: string): never {
  const row = Math.floor(i / nFeatures);
  check(false, `${what}: X[${row}, ${i % nFeatures}] is ${X[i]}; impute or drop missing values before the model`, { row, feature: i % nFeatures });
  throw new Error('unreachable');
}

/** Validates X: Float32Array [nRows, nFeatures] row-major with finite values (JS scan; use `putMatrix` when X goes into wasm anyway). */
export function checkMatrix(X: Float32Array, nRows: number, nFeatures: number, what: string): void {
  checkShape(X, nRows, nFeatures, what);
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) nonFinite(X, i, nFeatures, what);
}

/**
 * Validates X (shape, finite values) and copies it into arena `a` in the same pass (chunked
 * copy + wasm SIMD finiteness scan, see `Arena.putF32Finite`); returns the pointer. Throws
 * the same `INVALID_INPUT` errors as `checkMatrix`.
 */
export function putMatrix(a: Arena, X: Float32Array, nRows: number, nFeatures: number, what: string): number {
  checkShape(X, nRows, nFeatures, what);
  const p = a.putF32Finite(X);
  if (p < 0) nonFinite(X, -p - 1, nFeatures, what);
  return p;
}

/**
 * Runs a training generator to completion synchronously, calling hooks between epochs.
 * The generator yields one `EpochEvent` per epoch and returns the result.
 */
export function driveSync<R>(gen: Generator<EpochEvent, R, void>, hooks: FitHooks | undefined, what: string): R {
  try {
    throwIfAborted(hooks?.signal, what);
    for (;;) {
      const r = gen.next();
      if (r.done) return r.value;
      hooks?.onEpoch?.(r.value);
      throwIfAborted(hooks?.signal, what);
    }
  } finally {
    gen.return(undefined as R); // runs the trainer's finally (returns its arena) on abort/throw
  }
}

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Like `driveSync` but yields to the event loop at most every `yieldEveryMs` milliseconds
 * (default 20 ms) so heartbeats, timers and AbortSignals are serviced during training.
 */
export async function driveAsync<R>(gen: Generator<EpochEvent, R, void>, hooks: FitHooks | undefined, what: string, yieldEveryMs = 20): Promise<R> {
  try {
    throwIfAborted(hooks?.signal, what);
    let last = Date.now();
    for (;;) {
      const r = gen.next();
      if (r.done) return r.value;
      hooks?.onEpoch?.(r.value);
      if (Date.now() - last >= yieldEveryMs) {
        await macrotask();
        last = Date.now();
      }
      throwIfAborted(hooks?.signal, what);
    }
  } finally {
    gen.return(undefined as R);
  }
}

/** Number of classes implied by labels y (max + 1), checking they are integers in [0, 2^31). */
export function checkLabels(y: Int32Array, nRows: number, what: string, nClasses?: number): number {
  check(y instanceof Int32Array, `${what}: y must be an Int32Array of class indices 0..K-1`);
  check(y.length === nRows, `${what}: y has ${y.length} labels, expected nRows = ${nRows}`);
  let max = -1;
  for (let i = 0; i < y.length; i++) {
    if (!(y[i] >= 0)) check(false, `${what}: y[${i}] = ${y[i]} is negative; labels must be 0..K-1`, { row: i });
    if (y[i] > max) max = y[i];
  }
  const k = nClasses ?? max + 1;
  check(Number.isInteger(k) && k >= 2, `${what}: need at least 2 classes, got ${k} (labels must be 0..K-1; pass nClasses if a class is absent)`);
  check(max < k, `${what}: label ${max} is out of range for nClasses = ${k}`);
  return k;
}

/**
 * Probabilities from scores, computed in wasm (the JS engine's Math.exp differs in the last
 * bit between V8 versions, so Node and the browser would disagree): `binary` -> scores [n]
 * are logits and the result is [n, 2] (1 - p, p); else scores [n, k] -> row-wise softmax.
 */
export function probaFromScores(s: Float64Array, n: number, k: number, binary: boolean): Float64Array {
  return sharedArena().scoped((a) => {
    const sp = a.putF64(binary ? s.subarray(0, n) : s.subarray(0, n * k));
    const op = binary ? a.alloc(n * 16) : sp;
    if (binary) a.k.sigmoidPairs(sp, n, op);
    else a.k.softmaxRows(sp, n, k, op);
    return Float64Array.from(a.f64(op, binary ? 2 * n : n * k));
  });
}
