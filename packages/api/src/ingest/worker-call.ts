/** Runs one job in a worker thread and settles on its single message (shared by ingest's workers). */
import { Worker } from 'node:worker_threads';

/**
 * Starts `entry` (a compiled worker file) with `workerData` and resolves with `settle(message)` of
 * the first message it posts (`settle` throws to reject). Aborting `signal` terminates the worker.
 * @throws what `settle` throws; the worker's error or early exit; the signal's reason when aborted.
 */
export function callWorker<M, T>(entry: string, workerData: unknown, signal: AbortSignal | undefined, settle: (message: M) => T): Promise<T> {
  signal?.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(entry, { workerData });
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => {
      void worker.terminate();
      finish(() => reject(signal!.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: M) =>
      finish(() => {
        try {
          resolve(settle(m));
        } catch (e) {
          reject(e);
        }
      }),
    );
    worker.once('error', (e) => finish(() => reject(e)));
    worker.once('exit', (code) => finish(() => reject(new Error(`worker ${entry} exited with code ${code} before answering`))));
  });
}
