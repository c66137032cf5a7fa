/**
 * Receiving a CSV upload into a temporary file: multipart/form-data (field `file`, other
 * fields as options) streamed through busboy, or a raw `text/csv` body (options in the
 * query string). Bytes are counted while streaming; past the limit the temp file is
 * removed and the request fails with 413 PAYLOAD_TOO_LARGE. A body that stalls or trickles
 * (less than UPLOAD_MIN_PROGRESS_BYTES per idle window, WEFT_UPLOAD_IDLE_TIMEOUT_MS) is cut
 * off with 408 UPLOAD_TIMEOUT, its temp file removed and the connection closed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import busboy from 'busboy';
import { WeftError } from '@weft/proto';

export interface ReceivedUpload {
  /** Temporary file holding the CSV bytes; the caller removes it. */
  csvPath: string;
  /** File name the client gave (multipart), if any. */
  fileName?: string;
  /** Text fields of the form (multipart) or the query string (raw body). */
  fields: Record<string, string>;
  /** Bytes of CSV received. */
  bytes: number;
}

export interface ReceiveOptions {
  /** Directory for temporary files (created if missing). */
  tmpDir: string;
  /** Largest CSV accepted, in bytes. */
  maxBytes: number;
  /**
   * Idle window, ms: fewer than UPLOAD_MIN_PROGRESS_BYTES received in a window aborts the upload
   * with 408 UPLOAD_TIMEOUT. Default: `req.app.locals.uploadIdleTimeoutMs` (set by createApp from
   * WEFT_UPLOAD_IDLE_TIMEOUT_MS), else DEFAULT_UPLOAD_IDLE_TIMEOUT_MS.
   */
  idleTimeoutMs?: number;
}

/** Idle window when neither the options nor the app give one, ms. */
export const DEFAULT_UPLOAD_IDLE_TIMEOUT_MS = 30_000;

/** Bytes an upload must make per idle window (a client trickling a few bytes a second is cut off). */
export const UPLOAD_MIN_PROGRESS_BYTES = 16 * 1024;

function idleTimeoutOf(req: Request, opts: ReceiveOptions): number {
  const fromApp = (req.app?.locals as { uploadIdleTimeoutMs?: unknown } | undefined)?.uploadIdleTimeoutMs;
  const ms = opts.idleTimeoutMs ?? (typeof fromApp === 'number' ? fromApp : DEFAULT_UPLOAD_IDLE_TIMEOUT_MS);
  return ms > 0 ? ms : DEFAULT_UPLOAD_IDLE_TIMEOUT_MS;
}

function uploadTimeout(ms: number): WeftError {
  return new WeftError('UPLOAD_TIMEOUT', `The upload stalled: less than ${UPLOAD_MIN_PROGRESS_BYTES} bytes arrived in ${ms} ms`, {
    idleTimeoutMs: ms,
  });
}

/**
 * Watches the request body: calls `onIdle` once a window of `ms` passes with fewer than
 * `UPLOAD_MIN_PROGRESS_BYTES` received, unless the body is paused by our own backpressure
 * (a slow disk is not the client's fault). `stop()` ends the watch.
 */
function watchProgress(req: Request, ms: number, onIdle: () => void): { stop(): void } {
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
  };
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    req.off('data', onData);
    req.off('end', stop);
  };
  const arm = () => {
    timer = setTimeout(() => {
      const pausedByUs = req.readableFlowing === false && req.readableLength > 0;
      if (received >= UPLOAD_MIN_PROGRESS_BYTES || pausedByUs) {
        received = 0;
        arm();
        return;
      }
      stop();
      onIdle();
    }, ms);
    timer.unref();
  };
  req.on('data', onData);
  // Once the whole body is in, the rest (disk, parsing) is ours to finish.
  req.once('end', stop);
  arm();
  return { stop };
}

/** Form overhead tolerated on top of `maxBytes` before refusing on Content-Length alone. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

function tooLarge(maxBytes: number): WeftError {
  return new WeftError('PAYLOAD_TOO_LARGE', `The upload is larger than the limit of ${maxBytes} bytes`, { maxBytes });
}

/** Counts bytes through a stream and fails once more than `max` have passed. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) cb(tooLarge(this.max));
    else cb(null, chunk);
  }
}

/**
 * Stops reading a request we are refusing: the rest of the body is discarded, the
 * connection closes after the response, and a client that keeps sending is cut off.
 */
export function abandonRequest(req: Request, res: Response): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.unpipe();
  req.resume();
  const timer = setTimeout(() => {
    if (!req.complete) req.socket?.destroy();
  }, 5_000);
  timer.unref();
}

