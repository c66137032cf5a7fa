/**
 * WeftError ⇄ gRPC status. A failed call carries the gRPC status code mapped from the
 * error's HTTP status, and `details` (the status message) is the JSON envelope
 * `{ code, message, details }`, so every client (api, CLI, executors) decodes the same way.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { ERROR_CODES, ErrorCode, WeftError, isErrorCode } from './errors.js';

/** The JSON document carried in a failed call's status message. */
export interface GrpcErrorEnvelope {
  code: string;
  message: string;
  details?: unknown;
}

/** gRPC status code for a Weft error code. */
export function grpcStatusForCode(code: ErrorCode): GrpcStatus {
  switch (code) {
    case 'NOT_FOUND':
    case 'MODEL_NOT_FOUND':
      return GrpcStatus.NOT_FOUND;
    case 'UNAUTHENTICATED':
    case 'REFRESH_TOKEN_REUSED':
      return GrpcStatus.UNAUTHENTICATED;
    case 'FORBIDDEN':
      return GrpcStatus.PERMISSION_DENIED;
    case 'RATE_LIMITED':
    case 'QUOTA_EXCEEDED':
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 'UNAVAILABLE':
    case 'DATABASE_UNAVAILABLE':
    case 'REDIS_UNAVAILABLE':
      return GrpcStatus.UNAVAILABLE;
    case 'CONFLICT':
      return GrpcStatus.ALREADY_EXISTS;
    case 'UPLOAD_TIMEOUT':
      return GrpcStatus.DEADLINE_EXCEEDED;
    case 'JOB_CANCELLED':
    case 'STALE_ATTEMPT':
      return GrpcStatus.FAILED_PRECONDITION;
  }
  const http = ERROR_CODES[code].http;
  if (http >= 400 && http < 500) return GrpcStatus.INVALID_ARGUMENT;
  return GrpcStatus.INTERNAL;
}

/** Server side: the `{ code, details }` object to pass to a grpc-js callback or `emit('error')`. */
export function toGrpcError(err: unknown): Partial<ServiceError> & { code: GrpcStatus; details: string } {
  const we = err instanceof WeftError ? err : new WeftError('INTERNAL', err instanceof Error ? err.message : String(err));
  const envelope: GrpcErrorEnvelope = { code: we.code, message: we.message, ...(we.details === undefined ? {} : { details: we.details }) };
  return { name: 'WeftError', message: we.message, code: grpcStatusForCode(we.code), details: JSON.stringify(envelope) };
}

/** Weft code for a gRPC status that carried no envelope (transport failures, deadlines). */
function codeForGrpcStatus(s: number | undefined): ErrorCode {
  switch (s) {
    case GrpcStatus.NOT_FOUND:
      return 'NOT_FOUND';
    case GrpcStatus.UNAUTHENTICATED:
      return 'UNAUTHENTICATED';
    case GrpcStatus.PERMISSION_DENIED:
      return 'FORBIDDEN';
    case GrpcStatus.INVALID_ARGUMENT:
      return 'VALIDATION_FAILED';
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return 'RATE_LIMITED';
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.FAILED_PRECONDITION:
      return 'CONFLICT';
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
    case GrpcStatus.CANCELLED:
      return 'UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

/** Client side: turns a failed call's error back into a WeftError (never throws). */
export function fromGrpcError(err: unknown): WeftError {
  if (err instanceof WeftError) return err;
  const se = err as Partial<ServiceError> | undefined;
  if (se && typeof se.details === 'string' && se.details.startsWith('{')) {
    try {
      const env = JSON.parse(se.details) as Partial<GrpcErrorEnvelope>;
      if (typeof env.code === 'string' && isErrorCode(env.code) && typeof env.message === 'string') {
        return new WeftError(env.code, env.message, env.details);
      }
    } catch {
      // not an envelope: fall through
    }
  }
  const message = (se && (se.details || se.message)) || String(err);
  return new WeftError(codeForGrpcStatus(se?.code), message);
}
