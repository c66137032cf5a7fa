/**
 * Error handling for the REST api: every failure leaves as the envelope
 * `{ error: { code, message, details? } }` with the code's HTTP status.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { WeftError } from '@weft/proto';
import type { Logger } from '@weft/common';

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
    if (we.httpStatus >= 500 && we.code !== 'UNAVAILABLE') log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (we.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="weft"');
    res.status(we.httpStatus).json(we.toEnvelope());
  };
}

/** Answers 404 NOT_FOUND for any request no route took. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new WeftError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
