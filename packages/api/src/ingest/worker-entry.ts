/** Worker-thread entry of `ingestCsvFileInWorker`: runs one ingest and posts the outcome. */
import { parentPort, workerData } from 'node:worker_threads';
import { WeftError } from '@weft/proto';
import { ingestCsvFile } from './ingest.js';
import type { IngestReply } from './in-worker.js';

const { csvPath, arrowPath, opts } = workerData as { csvPath: string; arrowPath: string; opts: Record<string, unknown> };

ingestCsvFile(csvPath, arrowPath, opts)
  .then((result) => parentPort!.postMessage({ ok: true, result } satisfies IngestReply))
  .catch((err: unknown) => {
    const e = err as Error;
    const reply: IngestReply = {
      ok: false,
      error: {
        name: e?.name ?? 'Error',
        message: e?.message ?? String(err),
        ...(err instanceof WeftError ? { code: err.code, details: err.details } : {}),
      },
    };
    parentPort!.postMessage(reply);
  });
