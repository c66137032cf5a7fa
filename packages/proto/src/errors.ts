/**
 * Stable error codes shared by every service, and the error class that carries them.
 * A code never changes meaning once published; clients match on it, never on messages.
 */

/** Every stable error code with its HTTP status and whether retrying can help. */
export const ERROR_CODES = {
  // Generic request problems
  VALIDATION_FAILED: { http: 400, retryable: false },
  NOT_FOUND: { http: 404, retryable: false },
  CONFLICT: { http: 409, retryable: false },
  PAYLOAD_TOO_LARGE: { http: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, retryable: false },
  RATE_LIMITED: { http: 429, retryable: true },
  UNAUTHENTICATED: { http: 401, retryable: false },
  FORBIDDEN: { http: 403, retryable: false },
  // Accounts and tenancy
  /** A refresh token that was already exchanged was presented again: its whole family is revoked. */
  REFRESH_TOKEN_REUSED: { http: 401, retryable: false },
  /** The workspace is over a usage quota (storage bytes or CPU-seconds); nothing was started. */
  QUOTA_EXCEEDED: { http: 402, retryable: false },
  INTERNAL: { http: 500, retryable: true },
  UNAVAILABLE: { http: 503, retryable: true },
  /** PostgreSQL (or the embedded database) did not answer; the service reconnects by itself once it is back. */
  DATABASE_UNAVAILABLE: { http: 503, retryable: true },
  /** Redis did not answer; the service reconnects by itself once it is back. */
  REDIS_UNAVAILABLE: { http: 503, retryable: true },
  // CSV ingest
  CSV_EMPTY: { http: 400, retryable: false },
  CSV_NO_ROWS: { http: 400, retryable: false },
  CSV_BINARY: { http: 400, retryable: false },
  CSV_RAGGED_ROWS: { http: 400, retryable: false },
  CSV_PARSE_ERROR: { http: 400, retryable: false },
  CSV_ENCODING: { http: 400, retryable: false },
  CSV_TOO_MANY_COLUMNS: { http: 413, retryable: false },
  CSV_FIELD_TOO_LONG: { http: 413, retryable: false },
  /** An upload option (columnNullTokens, typeOverrides) names a column the file's header does not have. */
  UNKNOWN_COLUMN: { http: 400, retryable: false },
  UPLOAD_MISSING_FILE: { http: 400, retryable: false },
  /** The upload body stalled or arrived too slowly (WEFT_UPLOAD_IDLE_TIMEOUT_MS); nothing was stored. */
  UPLOAD_TIMEOUT: { http: 408, retryable: true },
  // Workflows
  WORKFLOW_INVALID: { http: 400, retryable: false },
  // Training-time checks (raised before any work is scheduled, or by a task)
  DATASET_EMPTY: { http: 400, retryable: false },
  TARGET_SINGLE_CLASS: { http: 400, retryable: false },
  TARGET_TYPE_MISMATCH: { http: 400, retryable: false },
  TARGET_HAS_MISSING: { http: 400, retryable: false },
  MISSING_VALUES_REACH_MODEL: { http: 400, retryable: false },
  NON_FINITE_VALUES: { http: 400, retryable: false },
  CLASS_MISSING_FROM_TRAIN: { http: 400, retryable: false },
  NO_FEATURES: { http: 400, retryable: false },
  CATEGORICAL_REACHES_MODEL: { http: 400, retryable: false },
  EMPTY_SPLIT: { http: 400, retryable: false },
  INVALID_MODEL_ARTIFACT: { http: 500, retryable: false },
  PREDICT_COLUMN_MISSING: { http: 400, retryable: false },
  // Execution
  JOB_CANCELLED: { http: 409, retryable: false },
  TASK_RETRIES_EXHAUSTED: { http: 500, retryable: false },
  EXECUTOR_LOST: { http: 500, retryable: true },
  STALE_ATTEMPT: { http: 409, retryable: false },
  KERNEL_ERROR: { http: 500, retryable: false },
  MODEL_NOT_FOUND: { http: 404, retryable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(s: string): s is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, s);
}

/**
 * An error with a stable code, a human message and optional machine-readable details
 * (e.g. `{ row: 12, column: "age" }` or `{ nodeId: "split", field: "testFraction" }`).
 */
export class WeftError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'WeftError';
    this.code = code;
    this.details = details;
  }
  /** HTTP status for this code. */
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
  /** Whether retrying the same operation may succeed. */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
  /** The wire envelope used by REST: `{ error: { code, message, details } }`. */
  toEnvelope(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/** REST error body. */
export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
}
