/** Exit codes and error reporting shared by the commands. */
import { ApiError } from '../api-client.js';
import { formatApiError } from '../format.js';

/** 0 success; 1 the job did not complete; 2 the api (or the input) refused the request. */
export const EXIT = { ok: 0, jobNotCompleted: 1, error: 2 } as const;

/** The JSON document of an error: `{ error: { code, message, status?, details? } }`, as the api's envelope. */
export function errorDoc(err: unknown): { error: { code: string; message: string; status?: number; details?: unknown } } {
  if (err instanceof ApiError) {
    return { error: { code: err.code, message: err.message, ...(err.status ? { status: err.status } : {}), ...(err.details !== undefined ? { details: err.details } : {}) } };
  }
  return { error: { code: 'ERROR', message: err instanceof Error ? err.message : String(err) } };
}

/**
 * Prints an error to stderr and returns the exit code for it. With `json` (a command run with
 * --json) the error is also written to stdout as one JSON document ({@link errorDoc}), so a
 * script reading stdout always gets JSON.
 */
export function reportError(err: unknown, opts: { json?: boolean } = {}): number {
  if (err instanceof ApiError) process.stderr.write(formatApiError(err) + '\n');
  else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (opts.json) printJson(errorDoc(err));
  return EXIT.error;
}

/** Writes one JSON document to stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}
