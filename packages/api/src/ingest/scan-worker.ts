/** Worker-thread entry of the fast path's byte-wise text check (see numeric-text-check.ts `scanNumericText`). */
import { parentPort, workerData } from 'node:worker_threads';
import { scanNumericText } from './numeric-text-check.js';

const { csvPath, delimiter, ncols } = workerData as { csvPath: string; delimiter: string; ncols: number };

scanNumericText(csvPath, delimiter, ncols).then(
  (scan) => parentPort!.postMessage({ ok: true, scan }),
  (e: unknown) => parentPort!.postMessage({ ok: false, message: (e as Error)?.message ?? String(e) }),
);
