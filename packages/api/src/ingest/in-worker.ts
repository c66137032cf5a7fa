/**
 * Runs `ingestCsvFile` in a worker thread, so typing and profiling a large or very wide file
 * never blocks the api's event loop (health checks, other requests, Socket.IO). Errors keep
 * their stable codes: a WeftError thrown in the worker is rebuilt here with its details.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WeftError, isErrorCode } from '@weft/proto';
import type { IngestResult } from './ingest.js';
import type { IngestOptions } from './options.js';

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
  signal?.throwIfAborted();
  return new Promise<IngestResult>((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'worker-entry.js'), { workerData: { csvPath, arrowPath, opts: rest } });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      void worker.terminate();
      finish(() => reject(signal!.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: IngestReply) => {
      finish(() => {
        if (m.ok) return resolve(m.result);
        const e = m.error;
        if (e.code && isErrorCode(e.code)) return reject(new WeftError(e.code, e.message, e.details));
        const err = new Error(e.message);
        err.name = e.name;
        reject(err);
      });
    });
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`ingest worker exited with code ${code} before answering`))));
  });
}
