/**
 * Stable error codes thrown by @weft/kernels. Every message starts with the code.
 * - `INVALID_INPUT`: shapes, dtypes, labels or options are wrong (not retryable).
 * - `MISSING_VALUES_REACH_MODEL`: a missing value would reach a model (not retryable).
 * - `NON_FINITE_VALUES`: a ±Infinity (or a value beyond float32) would reach a model (not retryable).
 * - `ABORTED`: the caller's AbortSignal fired (not retryable by the kernel; the caller decides).
 * - `NOT_FITTED`: predict/transform before fit (not retryable).
 * - `INVALID_ARTIFACT`: `fromJSON` was given something that is not a valid saved model/transform.
 * - `WASM_UNAVAILABLE`: the runtime could not instantiate the embedded WebAssembly module.
 */
export type KernelErrorCode =
  | 'INVALID_INPUT'
  | 'MISSING_VALUES_REACH_MODEL'
  | 'NON_FINITE_VALUES'
  | 'ABORTED'
  | 'NOT_FITTED'
  | 'INVALID_ARTIFACT'
  | 'WASM_UNAVAILABLE';

/** Error thrown by every kernel; `code` is stable, `retryable` is always false for kernel errors. */
export class KernelError extends Error {
  readonly code: KernelErrorCode;
  readonly retryable = false;
  readonly details?: Record<string, unknown>;

  constructor(code: KernelErrorCode, message: string, details?: Record<string, unknown>) {
    super(`${code}: ${message}`);
    this.name = 'KernelError';
    this.code = code;
    this.details = details;
  }
}

/** Throws `KernelError('INVALID_INPUT', message)` when `cond` is false. */
export function check(cond: unknown, message: string, details?: Record<string, unknown>): asserts cond {
  if (!cond) throw new KernelError('INVALID_INPUT', message, details);
}

/** Throws `KernelError('ABORTED')` if `signal` has been aborted; `what` names the operation. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    const reason = signal.reason instanceof Error ? signal.reason.message : signal.reason === undefined ? '' : String(signal.reason);
    throw new KernelError('ABORTED', `${what} aborted${reason ? `: ${reason}` : ''}`);
  }
}
