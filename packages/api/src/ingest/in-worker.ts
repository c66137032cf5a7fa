/**
 * Runs `ingestCsvFile` in a worker thread, so typing and profiling a large or very wide file
 * never blocks the api's event loop (health checks, other requests, Socket.IO). Errors keep
 * their stable codes: a WeftError thrown in the worker is rebuilt here with its details.
 */
import * as path from 'node:path';
import { WeftError, isErrorCode } from '@weft/proto';
import type { IngestResult } from './ingest.js';
import type { IngestOptions } from './options.js';
import { callWorker } from './worker-call.js';

/** What the worker posts back. */
export type IngestReply =
  | { ok: true; result: IngestResult }
  | { ok: false; error: { name: string; message: string; code?: string; details?: unknown } };

/**
 * Same contract as `ingestCsvFile` (CSV at `csvPath` → Arrow IPC file at `arrowPath`), run
 * off the calling thread. `opts.signal` aborting terminates the worker.
 * @throws WeftError CSV_* as ingestCsvFile; the signal's reason when aborted.
 */
export function ingestCsvFileInWorker(csvPath: string, arrowPath: string, opts: IngestOptions = {}): Promise<IngestResult> {
  const { signal, ...rest } = opts;
  return callWorker(path.join(__dirname, 'worker-entry.js'), { csvPath, arrowPath, opts: rest }, signal, (m: IngestReply) => {
    if (m.ok) return m.result;
    const e = m.error;
    if (e.code && isErrorCode(e.code)) throw new WeftError(e.code, e.message, e.details);
    const err = new Error(e.message);
    err.name = e.name;
    throw err;
  });
}