/** True when the request carries a multipart form. */
export function isMultipart(req: Request): boolean {
  return /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

/** True when the request body is raw CSV (text/csv, application/csv, text/plain). */
export function isRawCsv(req: Request): boolean {
  return /^(text\/csv|application\/csv|text\/plain|application\/octet-stream)/i.test(req.headers['content-type'] ?? '');
}

/**
 * Receives a CSV upload into a temp file.
 * @throws WeftError PAYLOAD_TOO_LARGE, UPLOAD_MISSING_FILE, UNSUPPORTED_MEDIA_TYPE, VALIDATION_FAILED
 */
export async function receiveCsv(req: Request, res: Response, opts: ReceiveOptions): Promise<ReceivedUpload> {
  await fs.promises.mkdir(opts.tmpDir, { recursive: true });
  const declared = Number(req.headers['content-length'] ?? NaN);
  try {
    if (isMultipart(req)) {
      if (declared > opts.maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(opts.maxBytes);
      return await receiveMultipart(req, opts, idleTimeoutOf(req, opts));
    }
    if (isRawCsv(req)) {
      if (declared > opts.maxBytes) throw tooLarge(opts.maxBytes);
      return await receiveRaw(req, opts, idleTimeoutOf(req, opts));
    }
  } catch (err) {
    abandonRequest(req, res);
    throw err;
  }
  abandonRequest(req, res);
  throw new WeftError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as multipart/form-data (field "file") or as a text/csv body', {
    contentType: req.headers['content-type'] ?? null,
  });
}

/** Resolves once a destroyed or finished file stream has released its descriptor. */
function closed(ws: fs.WriteStream): Promise<void> {
  if (ws.closed) return Promise.resolve();
  if (!ws.destroyed) ws.destroy();
  return new Promise((resolve) => ws.once('close', () => resolve()));
}

function tempCsvPath(tmpDir: string): string {
  return path.join(tmpDir, `upload-${randomUUID()}.csv`);
}

async function receiveRaw(req: Request, opts: ReceiveOptions, idleMs: number): Promise<ReceivedUpload> {
  const csvPath = tempCsvPath(opts.tmpDir);
  const limit = new ByteLimit(opts.maxBytes);
  const out = fs.createWriteStream(csvPath);
  // Destroying the middle stream fails the pipeline with this error and closes the file.
  const watch = watchProgress(req, idleMs, () => limit.destroy(uploadTimeout(idleMs)));
  try {
    await pipeline(req, limit, out);
  } catch (err) {
    await closed(out);
    await fs.promises.rm(csvPath, { force: true });
    throw err instanceof WeftError ? err : new WeftError('VALIDATION_FAILED', `Upload interrupted: ${(err as Error).message}`);
  } finally {
    watch.stop();
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') fields[k] = v;
  if (limit.bytes === 0) {
    await fs.promises.rm(csvPath, { force: true });
    throw new WeftError('UPLOAD_MISSING_FILE', 'The request body is empty: send the CSV bytes');
  }
  return { csvPath, fields, bytes: limit.bytes };
}

function receiveMultipart(req: Request, opts: ReceiveOptions, idleMs: number): Promise<ReceivedUpload> {
  return new Promise<ReceivedUpload>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fields: 50, fieldSize: 1024 * 1024, parts: 100 } });
    } catch (err) {
      reject(new WeftError('VALIDATION_FAILED', `Malformed multipart request: ${(err as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    let csvPath: string | undefined;
    let fileName: string | undefined;
    let fileDone: Promise<void> | undefined;
    let limit: ByteLimit | undefined;
    let out: fs.WriteStream | undefined;
    let settled = false;

    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      watch.stop();
      req.unpipe(bb);
      // Stop the file pipeline and let the descriptor go before removing the file, so a
      // still-opening write stream cannot re-create it afterwards.
      limit?.destroy(err instanceof Error ? err : new Error(String(err)));
      bb.removeAllListeners('file');
      bb.on('error', () => undefined);
      bb.destroy();
      const file = csvPath;
      const cleanup = file && out ? closed(out).then(() => fs.promises.rm(file, { force: true })) : Promise.resolve();
      void cleanup.finally(() =>
        reject(err instanceof WeftError ? err : new WeftError('VALIDATION_FAILED', `Malformed multipart request: ${(err as Error).message}`)),
      );
    };

    const watch = watchProgress(req, idleMs, () => fail(uploadTimeout(idleMs)));

    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new WeftError('PAYLOAD_TOO_LARGE', `Form field "${name}" is too long`));
      else fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || csvPath || settled) {
        stream.resume();
        return;
      }
      csvPath = tempCsvPath(opts.tmpDir);
      fileName = info.filename;
      limit = new ByteLimit(opts.maxBytes);
      out = fs.createWriteStream(csvPath);
      fileDone = pipeline(stream, limit, out);
      fileDone.catch(fail);
    });
    bb.on('error', fail);
    bb.on('close', () => {
      if (settled) return;
      if (!csvPath || !fileDone) {
        fail(new WeftError('UPLOAD_MISSING_FILE', 'The form has no "file" field: attach the CSV as "file"'));
        return;
      }
      fileDone.then(
        () => {
          if (settled) return;
          settled = true;
          watch.stop();
          resolve({ csvPath: csvPath!, ...(fileName ? { fileName } : {}), fields, bytes: limit!.bytes });
        },
        fail,
      );
    });
    req.on('aborted', () => fail(new WeftError('VALIDATION_FAILED', 'The client aborted the upload')));
    req.pipe(bb);
  });
}
