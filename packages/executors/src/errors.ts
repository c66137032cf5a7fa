/** Maps whatever a runner threw to the failure an executor reports. */
import { ERROR_CODES, isErrorCode } from '@weft/proto';
import type { TaskOutcome } from './types.js';

/** A thrown value in a form that crosses a worker-thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  retryable?: boolean;
  stack?: string;
}

/** Serialises an error (keeps its name, code and retryable flag). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const { code, retryable } = err as { code?: unknown; retryable?: unknown };
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof retryable === 'boolean' ? { retryable } : {}),
      ...(err.stack ? { stack: err.stack } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/**
 * A WeftError keeps its code and that code's `retryable`; a KernelError becomes
 * KERNEL_ERROR (kernels are deterministic: not retryable unless it says so); anything else
 * is INTERNAL and retryable (a crash may not recur on another executor).
 */
export function failureOf(e: SerializedError): Extract<TaskOutcome, { kind: 'failed' }> {
  if (e.name === 'WeftError' && e.code && isErrorCode(e.code)) {
    return { kind: 'failed', code: e.code, message: e.message, retryable: ERROR_CODES[e.code].retryable };
  }
  if (e.name === 'KernelError') {
    return { kind: 'failed', code: 'KERNEL_ERROR', message: e.message, retryable: e.retryable ?? false };
  }
  return { kind: 'failed', code: 'INTERNAL', message: `${e.name}: ${e.message}`, retryable: true };
}
