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
  /** The workflow node at fault (a WeftError's `details.nodeId`). */
  nodeId?: string;
}

/** A failed outcome, with the workflow node at fault when the error names one. */
export type FailedOutcome = Extract<TaskOutcome, { kind: 'failed' }> & { nodeId?: string };

/** Serialises an error (keeps its name, code and retryable flag). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const { code, retryable, details } = err as { code?: unknown; retryable?: unknown; details?: unknown };
    const nodeId = details && typeof details === 'object' ? (details as { nodeId?: unknown }).nodeId : undefined;
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof retryable === 'boolean' ? { retryable } : {}),
      ...(err.stack ? { stack: err.stack } : {}),
      ...(typeof nodeId === 'string' && nodeId ? { nodeId } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/**
 * A WeftError keeps its code and that code's `retryable`; a KernelError becomes
 * KERNEL_ERROR (kernels are deterministic: not retryable unless it says so); anything else
 * is INTERNAL and retryable (a crash may not recur on another executor).
 */
export function failureOf(e: SerializedError): FailedOutcome {
  const at = e.nodeId ? { nodeId: e.nodeId } : {};
  if (e.name === 'WeftError' && e.code && isErrorCode(e.code)) {
    return { kind: 'failed', code: e.code, message: e.message, retryable: ERROR_CODES[e.code].retryable, ...at };
  }
  if (e.name === 'KernelError') {
    return { kind: 'failed', code: 'KERNEL_ERROR', message: e.message, retryable: e.retryable ?? false, ...at };
  }
  return { kind: 'failed', code: 'INTERNAL', message: `${e.name}: ${e.message}`, retryable: true };
}
