/**
 * Error handling for the REST api: every failure leaves as the envelope
 * `{ error: { code, message, details? } }` with the code's HTTP status.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { WeftError } from '@weft/proto';
import { FanOutUnavailableError, isDatabaseUnavailable, type Logger } from '@weft/common';

/** Messages of ioredis (and rate-limit-redis) errors raised while Redis is unreachable. */
const REDIS_DOWN_RE = /Connection is closed|Reached the max retries per request limit|Stream isn't writeable|enableOfflineQueue|REDIS_UNAVAILABLE/i;

/**
 * True when `err` (or one of its causes) means Redis is unreachable: a FanOutUnavailableError,
 * ioredis's MaxRetriesPerRequestError, or a command rejected because the connection is closed.
 */
export function isRedisUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof FanOutUnavailableError) return true;
    const x = e as { name?: string; message?: string; code?: string };
    if (x.name === 'MaxRetriesPerRequestError' || x.code === 'REDIS_UNAVAILABLE') return true;
    if (typeof x.message === 'string' && REDIS_DOWN_RE.test(x.message)) return true;
  }
  return false;
}

/** Converts zod issues into the `details` of a VALIDATION_FAILED error. */
export function zodIssues(err: z.ZodError): Array<{ path: string; message: string; code: string }> {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));
}

/** A VALIDATION_FAILED error naming each zod issue; `where` is e.g. "body" or "query". */
export function validationError(where: string, err: z.ZodError): WeftError {
  const issues = zodIssues(err);
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
  return new WeftError('VALIDATION_FAILED', `Invalid request ${where}: ${summary}`, { issues });
}

/** Normalises anything thrown into a WeftError (unknown errors become INTERNAL). */
export function toWeftError(err: unknown): WeftError {
  if (err instanceof WeftError) return err;
  if (err instanceof z.ZodError) return validationError('body', err);
  // Backends away: 503 with a stable code; the pool / ioredis reconnect by themselves.
  if (isRedisUnavailable(err)) return new WeftError('REDIS_UNAVAILABLE', 'Redis is unreachable: retry shortly');
  if (isDatabaseUnavailable(err)) return new WeftError('DATABASE_UNAVAILABLE', 'The database is unreachable: retry shortly');
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string } | undefined;
  // body-parser errors carry a `type` and a 4xx status.
  if (e?.type === 'entity.too.large') return new WeftError('PAYLOAD_TOO_LARGE', 'Request body is too large');
  if (e?.type === 'entity.parse.failed') return new WeftError('VALIDATION_FAILED', `Request body is not valid JSON: ${e.message ?? ''}`.trim());
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new WeftError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'Unsupported encoding');
  const status = e?.status ?? e?.statusCode;
  if (status === 404) return new WeftError('NOT_FOUND', e?.message ?? 'Not found');
  if (status === 413) return new WeftError('PAYLOAD_TOO_LARGE', e?.message ?? 'Request body is too large');
  if (status !== undefined && status >= 400 && status < 500) return new WeftError('VALIDATION_FAILED', e?.message ?? 'Bad request');
  return new WeftError('INTERNAL', 'Internal error');
}

/** The final error middleware: logs server faults, answers with the envelope. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const we = toWeftError(err);
    if (we.httpStatus === 503) log.warn({ code: we.code, err: (err as Error)?.message, method: req.method, url: req.originalUrl }, 'request failed: backend unavailable');
    else if (we.httpStatus >= 500) log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (we.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="weft"');
    if (we.httpStatus === 503) res.setHeader('Retry-After', '2');
    res.status(we.httpStatus).json(we.toEnvelope());
  };
}

/** Answers 404 NOT_FOUND for any request no route took. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new WeftError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
