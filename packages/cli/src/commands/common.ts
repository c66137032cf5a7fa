/** Exit codes and error reporting shared by the commands. */
import { ApiError } from '../api-client.js';
import { formatApiError } from '../format.js';

/** 0 success; 1 the job did not complete; 2 the api (or the input) refused the request. */
export const EXIT = { ok: 0, jobNotCompleted: 1, error: 2 } as const;

/** Prints an error to stderr and returns the exit code for it. */
export function reportError(err: unknown): number {
  if (err instanceof ApiError) process.stderr.write(formatApiError(err) + '\n');
  else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.error;
}

/** Writes one JSON document to stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}
